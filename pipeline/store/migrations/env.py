"""Alembic environment: migrations run on the connection callqa hands over (SQLite or PostgreSQL)."""

from alembic import context

from pipeline.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic -x url=... upgrade head` from the command line
    from sqlalchemy import create_engine

    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///callqa.db")
    connection = create_engine(url).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
