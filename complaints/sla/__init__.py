"""SLA working-time calendars and deadline arithmetic (pure Python, no Flask/DB)."""
