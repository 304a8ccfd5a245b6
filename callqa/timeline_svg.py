"""A call's timeline as an inline SVG picture: each party's speech, the silences and the flags.

Used by the panel packs and the review web app. The picture is plain SVG with no script or
external reference, so it works from a USB stick and inside a strict Content-Security-Policy.
Each flag and silence carries `data-start` (seconds) so a page can seek its audio player there.

Reading it without a key was the complaint (issue 15), so the picture carries its own legend, and
colour means one thing each: red is kept for the silences that raised a flag; other unexplained
silences are a muted dark grey and explained ones a light grey. Everything that tells of the
automated judgement (flag pins, the red of a flagged silence, their legend entries) carries the
class `flag`, which the panel pack hides until a member has answered (its CSS hides `.flag`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from callqa.plain_language import clock, has_moment, title

LANES = ("handler", "caller")
COLOURS = {"handler": "#1f6fb2", "caller": "#2e8540", "unknown": "#6b6b6b",
           "explained": "#cfd4d7", "unexplained": "#6f777b", "flagged": "#d4351c", "flag": "#f47738"}
LANE_NAMES = {"handler": "handler", "caller": "caller"}
SEVERITY_RADIUS = {"high": 7, "medium": 6, "low": 5}
CHAR_W = 6.2        # rough width of one character at font-size 11 (sans-serif), for laying out labels
LABEL_ROWS = 3      # pin labels are staggered over at most this many rows
ROW_H = 13
SILENCE_INDICATOR = "unexplained_silence"


@dataclass(frozen=True)
class Pin:
    """One flag's marker: where, what it says, and how it is drawn."""

    start_s: float
    indicator: str
    label: str
    hover: str
    severity: str
    unsure: bool
    flag_id: int | None


def short_title(indicator: str, most: int = 26) -> str:
    """A pin's label: the plain title without its bracketed gloss, cut to fit ('Listening')."""
    text = title(indicator).split(" (")[0].strip()
    return text if len(text) <= most else text[:most - 1].rstrip() + "\u2026"


def _tick_step(duration_s: float) -> int:
    for step in (5, 10, 15, 30, 60, 120, 300, 600):
        if duration_s / step <= 12:
            return step
    return 1200


def flagged_silence_spans(result: Mapping[str, Any], flags: Sequence[Mapping[str, Any]]) -> list[tuple[float, float]]:
    """The silences that raised a flag: the unexplained, handler-owned long silences behind an
    `unexplained_silence` flag (its indicator's evidence), else the silence each such flag starts."""
    silence_flags = [f for f in flags if f.get("indicator") == SILENCE_INDICATOR]
    if not silence_flags:
        return []
    evidence = ((result.get("indicators") or {}).get(SILENCE_INDICATOR) or {}).get("evidence") or []
    spans = [(float(e["start_s"]), float(e["end_s"])) for e in evidence
             if "explained" in e and not e.get("explained") and e.get("owner", "handler") == "handler"]
    if spans:
        return spans
    return [(float(s["start_s"]), float(s["end_s"])) for s in result.get("silences") or []
            if any(abs(float(s["start_s"]) - float(f["start_s"])) < 0.1 for f in silence_flags)]


def _is_flagged(silence: Mapping[str, Any], spans: list[tuple[float, float]]) -> bool:
    start, end = float(silence["start_s"]), float(silence["end_s"])
    return any(abs(start - a) < 0.1 or (start < b and a < end) for a, b in spans)


def pins(flags: Sequence[Mapping[str, Any]]) -> tuple[list[Pin], list[Pin]]:
    """(pins at a moment, findings about the whole call): a call-level finding such as the answer
    time has no moment, so it gets no pin at 0:00 (that led nowhere) but a line under the picture."""
    at_moment, whole_call = [], []
    for flag in flags:
        start = float(flag.get("start_s") or 0.0)
        severity = flag.get("severity") or "low"
        unsure = bool(flag.get("needs_review"))
        name = title(flag["indicator"])
        kind = "check (callqa is unsure)" if unsure else f"{severity} severity"
        moment = has_moment(flag["indicator"], start)
        hover = f"{name}: {kind}" + (f", at {clock(start)}" if moment else ", about the whole call")
        pin = Pin(start, flag["indicator"], short_title(flag["indicator"]), hover, severity, unsure,
                  flag.get("id"))
        (at_moment if moment else whole_call).append(pin)
    return sorted(at_moment, key=lambda p: p.start_s), whole_call


def _label_rows(xs: list[float], widths: list[float], width: int) -> list[int | None]:
    """A row for each pin label so none overlaps another (None: no room, the hover text remains)."""
    row_ends = [-1e9] * LABEL_ROWS
    rows: list[int | None] = []
    for x, w in zip(xs, widths):
        centre = min(max(x, w / 2 + 2), width - w / 2 - 2)
        row = next((r for r in range(LABEL_ROWS) if row_ends[r] + 4 <= centre - w / 2), None)
        if row is not None:
            row_ends[row] = centre + w / 2
        rows.append(row)
    return rows


def _legend(items: list[tuple[str, str, str]], y: float, width: int) -> tuple[list[str], float]:
    """Swatches with their words, wrapped onto more rows when they do not fit; (parts, height)."""
    parts, cx, cy = [], 4.0, y
    for css, swatch, words in items:
        need = 18 + len(words) * CHAR_W + 14
        if cx + need > width and cx > 4:
            cx, cy = 4.0, cy + 16
        parts.append(f'<g class="legend-item {css}">{swatch.format(x=cx, y=cy)}'
                     f'<text x="{cx + 18:.1f}" y="{cy + 10}" font-size="11" font-family="sans-serif">'
                     f'{escape(words)}</text></g>')
        cx += need
    return parts, cy - y + 16


def _swatch(fill: str, stroke: str = "none") -> str:
    return f'<rect x="{{x}}" y="{{y}}" width="13" height="11" fill="{fill}" stroke="{stroke}"/>'


def timeline_svg(result: dict[str, Any], width: int = 900, *, flags: Sequence[Mapping[str, Any]] | None = None,
                 legend: bool = True) -> str:
    """The picture for one result dict (the result-JSON shape, as `Store.call_result` returns).

    `flags` (default: the result's own) may be the store's flag rows: their `id` becomes the pin's
    `data-flag-id`, so a page can tie a pin to its flag card. `legend=False` leaves the key out."""
    flags = list(result.get("flags") or []) if flags is None else list(flags)
    duration = max(float(result.get("duration_s") or 0.0), 1.0)
    left, right, lane_h = 70, 14, 22
    span = width - left - right

    def x(seconds: float) -> float:
        return round(left + span * min(max(float(seconds), 0.0), duration) / duration, 1)

    moment_pins, whole_call = pins(flags)
    widths = [len(p.label) * CHAR_W for p in moment_pins]
    rows = _label_rows([x(p.start_s) for p in moment_pins], widths, width)
    used_rows = max([r + 1 for r in rows if r is not None], default=0)
    pin_y = 6 + ROW_H * used_rows + 9
    top = pin_y + 10
    speech: dict[str, list] = result.get("speech") or {}
    lanes = [lane for lane in LANES if lane in speech] or sorted(speech) or list(LANES)
    silence_y = top + len(lanes) * lane_h
    axis_y = silence_y + lane_h + 4
    legend_y = axis_y + 26

    parts: list[str] = []
    for i, lane in enumerate(lanes):
        y = top + i * lane_h
        parts.append(f'<text x="4" y="{y + 15}" font-size="12" font-family="sans-serif">'
                     f'{escape(LANE_NAMES.get(lane, lane))}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{span}" height="{lane_h - 6}" fill="#f3f2f1"/>')
        colour = COLOURS.get(lane, COLOURS["unknown"])
        for start, end in speech.get(lane, []):
            parts.append(f'<rect class="speech" x="{x(start)}" y="{y + 3}" width="{max(x(end) - x(start), 0.8)}" '
                         f'height="{lane_h - 6}" fill="{colour}"><title>{escape(lane)} speaking '
                         f'{clock(start)}-{clock(end)}</title></rect>')
    redacted = (result.get("redaction") or {}).get("audio_spans", [])
    for start, end in redacted:
        parts.append(f'<rect class="bleep" x="{x(start)}" y="{top + 1}" width="{max(x(end) - x(start), 0.8)}" '
                     f'height="{lane_h * len(lanes) - 2}" fill="#0b0c0c" fill-opacity="0.6">'
                     f'<title>personal detail bleeped {clock(start)}-{clock(end)}</title></rect>')
    parts.append(f'<text x="4" y="{silence_y + 15}" font-size="12" font-family="sans-serif">silence</text>')
    spans = flagged_silence_spans(result, flags)
    for silence in result.get("silences") or []:
        kind = "explained" if silence.get("explained") else "unexplained"
        start, end = float(silence["start_s"]), float(silence["end_s"])
        box = (f'x="{x(start)}" y="{silence_y + 3}" width="{max(x(end) - x(start), 0.8)}" height="{lane_h - 6}"')
        words = f'{clock(start)}-{clock(end)}, {end - start:.0f} seconds'
        parts.append(f'<rect class="silence {kind}" data-start="{start:.2f}" {box} fill="{COLOURS[kind]}">'
                     f'<title>{kind} silence {words}</title></rect>')
        if kind == "unexplained" and _is_flagged(silence, spans):
            # Drawn over the muted rectangle, in the `flag` class: hidden wherever flags are.
            parts.append(f'<rect class="silence flagged flag" data-start="{start:.2f}" {box} '
                         f'fill="{COLOURS["flagged"]}" stroke="#0b0c0c" stroke-width="0.8">'
                         f'<title>unexplained silence that raised a flag, {words}</title></rect>')
    for pin, row in zip(moment_pins, rows):
        px = x(pin.start_s)
        radius = SEVERITY_RADIUS.get(pin.severity, 5)
        fill = "#ffffff" if pin.unsure else COLOURS["flag"]
        dash = ' stroke-dasharray="3 2"' if pin.unsure else ""
        flag_attr = f' data-flag-id="{pin.flag_id}"' if pin.flag_id is not None else ""
        label = ""
        if row is not None:
            w = len(pin.label) * CHAR_W
            lx = min(max(px, w / 2 + 2), width - w / 2 - 2)
            ly = 6 + ROW_H * row + 9
            label = (f'<text class="pin-label" x="{lx:.1f}" y="{ly}" font-size="11" text-anchor="middle" '
                     f'font-family="sans-serif" fill="#0b0c0c">{escape(pin.label)}</text>')
        parts.append(f'<g class="flag{" unsure" if pin.unsure else ""}" data-start="{pin.start_s:.2f}" '
                     f'data-indicator="{escape(pin.indicator)}"{flag_attr} tabindex="0" role="button" '
                     f'aria-label="{escape(pin.hover)}"><title>{escape(pin.hover)}</title>'
                     f'<line x1="{px}" y1="{pin_y}" x2="{px}" y2="{silence_y + lane_h}" '
                     f'stroke="{COLOURS["flag"]}" stroke-width="2"/>'
                     f'<circle cx="{px}" cy="{pin_y}" r="{radius}" fill="{fill}" stroke="{COLOURS["flag"]}" '
                     f'stroke-width="2"{dash}/>{label}</g>')
    step = _tick_step(duration)
    for tick in range(0, int(duration) + 1, step):
        tx = x(tick)
        # The last label would spill past the right edge when centred: it ends at its tick instead.
        anchor = "end" if tx + 16 > width else "middle"
        parts.append(f'<line class="tick" x1="{tx}" y1="{axis_y}" x2="{tx}" y2="{axis_y + 5}" stroke="#505a5f"/>'
                     f'<text class="tick-label" x="{tx}" y="{axis_y + 17}" font-size="11" text-anchor="{anchor}" '
                     f'font-family="sans-serif">{tick // 60}:{tick % 60:02d}</text>')
    height = legend_y
    if legend:
        # What reveals the automated judgement comes last, so a pack that hides it until the member
        # has answered leaves no gap in the key.
        items = [("speech-handler", _swatch(COLOURS["handler"]), "handler speaking"),
                 ("speech-caller", _swatch(COLOURS["caller"]), "caller speaking"),
                 ("unexplained", _swatch(COLOURS["unexplained"]), "unexplained silence"),
                 ("explained", _swatch(COLOURS["explained"]), "explained silence")]
        if redacted:
            items.append(("bleep", _swatch("#0b0c0c"), "personal detail bleeped"))
        items += [("flag", _swatch(COLOURS["flagged"], "#0b0c0c"), "silence that raised a flag"),
                  ("flag", f'<circle cx="{{x}}" cy="{{y}}" r="5" fill="{COLOURS["flag"]}" '
                           'transform="translate(6 6)"/>', "flag (click to listen)")]
        if any(p.unsure for p in moment_pins):
            items.append(("flag", f'<circle cx="{{x}}" cy="{{y}}" r="5" fill="#ffffff" stroke="{COLOURS["flag"]}" '
                                  'stroke-width="2" stroke-dasharray="3 2" transform="translate(6 6)"/>',
                          "to check (callqa is unsure)"))
        legend_parts, legend_h = _legend(items, legend_y, width)
        parts.append('<g class="legend">' + "".join(legend_parts) + "</g>")
        height = legend_y + legend_h
    if whole_call:
        words = "About the whole call: " + "; ".join(p.hover.split(":")[0] for p in whole_call)
        parts.append(f'<text class="flag call-level" x="4" y="{height + 10}" font-size="11" '
                     f'font-family="sans-serif">{escape(words)}</text>')
        height += 16
    height = int(height + 4)
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-label="Call timeline: speech by party, silences and flags">',
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    return "".join(head + parts + ["</svg>"])
