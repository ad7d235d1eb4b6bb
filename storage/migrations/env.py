"""Alembic's entry point for its own command line (``alembic -c storage/alembic.ini``).

The app does not go through here: ``storage.migrations.upgrade`` runs the same
revisions, one transaction each, from ``Database.open`` and ``addons-bot migrate``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or "sqlite:///addons.db"

if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
