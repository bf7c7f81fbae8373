"""The SLA clock (pure functions) and, with the deadline engine, the set-based deadline check."""
