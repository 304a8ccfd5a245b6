"""Calibration: how far the scrutiny panel's answers and the automated indicators agree.

For each question mapped to an indicator, every (member, call) answer is paired with the status
of that indicator in the call's current result (its newest scoring). Both sides become "met" or
"not met":

- panel: yes = met; no = not met; **partly = not met** (each standard is met or it is not: a
  greeting that names the force but offers no help fails the automated check too, so counting
  "partly" as met would hide exactly the half-done cases calibration is for); not_sure = left out;
  a scale answer is met at or above the question's `pass_at`.
- automation: pass = met; fail = not met; not_applicable (and calls with no result) = left out.

Each question reports the number of pairs, the percent agreement, Cohen's kappa (agreement beyond
chance; undefined, reported as None with the reason, when both sides gave one and the same
verdict on every pair, so chance agreement is already 100%), the 2x2 counts and the disagreements.
Several members answering one call give several pairs. Answers are pooled by question id across
versions of the same questionnaire name (a question keeps its id only while its meaning stays).

The QA leads' decisions on flags (table `flag_decisions`, the latest decision per flag) are
reported per indicator beside it: the share of an indicator's flags a QA lead confirmed is the
other half of calibrating that indicator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from html import escape
from pathlib import Path
from typing import Any, Iterable

from callqa.pipeline.errors import CallQAError
from callqa.panel.questionnaire import Questionnaire, load_questionnaire
from callqa.pipeline.rules import INDICATORS
from callqa.store import CLOSING_DECISIONS, Store, parse_date

AUTOMATED_MET = {"pass": True, "fail": False, "not_applicable": None}
UNDEFINED_KAPPA = ("undefined: the panel and the automation gave one and the same verdict on every pair, "
                   "so the agreement expected by chance is already 100%")
FEW_PAIRS = 10  # below this the numbers are shown with a caution

Pair = tuple[bool, bool]  # (panel says met, automation says met)


# ---- the maths (pure) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """The 2x2 table of panel verdict x automated verdict."""

    both_met: int = 0
    panel_only: int = 0          # panel met, automation not met
    automation_only: int = 0     # automation met, panel not met
    neither: int = 0

    @property
    def n(self) -> int:
        return self.both_met + self.panel_only + self.automation_only + self.neither


def contingency(pairs: Iterable[Pair] | Counts) -> Counts:
    if isinstance(pairs, Counts):
        return pairs
    tally = Counter((bool(panel), bool(auto)) for panel, auto in pairs)
    return Counts(tally[True, True], tally[True, False], tally[False, True], tally[False, False])


def _fractions(pairs: Iterable[Pair] | Counts) -> tuple[Fraction, Fraction] | None:
    c = contingency(pairs)
    if c.n == 0:
        return None
    n = c.n
    observed = Fraction(c.both_met + c.neither, n)
    panel_met, auto_met = c.both_met + c.panel_only, c.both_met + c.automation_only
    expected = Fraction(panel_met * auto_met + (n - panel_met) * (n - auto_met), n * n)
    return observed, expected


def agreement(pairs: Iterable[Pair] | Counts) -> float | None:
    """Observed agreement p_o: the share of pairs where both sides give the same verdict (None: no pairs)."""
    got = _fractions(pairs)
    return None if got is None else float(got[0])


def expected_agreement(pairs: Iterable[Pair] | Counts) -> float | None:
    """p_e: the agreement expected by chance from each side's own share of "met"."""
    got = _fractions(pairs)
    return None if got is None else float(got[1])


def cohen_kappa(pairs: Iterable[Pair] | Counts) -> float | None:
    """Cohen's kappa (p_o - p_e) / (1 - p_e) for two raters and two categories, computed exactly.
    None when there are no pairs or p_e is 1 (see `kappa_undefined_reason`)."""
    got = _fractions(pairs)
    if got is None or got[1] == 1:
        return None
    observed, expected = got
    return float((observed - expected) / (1 - expected))


def kappa_undefined_reason(pairs: Iterable[Pair] | Counts) -> str | None:
    got = _fractions(pairs)
    if got is None:
        return "undefined: no pairs to compare"
    return UNDEFINED_KAPPA if got[1] == 1 else None


# ---- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    call_id: str
    question: str
    indicator: str
    member: str
    draw_id: int
    panel_answer: str
    automated_status: str
    reason: str | None
    first_evidence_s: float | None

    @property
    def direction(self) -> str:
        return "automation met, panel not" if self.automated_status == "pass" else "panel met, automation not"


@dataclass
class QuestionCalibration:
    question: str
    text: str
    indicator: str
    counts: Counts = field(default_factory=Counts)
    agreement: float | None = None
    kappa: float | None = None
    kappa_note: str | None = None
    excluded: dict[str, int] = field(default_factory=dict)  # panel_not_sure, automation_not_applicable, ...
    disagreements: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "text": self.text, "indicator": self.indicator, "n": self.counts.n,
                "agreement": self.agreement,
                "agreement_percent": None if self.agreement is None else round(100 * self.agreement, 1),
                "kappa": self.kappa, "kappa_note": self.kappa_note, "counts": asdict(self.counts),
                "excluded": dict(self.excluded),
                "disagreements": self.disagreements}


@dataclass(frozen=True)
class FlagDecisions:
    indicator: str
    confirmed: int
    dismissed: int
    notes: int

    @property
    def confirmed_share(self) -> float | None:
        decided = self.confirmed + self.dismissed
        return None if decided == 0 else self.confirmed / decided


@dataclass
class Calibration:
    questionnaire: str
    filters: dict[str, Any]
    questions: list[QuestionCalibration]
    disagreements: list[Disagreement]
    flag_decisions: list[FlagDecisions]
    answers: int = 0                 # answer rows considered
    members: int = 0
    calls: int = 0
    not_calibrated: list[str] = field(default_factory=list)      # questions with no indicator
    other_questionnaires: dict[str, int] = field(default_factory=dict)  # ref -> answers left out
    versions: list[str] = field(default_factory=list)            # refs of the answers pooled

    def to_json(self) -> dict[str, Any]:
        return {
            "questionnaire": self.questionnaire, "filters": self.filters, "answers": self.answers,
            "members": self.members, "calls": self.calls, "versions": self.versions,
            "questions": [q.to_json() for q in self.questions], "not_calibrated": self.not_calibrated,
            "other_questionnaires": self.other_questionnaires,
            "disagreements": [{**asdict(d), "direction": d.direction} for d in self.disagreements],
            "flag_decisions": [{**asdict(f), "confirmed_share": f.confirmed_share} for f in self.flag_decisions],
        }


def _first_evidence(evidence: Any) -> float | None:
    times = [e["start_s"] for e in evidence or [] if isinstance(e, dict) and isinstance(e.get("start_s"), (int, float))]
    return min(times) if times else None


def flag_decisions(store: Store, since: str | None = None) -> list[FlagDecisions]:
    """Per indicator: the QA leads' latest decision on each flag (confirm / dismiss), and notes."""
    latest: dict[int, tuple[str, str]] = {}
    notes: Counter[str] = Counter()
    for r in store.flag_decisions(parse_date(since, "--since")):
        if r.decision in CLOSING_DECISIONS:
            latest[r.flag_id] = (r.indicator, r.decision)
        else:
            notes[r.indicator] += 1
    tally = Counter(latest.values())
    seen = {ind for ind, _ in latest.values()} | set(notes)
    order = [i for i in INDICATORS if i in seen] + sorted(seen - set(INDICATORS))
    return [FlagDecisions(i, tally[i, "confirm"], tally[i, "dismiss"], notes[i]) for i in order]


def calibrate(store: Store, questionnaire: Questionnaire | None = None, draw_id: int | None = None,
              panel: str | None = None, since: str | None = None) -> Calibration:
    """Pair the stored panel answers with the automated results (see the module docstring).

    `draw_id` or `panel` narrow the answers to one draw or one panel's draws; `since` (a date) to
    answers given on or after it (their `submitted_at`, else when imported)."""
    questionnaire = questionnaire or load_questionnaire()
    if draw_id is not None and panel is not None:
        raise CallQAError("give --draw or --panel, not both")
    start = parse_date(since, "--since")
    if draw_id is not None and not store.draw_exists(draw_id):
        raise CallQAError(f"no panel draw {draw_id}")
    if panel is not None and not store.panel_has_draws(panel):
        known = store.panel_names()
        raise CallQAError(f"no panel draws for panel {panel!r}; panels: {', '.join(known) or 'none yet'}")
    rows = store.panel_answers(draw_id, panel, start)
    other = Counter(r.questionnaire for r in rows if r.questionnaire.rpartition("@")[0] != questionnaire.name)
    rows = [r for r in rows if r.questionnaire.rpartition("@")[0] == questionnaire.name]
    # Each call's current result: the same query as everywhere else (Store.current_scorings).
    automated = store.current_indicator_results(sorted({r.call_id for r in rows}))

    mapped = [q for q in questionnaire.questions if q.indicator]
    order = {q.id: i for i, q in enumerate(questionnaire.questions)}
    pairs: dict[str, list[Pair]] = {q.id: [] for q in mapped}
    excluded: dict[str, Counter[str]] = {q.id: Counter() for q in mapped}
    disagreements: list[Disagreement] = []
    for r in rows:
        question = questionnaire.question(r.question_id)
        if question is None or not question.indicator:
            continue
        panel_met = question.met(r.answer)
        auto = automated.get((r.call_id, question.indicator))
        auto_met = None if auto is None else AUTOMATED_MET.get(auto["status"])
        if panel_met is None:
            excluded[question.id]["panel_not_sure" if r.answer == "not_sure" else "panel_answer_not_usable"] += 1
            continue
        if auto is None:
            excluded[question.id]["no_automated_result"] += 1
            continue
        if auto_met is None:
            excluded[question.id]["automation_not_applicable"] += 1
            continue
        pairs[question.id].append((panel_met, auto_met))
        if panel_met != auto_met:
            disagreements.append(Disagreement(
                call_id=r.call_id, question=question.id, indicator=question.indicator, member=r.member,
                draw_id=r.draw_id, panel_answer=r.answer, automated_status=auto["status"], reason=auto["reason"],
                first_evidence_s=_first_evidence(auto["evidence"])))
    # Grouped by call, so a QA lead listens to each call once; within a call, in questionnaire order.
    disagreements.sort(key=lambda d: (d.call_id, order[d.question], d.member, d.draw_id))

    questions = []
    for q in mapped:
        counts = contingency(pairs[q.id])
        note = kappa_undefined_reason(counts)
        if note is None and counts.n < FEW_PAIRS:
            note = f"only {counts.n} pair(s): too few to read much into"
        questions.append(QuestionCalibration(
            question=q.id, text=q.text, indicator=q.indicator, counts=counts,  # type: ignore[arg-type]
            agreement=agreement(counts), kappa=cohen_kappa(counts), kappa_note=note,
            excluded=dict(sorted(excluded[q.id].items())),
            disagreements=sum(1 for d in disagreements if d.question == q.id)))
    filters = {"draw": draw_id, "panel": panel, "since": since}
    return Calibration(
        questionnaire=questionnaire.ref, filters=filters, questions=questions, disagreements=disagreements,
        flag_decisions=flag_decisions(store, since), answers=len(rows), members=len({r.member for r in rows}),
        calls=len({r.call_id for r in rows}), not_calibrated=[q.id for q in questionnaire.questions if not q.indicator],
        other_questionnaires=dict(sorted(other.items())), versions=sorted({r.questionnaire for r in rows}))


# ---- text and picture --------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _kappa(value: float | None, n: int = 1) -> str:
    return "-" if n == 0 else "undef." if value is None else f"{value:.2f}"


def report_text(cal: Calibration) -> str:
    f = cal.filters
    scope = ", ".join(x for x in (f"draw {f['draw']}" if f["draw"] is not None else "",
                                  f"panel {f['panel']}" if f["panel"] else "",
                                  f"answers since {f['since']}" if f["since"] else "") if x)
    lines = [f"Calibration against questionnaire {cal.questionnaire} ({scope or 'all panel answers'}): "
             f"{cal.answers} answer(s) from {cal.members} member(s) on {cal.calls} call(s)"]
    if len(cal.versions) > 1:
        lines.append(f"  pooled versions: {', '.join(cal.versions)}")
    for ref, n in cal.other_questionnaires.items():
        lines.append(f"  left out: {n} answer(s) on questionnaire {ref} (pass --questionnaire for it)")
    lines.append("")
    lines.append(f"{'question':18} {'indicator':20} {'pairs':>5} {'agree':>7} {'kappa':>6}  "
                 f"{'both':>4} {'panel':>5} {'auto':>4} {'neither':>7}  left out")
    notes = []
    for q in cal.questions:
        c = q.counts
        left = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in q.excluded.items()) or "-"
        lines.append(f"{q.question:18} {q.indicator:20} {c.n:5d} {_pct(q.agreement):>7} {_kappa(q.kappa, c.n):>6}  "
                     f"{c.both_met:4d} {c.panel_only:5d} {c.automation_only:4d} {c.neither:7d}  {left}")
        if q.kappa_note and c.n:
            notes.append(f"  {q.question}: kappa {q.kappa_note}")
    lines.append("  (both = both say met; panel = only the panel says met; auto = only the automation says met; "
                 "panel 'partly' counts as not met)")
    lines += notes
    empty = [q.question for q in cal.questions if q.counts.n == 0]
    if empty:
        lines.append(f"  no pairs to compare: {', '.join(empty)}")
    if cal.not_calibrated:
        lines.append(f"  not compared (no indicator): {', '.join(cal.not_calibrated)}")
    lines.append("")
    if cal.disagreements:
        lines.append(f"Disagreements ({len(cal.disagreements)}), by call:")
        current = None
        for d in cal.disagreements:
            if d.call_id != current:
                current = d.call_id
                lines.append(f"  {d.call_id} (draw {d.draw_id})")
            at = "" if d.first_evidence_s is None else f" [evidence {d.first_evidence_s:.1f} s]"
            lines.append(f"    {d.question}: {d.member} answered {d.panel_answer}; automation "
                         f"{d.automated_status.upper()}: {d.reason or '-'}{at}")
    else:
        lines.append("Disagreements: none")
    lines.append("")
    if cal.flag_decisions:
        lines.append("QA decisions on flags (all calls, latest decision per flag"
                     + (f", since {f['since']}" if f["since"] else "") + "):")
        lines.append(f"  {'indicator':20} {'confirmed':>9} {'dismissed':>9} {'confirmed':>9}  notes")
        for d in cal.flag_decisions:
            lines.append(f"  {d.indicator:20} {d.confirmed:9d} {d.dismissed:9d} {_pct(d.confirmed_share):>9}  "
                         f"{d.notes}")
    else:
        lines.append("QA decisions on flags: none recorded yet")
    return "\n".join(lines) + "\n"


def plot_svg(cal: Calibration) -> str:
    """A self-contained SVG: per question a bar for percent agreement (upper chart, 0-100%) and a
    marker for Cohen's kappa (lower chart, -1 to 1), with axis labels. No script, no external reference."""
    qs = cal.questions
    left, right, col = 70, 20, 118
    width = max(560, left + right + col * max(len(qs), 1))
    top, bar_h, gap, kappa_h = 58, 200, 34, 110
    kappa_top = top + bar_h + gap
    height = kappa_top + kappa_h + 76
    font = 'font-family="sans-serif"'

    def bar_y(share: float) -> float:
        return round(top + bar_h * (1 - share), 1)

    def kappa_y(k: float) -> float:
        return round(kappa_top + kappa_h * (1 - (max(-1.0, min(1.0, k)) + 1) / 2), 1)

    title = f"Panel and automation agreement, questionnaire {cal.questionnaire}"
    p = [f'<svg xmlns="http://www.w3.org/2000/svg" class="calibration" viewBox="0 0 {width} {height}" '
         f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
         f'<title>{escape(title)}</title>',
         f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
         f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold" {font}>'
         f'{escape(title)}</text>',
         f'<text x="{width / 2}" y="38" text-anchor="middle" font-size="11" fill="#505a5f" {font}>Bars: share of '
         f'(member, call) pairs where panel and automation agree. Dots: Cohen\'s kappa, agreement beyond chance '
         f'(0 = chance, 1 = perfect).</text>']
    # axes and grid
    for share in (0, 0.25, 0.5, 0.75, 1):
        y = bar_y(share)
        p.append(f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" stroke="#dddddd"/>')
        p.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" font-size="11" {font}>{share * 100:.0f}</text>')
    for k in (-1, -0.5, 0, 0.5, 1):
        y = kappa_y(k)
        p.append(f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" '
                 f'stroke="{"#888888" if k == 0 else "#dddddd"}"/>')
        p.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" font-size="11" {font}>{k:g}</text>')
    for y0, h, label, cls in ((top, bar_h, "Agreement (%)", "y-axis agreement"),
                              (kappa_top, kappa_h, "Cohen's kappa", "y-axis kappa")):
        p.append(f'<line x1="{left}" y1="{y0}" x2="{left}" y2="{y0 + h}" stroke="#000000"/>')
        cy = y0 + h / 2
        p.append(f'<text class="{cls}" x="16" y="{cy}" text-anchor="middle" font-size="12" {font} '
                 f'transform="rotate(-90 16 {cy})">{escape(label)}</text>')
    p.append(f'<line x1="{left}" y1="{top + bar_h}" x2="{width - right}" y2="{top + bar_h}" stroke="#000000"/>')
    p.append(f'<text class="x-axis" x="{left + (width - left - right) / 2}" y="{height - 8}" text-anchor="middle" '
             f'font-size="12" {font}>Question (automated indicator); n = pairs compared</text>')
    for i, q in enumerate(qs):
        cx = left + col * i + col / 2
        share = q.agreement or 0.0
        y = bar_y(share)
        label = f"{q.question}: agreement {_pct(q.agreement)}, kappa {_kappa(q.kappa)}, n={q.counts.n}"
        p.append(f'<rect class="agreement-bar" data-question="{escape(q.question)}" x="{cx - col * 0.3:.1f}" y="{y}" '
                 f'width="{col * 0.6:.1f}" height="{round(top + bar_h - y, 1)}" fill="#1f6fb2">'
                 f'<title>{escape(label)}</title></rect>')
        p.append(f'<text x="{cx:.1f}" y="{y - 4}" text-anchor="middle" font-size="11" {font}>'
                 f'{"no pairs" if q.agreement is None else _pct(q.agreement)}</text>')
        if q.kappa is not None:
            ky = kappa_y(q.kappa)
            p.append(f'<circle class="kappa-marker" data-question="{escape(q.question)}" cx="{cx:.1f}" cy="{ky}" r="5" '
                     f'fill="#d4351c"><title>{escape(label)}</title></circle>')
            p.append(f'<text x="{cx + 8:.1f}" y="{ky + 4}" font-size="11" {font}>{q.kappa:.2f}</text>')
        elif q.counts.n:
            p.append(f'<text class="kappa-undefined" x="{cx:.1f}" y="{kappa_y(0) - 6}" text-anchor="middle" '
                     f'font-size="11" fill="#6b6b6b" {font}>undefined'
                     f'<title>{escape(q.kappa_note or "")}</title></text>')
        base = kappa_top + kappa_h
        p.append(f'<text x="{cx:.1f}" y="{base + 16}" text-anchor="middle" font-size="11" {font}>'
                 f'{escape(q.question)}</text>')
        p.append(f'<text x="{cx:.1f}" y="{base + 29}" text-anchor="middle" font-size="10" fill="#505a5f" {font}>'
                 f'({escape(q.indicator)})</text>')
        p.append(f'<text x="{cx:.1f}" y="{base + 42}" text-anchor="middle" font-size="10" fill="#505a5f" {font}>'
                 f'n={q.counts.n}</text>')
    p.append("</svg>")
    return "\n".join(p) + "\n"


def write_plot(cal: Calibration, path: str | Path) -> Path:
    target = Path(path)
    try:
        target.write_text(plot_svg(cal), encoding="utf-8")
    except OSError as exc:
        raise CallQAError(f"{target}: cannot write plot ({exc.strerror or exc})") from None
    return target
