"""Small server-rendered SVG charts (lines over time, bars), drawn inline in the page.

No chart library and no script: the strict Content-Security-Policy holds, and the charts print.
Only presentation attributes are used (no style attributes, which the CSP would block), and every
piece of text is escaped here, which is why the result may be marked safe for the template.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = ("#1d70b8", "#505a5f", "#d4351c", "#00703c")
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 22, 24


@dataclass
class Series:
    name: str
    values: list[float | None]
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
        parts.append(f'<text x="{xs[i]}" y="{height - 8}" font-size="10" text-anchor="{anchor}" '
                     f'font-family="sans-serif">{escape(labels[i])}</text>')
    return parts


def line_chart(title: str, labels: list[str], series: list[Series], y_max: float = 100.0, unit: str = "%",
               width: int = 340, height: int = 150) -> Markup:
    """One line per series over the labelled periods; a gap where a value is None (nothing to rate)."""
    xs = _x_positions(max(len(labels), 1), width)
    bottom = height - BOTTOM

    def y(value: float) -> float:
        return round(bottom - (bottom - TOP) * min(max(value, 0.0), y_max) / y_max, 1)

    parts = _frame(title, labels, xs, width, height, y_max, unit)
    for s in series:
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        run: list[str] = []
        for i, value in enumerate(s.values + [None]):
            if value is not None:
                run.append(f"{xs[i]},{y(value)}")
                continue
            if len(run) > 1:
                parts.append(f'<polyline fill="none" stroke="{s.colour}" stroke-width="2"{dash} '
                             f'points="{" ".join(run)}"/>')
            run = []
        for i, value in enumerate(s.values):
            if value is not None:
                parts.append(f'<circle cx="{xs[i]}" cy="{y(value)}" r="{2 if s.dashed else 3}" fill="{s.colour}">'
                             f'<title>{escape(s.name)}, {escape(labels[i])}: {escape(_fmt(value, unit))}</title>'
                             f'</circle>')
    legend_x = width - RIGHT
    for s in reversed(series):
        parts.append(f'<text x="{legend_x}" y="14" font-size="10" text-anchor="end" fill="{s.colour}" '
                     f'font-family="sans-serif">{escape(s.name)}</text>')
        legend_x -= 8 + 6 * len(s.name)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, labels: list[str], values: list[float], unit: str = "", width: int = 340,
              height: int = 150, colour: str = PALETTE[1]) -> Markup:
    """Counts per period (calls, flagged calls)."""
    y_max = max(2.0, math.ceil(max(values, default=0.0) / 2) * 2.0)  # even: the halfway line is a whole number
    xs = _x_positions(max(len(labels), 1), width)
    bottom = height - BOTTOM
    bar = max(min((width - LEFT - RIGHT) / max(len(labels), 1) * 0.7, 24), 2)
    parts = _frame(title, labels, xs, width, height, y_max, unit)
    for i, value in enumerate(values):
        top = round(bottom - (bottom - TOP) * value / y_max, 1)
        parts.append(f'<rect x="{round(xs[i] - bar / 2, 1)}" y="{top}" width="{round(bar, 1)}" '
                     f'height="{round(bottom - top, 1)}" fill="{colour}"><title>{escape(labels[i])}: '
                     f'{escape(_fmt(value, unit))}</title></rect>')
    parts.append("</svg>")
    return Markup("".join(parts))
