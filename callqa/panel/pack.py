"""Self-contained HTML panel packs: one folder per drawn sample that opens from a USB stick.

A pack holds `index.html` (styles, script and data inline; no server, no external scripts or
fonts, a Content-Security-Policy that forbids any network request), `audio/call-NN.wav` (a mono
16-bit WAV of each call, redacted, named by its position in the pack), and `README.txt`. Members
are members of the public, so:

- redaction is on by default (transcript, evidence, reasons and audio); turning it off needs a
  reason and is written to the audit log before anything is built;
- a call is named by a pseudonym made for this pack (`C-` and 8 random base32 characters from
  `secrets`) in everything a member can see or save: the page's attributes, its embedded JSON and
  the answers file. Never the recorder's call id (it can hold the caller's number, or describe the
  call: "no_greeting"), the audio file's name or the handler's id. The key from pseudonyms back to
  call ids is kept only in the store (`panel_packs`), never in the pack folder or beside it (a
  folder beside `--out` is usually on the same USB stick); `callqa panel import` maps answers back
  through the key of the pack they name. Each pack of a draw gets new pseudonyms;
- the calls are shown in a random order of their own, not the draw's order (which puts 999 calls
  first, then the flagged ones: it would tell the member which calls were flagged);
- metadata is the area, call type, day and duration only: never the caller's number or name, and
  not the handler's id (panels review the service, QA leads review the operator);
- the automated pre-scores, and the flag markers on the timeline, stay hidden until the member
  has answered every question for that call, and the answers lock when the scores are shown, so
  the panel's judgement is its own (not anchored on the machine's). After the reveal each question
  shows the member's answer beside its automated check (`pack_comparison`), and every finding is
  in plain words (`pack_findings`, over `callqa.plain_language`): no rule keys, no snake_case.

Answers save to a JSON file (see `callqa/panel/answers.py` for the format) that
`callqa panel import` reads back.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from jinja2 import Environment, FileSystemLoader, select_autoescape
from callqa.pipeline.config import LOCAL_TZ
from callqa.pipeline.errors import CallQAError
from callqa.messages import page_text
from callqa.plain_language import clock
from callqa.panel.answers import FORMAT_VERSION as ANSWERS_FORMAT_VERSION
from callqa.panel.answers import PSEUDONYM
from callqa.panel.pack_comparison import QuestionPair, answer_meanings, pair_questions
from callqa.panel.pack_findings import Finding, FlagLine, findings, flag_lines
from callqa.panel.redact import RedactionConfig, audio_spans, redact_audio, redact_result
from callqa.store import Store
from callqa.store.times import from_db, now
from callqa.pipeline.rules import load_rule_pack
from callqa.timeline_svg import timeline_svg

ASSETS = Path(__file__).with_name("pack_assets")
CALL_TYPES = {"101": "101 (non-emergency)", "999": "999 (emergency)"}
# 3: answers beside the automated checks after the reveal, plain-English findings, a sticky player
# per call. 2: calls named by per-pack pseudonyms (1: by call id). Bump when what a pack shows
# changes, so a cache of built packs (callqa/web/packs.py) can tell an old pack from a current one.
PACK_FORMAT_VERSION = 3


@dataclass
class PackCall:
    position: int
    call_id: str                      # the store's id: QA side only, never written into the pack
    pseudonym: str                    # what the pack calls it (see the module docstring)
    stratum: str
    audio_file: str
    metadata: dict[str, str]
    result: dict[str, Any]
    redactions: dict[str, int] = field(default_factory=dict)


@dataclass
class Pack:
    folder: Path
    pack_id: str
    draw_id: int
    panel: str
    redacted: bool
    calls: list[PackCall]

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


def new_pseudonym() -> str:
    """`C-` and 8 base32 characters: 40 random bits from `secrets`, nothing about the call."""
    return "C-" + base64.b32encode(secrets.token_bytes(5)).decode("ascii")


def pseudonymise(call_ids: Iterable[str]) -> dict[str, str]:
    """A new key for one pack: pseudonym -> call id, a fresh random pseudonym for each call."""
    key: dict[str, str] = {}
    for call_id in call_ids:
        pseudonym = new_pseudonym()
        while pseudonym in key:
            pseudonym = new_pseudonym()
        key[pseudonym] = call_id
    return key


def record_pack_key(store: Store, pack_id: str, draw_id: int, key: dict[str, str]) -> None:
    """Keep a pack's key (pseudonym -> call id) in the store, the only place it lives."""
    assert all(PSEUDONYM.fullmatch(p) for p in key), "pseudonyms come from pseudonymise()"
    store.record_pack_key(pack_id, draw_id, key)


def public_metadata(call: dict[str, Any], duration_s: float) -> dict[str, str]:
    """What a member of the public may see about a call: no numbers, names or staff ids."""
    local = from_db(call["started_at"]).astimezone(LOCAL_TZ)
    minutes, seconds = divmod(int(round(duration_s)), 60)
    return {"Area": call["area"], "Call type": CALL_TYPES.get(call["call_type"], call["call_type"]),
            "Date": f"{local:%A} {local.day} {local:%B %Y}", "Length": f"{minutes}:{seconds:02d}"}


def pack_audio(path: str, layout: str, redactions: list[Any], redaction_config: Any | None) -> tuple[np.ndarray, int]:
    """The call as one mono track for listening (both parties), redacted when asked.

    The mix is redacted, which silences a detail on both parties' lines (crosstalk included).
    Telephone-band recordings stay at 8 kHz, which keeps a pack small enough for a USB stick."""
    from callqa.pipeline.audio import load_call

    with load_call(path, layout) as audio:  # a pack's calls are listened to whole: read them whole
        mix = np.clip(np.sum(np.stack([np.asarray(c) for c in audio.channels.values()]), axis=0),
                      -1.0, 1.0).astype(np.float32)
    if redactions:
        mix = redact_audio(mix, audio.sample_rate, redactions, redaction_config)
    rate = audio.sample_rate
    if audio.info.sample_rate <= 8000:
        import soxr

        mix, rate = soxr.resample(mix, audio.sample_rate, 8000).astype(np.float32), 8000
    return mix, rate


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(ASSETS), autoescape=select_autoescape(["html", "j2"]),
                      finalize=page_text)  # hidden characters in a transcript show escaped, never act
    env.filters["clock"] = clock
    return env


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _json_for_html(data: Any) -> str:
    """JSON safe inside a <script type="application/json"> element (no '</' or '<!--' breakout)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def render_pack(pack: Pack, questionnaire: Any, created_at: datetime) -> str:
    css = (ASSETS / "pack.css").read_text(encoding="utf-8")
    js = (ASSETS / "pack.js").read_text(encoding="utf-8")
    data = {"format": "callqa-panel-pack", "format_version": PACK_FORMAT_VERSION, "pack_id": pack.pack_id,
            "draw_id": pack.draw_id, "panel": pack.panel,
            "questionnaire": {"name": questionnaire.name, "version": questionnaire.version},
            "required": [q.id for q in questionnaire.questions if q.answer != "text"],
            "answers_format_version": ANSWERS_FORMAT_VERSION,
            "questions": [answer_meanings(q) for q in questionnaire.questions],
            "calls": [c.pseudonym for c in pack.calls], "redacted": pack.redacted}
    csp = (f"default-src 'none'; script-src {_csp_hash(js)}; style-src {_csp_hash(css)}; img-src data:; "
           "media-src 'self'; form-action 'none'; base-uri 'none'")
    review_below = load_rule_pack().section("scoring")["review_below"]
    views = {c.pseudonym: call_view(c.result, questionnaire, review_below) for c in pack.calls}
    return _env().get_template("pack.html.j2").render(
        pack=pack, questionnaire=questionnaire, css=css, js=js, csp=csp, data_json=_json_for_html(data),
        created=_local_time(created_at), views=views,
        timeline=lambda result: timeline_svg(result, width=860))


def _local_time(at: datetime) -> str:
    """'2 December 2026 14:05 GMT': UK time, with its zone, as people read it."""
    local = at.astimezone(LOCAL_TZ)
    return f"{local.day} {local:%B %Y %H:%M %Z}"


@dataclass(frozen=True)
class CallView:
    """What the reveal shows for one call, already in plain words (see pack_findings)."""

    findings: list[Finding]
    pairs: list[QuestionPair]
    flags: list[FlagLine]


def call_view(result: dict[str, Any], questionnaire: Any, review_below: float) -> CallView:
    """One call's findings, its questions paired with them, and its flagged moments."""
    found = findings(result, review_below)
    return CallView(found, pair_questions(questionnaire, found), flag_lines(result))


README = """Scrutiny panel pack: {panel}, sample {draw_id}

Open index.html in a web browser (double-click it). Nothing needs installing and the pack makes
no internet connection.

For each call: listen, read the transcript, answer the questions, then (if you wish) press
"Show automated scores" to compare with what the computer found. Your answers lock when you do.
When finished, enter your name and press "Save answers"; hand the saved file to the panel
co-ordinator, who imports it with `callqa panel import`.

{privacy}
"""


def build_pack(store: Store, draw_id: int, out_dir: str | Path, *, questionnaire: Any | None = None,
               redact: bool = True, reason: str | None = None, actor: str = "callqa",
               redaction_config: Any | None = None, overwrite: bool = False) -> Pack:
    """Write the pack for a recorded draw into `out_dir` (built beside it, then moved into place).

    The pack's key (pseudonym -> call id) is written to the store before the pack is moved into
    place, so no pack exists whose answers cannot be imported. An overwritten pack's key stays in
    the store: answers saved from it still import."""
    from callqa.panel.questionnaire import load_questionnaire

    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not (overwrite and (out / "index.html").exists()):
        raise CallQAError(f"{out} exists and is not empty (use --overwrite to replace an earlier pack there)")
    if not redact and not (reason and reason.strip()):
        raise CallQAError("an unredacted pack needs a reason (--reason), which is written to the audit log")
    questionnaire = questionnaire or load_questionnaire()
    draw = store.panel_draw(draw_id)
    if draw is None:
        raise CallQAError(f"no panel draw {draw_id} in {store.safe_url}")
    if not redact:
        store.audit(actor, "redaction_off", details={"draw_id": draw_id, "reason": reason.strip(), "out": str(out)})
    if redact:
        redaction_config = redaction_config or RedactionConfig()
    pack = Pack(out, uuid.uuid4().hex, draw_id, draw["panel"], redact, [])
    strata = {call_id: stratum for call_id, stratum in draw["calls"]}
    order = list(strata)
    secrets.SystemRandom().shuffle(order)  # not the draw's order: that puts 999 and flagged calls first
    key = pseudonymise(order)              # pseudonym -> call id, in the pack's order
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        (staging / "audio").mkdir()
        for position, (pseudonym, call_id) in enumerate(key.items(), start=1):
            stratum = strata[call_id]
            result = store.call_result(call_id)
            if result is None:
                raise CallQAError(f"call {call_id} of draw {draw_id} has no stored result")
            call = store.call(call_id)
            if call is None:
                raise CallQAError(f"call {call_id} of draw {draw_id} is no longer in the store")
            redactions: list[Any] = []
            if redact:
                result, redactions = redact_result(result, redaction_config)
                result["redaction"]["audio_spans"] = [[round(a, 2), round(b, 2)]
                                                      for a, b in audio_spans(redactions, redaction_config)]
            samples, rate = pack_audio(call["audio_path"], call["layout"], redactions, redaction_config)
            audio_file = f"audio/call-{position:02d}.wav"
            sf.write(staging / audio_file, samples, rate, subtype="PCM_16")
            counts: dict[str, int] = {}
            for r in redactions:
                counts[r.category] = counts.get(r.category, 0) + 1
            pack.calls.append(PackCall(position, call_id, pseudonym, stratum, audio_file,
                                       public_metadata(call, result["duration_s"]), result, counts))
        created = now()
        (staging / "index.html").write_text(render_pack(pack, questionnaire, created), encoding="utf-8")
        privacy = ("Personal details (names, numbers, addresses, dates of birth, vehicle registrations, e-mail "
                   "addresses, reference numbers) have been replaced in the text and bleeped in the audio."
                   if redact else "THIS PACK IS NOT REDACTED. It contains personal data: keep it secure.")
        (staging / "README.txt").write_text(README.format(panel=pack.panel, draw_id=draw_id, privacy=privacy),
                                            encoding="utf-8")
        record_pack_key(store, pack.pack_id, draw_id, key)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    store.audit(actor, "panel_pack", details={
        "draw_id": draw_id, "pack_id": pack.pack_id, "out": str(out), "redacted": redact,
        "questionnaire": questionnaire.ref, "calls": [c.call_id for c in pack.calls],
        "redactions": {c.call_id: c.redactions for c in pack.calls}})
    return pack
