"""The store as one object: `Store` composes the aggregates' mixins, each in its own module with
its own SQL.

- base.py: opening, migrating, backing up and checkpointing a store (`StoreBase`)
- runs.py: runs, their errors and the per-call plan
- results.py: calls, transcriptions, scorings, indicator results, flags; the current-results query
- voice_samples.py: handlers' voice samples (voiceprints)
- reviews.py: QA leads' decisions on flags and the review queue
- queue.py: the call-centred queue (one row per call), search and bulk decisions
- feedback.py: operators' acknowledgements and disputes, and QA leads' resolutions
- agreement.py: automation/QA-lead agreement per indicator and rules version; decisions to tune on
- reports.py: the morning report's reads
- trends.py: trend pages' reads per operator, team and indicator
- panels.py: panel draws, pack keys, imported answers, calibration reads
- users.py: review-app accounts, assignments, the audit log, sign-in attempts
- times.py: the public time helpers (now, to_utc, from_db, parse_date)
"""

from __future__ import annotations

from callqa.store.base import (DEFAULT_DB, IN_CHUNK, MAX_ID, MIGRATIONS, StoreError, head_revision, resolve_db_url,
                               sqlite_path)
from callqa.store.agreement import AgreementMixin
from callqa.store.feedback import FeedbackMixin
from callqa.store.panels import PanelsMixin
from callqa.store.queue import QueueMixin
from callqa.store.reports import ReportsMixin
from callqa.store.results import ResultsMixin, current_scorings, severity_rank
from callqa.store.reviews import ReviewsMixin
from callqa.store.trends import TrendsMixin
from callqa.store.runs import RUN_LOCK, RUN_LOCK_STALE, Plan, RunsMixin, pid_alive
from callqa.store.times import from_db, now, parse_date, to_utc
from callqa.store.users import UsersMixin
from callqa.store.voice_samples import VoiceSamplesMixin


class Store(RunsMixin, ResultsMixin, VoiceSamplesMixin, ReviewsMixin, QueueMixin, FeedbackMixin, AgreementMixin,
            ReportsMixin, TrendsMixin, PanelsMixin, UsersMixin):
    """Read and write the results store: SQLite by default, PostgreSQL by URL.

    `Store(url)` creates and migrates (the nightly batch); `Store.open(url)` opens an existing
    store at the newest migration and never creates or migrates one (every other command)."""


__all__ = ["DEFAULT_DB", "IN_CHUNK", "MAX_ID", "MIGRATIONS", "RUN_LOCK", "RUN_LOCK_STALE", "Plan", "Store",
           "StoreError", "current_scorings", "from_db", "head_revision", "now", "parse_date", "pid_alive", "resolve_db_url",
           "severity_rank", "sqlite_path", "to_utc"]
