"""The store: typed models, engine and session factory, migrations and demo data."""
