"""The Prefect flow over real recordings, on a real (temporary) Prefect server."""

from __future__ import annotations

import json

from tests.conftest import SAMPLES


def test_flow_analyses_calls_and_reports_bad_ones(prefect_harness, tmp_path):
    from flows.analyze_calls import analyze_calls

    bad = tmp_path / "empty.wav"
    bad.write_bytes(b"")
    out = tmp_path / "out"
    outcomes = analyze_calls([str(SAMPLES / "mate.wav"), str(bad), str(SAMPLES / "good_999.wav")], str(out))
    assert [o["status"] for o in outcomes] == ["analysed", "error", "analysed"]
    assert "empty.wav" in outcomes[1]["error"]
    assert outcomes[0]["flags"] == ["informal_language"]
    assert outcomes[2]["flags"] == []
    assert sorted(p.name for p in out.iterdir()) == ["good_999.json", "mate.json"]
    assert json.loads((out / "mate.json").read_text())["indicators"]["informal_language"]["status"] == "fail"
