"""Import a scrutiny panel member's answers (the panel pack's "Save answers" file) into the store.

The answers file (JSON, UTF-8, at most 5 MB; JSON Schema in `answers.schema.json` beside this
module), as a pack writes it (format_version 2)::

    {"format": "callqa-panel-answers", "format_version": 2,
     "pack_id": "6f1c0e...", "draw_id": 3, "panel": "North Staffs panel",
     "questionnaire": {"name": "default", "version": "2026.11.1"},
     "member": "P. Member",
     "saved_at": "2026-11-26T14:03:00+00:00",
     "calls": [{"call": "C-7KQ2M4XA",
                "answers": {"greeting": "yes", "listening": "partly", "recap": null},
                "revealed_scores": true,
                "answered_at": "2026-11-26T13:40:00+00:00"}]}

- `pack_id` names the pack the answers were given in, and each `call` is that pack's pseudonym
  for a call (`C-` and 8 base32 characters), never the store's call id: the pack's key, kept only
  in the store (`panel_packs`, written by `callqa.panel.pack.build_pack`), maps it back. A file
  naming a pack this store did not make, a pack made for another draw, or a pseudonym that is not
  in that pack's key (answers from another pack, or an altered file) is refused. Each call at most
  once per file.
- `draw_id` and `panel` name the recorded sample (`callqa panel sample`) and must match the pack's.
- `questionnaire` must be the name and version being imported against (`--questionnaire FILE`,
  default the bundled one); `answers` keys are its question ids. A yes/no answer is "yes", "no",
  "partly" (yes_no_partly only) or "not_sure"; a scale answer a whole number (or its digits as a
  string); a text answer a string. `null`, "" or a missing key means unanswered: nothing is stored.
- `member` is the name the member gave in the pack (1-128 characters); `saved_at` and
  `answered_at` are ISO 8601 times (no offset means UTC; `answered_at` is optional, null until
  every question was answered, and defaults to `saved_at`); `revealed_scores` (optional, default
  false) says the member pressed "Show automated scores" for that call (the pack allows that only
  once every question is answered, and locks the answers). No other keys are allowed.

Version 1 files, written by packs made before pseudonyms, name each call by its store id
(`"call_id": "good_101"` instead of `"call"`), with `pack_id` optional; they still import, checked
against the draw's calls. A version 1 file naming a pack that has a key is refused: that pack
never wrote one.

Import validates every given file completely before writing anything, and reports the file and
its first problems (`calls[2].answers.greeting: 'maybe' is not one of yes, no, partly, not_sure`).
All files are then written in one transaction with an audit-log entry (`panel_import`), so a bad
file, or a failure half-way, leaves the store unchanged. Answers are stored by call id and keyed
by (draw, member, call): importing a member's answers for a call again (e.g. a corrected file,
from the same pack or another pack of the draw) deletes that member's earlier answers for that
call and stores the new ones, so a question answered before and left unanswered now is gone.
Calls not in the new file keep their earlier answers. Each row records the sha256 of the file it
came from; the audit entry lists the files, their pack_id and the calls whose scores the member
revealed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from callqa.pipeline.errors import CallQAError
from callqa.panel.questionnaire import Questionnaire, QuestionnaireError, load_questionnaire
from callqa.store import AnswersImport, Store
from callqa.store.times import now

FORMAT = "callqa-panel-answers"
FORMAT_VERSION = 2                    # what a pack writes
READ_VERSIONS = (1, 2)                # 1: packs made before pseudonyms (calls by call id)
MAX_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 8  # shown per file
REQUIRED_KEYS = ("format", "format_version", "draw_id", "panel", "questionnaire", "member", "saved_at", "calls")
TOP_KEYS = REQUIRED_KEYS + ("pack_id",)
CALL_REF = {1: "call_id", 2: "call"}  # the key that names a call in each version
CALL_KEYS = {v: (ref, "answers", "revealed_scores", "answered_at") for v, ref in CALL_REF.items()}
PSEUDONYM = re.compile(r"C-[A-Z2-7]{8}")  # a pack's name for a call (callqa.panel.pack.new_pseudonym)
SCHEMA_PATH = Path(__file__).with_name("answers.schema.json")


class AnswersError(CallQAError):
    """An answers file that cannot be imported; names the file and its first problems."""


@dataclass(frozen=True)
class CallAnswers:
    call_id: str | None               # the store's call id; for version 2 files None until import maps `ref`
    answers: dict[str, str]           # question id -> normalised answer; unanswered questions absent
    revealed_scores: bool
    answered_at: datetime
    ref: str = ""                     # how the file names the call: the pack's pseudonym (v2), the call id (v1)


@dataclass(frozen=True)
class AnswersFile:
    path: str
    sha256: str
    draw_id: int
    panel: str
    questionnaire: str                # name@version
    member: str
    saved_at: datetime
    calls: tuple[CallAnswers, ...]
    pack_id: str | None = None
    format_version: int = FORMAT_VERSION


@dataclass
class ImportSummary:
    files: list[dict[str, Any]] = field(default_factory=list)  # path, sha256, draw_id, member, calls, stored, replaced

    @property
    def stored(self) -> int:
        return sum(f["stored"] for f in self.files)

    @property
    def replaced(self) -> int:
        return sum(f["replaced"] for f in self.files)


class _Problems(list):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}" if where else message)


def _fail(path: str, problems: list[str]) -> AnswersError:
    shown = problems[:MAX_PROBLEMS]
    more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return AnswersError(f"{path}: cannot import answers:\n  " + "\n  ".join(shown) + more)


def _time(value: Any, where: str, problems: _Problems) -> datetime | None:
    if not isinstance(value, str):
        problems.add(where, f"expected an ISO 8601 time, got {value!r}")
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        problems.add(where, f"{value!r} is not an ISO 8601 time (e.g. 2026-11-26T14:03:00+00:00)")
        return None
    return when.astimezone(timezone.utc) if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def read_bytes(path: str | Path) -> tuple[bytes, str]:
    """The file's bytes and sha256; AnswersError if it is missing, unreadable or over MAX_BYTES."""
    source = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise AnswersError(f"{source}: cannot read answers file ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise AnswersError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MB; not an answers file")
    return raw, hashlib.sha256(raw).hexdigest()


def parse_answers(raw: bytes, source: str, questionnaire: Questionnaire, sha256: str | None = None) -> AnswersFile:
    """Check a file's bytes against the format and the questionnaire (nothing about the store yet)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswersError(f"{source}: not UTF-8 text (byte {exc.start}); not an answers file") from None
    if not text.strip():
        raise AnswersError(f"{source}: empty file; not an answers file")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        hint = " (the file looks truncated)" if exc.pos >= len(text.rstrip()) else ""
        raise AnswersError(f"{source}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{hint}") \
            from None
    except (ValueError, RecursionError) as exc:
        raise AnswersError(f"{source}: not valid answers JSON: {exc}") from None
    if not isinstance(data, dict):
        raise AnswersError(f"{source}: expected a JSON object, got {type(data).__name__}; not an answers file")
    if data.get("format") != FORMAT:
        raise AnswersError(f"{source}: format is {data.get('format')!r}, not {FORMAT!r}; not a callqa answers file")
    version = data.get("format_version")
    if isinstance(version, bool) or version not in READ_VERSIONS:
        raise AnswersError(f"{source}: format_version {version!r} is not supported "
                           f"(this callqa reads versions {' and '.join(map(str, READ_VERSIONS))})")

    problems = _Problems()
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        problems.add("", f"unknown key(s) {', '.join(unknown)}; known: {', '.join(TOP_KEYS)}")
    for key in REQUIRED_KEYS + (("pack_id",) if version >= 2 else ()):
        if key not in data:
            problems.add(key, "missing")
    draw_id = data.get("draw_id")
    if "draw_id" in data and (isinstance(draw_id, bool) or not isinstance(draw_id, int) or draw_id < 1):
        problems.add("draw_id", f"expected a draw number, got {draw_id!r}")
    strings = {}
    for key in ("panel", "member"):
        value = data.get(key)
        if key in data and (not isinstance(value, str) or not value.strip() or len(value.strip()) > 128):
            problems.add(key, f"expected a name of 1-128 characters, got {value!r}")
        strings[key] = value.strip() if isinstance(value, str) else ""
    named = data.get("questionnaire")
    if "questionnaire" in data:
        if (not isinstance(named, dict) or set(named) != {"name", "version"}
                or not all(isinstance(v, str) for v in named.values())):
            problems.add("questionnaire", f"expected {{\"name\": ..., \"version\": ...}}, got {named!r}")
        elif (named["name"], named["version"]) != (questionnaire.name, questionnaire.version):
            # Checking the answers against another questionnaire would only add noise: stop here.
            raise _fail(source, [f"questionnaire: answers were given on {named['name']}@{named['version']}, but "
                                 f"this import checks against {questionnaire.ref} ({questionnaire.source}); pass "
                                 "--questionnaire with the questionnaire file the pack used"])
    saved_at = _time(data["saved_at"], "saved_at", problems) if "saved_at" in data else None
    pack_id = data.get("pack_id")
    if pack_id is not None and (not isinstance(pack_id, str) or not 0 < len(pack_id) <= 128):
        problems.add("pack_id", f"expected the pack's id string, got {pack_id!r}")
        pack_id = None

    calls: list[CallAnswers] = []
    raw_calls = data.get("calls")
    if "calls" in data and (not isinstance(raw_calls, list) or not raw_calls):
        problems.add("calls", "expected a list of one or more calls")
        raw_calls = []
    seen: set[str] = set()
    for i, item in enumerate(raw_calls or []):
        where = f"calls[{i}]"
        if not isinstance(item, dict):
            problems.add(where, f"expected an object, got {item!r}")
            continue
        unknown = sorted(set(item) - set(CALL_KEYS[version]))
        if unknown:
            problems.add(where, f"unknown key(s) {', '.join(unknown)}; known: {', '.join(CALL_KEYS[version])}")
        ref_key = CALL_REF[version]
        ref = item.get(ref_key)
        if version >= 2 and ref_key not in item:
            problems.add(f"{where}.{ref_key}", "missing")
            ref = None
        elif version >= 2 and (not isinstance(ref, str) or not PSEUDONYM.fullmatch(ref)):
            problems.add(f"{where}.{ref_key}", "expected one of the pack's call references (C- and 8 letters or "
                         f"digits), got {ref!r}")
            ref = None
        elif not isinstance(ref, str) or not ref:
            problems.add(f"{where}.{ref_key}", f"expected a call id, got {ref!r}")
            ref = None
        elif ref in seen:
            problems.add(f"{where}.{ref_key}", f"{ref!r} appears more than once in the file")
        else:
            seen.add(ref)
        revealed = item.get("revealed_scores", False)
        if not isinstance(revealed, bool):
            problems.add(f"{where}.revealed_scores", f"expected true or false, got {revealed!r}")
        answered_at = saved_at
        if item.get("answered_at") is not None:
            answered_at = _time(item["answered_at"], f"{where}.answered_at", problems)
        answers: dict[str, str] = {}
        given = item.get("answers")
        if not isinstance(given, dict):
            problems.add(f"{where}.answers", f"expected an object of question id -> answer, got {given!r}")
            given = {}
        for qid, value in given.items():
            question = questionnaire.question(qid)
            if question is None:
                problems.add(f"{where}.answers.{qid}", f"unknown question; {questionnaire.ref} asks "
                             f"{', '.join(questionnaire.ids)}")
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue  # unanswered
            try:
                answers[qid] = question.validate_answer(value)
            except QuestionnaireError as exc:
                problems.add(f"{where}.answers.{qid}", str(exc))
        if ref is not None and answered_at is not None:
            calls.append(CallAnswers(ref if version == 1 else None, answers, revealed is True, answered_at, ref))
    if problems:
        raise _fail(source, problems)
    return AnswersFile(path=source, sha256=sha256 or hashlib.sha256(raw).hexdigest(), draw_id=draw_id,
                       panel=strings["panel"], questionnaire=questionnaire.ref, member=strings["member"],
                       saved_at=saved_at, calls=tuple(calls), pack_id=pack_id,  # type: ignore[arg-type]
                       format_version=version)


def read_answers(path: str | Path, questionnaire: Questionnaire) -> AnswersFile:
    raw, digest = read_bytes(path)
    return parse_answers(raw, str(path), questionnaire, digest)


def _resolve(tx: AnswersImport, files: Sequence[AnswersFile]) -> list[AnswersFile]:
    """Check each file against the store (its draw, its pack's key) and map the pack's pseudonyms
    back to call ids; AnswersError naming the file and its problems if any does not fit."""
    draws = tx.draws(f.draw_id for f in files)
    packs = tx.pack_keys(f.pack_id for f in files if f.pack_id)
    owner: dict[tuple[int, str, str], str] = {}
    resolved: list[AnswersFile] = []
    for f in files:
        problems = _Problems()
        ref_key = CALL_REF[f.format_version]
        draw = draws.get(f.draw_id)
        if draw is None:
            problems.add("draw_id", f"no panel draw {f.draw_id} in this store")
        elif f.panel != draw.panel:
            problems.add("panel", f"{f.panel!r} does not match draw {f.draw_id}, which is for panel {draw.panel!r}")
        pack = packs.get(f.pack_id) if f.pack_id else None
        calls = list(f.calls)
        if f.format_version >= 2:
            if pack is None:
                problems.add("pack_id", f"no panel pack {f.pack_id} in this store (answers import only into the "
                             "store that made their pack, which keeps the pack's key)")
                calls = []
            else:
                if pack.draw_id != f.draw_id:
                    problems.add("pack_id", f"pack {f.pack_id} was made for draw {pack.draw_id}, not draw {f.draw_id}")
                pack_key: dict[str, str] = pack.pseudonyms
                for i, call in enumerate(f.calls):
                    if call.ref not in pack_key:
                        problems.add(f"calls[{i}].{ref_key}", f"{call.ref!r} is not one of pack {f.pack_id}'s "
                                     f"{len(pack_key)} calls (answers from another pack, or an altered file)")
                    calls[i] = replace(call, call_id=pack_key.get(call.ref))
        elif pack is not None:
            problems.add("format_version", f"pack {f.pack_id} names its calls by pseudonyms and saves "
                         "format_version 2; this version 1 file names calls by call id, so it is not that pack's")
        if draw is not None and (f.format_version == 1 or (pack is not None and pack.draw_id == f.draw_id)):
            in_draw = {c[0] for c in draw.calls}
            for i, call in enumerate(calls):
                if call.call_id is not None and call.call_id not in in_draw:
                    problems.add(f"calls[{i}].{ref_key}", f"{call.ref!r} is not one of draw {f.draw_id}'s "
                                 f"{len(in_draw)} calls")
        for i, call in enumerate(calls):
            if call.call_id is None:
                continue
            key = (f.draw_id, f.member, call.call_id)
            if key in owner and owner[key] != f.path:
                problems.add(f"calls[{i}]", f"answers of member {f.member!r} for {call.call_id!r} in draw "
                             f"{f.draw_id} are also in {owner[key]}; import one or the other")
            owner.setdefault(key, f.path)
        if problems:
            raise _fail(f.path, problems)
        resolved.append(replace(f, calls=tuple(calls)))
    return resolved


def import_answers(store: Store, paths: Sequence[str | Path], questionnaire: Questionnaire | None = None,
                   actor: str = "callqa") -> ImportSummary:
    """Validate every file, then store them all in one transaction (see the module docstring)."""
    questionnaire = questionnaire or load_questionnaire()
    if not paths:
        raise AnswersError("no answers files given")
    files = [read_answers(path, questionnaire) for path in paths]
    summary = ImportSummary()
    imported_at = now()
    with store.answers_import() as tx:
        files = _resolve(tx, files)
        for f in files:
            ids = [c.call_id for c in f.calls]
            rows = [dict(draw_id=f.draw_id, member=f.member, call_id=c.call_id, question_id=qid, answer=answer,
                         questionnaire=f.questionnaire, submitted_at=c.answered_at, imported_at=imported_at,
                         source_sha256=f.sha256)
                    for c in f.calls for qid, answer in c.answers.items()]
            replaced = tx.replace_answers(f.draw_id, f.member, ids, rows)
            summary.files.append(dict(
                path=f.path, sha256=f.sha256, draw_id=f.draw_id, panel=f.panel, member=f.member,
                questionnaire=f.questionnaire, pack_id=f.pack_id, saved_at=f.saved_at.isoformat(), calls=len(f.calls),
                stored=len(rows), replaced=replaced,
                revealed_scores=sorted(c.call_id for c in f.calls if c.revealed_scores)))
        tx.audit(actor, "panel_import", {"files": summary.files})
    return summary


def answers_schema() -> dict[str, Any]:
    """The answers file's JSON Schema (draft 2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def describe(summary: ImportSummary) -> list[str]:
    return [f"{f['path']}: {f['member']}, draw {f['draw_id']} ({f['panel']}): {f['calls']} call(s), "
            f"{f['stored']} answer(s) stored"
            + (f", {f['replaced']} earlier answer(s) replaced" if f["replaced"] else "")
            for f in summary.files]


__all__ = ["FORMAT", "FORMAT_VERSION", "MAX_BYTES", "PSEUDONYM", "READ_VERSIONS", "AnswersError", "AnswersFile",
           "CallAnswers", "ImportSummary", "answers_schema", "describe", "import_answers", "parse_answers",
           "read_answers"]
