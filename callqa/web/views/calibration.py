"""Calibration for QA leads: how far panel answers and the automated indicators agree, and the
calls where they disagree (each linked to the call page at the indicator's evidence); and how often
QA leads confirm the flags, per indicator and rules version, overall and per UK week (the same
tables as `callqa calibrate --decisions`).

Each view is one `view_calibration` audit row: the draw asked for, the answers counted, the call
ids of the disagreements shown and how many flag decisions the agreement tables count.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from markupsafe import Markup
from callqa.pipeline.errors import CallQAError
from callqa.plain_language import title
from callqa.panel.calibrate import calibrate, plot_svg
from callqa.tuning.agreement import agreement_by_indicator, agreement_by_week, percent
from callqa.web import auth, queries

bp = Blueprint("calibration", __name__)


@bp.get("/calibration")
def index() -> str:
    store = auth.store()
    draws = queries.panel_draws(store)
    draw = request.args.get("draw", "")
    draw_id = queries.positive_int(draw)  # anything but a sample number means all samples
    error, result = None, None
    try:
        result = calibrate(store, draw_id=draw_id)
    except CallQAError as exc:
        error = str(exc)
    decided = store.decided_flags(evidence=False)   # the tables count decisions; evidence is tuning's
    store.audit(auth.actor(), "view_calibration", details={
        "draw_id": draw_id, "answers": result.answers if result else 0, "decisions": len(decided),
        "call_ids": list(dict.fromkeys(d.call_id for d in result.disagreements)) if result else []})
    # The plot is drawn by callqa's own code, which escapes every text it puts in the SVG.
    plot = Markup(plot_svg(result)) if result and result.answers else None
    return render_template("calibration.html", draws=draws, draw=draw, cal=result, error=error, plot=plot,
                           agreement=agreement_by_indicator(decided), weekly=agreement_by_week(decided),
                           percent=percent, title=title)
