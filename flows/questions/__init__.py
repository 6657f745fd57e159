"""Questions: families ask in their own words; what the FAQ can't answer goes to staff."""
