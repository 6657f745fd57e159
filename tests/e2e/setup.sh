#!/bin/sh
# Installs the Bot API emulator the end-to-end test runs the bot against (Node 18 or newer).
# The versions are pinned by package-lock.json; node_modules/ is not committed.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
    echo "npm is not installed: install Node.js 18 or newer to run the end-to-end test" >&2
    exit 1
fi
npm ci --no-audit --no-fund
