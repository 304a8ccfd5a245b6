"""callqa.recorder_export on real export folders in tmp_path: manifest, sidecars, bad rows, escapes, plugins."""

from __future__ import annotations

import shutil
import json
import re
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from callqa import recorder_export as export
from callqa.pipeline.audio import LAYOUTS
from callqa.pipeline.errors import CallQAError
from callqa.recorder_export import (
    CallRecord,
    ExportError,
    ExportListing,
    RowError,
    build_listing,
    parse_row,
    read_export,
    register_reader,
)
from tests.conftest import ROOT, SAMPLES

HEADER = "call_id,audio,started_at,call_type,area,handler_id,channels,answer_delay_s,training"
GOOD = "{id},{audio},2026-11-25T21:14:03+00:00,101,Stafford,H1042,stereo-handler-left,35,false"


def wav(path: Path) -> Path:
    """A real, tiny stereo 8 kHz WAV (the reader never decodes audio, but exports hold real files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros((800, 2), dtype=np.float32), 8000, format="WAV", subtype="PCM_16")
    return path


def manifest(folder: Path, *rows: str, header: str = HEADER, encoding: str = "utf-8", newline: str = "\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding, newline=newline)
    return path


def sidecar(path: Path, **values: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


def fields(call_id: str, **overrides: object) -> dict[str, object]:
    """Sidecar values for a good call, JSON-typed as a recorder would write them."""
    values: dict[str, object] = {"call_id": call_id, "started_at": "2026-11-25T21:14:03+00:00", "call_type": 101,
                                 "area": "Cannock", "handler_id": "H3307", "channels": "mono",
                                 "answer_delay_s": 40.5, "training": False}
    values.update(overrides)
    return values


@pytest.fixture
def night(tmp_path: Path) -> Path:
    """An export folder with two real WAVs, one in a subfolder."""
    folder = tmp_path / "night"
    wav(folder / "a.wav")
    wav(folder / "calls" / "b.wav")
    return folder


@pytest.fixture
def registry(monkeypatch):
    """Readers registered by a test disappear after it; entry points are rescanned on the next read."""
    monkeypatch.setattr(export, "READERS", dict(export.READERS))
    monkeypatch.setattr(export, "_entry_point_names", set())
    monkeypatch.setattr(export, "_entry_point_problems", {})
    monkeypatch.setattr(export, "_entry_points_loaded", False)
    return export.READERS


# --- the committed sample export --------------------------------------------------------


def test_sample_manifest_reads_every_call_with_types():
    listing = read_export(SAMPLES)
    assert listing.reader == "manifest" and listing.errors == []
    assert listing.folder == SAMPLES.resolve()
    calls = {c.call_id: c for c in listing.calls}
    assert len(listing.calls) == len(list(SAMPLES.glob("*.wav"))) + 1
    assert set(calls) == {p.stem for p in SAMPLES.glob("*.wav")} | {"training_good_101"}
    for call in listing.calls:
        assert isinstance(call, CallRecord)
        assert call.audio.is_absolute() and call.audio.is_file() and call.audio.parent == SAMPLES.resolve()
        assert call.started_at.utcoffset() == timedelta(0)
        assert datetime(2026, 11, 25, 17) <= call.started_at.replace(tzinfo=None) < datetime(2026, 11, 26)
        assert call.layout == "stereo-handler-left" and call.extra == {}
        assert call.area in {"Stoke-on-Trent", "Stafford", "Newcastle-under-Lyme", "Cannock"}
        assert call.source.startswith("manifest.csv row ")
    assert calls["good_999"].call_type == "999" and calls["good_999"].answer_delay_s == 4.0
    assert calls["late_answer_999"].call_type == "999" and calls["late_answer_999"].answer_delay_s > 10
    assert {c.call_type for c in listing.calls} == {"101", "999"}
    assert any(c.answer_delay_s > 300 for c in listing.calls if c.call_type == "101" and c.answer_delay_s)
    assert [c.call_id for c in listing.calls if c.training] == ["training_good_101"]
    assert calls["training_good_101"].audio == calls["good_101"].audio  # the same audio twice is allowed
    handlers = [c.handler_id for c in listing.calls]
    assert any(handlers.count(h) > 1 for h in handlers)
    assert calls["good_101"].source == "manifest.csv row 2"


def test_sample_truth_files_are_not_sidecars():
    with pytest.raises(ExportError, match="no JSON sidecars"):
        read_export(SAMPLES, reader="sidecar")


# --- manifest rows ----------------------------------------------------------------------


BAD_ROWS = [
    ("C2,calls/x.wav,2026-11-25T21:14:03+00:00,101,,,mono,,false", "audio file not found: 'calls/x.wav'"),
    ("C2,calls,2026-11-25T21:14:03+00:00,101,,,mono,,false", "audio path is not a regular file: 'calls'"),
    ("C2,a.wav,2026-11-25T21:14:03+00:00,101,,,stereo,,false",
     "unknown channel layout 'stereo'; expected one of " + ", ".join(LAYOUTS)),
    ("C2,a.wav,25/11/2026 21:14,101,,,mono,,false", "started_at '25/11/2026 21:14' is not ISO 8601 with a UTC offset"),
    ("C2,a.wav,2026-11-25T21:14:03,101,,,mono,,false", "started_at '2026-11-25T21:14:03' has no UTC offset"),
    ("C2,a.wav,2026-11-25T21:14:03+00:00,112,,,mono,,false", "call_type '112' is not one of 101, 999"),
    ("C2,a.wav,2026-11-25T21:14:03+00:00,101,,,mono,soon,false", "answer_delay_s 'soon' is not a number"),
    ("C2,a.wav,2026-11-25T21:14:03+00:00,101,,,mono,-3,false", "answer_delay_s '-3' is not a non-negative"),
    ("C2,a.wav,2026-11-25T21:14:03+00:00,101,,,mono,nan,false", "answer_delay_s 'nan' is not a non-negative"),
    ("C2,a.wav,2026-11-25T21:14:03+00:00,101,,,mono,,maybe", "training 'maybe' is not true or false"),
    ("C2,a.wav,2026-11-25T21:14:03+00:00,101,,,,,false", "empty value(s) for: layout"),
    (",a.wav,2026-11-25T21:14:03+00:00,,,,mono,,", "empty value(s) for: call_id, call_type, training"),
    ("C2/../x,a.wav,2026-11-25T21:14:03+00:00,101,,,mono,,false", "call_id 'C2/../x' must use only A-Z a-z 0-9"),
    ("..,a.wav,2026-11-25T21:14:03+00:00,101,,,mono,,false", "call_id '..' must use only"),
    ("C" * 129 + ",a.wav,2026-11-25T21:14:03+00:00,101,,,mono,,false", "is longer than 128 characters"),
    ("C2,a.wav,2026-11-25T21:14:03+00:00,101,,,mono,,false,surplus", "row has 10 cells, the header has 9"),
    ("C2,a.wav,2026-11-25T21:14:03+00:00", "row has 3 cells, the header has 9"),
]


@pytest.mark.parametrize(("row", "problem"), BAD_ROWS, ids=[p[:40] for _, p in BAD_ROWS])
def test_bad_row_is_reported_by_row_number_and_the_rest_is_read(night: Path, row: str, problem: str):
    manifest(night, GOOD.format(id="C1", audio="a.wav"), row, GOOD.format(id="C3", audio="calls/b.wav"))
    listing = read_export(night)
    assert [c.call_id for c in listing.calls] == ["C1", "C3"]
    assert [c.source for c in listing.calls] == ["manifest.csv row 2", "manifest.csv row 4"]
    (error,) = listing.errors
    assert error.source == "manifest.csv row 3"
    assert problem in error.problem
    assert str(error).startswith("manifest.csv row 3")


def test_row_error_names_the_call_and_every_problem(night: Path):
    manifest(night, "C7,nope.wav,yesterday,112,,,stereo,,perhaps")
    (error,) = read_export(night).errors
    assert error.call_id == "C7"
    for words in ("audio file not found: 'nope.wav'", "started_at 'yesterday'", "call_type '112'",
                  "unknown channel layout 'stereo'", "training 'perhaps'"):
        assert words in error.problem
    assert str(error).startswith("manifest.csv row 2 (call C7): ")


def test_row_error_str_without_call_id():
    assert str(RowError("sub/x.json", None, "sidecar is not valid JSON")) == "sub/x.json: sidecar is not valid JSON"


def test_duplicate_call_id_first_occurrence_wins(night: Path):
    manifest(night, GOOD.format(id="C1", audio="a.wav"), GOOD.format(id="C2", audio="a.wav"),
             GOOD.format(id="C1", audio="calls/b.wav"), GOOD.format(id="c2", audio="calls/b.wav"))
    listing = read_export(night)
    assert [(c.call_id, c.audio.name) for c in listing.calls] == [("C1", "a.wav"), ("C2", "a.wav")]
    assert [str(e) for e in listing.errors] == [
        "manifest.csv row 4 (call C1): duplicate call_id 'C1' (first at row 2)",
        "manifest.csv row 5 (call c2): duplicate call_id 'c2' (differs only in case from 'C2' at row 3)",
    ]


def test_duplicate_of_a_bad_row_is_still_a_duplicate(night: Path):
    manifest(night, GOOD.format(id="C1", audio="missing.wav"), GOOD.format(id="C1", audio="a.wav"))
    listing = read_export(night)
    assert listing.calls == []
    assert [e.problem for e in listing.errors] == ["audio file not found: 'missing.wav'",
                                                   "duplicate call_id 'C1' (first at row 2)"]


def test_blank_lines_are_skipped_but_keep_spreadsheet_row_numbers(night: Path):
    manifest(night, "", GOOD.format(id="C1", audio="a.wav"), ",,,,,,,,", GOOD.format(id="C2", audio="nope.wav"))
    listing = read_export(night)
    assert [c.source for c in listing.calls] == ["manifest.csv row 3"]
    assert [e.source for e in listing.errors] == ["manifest.csv row 5"]


def test_quoted_line_break_is_one_row(night: Path):
    manifest(night, GOOD.format(id="C1", audio="a.wav").replace("Stafford", '"Stafford\nNorth"'),
             GOOD.format(id="C2", audio="nope.wav"))
    listing = read_export(night)
    # one record over two lines (and refused: a line break in an area is a control character)
    assert [e.source for e in listing.errors] == ["manifest.csv row 2", "manifest.csv row 3"]  # not line 4
    assert "U+000A" in listing.errors[0].problem


def test_values_are_normalised(night: Path):
    manifest(night, " C1 , a.wav ,2026-11-25T21:14:03Z, 999 ,Stafford, H1 ,mono, 4 ,YES",
             "C2,calls\\b.wav,2026-07-01T09:00:00+01:00,101,,,stereo-handler-right,,0")
    first, second = read_export(night).calls
    assert (first.call_id, first.call_type, first.handler_id, first.answer_delay_s, first.training) == \
        ("C1", "999", "H1", 4.0, True)
    assert first.started_at.utcoffset() == timedelta(0)
    assert second.audio == (night / "calls" / "b.wav").resolve()  # Windows separators accepted
    assert (second.area, second.handler_id, second.answer_delay_s, second.training) == ("", "", None, False)
    assert second.started_at.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("word", ["true", "True", "YES", "yes", "1", "false", "FALSE", "no", "No", "0"])
def test_training_words(night: Path, word: str):
    manifest(night, GOOD.format(id="C1", audio="a.wav").replace(",false", f",{word}"))
    (call,) = read_export(night).calls
    assert call.training is (word.lower() in {"true", "yes", "1"})


def test_bom_case_and_extra_columns(night: Path):
    header = "Call_ID ,audio,started_at,call_type,area,handler_id,channels,training,queue,recorder_ref"
    row = "C1,a.wav,2026-11-25T21:14:03+00:00,101,Stafford,H1,mono,false,Non-emergency,RB-99812"
    manifest(night, row, header=header, encoding="utf-8-sig", newline="\r\n")  # as Excel saves it
    assert (night / "manifest.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    (call,) = read_export(night).calls
    assert call.call_id == "C1" and call.answer_delay_s is None  # answer_delay_s column is optional
    assert call.extra == {"queue": "Non-emergency", "recorder_ref": "RB-99812"}


def test_missing_columns_reject_the_manifest(night: Path):
    manifest(night, "C1,a.wav,2026-11-25T21:14:03+00:00,101,mono,false",
             header="call_id,audio,started_at,call_type,channels,training")
    with pytest.raises(ExportError, match=r"missing required column\(s\): area, handler_id"):
        read_export(night)


def test_repeated_column_rejects_the_manifest(night: Path):
    manifest(night, header=HEADER + ",area")
    with pytest.raises(ExportError, match="repeated column"):
        read_export(night)


def test_header_only_manifest_is_an_empty_night(night: Path):
    manifest(night)
    listing = read_export(night)
    assert (listing.calls, listing.errors) == ([], [])


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_manifest_without_header(night: Path, content: bytes):
    (night / "manifest.csv").write_bytes(content)
    with pytest.raises(ExportError, match="no header row"):
        read_export(night)


def test_non_utf8_manifest_is_refused_naming_the_file(night: Path):
    manifest(night, GOOD.format(id="C1", audio="a.wav").replace("Stafford", "Newcastle-under-Lym\u00e9"),
             encoding="latin-1")
    with pytest.raises(ExportError, match=r"manifest\.csv: not UTF-8 text: byte 0xe9"):
        read_export(night)
    manifest(night, GOOD.format(id="C1", audio="a.wav"), encoding="utf-16")
    with pytest.raises(ExportError, match=r"manifest\.csv: the manifest is UTF-16 \(little-endian\) text"):
        read_export(night)


# --- escaping the export folder ---------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A real audio file beside (not inside) the export folder."""
    return wav(tmp_path / "outside.wav")


@pytest.mark.parametrize("audio", ["../outside.wav", "calls/../../outside.wav", "..\\outside.wav"])
def test_dotdot_escape_is_refused(night: Path, outside: Path, audio: str):
    manifest(night, GOOD.format(id="C1", audio=audio), GOOD.format(id="C2", audio="a.wav"))
    listing = read_export(night)
    assert [c.call_id for c in listing.calls] == ["C2"]
    assert listing.errors[0].problem == f"audio path escapes the export folder: '{audio}'"


def test_absolute_path_is_refused_even_when_inside(night: Path, outside: Path):
    manifest(night, GOOD.format(id="C1", audio=outside), GOOD.format(id="C2", audio=night / "a.wav"),
             GOOD.format(id="C3", audio="C:\\Windows\\win.ini"))
    listing = read_export(night)
    assert listing.calls == []
    assert [e.problem for e in listing.errors] == [
        f"audio path escapes the export folder (absolute paths are not allowed): '{p}'"
        for p in (outside, night / "a.wav", "C:\\Windows\\win.ini")]


def test_symlink_to_outside_is_refused_and_inside_is_resolved(night: Path, outside: Path):
    (night / "link_out.wav").symlink_to(outside)
    (night / "dir_out").symlink_to(outside.parent, target_is_directory=True)
    (night / "link_in.wav").symlink_to(night / "calls" / "b.wav")
    manifest(night, GOOD.format(id="C1", audio="link_out.wav"), GOOD.format(id="C2", audio="dir_out/outside.wav"),
             GOOD.format(id="C3", audio="link_in.wav"))
    listing = read_export(night)
    assert [(c.call_id, c.audio) for c in listing.calls] == [("C3", (night / "calls" / "b.wav").resolve())]
    assert [e.problem for e in listing.errors] == ["audio path escapes the export folder: 'link_out.wav'",
                                                   "audio path escapes the export folder: 'dir_out/outside.wav'"]


def test_export_folder_reached_through_a_symlink(tmp_path: Path, night: Path):
    manifest(night, GOOD.format(id="C1", audio="a.wav"))
    latest = tmp_path / "latest"
    latest.symlink_to(night, target_is_directory=True)
    listing = read_export(latest)
    assert listing.folder == night.resolve() and len(listing.calls) == 1


def test_symlink_loop_is_a_row_error(night: Path):
    (night / "loop.wav").symlink_to(night / "loop.wav")
    manifest(night, GOOD.format(id="C1", audio="loop.wav"))
    (error,) = read_export(night).errors
    assert "loop.wav" in error.problem


# --- the folder as a whole --------------------------------------------------------------


def test_missing_folder_file_and_empty_folder(tmp_path: Path):
    with pytest.raises(ExportError, match="export folder not found"):
        read_export(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="not a directory"):
        read_export(tmp_path / "file")
    with pytest.raises(ExportError, match="no manifest.csv and no JSON sidecars"):
        read_export(tmp_path)
    wav(tmp_path / "a.wav")
    (tmp_path / "notes.json").write_text('{"night": "2026-11-25"}')
    with pytest.raises(ExportError, match="no manifest.csv and no JSON sidecars"):
        read_export(tmp_path)
    assert issubclass(ExportError, CallQAError)


def test_forced_manifest_reader_without_manifest(night: Path):
    with pytest.raises(ExportError, match="manifest.csv"):
        read_export(night, reader="manifest")


def test_unknown_reader_lists_known_ones(night: Path):
    with pytest.raises(ExportError, match="unknown export reader 'redbox'; known readers: manifest, sidecar"):
        read_export(night, reader="redbox")


# --- sidecars ---------------------------------------------------------------------------


def test_sidecar_layout(night: Path):
    sidecar(night / "a.json", **fields("S1", audio="a.wav", queue="Non-emergency", tags=["x"]))
    sidecar(night / "calls" / "b.json", **fields("S2", training="yes"))  # audio omitted: calls/b.wav
    wav(night / "sub" / "deeper" / "rec.wav")
    sidecar(night / "sub" / "meta" / "c.json", **fields("S3", audio="../deeper/rec.wav", call_type="999"))
    wav(night / "sub" / "d.wav")
    (night / "sub" / "d.json").write_text('{"call_id": "S4", ')  # broken, audio beside it
    (night / "sub" / "e.json").write_text('{"call_id": "S5", "audio": ')  # broken, mentions audio
    wav(night / "sub" / "f.wav")
    (night / "sub" / "f.json").write_text('["S6"]')  # not an object
    (night / "notes.json").write_text('{"night": "2026-11-25"}')  # not a sidecar: no audio, no audio key
    wav(night / ".hidden" / "h.wav")
    sidecar(night / ".hidden" / "h.json", **fields("hidden"))

    listing = read_export(night)
    assert listing.reader == "sidecar"
    calls = {c.call_id: c for c in listing.calls}
    assert list(calls) == ["S1", "S2", "S3"]
    assert [c.source for c in listing.calls] == ["a.json", "calls/b.json", "sub/meta/c.json"]
    assert calls["S1"].extra == {"queue": "Non-emergency", "tags": '["x"]'}
    assert (calls["S1"].call_type, calls["S1"].answer_delay_s, calls["S1"].training) == ("101", 40.5, False)
    assert calls["S2"].audio == (night / "calls" / "b.wav").resolve() and calls["S2"].training is True
    assert calls["S3"].audio == (night / "sub" / "deeper" / "rec.wav").resolve() and calls["S3"].call_type == "999"
    errors = {e.source: e for e in listing.errors}
    assert list(errors) == ["sub/d.json", "sub/e.json", "sub/f.json"]
    assert errors["sub/d.json"].problem.startswith("sidecar is not valid JSON")
    assert errors["sub/e.json"].problem.startswith("sidecar is not valid JSON")
    assert errors["sub/f.json"].problem == "sidecar is not a JSON object (found an array)"


def test_sidecar_row_errors(night: Path, outside: Path):
    sidecar(night / "a.json", **fields("S1", channels="stereo", started_at="2026-11-25 21:14"))
    sidecar(night / "x.json", **fields("S2", audio="../outside.wav"))
    sidecar(night / "y.json", **fields("S3", audio="nope.wav", area={"name": "Stafford"}))
    wav(night / "z.wav")
    wav(night / "z.mp3")
    sidecar(night / "z.json", **fields("S4"))
    sidecar(night / "calls" / "b.json", call_id="S5", audio=None)
    listing = read_export(night)
    assert listing.calls == []
    errors = {e.source: str(e) for e in listing.errors}
    assert "unknown channel layout 'stereo'" in errors["a.json"] and "has no UTC offset" in errors["a.json"]
    assert errors["x.json"] == "x.json (call S2): audio path escapes the export folder: '../outside.wav'"
    assert errors["y.json"] == "y.json (call S3): area must be a string, number or boolean, not an object"
    assert "several: z.mp3, z.wav" in errors["z.json"]
    assert errors["calls/b.json"] == ("calls/b.json (call S5): missing field(s): started_at, call_type, area, "
                                      "handler_id, layout, training")


def test_sidecar_named_after_the_whole_file(night: Path):
    sidecar(night / "a.wav.json", **fields("S1"))
    (call,) = read_export(night).calls
    assert call.audio == (night / "a.wav").resolve() and call.source == "a.wav.json"


def test_duplicate_call_ids_across_sidecars(night: Path):
    sidecar(night / "a.json", **fields("S1"))
    sidecar(night / "calls" / "b.json", **fields("S1"))
    listing = read_export(night)
    assert [c.source for c in listing.calls] == ["a.json"]
    assert [str(e) for e in listing.errors] == ["calls/b.json (call S1): duplicate call_id 'S1' (first at a.json)"]


def test_manifest_wins_over_sidecars(night: Path):
    sidecar(night / "a.json", **fields("S1"))
    manifest(night, GOOD.format(id="M1", audio="a.wav"))
    listing = read_export(night)
    assert listing.reader == "manifest" and [c.call_id for c in listing.calls] == ["M1"]
    assert [c.call_id for c in read_export(night, reader="sidecar").calls] == ["S1"]


# --- parse_row and custom readers -------------------------------------------------------


def test_parse_row_for_plugins(night: Path):
    values = {"call_id": "P1", "audio": "b.wav", "started_at": "2026-11-25T21:14:03+00:00", "call_type": "999",
              "area": "", "handler_id": "", "channels": "mono", "training": "no", "site": "Stafford"}
    folder = night.resolve()
    call = parse_row(values, folder, folder / "calls", "feed line 1")
    assert isinstance(call, CallRecord) and call.audio == folder / "calls" / "b.wav"
    assert call.extra == {"site": "Stafford"}
    error = parse_row({**values, "audio": "../../b.wav"}, folder, folder / "calls", "feed line 2")
    assert error == RowError("feed line 2", "P1", "audio path escapes the export folder: '../../b.wav'")


def write_tsv(folder: Path, *rows: str) -> None:
    lines = ["call_id\taudio\tstarted_at\tcall_type\tarea\thandler_id\tchannels\ttraining", *rows]
    (folder / "calls.tsv").write_text("\n".join(lines) + "\n")


def read_tsv(folder: Path) -> ExportListing:
    """A tiny third-party format: tab-separated, validated by parse_row."""
    header, *rows = (folder / "calls.tsv").read_text().splitlines()
    results = [parse_row(dict(zip(header.split("\t"), row.split("\t"))), folder, folder, f"calls.tsv line {n}")
               for n, row in enumerate(rows, start=2)]
    return build_listing(folder, "tsv", results)


def test_register_custom_reader_detected_and_forced(registry, night: Path):
    register_reader("tsv", lambda folder: (folder / "calls.tsv").is_file(), read_tsv)
    write_tsv(night, "T1\ta.wav\t2026-11-25T21:14:03+00:00\t101\tCannock\tH1\tmono\tfalse",
              "T1\tcalls/b.wav\t2026-11-25T21:20:00+00:00\t101\tCannock\tH1\tmono\tfalse")
    listing = read_export(night)
    assert listing.reader == "tsv" and [c.call_id for c in listing.calls] == ["T1"]
    assert str(listing.errors[0]) == "calls.tsv line 3 (call T1): duplicate call_id 'T1' (first at calls.tsv line 2)"
    manifest(night, GOOD.format(id="M1", audio="a.wav"))
    assert read_export(night).reader == "manifest"  # built-ins are tried first
    assert read_export(night, reader="tsv").reader == "tsv"
    with pytest.raises(ValueError, match="already registered"):
        register_reader("tsv", bool, read_tsv)
    register_reader("tsv", bool, read_tsv, replace=True)


def test_reader_output_is_held_to_the_guarantees(registry, night: Path, outside: Path):
    """A reader that builds records itself cannot hand the batch a file outside the export."""
    def read(folder: Path) -> ExportListing:
        call = parse_row({"call_id": "R1", "audio": "a.wav", "started_at": "2026-11-25T21:14:03+00:00",
                          "call_type": "101", "area": "", "handler_id": "", "channels": "mono", "training": "0"},
                         folder, folder, "feed 1")
        sneaky = [CallRecord(**{**call.__dict__, "audio": outside, "call_id": "R2", "source": "feed 2"}),
                  CallRecord(**{**call.__dict__, "call_id": "../R3", "source": "feed 3"}), call, call]
        return ExportListing(folder, "sneaky", sneaky, [])

    register_reader("sneaky", lambda folder: False, read)
    listing = read_export(night, reader="sneaky")
    assert [c.call_id for c in listing.calls] == ["R1"]
    assert [e.source for e in listing.errors] == ["feed 2", "feed 3", "feed 1"]
    assert "not a regular file inside the export folder" in listing.errors[0].problem
    assert "duplicate call_id 'R1'" in listing.errors[2].problem
    register_reader("broken", lambda folder: False, lambda folder: [])
    with pytest.raises(ExportError, match="returned list, not an ExportListing"):
        read_export(night, reader="broken")


PLUGIN = '''
from pathlib import Path
from callqa.recorder_export import build_listing, parse_row

def detect(folder: Path) -> bool:
    return (folder / "calls.tsv").is_file()

def read(folder: Path):
    header, *rows = (folder / "calls.tsv").read_text().splitlines()
    return build_listing(folder, "tsvrec", [parse_row(dict(zip(header.split("\\t"), r.split("\\t"))), folder,
                                                      folder, f"calls.tsv line {n}") for n, r in enumerate(rows, 2)])

READER = (detect, read)
'''


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch):
    """A real installed distribution declaring readers in the callqa.export_readers group."""
    site = tmp_path / "site"
    dist = site / "callqa_test_recorder-1.0.dist-info"
    dist.mkdir(parents=True)
    (site / "callqa_test_recorder.py").write_text(PLUGIN)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: callqa-test-recorder\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[callqa.export_readers]\n"
        "tsvrec = callqa_test_recorder:READER\n"
        "broken = callqa_no_such_module:READER\n"
        "notapair = callqa_test_recorder:detect\n"
        "manifest = callqa_test_recorder:READER\n")
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("callqa_test_recorder", None)


def test_entry_point_readers(registry, installed_plugin, night: Path):
    write_tsv(night, "T1\ta.wav\t2026-11-25T21:14:03+00:00\t101\tCannock\tH1\tmono\tfalse")
    listing = read_export(night)  # loads entry points on first use
    assert listing.reader == "tsvrec" and [c.call_id for c in listing.calls] == ["T1"]
    assert registry["manifest"].read is export.read_manifest  # a plugin cannot take a built-in's name
    with pytest.raises(ExportError, match=r"unknown export reader 'broken'.*ModuleNotFoundError"):
        read_export(night, reader="broken")
    with pytest.raises(ExportError, match=r"'notapair'.*not loaded"):
        read_export(night, reader="notapair")
    assert export.load_entry_point_readers() == []  # once per process
    assert export.load_entry_point_readers(reload=True) == ["tsvrec"]


def test_pipeline_export_does_not_import_prefect():
    code = "import sys, callqa.recorder_export; assert not any(m.startswith('prefect') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


# --- values at the edge of what parses (issues 13 and 17) ---------------------------------


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00",
                                  "1899-12-31T23:00:00+00:00", "2200-01-01T00:00:00+00:00"])
def test_extreme_but_valid_dates_are_a_row_error_not_a_crash(night: Path, when: str):
    manifest(night, GOOD.format(id="C1", audio="a.wav"),
             f"C2,calls/b.wav,{when},101,Stafford,H1,stereo-handler-left,35,false")
    listing = read_export(night)
    assert [c.call_id for c in listing.calls] == ["C1"]
    (error,) = listing.errors
    assert "started_at" in error.problem and "between" in error.problem


def test_a_date_that_does_not_exist_says_so(night: Path):
    manifest(night, "C2,a.wav,2026-02-29T10:00:00+00:00,101,Stafford,H1,stereo-handler-left,35,false")
    (error,) = read_export(night).errors
    assert "no such date" in error.problem


def test_a_deeply_nested_sidecar_is_one_bad_file(tmp_path: Path):
    folder = tmp_path / "night"
    wav(folder / "a.wav")
    sidecar(folder / "a.json", **fields("A1"))
    wav(folder / "b.wav")
    (folder / "b.json").write_text('{"audio": "b.wav", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}")
    listing = read_export(folder)
    assert [c.call_id for c in listing.calls] == ["A1"]
    (error,) = listing.errors
    assert "b.json" in error.source and "nested" in error.problem


def test_an_oversized_sidecar_is_one_bad_file(tmp_path: Path):
    folder = tmp_path / "night"
    wav(folder / "b.wav")
    sidecar(folder / "b.json", **fields("B1", notes="x" * 2_000_000))
    (error,) = read_export(folder).errors
    assert "larger than" in error.problem


@pytest.mark.parametrize("value, shown", [("Staf\x00ford", "U+0000"), ("H1\x1b[31m", "U+001B"),
                                          ("H\u202e1042", "U+202E"), ("x" * 300, "longer than 255")])
def test_control_characters_and_overlong_identifiers_are_a_row_error(night: Path, value: str, shown: str):
    manifest(night, GOOD.format(id="C1", audio="a.wav"),
             f"C2,calls/b.wav,2026-11-25T21:14:03+00:00,101,Stafford,{value},stereo-handler-left,35,false")
    listing = read_export(night)
    assert [c.call_id for c in listing.calls] == ["C1"]
    (error,) = listing.errors
    assert "handler_id" in error.problem and shown in error.problem


def test_one_huge_cell_is_one_bad_row_not_a_bad_export(night: Path):
    manifest(night, GOOD.format(id="C1", audio="a.wav"),
             "C2,calls/b.wav,2026-11-25T21:14:03+00:00,101," + "S" * 1_000_000 + ",H1,stereo-handler-left,35,false",
             GOOD.format(id="C3", audio="a.wav").replace("C3,a.wav", "C3,calls/b.wav"))
    listing = read_export(night)
    assert [c.call_id for c in listing.calls] == ["C1", "C3"]
    (error,) = listing.errors
    assert error.source == "manifest.csv row 3" and "area is longer than 4096" in error.problem
    assert len(str(error)) < 300                      # the value itself is never echoed


# --- clear errors for bad input (issues 13 and 17; each failed before its fix) ----------------------


@pytest.mark.parametrize(("encoding", "name"), [("utf-32", "UTF-32 (little-endian)"),
                                                ("utf-32-be", "UTF-32 (big-endian)"),
                                                ("utf-16-le", "UTF-16 (little-endian)"),
                                                ("utf-16-be", "UTF-16 (big-endian)")])
def test_wide_encodings_are_named_with_or_without_a_bom(night: Path, encoding: str, name: str):
    """Before: UTF-32 was called UTF-16, and BOM-less UTF-16 became "missing call_id (header has: c\\x00...)"."""
    manifest(night, GOOD.format(id="C1", audio="a.wav"), encoding=encoding)
    with pytest.raises(ExportError, match=re.escape(f"manifest is {name} text, not UTF-8")):
        read_export(night)


@pytest.mark.parametrize(("prefix", "named"), [("\ufeff\ufeff", "U+FEFF (byte-order mark)"), ("\x00", "U+0000 (NUL)")])
def test_an_invisible_character_in_the_header_is_named(night: Path, prefix: str, named: str):
    """Before: "missing call_id (header has: call_id, audio, ...)", the BOM or NUL invisible."""
    (night / "manifest.csv").write_text(prefix + HEADER + "\n" + GOOD.format(id="C1", audio="a.wav") + "\n")
    with pytest.raises(ExportError) as err:
        read_export(night)
    assert named in str(err.value) and "header column 1" in str(err.value)
    assert "\ufeff" not in err.value.user_message() and "\x00" not in err.value.user_message()


def test_a_semicolon_separated_manifest_says_so(night: Path):
    manifest(night, header=HEADER.replace(",", ";"))
    with pytest.raises(ExportError, match="one column separated by semicolons"):
        read_export(night)


def test_a_manifest_symlinked_out_of_the_export_is_not_read(tmp_path: Path, night: Path):
    """Before: the link was followed and the outside file's first line printed as "the header"."""
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (night / "manifest.csv").symlink_to(secret)
    with pytest.raises(ExportError, match="symlink to a file outside the export folder") as err:
        read_export(night)
    assert "root:x" not in str(err.value)


def test_a_manifest_symlinked_inside_the_export_is_read(night: Path):
    manifest(night / "sub", GOOD.format(id="C1", audio="a.wav"))
    (night / "manifest.csv").symlink_to(night / "sub" / "manifest.csv")
    assert [c.call_id for c in read_export(night).calls] == ["C1"]


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_manifest_that_is_not_a_file_is_named(night: Path, kind: str):
    """Before: a FIFO or directory named manifest.csv gave "no manifest.csv and no JSON sidecars"."""
    os.mkfifo(night / "manifest.csv") if kind == "fifo" else (night / "manifest.csv").mkdir()
    with pytest.raises(ExportError, match=r"manifest\.csv: the manifest is (not a regular file|a directory)"):
        read_export(night)


def test_a_huge_sidecar_value_is_echoed_only_as_an_excerpt(night: Path):
    """Before: a 100 kB started_at came back in full in the message."""
    sidecar(night / "a.json", **fields("S1", audio="a.wav", started_at="2026-11-25T" + "9" * 100_000))
    (error,) = read_export(night).errors
    assert "started_at '2026-11-25T999" in str(error) and "(100011 characters)" in str(error)
    assert len(str(error)) < 300


def test_a_file_name_with_a_leading_space_is_found_and_shown_quoted(night: Path):
    """Before: the cell was stripped to 'lead_space.wav' and reported as not found under that name."""
    wav(night / " lead_space.wav")
    sidecar(night / "x.json", **fields("S1", audio=" lead_space.wav"))
    sidecar(night / "y.json", **fields("S2", audio=" gone.wav"))
    listing = read_export(night)
    assert [c.audio.name for c in listing.calls] == [" lead_space.wav"]
    (error,) = listing.errors
    assert error.problem == "audio file not found: 'gone.wav' (spaces around the value were ignored)"


@pytest.mark.parametrize(("when", "said"), [
    ("2026-02-29T10:00:00+00:00", "no such date (February 2026 has 28 days)"),
    ("2026-04-31T10:00:00+00:00", "no such date (April 2026 has 30 days)"),
    ("2026-13-01T10:00:00+00:00", "no such date (month 13 does not exist)"),
    ("2026-11-25T25:00:00+00:00", "no such time of day (hour must be in 0..23)"),
])
def test_impossible_dates_and_times_say_so(night: Path, when: str, said: str):
    manifest(night, f"C2,a.wav,{when},101,Stafford,H1,stereo-handler-left,35,false")
    (error,) = read_export(night).errors
    assert error.problem == f"started_at '{when}': {said}"


def test_control_characters_in_an_audio_path_are_refused_and_escaped(night: Path):
    wav(night / "esc\x1b[31m.wav")
    manifest(night, GOOD.format(id="C1", audio="esc\x1b[31m.wav"))
    (error,) = read_export(night).errors
    assert "audio path 'esc\\x1b[31m.wav' contains control or invisible characters (U+001B" in error.problem
    assert "\x1b" not in str(error)


def test_a_sidecar_name_with_control_characters_is_escaped_in_its_error(night: Path):
    sidecar(night / "bad\x1b[2J.json", audio="nope.wav")
    (error,) = read_export(night).errors
    assert error.source == "bad\\x1b[2J.json" and "\x1b" not in str(error)


def test_a_sidecar_symlinked_out_of_the_export_is_not_read(tmp_path: Path, night: Path):
    outside_json = tmp_path / "elsewhere.json"
    outside_json.write_text(json.dumps(fields("S9", audio="a.wav")))
    (night / "a.json").symlink_to(outside_json)
    (error,) = read_export(night).errors
    assert error.source == "a.json" and "symlink to a file outside the export folder" in error.problem


@pytest.mark.parametrize(("body", "problem"), [
    (b'{"audio": "a.wav", "call_type": ' + b"9" * 5000 + b"}", "number too long"),
    (b'{"audio": "a.wav", "call_id": "S1", "call_id": "S2"}', "repeats the key 'call_id'"),
    ('{"audio": "a.wav"}'.encode("utf-32"), "UTF-32 (little-endian) text, not UTF-8"),
    (b'null', "not a JSON object (found null)"),
])
def test_odd_sidecars_are_one_clear_bad_file(night: Path, body: bytes, problem: str):
    """Before: a 5000-digit number raised ValueError out of read_export; a repeated key kept the last."""
    (night / "a.json").write_bytes(body)
    (error,) = read_export(night).errors
    assert problem in error.problem


def test_an_overlong_call_id_in_a_huge_row_is_not_shown_as_the_call(night: Path):
    """Before: the id was cut to 128 characters, which passed the check and named the row's call."""
    manifest(night, "a" * 10_000 + ",a.wav,2026-11-25T21:14:03+00:00,101,Stafford,H1,mono,,false")
    (error,) = read_export(night).errors
    assert error.call_id is None and len(str(error)) < 200


def test_an_export_error_escapes_a_folder_name(tmp_path: Path):
    """The message is stored as the failed night's error and shown on pages: no raw ESC in it."""
    folder = tmp_path / "night\x1b[2J"
    folder.mkdir()
    with pytest.raises(ExportError) as err:
        read_export(folder)
    assert "\x1b" not in str(err.value) and "night\\x1b[2J" in str(err.value)


def test_the_layout_column_under_its_old_name_channels_still_reads(tmp_path):
    """`layout` was called `channels` before: an older recorder export still reads, and giving both
    with different values names the disagreement instead of guessing."""
    shutil.copy(SAMPLES / "mate.wav", tmp_path / "a.wav")
    shutil.copy(SAMPLES / "mate.wav", tmp_path / "b.wav")
    (tmp_path / "manifest.csv").write_text(
        "call_id,audio,started_at,call_type,area,handler_id,layout,channels,training\n"
        "A,a.wav,2026-11-25T21:14:03+00:00,101,,,mono,mono,false\n"
        "B,b.wav,2026-11-25T21:15:03+00:00,101,,,mono,stereo-handler-left,false\n")
    listing = read_export(tmp_path)
    assert [(c.call_id, c.layout) for c in listing.calls] == [("A", "mono")]
    assert [e.problem for e in listing.errors] == ["layout 'mono' and its old name channels 'stereo-handler-left' "
                                                   "disagree"]
