"""Small server-rendered SVG charts (lines over time, bars), drawn inline in the page.

No chart library and no script: the strict Content-Security-Policy holds, and the charts print.
Only presentation attributes are used (no style attributes, which the CSP would block), and every
piece of text is escaped here, which is why the result may be marked safe for the template.

Every point says how many calls it stands on (n, in its tooltip and, when there is room, under the
axis), links to those calls in the queue, and a small sample is drawn hollow and grey and is not
joined into the line: the reader should not take a swing on four calls for a trend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = ("#1d70b8", "#505a5f", "#d4351c", "#00703c")
SMALL_COLOUR = "#8a8f92"  # a point on too few calls: grey outline, white inside
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 34, 34
MAX_N_LABELS = 16  # more periods than this and the n row under the axis would overlap: tooltips only


@dataclass(frozen=True)
class Mark:
    """One point (or bar): its period label, value, the calls behind it, and where they are listed."""

    label: str
    value: float | None
    n: int
    small: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Series:
    name: str
    marks: list[Mark]
    colour: str = PALETTE[0]
    dashed: bool = False


def _fmt(value: float, unit: str) -> str:
    return f"{value:.0f}{unit}"


def _x_positions(count: int, width: int) -> list[float]:
    span = width - LEFT - RIGHT
    if count == 1:
        return [LEFT + span / 2]
    return [round(LEFT + span * i / (count - 1), 1) for i in range(count)]


def _frame(title: str, labels: list[str], xs: list[float], width: int, height: int, y_max: float,
           unit: str) -> list[str]:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
             f'<text x="{LEFT}" y="14" font-size="12" font-weight="bold" font-family="sans-serif">'
             f'{escape(title)}</text>']
    bottom = height - BOTTOM
    for fraction in (0.0, 0.5, 1.0):
        y = round(bottom - (bottom - TOP) * fraction, 1)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{width - RIGHT}" y2="{y}" stroke="#dddddd"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4}" font-size="10" text-anchor="end" font-family="sans-serif">'
                     f'{escape(_fmt(y_max * fraction, unit))}</text>')
    shown = sorted({0, len(labels) // 2, len(labels) - 1}) if labels else []
    for i in shown:
        anchor = "start" if i == 0 and len(labels) > 1 else "end" if i == len(labels) - 1 and i else "middle"
        parts.append(f'<text x="{xs[i]}" y="{height - 4}" font-size="10" text-anchor="{anchor}" '
                     f'font-family="sans-serif">{escape(labels[i])}</text>')
    return parts


def _n_row(marks: list[Mark], xs: list[float], height: int) -> list[str]:
    """n under each period (the first series'), when the periods leave room for it."""
    if len(marks) > MAX_N_LABELS:
        return []
    parts = [f'<text x="2" y="{height - 18}" font-size="8" fill="#505a5f" font-family="sans-serif">n</text>']
    for x, mark in zip(xs, marks):
        parts.append(f'<text class="n" x="{x}" y="{height - 18}" font-size="8" text-anchor="middle" '
                     f'fill="{SMALL_COLOUR if mark.small or not mark.n else "#0b0c0c"}" '
                     f'font-family="sans-serif">{mark.n}</text>')
    return parts


def _linked(mark: Mark, shape: str) -> str:
    if mark.href is None:
        return shape
    return f'<a href="{escape(mark.href)}" class="point-link">{shape}</a>'


def _tooltip(series: str, mark: Mark, unit: str) -> str:
    value = "no calls" if mark.value is None else _fmt(mark.value, unit)
    note = ", a small sample: not a trend" if mark.small else ""
    return f"<title>{escape(series)}, {escape(mark.label)}: {escape(value)} (n = {mark.n}{note})</title>"


def line_chart(title: str, series: list[Series], y_max: float = 100.0, unit: str = "%",
               width: int = 340, height: int = 170) -> Markup:
    """One line per series over the labelled periods. The line joins only points on enough calls:
    a period with nothing to rate, or a small sample, breaks it; small samples are hollow."""
    labels = [m.label for m in series[0].marks] if series else []
    xs = _x_positions(max(len(labels), 1), width)
    bottom = height - BOTTOM

    def y(value: float) -> float:
        return round(bottom - (bottom - TOP) * min(max(value, 0.0), y_max) / y_max, 1)

    parts = _frame(title, labels, xs, width, height, y_max, unit)
    if series:
        parts += _n_row(series[0].marks, xs, height)
    for s in series:
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        run: list[str] = []
        for i, mark in enumerate(s.marks + [Mark("", None, 0)]):
            if mark.value is not None and not mark.small:
                run.append(f"{xs[i]},{y(mark.value)}")
                continue
            if len(run) > 1:
                parts.append(f'<polyline class="trend-line" fill="none" stroke="{s.colour}" stroke-width="2"{dash} '
                             f'points="{" ".join(run)}"/>')
            run = []
        radius = 3 if s.dashed else 4
        for i, mark in enumerate(s.marks):
            if mark.value is None:
                continue
            if mark.small:
                paint = f'fill="#ffffff" stroke="{SMALL_COLOUR}" stroke-width="1.5"'
            else:
                paint = f'fill="{s.colour}"'
            shape = (f'<circle class="point{" small" if mark.small else ""}" data-n="{mark.n}" cx="{xs[i]}" '
                     f'cy="{y(mark.value)}" r="{radius}" {paint}>{_tooltip(s.name, mark, unit)}</circle>')
            parts.append(_linked(mark, shape))
    legend_x = width - RIGHT  # the legend's own row under the title, so a long title never runs into it
    for s in reversed(series):
        parts.append(f'<text x="{legend_x}" y="27" font-size="10" text-anchor="end" fill="{s.colour}" '
                     f'font-family="sans-serif">{escape(s.name)}{" (dashed)" if s.dashed else ""}</text>')
        legend_x -= 8 + 6 * (len(s.name) + (9 if s.dashed else 0))
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, marks: list[Mark], unit: str = "", width: int = 340, height: int = 170,
              colour: str = PALETTE[1]) -> Markup:
    """Counts per period (calls), each bar linked to its calls."""
    values = [m.value or 0.0 for m in marks]
    y_max = max(2.0, math.ceil(max(values, default=0.0) / 2) * 2.0)  # even: the halfway line is a whole number
    labels = [m.label for m in marks]
    xs = _x_positions(max(len(labels), 1), width)
    bottom = height - BOTTOM
    bar = max(min((width - LEFT - RIGHT) / max(len(labels), 1) * 0.7, 24), 2)
    parts = _frame(title, labels, xs, width, height, y_max, unit) + _n_row(marks, xs, height)
    for i, (mark, value) in enumerate(zip(marks, values)):
        top = round(bottom - (bottom - TOP) * value / y_max, 1)
        shape = (f'<rect class="bar" data-n="{mark.n}" x="{round(xs[i] - bar / 2, 1)}" y="{top}" '
                 f'width="{round(bar, 1)}" height="{round(bottom - top, 1)}" fill="{colour}">'
                 f'<title>{escape(mark.label)}: {escape(_fmt(value, unit))} (n = {mark.n})</title></rect>')
        parts.append(_linked(mark, shape) if mark.n else shape)
    parts.append("</svg>")
    return Markup("".join(parts))
