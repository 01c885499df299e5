"""Administration: users, merchants, categories, mediation organisations, pledge policies, calendars."""
