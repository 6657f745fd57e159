"""python -m assistant: the command-line interface."""

from assistant.cli import main

raise SystemExit(main())
