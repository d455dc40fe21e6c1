"""The tasks room: models, services, forms and views (blueprint in views.py)."""
