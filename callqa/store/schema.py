"""The results store's tables, one schema for SQLite and PostgreSQL (SQLAlchemy Core).

Speech-to-text output and scoring are kept apart: a `transcription` is one engine+model's
reading of one audio file (by sha256); a `scoring` is one rule-pack version applied to it. A rules
change adds scorings without touching speech-to-text.

Changes to these tables need an Alembic migration in `migrations/versions/`; a test checks the
migrated database matches this file.
"""

from __future__ import annotations

from sqlalchemy import (
    false,
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running, finished, interrupted, failed
    Column("export_dir", Text, nullable=False),
    Column("reader", String(64)),
    Column("engine", String(64), nullable=False),
    Column("model", Text, nullable=False),
    Column("rules_version", String(128), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("workers", Integer, nullable=False),
    Column("summary", JSON),
)

calls = Table(
    "calls", metadata,
    Column("call_id", String(128), primary_key=True),
    Column("audio_path", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("call_type", String(8), nullable=False),
    Column("area", String(255), nullable=False),
    Column("handler_id", String(255), nullable=False),
    Column("layout", String(32), nullable=False),   # which party is on which channel (was "channels")
    Column("answer_delay_s", Float),
    Column("training", Boolean, nullable=False),
    Column("source", Text, nullable=False),
    Column("extra", JSON),
    Column("first_run_id", Integer, ForeignKey("runs.id")),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_calls_started_at", calls.c.started_at)
Index("ix_calls_area", calls.c.area)
Index("ix_calls_handler", calls.c.handler_id)

transcriptions = Table(
    "transcriptions", metadata,
    Column("id", Integer, primary_key=True),
    Column("call_id", String(128), ForeignKey("calls.call_id"), nullable=False),
    Column("audio_sha256", String(64), nullable=False),
    Column("engine", String(64), nullable=False),
    Column("model", Text, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("layout", String(16), nullable=False),
    Column("channel_layout", String(32), nullable=False),
    Column("transcript", JSON, nullable=False),
    Column("speech", JSON, nullable=False),
    Column("audio", JSON),
    Column("attribution", JSON),                # who is who: method, confidence
    Column("vectors", JSON),                    # sentence embeddings for intents (callqa.pipeline.intents.vectors)
    Column("stats", JSON),
    Column("worker", String(255)),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("call_id", "audio_sha256", "engine", "model", name="uq_transcription"),
)

scorings = Table(
    "scorings", metadata,
    Column("id", Integer, primary_key=True),
    Column("transcription_id", Integer, ForeignKey("transcriptions.id"), nullable=False),
    Column("call_id", String(128), ForeignKey("calls.call_id"), nullable=False),
    Column("rules_version", String(128), nullable=False),
    Column("silences", JSON, nullable=False),
    Column("flag_count", Integer, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("score", Float),                     # 0-100, None when no indicator applied
    Column("review_priority", String(8)),       # high | normal
    UniqueConstraint("transcription_id", "rules_version", name="uq_scoring"),
)
Index("ix_scorings_call", scorings.c.call_id)

indicator_results = Table(
    "indicator_results", metadata,
    Column("id", Integer, primary_key=True),
    Column("scoring_id", Integer, ForeignKey("scorings.id"), nullable=False),
    Column("call_id", String(128), nullable=False),
    Column("indicator", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("evidence", JSON, nullable=False),
    Column("metrics", JSON),                    # e.g. listening: interruptions, caller share
    Column("confidence", Float),                # 0-1, how sure the status is
)
Index("ix_indicator_results_scoring", indicator_results.c.scoring_id)

flags = Table(
    "flags", metadata,
    Column("id", Integer, primary_key=True),
    Column("scoring_id", Integer, ForeignKey("scorings.id"), nullable=False),
    Column("call_id", String(128), nullable=False),
    Column("indicator", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("start_s", Float, nullable=False),
    Column("evidence_s", JSON),
    Column("severity", String(8)),              # high | medium | low
    Column("confidence", Float),                # 0-1, the indicator's confidence
    Column("needs_review", Boolean, nullable=False, server_default=false()),  # unsure: a question, not a finding
)
Index("ix_flags_scoring", flags.c.scoring_id)

# One row per stereo call: its handler's mean speaker embedding. A handler's voiceprint is the
# centroid of their rows. Biometric personal data: never exported, never in a pack; deleted with
# the handler (`callqa voiceprints delete`). See pipeline/voiceprints.py.
voice_samples = Table(
    "voice_samples", metadata,
    Column("call_id", String(128), ForeignKey("calls.call_id"), primary_key=True),
    Column("handler_id", String(255), nullable=False),
    Column("encoder", String(64), nullable=False),
    Column("vector", Text, nullable=False),      # base64 float32
    Column("seconds", Float, nullable=False),    # handler speech it rests on
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_voice_samples_handler", voice_samples.c.handler_id)

errors = Table(
    "errors", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("call_id", String(128)),
    Column("source", Text, nullable=False),
    Column("stage", String(16), nullable=False),  # export, audio, analysis
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_errors_run", errors.c.run_id)

panel_draws = Table(
    "panel_draws", metadata,
    Column("id", Integer, primary_key=True),
    Column("panel", String(128), nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("filters", JSON, nullable=False),     # areas, dates, call types, strata: enough to re-draw
    Column("seed", BigInteger, nullable=False),
    Column("calls", JSON, nullable=False),       # [[call_id, stratum], ...] in draw order
)

# One row per panel pack built: its key from the pseudonyms a member sees and saves back to call ids.
# Kept only here, never with the pack; `callqa panel import` maps answers through it (callqa/panel).
panel_packs = Table(
    "panel_packs", metadata,
    Column("pack_id", String(64), primary_key=True),
    Column("draw_id", Integer, ForeignKey("panel_draws.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("pseudonyms", JSON, nullable=False),  # {pseudonym: call_id}
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),   # user name, or the login name for the CLI
    Column("action", String(64), nullable=False),   # e.g. view_call, panel_pack, redaction_off, login
    Column("call_id", String(128)),
    Column("details", JSON),
)
Index("ix_audit_log_at", audit_log.c.at)

panel_answers = Table(
    "panel_answers", metadata,
    Column("id", Integer, primary_key=True),
    Column("draw_id", Integer, ForeignKey("panel_draws.id"), nullable=False),
    Column("member", String(128), nullable=False),
    Column("call_id", String(128), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("answer", Text),                          # yes | no | partly | 1-5 | free text; None = skipped
    Column("questionnaire", String(128), nullable=False),  # questionnaire name@version answered
    Column("submitted_at", DateTime(timezone=True)),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("source_sha256", String(64), nullable=False),
    UniqueConstraint("draw_id", "member", "call_id", "question_id", name="uq_panel_answer"),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(128), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),      # qa_lead | panel_member | operator
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Bumped on sign-out, password change and disabling: every session signed with an older
    # value stops working, copied cookies included (sessions are signed cookies, not rows).
    Column("session_epoch", Integer, nullable=False, server_default="0"),
    # An operator's account is linked to one handler id (calls.handler_id): the calls they may see.
    Column("handler_id", String(255)),
)

panel_assignments = Table(
    "panel_assignments", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("draw_id", Integer, ForeignKey("panel_draws.id"), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_id", "draw_id", name="uq_panel_assignment"),
)

flag_decisions = Table(
    "flag_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("flag_id", Integer, ForeignKey("flags.id"), nullable=False),
    Column("call_id", String(128), nullable=False),
    Column("indicator", String(64), nullable=False),
    Column("decision", String(16), nullable=False),  # one of FLAG_DECISIONS
    Column("reason", Text),
    Column("note", Text),
    Column("decided_by", String(128), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)
Index("ix_flag_decisions_flag", flag_decisions.c.flag_id)
Index("ix_flag_decisions_call", flag_decisions.c.call_id)   # a page's decisions (0012)
FLAG_DECISIONS = ("confirm", "dismiss", "note")

# An operator's answer to one finding (flag) on their own call: acknowledged, or disputed with a
# comment; a QA lead then resolves a dispute (upheld: the finding stands; overturned: the flag is
# dismissed through flag_decisions). One answer per flag: a re-score raising the flag again is a
# new flag, answered afresh.
feedback_responses = Table(
    "feedback_responses", metadata,
    Column("id", Integer, primary_key=True),
    Column("flag_id", Integer, ForeignKey("flags.id"), nullable=False, unique=True),
    Column("call_id", String(128), nullable=False),
    Column("handler_id", String(255), nullable=False),
    Column("indicator", String(64), nullable=False),
    Column("response", String(16), nullable=False),      # one of FEEDBACK_RESPONSES
    Column("comment", Text),                              # required for a dispute
    Column("responded_by", String(128), nullable=False),
    Column("responded_at", DateTime(timezone=True), nullable=False),
    Column("resolution", String(16)),                     # one of DISPUTE_RESOLUTIONS; None: open
    Column("resolution_note", Text),
    Column("resolved_by", String(128)),
    Column("resolved_at", DateTime(timezone=True)),
)
Index("ix_feedback_responses_handler", feedback_responses.c.handler_id)
FEEDBACK_RESPONSES = ("acknowledged", "disputed")
DISPUTE_RESOLUTIONS = ("upheld", "overturned")
# A flag's review status is set by its latest closing decision; a note leaves the status as it is.
CLOSING_DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed"}

# One row per scored call: its current (newest) scoring and its open flags counted and ranked in
# the queue's order, kept by the database's triggers (migration 0011 says how).
current_results = Table(
    "current_results", metadata,
    Column("call_id", String(128), ForeignKey("calls.call_id"), primary_key=True),
    Column("scoring_id", Integer, ForeignKey("scorings.id"), nullable=False, unique=True),
    Column("started_at", DateTime(timezone=True), nullable=False),   # copies of the call's
    Column("training", Boolean, nullable=False),
    Column("priority_key", Integer, nullable=False),     # 0: review_priority high, else 1
    Column("open_findings", Integer, nullable=False),    # open flags callqa is sure of
    Column("open_checks", Integer, nullable=False),      # open needs_review flags
    Column("open_flags", Integer, nullable=False),
    Column("worst_finding", Integer, nullable=False),    # severity rank (SEVERITIES order), NO_SEVERITY: none
    Column("worst_any", Integer, nullable=False),
    Column("unqueued", Integer, nullable=False),         # 0: an open flag, 1: none
    Column("findings_key", Integer, nullable=False),     # 0: an open finding, 1: checks only or nothing
    Column("worst_open", Integer, nullable=False),       # worst_finding when there are findings, else worst_any
    Column("handler_id", String(255)),                   # copies of the call's (migration 0012)
    Column("area", String(255)),
    Column("local_day", Date),                           # the UK day started_at falls on
)
_q = current_results.c
# The queue's order (callqa.store.queue.QUEUE_KEYS), read by index: of everyone, of one handler, of one area.
_queue_order = (_q.unqueued, _q.priority_key, _q.findings_key, _q.worst_open, _q.open_findings.desc(),
                _q.open_checks.desc(), _q.started_at.desc(), _q.call_id)
Index("ix_current_results_queue", _q.training, *_queue_order)
Index("ix_flags_call", flags.c.call_id)
Index("ix_calls_handler_started", calls.c.handler_id, calls.c.started_at)
Index("ix_calls_area_started", calls.c.area, calls.c.started_at)
Index("ix_current_results_day", _q.local_day, _q.handler_id, _q.area, _q.training, _q.started_at)
for _column in (_q.handler_id, _q.area):   # (0012)
    Index(f"ix_current_results_queue_{_column.name}", _q.training, _column, *_queue_order)

# The current results of non-training calls counted per UK day, handler and area, kept by the
# database's triggers (migration 0012 says how): what the trend pages and operator tables sum.
daily_calls = Table(
    "daily_calls", metadata,
    Column("day", Date, primary_key=True),
    Column("handler_id", String(255), primary_key=True),
    Column("area", String(255), primary_key=True),
    Column("calls", Integer, nullable=False),
    Column("flagged", Integer, nullable=False),       # calls with a flag
    Column("scored", Integer, nullable=False),        # calls with a score
    Column("score_sum", Float, nullable=False),
    Column("last_call", DateTime(timezone=True)),     # the newest call counted here
)
daily_indicators = Table(
    "daily_indicators", metadata,
    Column("day", Date, primary_key=True),
    Column("handler_id", String(255), primary_key=True),
    Column("area", String(255), primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("passed", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("applied", Integer, nullable=False),        # statuses other than not_applicable
)
Index("ix_daily_calls_handler", daily_calls.c.handler_id, daily_calls.c.day)
Index("ix_daily_calls_area", daily_calls.c.area, daily_calls.c.day)
_d = daily_indicators.c   # covering, in the pages' GROUP BY orders (migration 0012)
Index("ix_daily_indicators_handler", _d.handler_id, _d.indicator, _d.day, _d.passed, _d.failed, _d.applied)
Index("ix_daily_indicators_area", _d.area, _d.indicator, _d.day, _d.passed, _d.failed, _d.applied)
Index("ix_daily_indicators_day", _d.day, _d.indicator, _d.passed, _d.failed, _d.applied)
