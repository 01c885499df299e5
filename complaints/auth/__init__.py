"""Signing in and out, registration, language choice."""
