"""Alembic environment: migrations run on the connection callqa hands over (SQLite or PostgreSQL)."""

from alembic import context

from callqa.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic -x url=... upgrade head` from the command line
    from sqlalchemy import create_engine

    from callqa.store.store import _engine_url  # postgresql:// means psycopg 3, as in Store

    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///callqa.db")
    connection = create_engine(_engine_url(url)).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
