"""The results store: SQLite by default, PostgreSQL by URL, one schema, Alembic migrations.

All the project's SQL lives in this package, split by aggregate (see store.py); everything else
calls `Store` methods and uses the public time helpers in `callqa.store.times`.
"""

from callqa.store.panels import AnswerRow, AnswersImport, Candidate, DrawRow, PackKey
from callqa.store.trends import IndicatorRow
from callqa.store.reviews import CLOSING_DECISIONS, FLAG_DECISIONS, QUEUE_STATUSES, DecisionRow
from callqa.store.base import check_store_reachable, check_store_url
from callqa.store.store import (DEFAULT_DB, MAX_ID, Plan, Store, StoreError, head_revision, parse_date, resolve_db_url,
                                sqlite_path)

__all__ = ["CLOSING_DECISIONS", "DEFAULT_DB", "FLAG_DECISIONS", "MAX_ID", "QUEUE_STATUSES", "AnswerRow",
           "AnswersImport", "Candidate", "DecisionRow", "DrawRow", "IndicatorRow", "PackKey", "Plan", "Store",
           "StoreError", "check_store_reachable", "check_store_url", "head_revision", "parse_date", "resolve_db_url", "sqlite_path"]
