"""The results store: SQLite by default, PostgreSQL by URL, one schema, Alembic migrations."""

from pipeline.store.store import DEFAULT_DB, Plan, Store, parse_date, resolve_db_url

__all__ = ["DEFAULT_DB", "Plan", "Store", "parse_date", "resolve_db_url"]
