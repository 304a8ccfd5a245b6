"""Panel samples: reproducible from the seed, stratified as asked, never training or unscored calls."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest

from callqa.cli import main
from callqa.pipeline.errors import CallQAError
from callqa.recorder_export import CallRecord
from callqa.panel.sampling import SampleFilters, draw_sample, eligible_calls, redraw, sample
from callqa.store import Store
from tests.conftest import SAMPLES

AREAS = ("Stafford", "Cannock", "Stoke-on-Trent")


@pytest.fixture(scope="module")
def base_results(analyzer) -> dict[str, dict]:
    """One real flagged and one real clean analysis, copied under many call ids below."""
    return {name: analyzer.analyze(SAMPLES / f"{name}.wav").to_dict() for name in ("mate", "good_999")}


@pytest.fixture
def store(tmp_path, base_results) -> Store:
    """40 scored calls (every 3rd a 999, every 4th flagged, 3 areas, over 4 days), 3 training calls,
    and 2 calls with no result (analysis failed)."""
    store = Store(f"sqlite:///{tmp_path / 'panel.db'}")
    start = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    records, results = [], []
    for i in range(45):
        call_id = f"C{i:03d}"
        training, failed = i >= 40 and i < 43, i >= 43
        records.append(CallRecord(call_id, SAMPLES / "mate.wav", start + timedelta(hours=2 * i),
                                  "999" if i % 3 == 0 else "101", AREAS[i % 3], f"H{i % 5}",
                                  "stereo-handler-left", 8.0, training, f"manifest.csv row {i + 2}"))
        if not failed:
            base = base_results["mate" if i % 4 == 0 else "good_999"]
            results.append({**copy.deepcopy(base), "call_id": call_id})
    store.upsert_calls(records, None)
    for result in results:
        store.save_analysis(result, f"sha-{result['call_id']}", None)
    return store


def test_training_and_failed_calls_are_never_eligible(store):
    ids = [c.call_id for c in eligible_calls(store, SampleFilters(n=1))]
    assert ids == [f"C{i:03d}" for i in range(40)]


def test_same_seed_same_sample_and_different_seed_differs(store):
    filters = SampleFilters(n=10, min_999=3, flagged_share=0.3)
    first = draw_sample(eligible_calls(store, filters), filters, seed=1234)
    assert first == draw_sample(eligible_calls(store, filters), filters, seed=1234)
    assert first != draw_sample(eligible_calls(store, filters), filters, seed=1235)
    assert len(first) == 10 and len({c for c, _ in first}) == 10


def test_strata_and_filters_hold(store):
    candidates = {c.call_id: c for c in eligible_calls(store, SampleFilters(n=1))}
    for seed in range(20):
        filters = SampleFilters(n=12, min_999=4, flagged_share=0.5)
        drawn = draw_sample(list(candidates.values()), filters, seed)
        assert sum(candidates[c].call_type == "999" for c, _ in drawn) >= 4
        assert sum(candidates[c].flagged for c, _ in drawn) >= 6
        assert [s for _, s in drawn][:4] == ["999"] * 4
    only = SampleFilters(n=5, areas=("Cannock",), call_types=("101",), date_from="2026-11-21", date_to="2026-11-23")
    chosen = eligible_calls(store, only)
    assert chosen and all(int(c.call_id[1:]) % 3 == 1 and c.call_type == "101" for c in chosen)


def test_sample_is_recorded_and_can_be_redrawn(store):
    filters = SampleFilters(n=6, min_999=2, flagged_share=0.25, areas=("Stafford", "Cannock"))
    draw = sample(store, "Stoke panel", filters, seed=6, requested_by="panel chair")
    recorded, again = redraw(store, draw.draw_id)
    assert recorded["seed"] == 6 and recorded["requested_by"] == "panel chair"
    assert recorded["filters"]["areas"] == ["Stafford", "Cannock"]
    assert [tuple(c) for c in recorded["calls"]] == draw.calls == again
    with pytest.raises(CallQAError, match="only 40 eligible call"):
        sample(store, "p", SampleFilters(n=41), seed=1, requested_by="x")
    with pytest.raises(CallQAError, match="flagged-share"):
        draw_sample([], SampleFilters(n=2, flagged_share=1.5), seed=1)


def test_cli_prints_draw_order_and_redraw_checks_it(store, capsys):
    args = ["panel", "sample", "--panel", "North", "--n", "5", "--min-999", "2", "--seed", "42",
            "--requested-by", "member 3", "--db", store.url]
    assert main(args) == 0
    captured = capsys.readouterr()
    lines = [line.split("\t") for line in captured.out.splitlines()]
    assert len(lines) == 5 and [s for _, s in lines][:2] == ["999", "999"]
    draw_id = captured.err.split("draw ")[1].split(",")[0]
    assert main(["panel", "redraw", draw_id, "--db", store.url]) == 0
    assert "the same calls, in the same order" in capsys.readouterr().out
    assert main(args) == 0 and [line.split("\t") for line in capsys.readouterr().out.splitlines()] == lines


def test_cli_json_gives_the_same_draw(store, capsys):
    args = ["panel", "sample", "--panel", "North", "--n", "4", "--seed", "7", "--db", store.url]
    assert main(args) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert main(args + ["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [[c["call_id"], c["stratum"]] for c in data["calls"]] == lines
    assert data["seed"] == 7 and data["eligible"] == 40 and isinstance(data["draw_id"], int)
