"""Use cases. The only code that changes complaints; no request objects in here."""
