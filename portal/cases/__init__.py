"""The cases room: models, services, forms and views (blueprint in views.py)."""
