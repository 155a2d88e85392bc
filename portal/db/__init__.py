"""The portal's own database: models, engine/session factory, migrations."""
