"""Every write of the accounts app goes through these services (see each module's invariants)."""
