"""python -m assistant: the command-line interface."""

from assistant.cli.main import main

raise SystemExit(main())
