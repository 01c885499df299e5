"""Shops' reputation pages: every shop's latest grade, one shop's months, and the scoring model."""
