"""Administration: users, merchants, categories, mediation organisations."""
