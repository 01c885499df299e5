"""Third-party mediators: their organisation's cases, sessions, outcomes."""
