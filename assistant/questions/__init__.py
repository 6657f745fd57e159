"""Questions families ask the school's staff, and the answers that come back in the chat."""
