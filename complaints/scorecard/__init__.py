"""The public pledge scorecard: the pledge as published beside what was kept of it (no login)."""
