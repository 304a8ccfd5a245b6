"""The call timeline picture (callqa.timeline_svg): a legend, red only for the silences that raised a
flag, labelled pins with hover text, no pin at 0:00 for a finding about the whole call, and axis
labels inside the picture. Parsed as XML, as a browser would."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from callqa.timeline_svg import COLOURS, CHAR_W, flagged_silence_spans, short_title, timeline_svg

NS = {"s": "http://www.w3.org/2000/svg"}


def result(duration: float = 61.3, flags: list | None = None) -> dict:
    """A hand-built result: three unexplained silences (one behind an unexplained_silence flag), one
    explained, and evidence as the silence indicator writes it."""
    return {
        "duration_s": duration,
        "speech": {"handler": [[0.5, 4.0], [20.0, 25.0]], "caller": [[5.0, 9.0], [40.0, 50.0]]},
        "silences": [
            {"start_s": 9.5, "end_s": 12.0, "explained": False},
            {"start_s": 12.5, "end_s": 19.5, "explained": True},
            {"start_s": 26.0, "end_s": 39.0, "explained": False},
            {"start_s": 51.0, "end_s": 54.0, "explained": False},
        ],
        "indicators": {"unexplained_silence": {"status": "fail", "evidence": [
            {"speaker": "handler", "start_s": 26.0, "end_s": 39.0, "text": "Right?", "rule": "silence.fail_s",
             "owner": "handler", "explained": False},
            {"speaker": "handler", "start_s": 12.5, "end_s": 19.5, "text": "bear with me", "rule": "x",
             "owner": "handler", "explained": True}]}},
        "flags": flags if flags is not None else [
            {"indicator": "unexplained_silence", "start_s": 26.0, "severity": "high", "needs_review": False},
            {"indicator": "listening", "start_s": 6.0, "severity": "medium", "needs_review": False},
            {"indicator": "recap", "start_s": 6.5, "severity": "low", "needs_review": True},
            {"indicator": "answer_time", "start_s": 0.0, "severity": "medium", "needs_review": False},
        ],
    }


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def view_box(root: ET.Element) -> tuple[float, float]:
    _, _, w, h = (float(v) for v in root.get("viewBox").split())
    return w, h


def test_the_picture_has_a_legend_naming_every_colour():
    root = parse(timeline_svg(result()))
    legend = root.find("s:g[@class='legend']", NS)
    assert legend is not None
    words = " ".join(t.text for t in legend.iter(f"{{{NS['s']}}}text"))
    for entry in ("handler speaking", "caller speaking", "silence that raised a flag", "unexplained silence",
                  "explained silence", "flag", "to check"):
        assert entry in words, entry
    assert "bleeped" not in words  # only when the result was redacted
    redacted = {**result(), "redaction": {"audio_spans": [[1.0, 2.0]]}}
    assert "personal detail bleeped" in timeline_svg(redacted)
    assert parse(timeline_svg(result(), legend=False)).find("s:g[@class='legend']", NS) is None


def test_red_only_for_the_silence_that_raised_a_flag():
    root = parse(timeline_svg(result()))
    rects = [r for r in root.iter(f"{{{NS['s']}}}rect") if "silence" in (r.get("class") or "")]
    red = [r for r in rects if r.get("fill") == COLOURS["flagged"]]
    assert [(r.get("data-start"), r.get("class")) for r in red] == [("26.00", "silence flagged flag")]
    muted = [r.get("data-start") for r in rects if r.get("fill") == COLOURS["unexplained"]]
    assert muted == ["9.50", "26.00", "51.00"]  # the flagged one is drawn muted underneath, red on top
    assert [r.get("data-start") for r in rects if r.get("fill") == COLOURS["explained"]] == ["12.50"]
    # Without a silence flag nothing is red, however many silences nobody explained.
    calm = parse(timeline_svg(result(flags=[{"indicator": "listening", "start_s": 6.0, "severity": "low"}])))
    assert not [r for r in calm.iter(f"{{{NS['s']}}}rect") if r.get("fill") == COLOURS["flagged"]
                and "silence" in (r.get("class") or "")]
    # No evidence with owners (an older result): the silence the flag starts at.
    old = result()
    old["indicators"] = {}
    assert flagged_silence_spans(old, old["flags"]) == [(26.0, 39.0)]


def test_pins_are_labelled_with_hover_text_and_whole_call_findings_get_no_pin():
    root = parse(timeline_svg(result()))
    pins = root.findall("s:g[@class]", NS)
    pins = [g for g in pins if g.get("class", "").split()[0] == "flag"]
    assert [g.get("data-indicator") for g in pins] == ["listening", "recap", "unexplained_silence"]
    for g in pins:
        hover = g.find("s:title", NS).text
        label = g.find("s:text", NS)
        assert label is not None and label.text == short_title(g.get("data-indicator"))
        assert hover.startswith(label.text) and g.get("aria-label") == hover
    assert short_title("listening") == "Listening"  # no bracketed gloss on a pin
    assert "check (callqa is unsure)" in pins[1].find("s:title", NS).text
    assert pins[1].get("class") == "flag unsure"
    # Pins 0.5 s apart: their labels are on different rows, so they do not overlap.
    ys = {g.get("data-indicator"): float(g.find("s:text", NS).get("y")) for g in pins}
    assert ys["listening"] != ys["recap"]
    # answer_time is about the whole call: no pin at 0:00, a line under the picture instead.
    assert "answer_time" not in [g.get("data-indicator") for g in pins]
    note = root.find("s:text[@class='flag call-level']", NS)
    assert note is not None and "Answer time" in note.text
    # Store rows carry ids: a pin names its flag card.
    rows = [{**f, "id": 40 + i} for i, f in enumerate(result()["flags"])]
    tied = parse(timeline_svg(result(), flags=rows))
    assert {g.get("data-flag-id") for g in tied.iter(f"{{{NS['s']}}}g") if g.get("data-flag-id")} == {"40", "41", "42"}


def test_every_text_is_inside_the_view_box():
    for duration in (61.3, 60.0, 9.8, 184.0, 3599.0):
        root = parse(timeline_svg(result(duration)))
        width, height = view_box(root)
        ticks = [t for t in root.iter(f"{{{NS['s']}}}text") if t.get("class") == "tick-label"]
        assert ticks
        for text in root.iter(f"{{{NS['s']}}}text"):
            x, y = float(text.get("x")), float(text.get("y"))
            w = len(text.text or "") * CHAR_W
            anchor = text.get("text-anchor") or "start"
            left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
            assert left >= 0 and left + w <= width, (duration, text.text, x, anchor)
            assert 0 < y <= height, (duration, text.text, y)
        last = ticks[-1]
        assert last.get("text-anchor") == "end" or float(last.get("x")) + len(last.text) * CHAR_W / 2 <= width


def test_text_is_escaped():
    svg = timeline_svg(result(flags=[{"indicator": "<script>x</script>", "start_s": 5.0, "severity": "low"}]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert re.search(r"<svg[^>]+viewBox=", svg)
