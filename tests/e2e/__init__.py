"""End-to-end: the real bot process against a Bot API emulator."""
