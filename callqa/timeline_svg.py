"""A call's timeline as an inline SVG picture: each party's speech, the silences and the flags.

Used by the panel packs and the review web app. The picture is plain SVG with no script or
external reference, so it works from a USB stick and inside a strict Content-Security-Policy.
Each flag and silence carries `data-start` (seconds) so a page can seek its audio player there.
"""

from __future__ import annotations

from html import escape
from typing import Any

LANES = ("handler", "caller")
COLOURS = {"handler": "#1f6fb2", "caller": "#2e8540", "unknown": "#6b6b6b",
           "explained": "#b9b9b9", "unexplained": "#d4351c", "flag": "#f47738"}
SEVERITY_RADIUS = {"high": 7, "medium": 6, "low": 5}


def _tick_step(duration_s: float) -> int:
    for step in (5, 10, 15, 30, 60, 120, 300, 600):
        if duration_s / step <= 12:
            return step
    return 1200


def timeline_svg(result: dict[str, Any], width: int = 900) -> str:
    """The picture for one result dict (the result-JSON shape, as `Store.call_result` returns)."""
    duration = max(float(result.get("duration_s") or 0.0), 1.0)
    left, right, lane_h, top = 70, 12, 22, 26
    speech: dict[str, list] = result.get("speech") or {}
    lanes = [lane for lane in LANES if lane in speech] or sorted(speech) or list(LANES)
    height = top + lane_h * (len(lanes) + 1) + 34
    span = width - left - right

    def x(seconds: float) -> float:
        return round(left + span * min(max(seconds, 0.0), duration) / duration, 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="Call timeline: speech by party, silences and flags">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for i, lane in enumerate(lanes):
        y = top + i * lane_h
        parts.append(f'<text x="4" y="{y + 15}" font-size="12" font-family="sans-serif">{escape(lane)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{span}" height="{lane_h - 6}" fill="#f3f2f1"/>')
        colour = COLOURS.get(lane, COLOURS["unknown"])
        for start, end in speech.get(lane, []):
            parts.append(f'<rect class="speech" x="{x(start)}" y="{y + 3}" width="{max(x(end) - x(start), 0.8)}" '
                         f'height="{lane_h - 6}" fill="{colour}"><title>{escape(lane)} speaking '
                         f'{start:.1f}-{end:.1f} s</title></rect>')
    for start, end in (result.get("redaction") or {}).get("audio_spans", []):
        parts.append(f'<rect class="bleep" x="{x(start)}" y="{top + 1}" width="{max(x(end) - x(start), 0.8)}" '
                     f'height="{lane_h * len(lanes) - 2}" fill="#0b0c0c" fill-opacity="0.6">'
                     f'<title>personal detail bleeped {start:.1f}-{end:.1f} s</title></rect>')
    y = top + len(lanes) * lane_h
    parts.append(f'<text x="4" y="{y + 15}" font-size="12" font-family="sans-serif">silence</text>')
    for silence in result.get("silences") or []:
        kind = "explained" if silence.get("explained") else "unexplained"
        start, end = silence["start_s"], silence["end_s"]
        parts.append(f'<rect class="silence {kind}" data-start="{start:.2f}" x="{x(start)}" y="{y + 3}" '
                     f'width="{max(x(end) - x(start), 0.8)}" height="{lane_h - 6}" fill="{COLOURS[kind]}">'
                     f'<title>{kind} silence {start:.1f}-{end:.1f} s ({end - start:.1f} s)</title></rect>')
    flag_y = top - 12
    for flag in result.get("flags") or []:
        start = float(flag["start_s"])
        radius = SEVERITY_RADIUS.get(flag.get("severity") or "low", 5)
        label = f'{flag["indicator"]} ({flag.get("severity") or "low"}) at {start:.1f} s'
        parts.append(f'<g class="flag" data-start="{start:.2f}" data-indicator="{escape(flag["indicator"])}" '
                     f'tabindex="0" role="button" aria-label="{escape(label)}">'
                     f'<line x1="{x(start)}" y1="{flag_y}" x2="{x(start)}" y2="{y + lane_h}" '
                     f'stroke="{COLOURS["flag"]}" stroke-width="2"/>'
                     f'<circle cx="{x(start)}" cy="{flag_y}" r="{radius}" fill="{COLOURS["flag"]}"/>'
                     f'<title>{escape(label)}</title></g>')
    axis_y = y + lane_h + 4
    step = _tick_step(duration)
    for tick in range(0, int(duration) + 1, step):
        parts.append(f'<line x1="{x(tick)}" y1="{axis_y}" x2="{x(tick)}" y2="{axis_y + 5}" stroke="#505a5f"/>'
                     f'<text x="{x(tick)}" y="{axis_y + 17}" font-size="11" text-anchor="middle" '
                     f'font-family="sans-serif">{tick // 60}:{tick % 60:02d}</text>')
    parts.append("</svg>")
    return "".join(parts)
