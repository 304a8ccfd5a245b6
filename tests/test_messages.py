"""callqa.messages, and the outputs that use it: errors, CSV exports, the CLI's error line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from callqa.pipeline.errors import AudioError, CallQAError, NotAudioError
from callqa.result_files import indicator_table_csv, to_webvtt
from callqa.messages import is_hidden, printable, quote, show_bytes, show_name, show_path


@pytest.mark.parametrize(("text", "shown"), [
    ("plain", "plain"), ("a\x1b[31mred", "a\\x1b[31mred"), ("nul\x00", "nul\\x00"), ("tab\there", "tab\\there"),
    ("bidi\u202eevil", "bidi\\u202eevil"), ("bom\ufeff", "bom\\ufeff"), ("tag\U000e0041", "tag\\U000e0041"),
    ("Ynys M\u00f4n", "Ynys M\u00f4n"), ("\u0644\u0647\u062c\u0629", "\u0644\u0647\u062c\u0629"),
])
def test_printable_escapes_only_hidden_characters(text: str, shown: str):
    assert printable(text) == shown
    assert not any(is_hidden(c) for c in printable(text))


def test_printable_cuts_long_values_to_an_excerpt():
    shown = printable("x" * 100_000)
    assert shown == "x" * 80 + "... (100000 characters)"
    assert printable("line\nbreak", keep_newlines=True) == "line\nbreak"


def test_quote_shows_edges_and_cuts():
    assert quote(" lead_space.wav") == "' lead_space.wav'"
    assert quote("") == "''"
    assert quote("it's") == "'it\\'s'"
    assert quote("y" * 200, 10) == "'yyyyyyyyyy'... (200 characters)"


def test_show_name_quotes_only_names_that_need_it():
    assert show_name("/exports/night/a.wav") == "/exports/night/a.wav"
    assert show_name("/exports/night/ lead.wav") == "'/exports/night/ lead.wav'"
    assert show_name("esc\x1b.wav") == "'esc\\x1b.wav'"
    long = show_path("/exports/" + "x" * 240 + ".wav")
    assert long.startswith("/exports/xxxx") and long.endswith("xxxx.wav") and len(long) < 100


def test_show_bytes_prints_chunk_ids_plainly_or_as_hex():
    assert show_bytes(b"LIST") == "'LIST'"
    assert show_bytes(b"t\xfa\xfb~") == "bytes 74 fa fb 7e"


def test_audio_error_names_an_odd_file_legibly():
    """Before: the raw name went into the message, so an ESC in a file name reached the terminal."""
    error = NotAudioError(Path("/night/esc\x1b[2Jname.wav"), "looks like text")
    assert str(error) == "'/night/esc\\x1b[2Jname.wav': not an audio file (looks like text)"
    assert error.path == "/night/esc\x1b[2Jname.wav"  # programs still get the real path
    assert str(AudioError("/night/ lead.wav")).startswith("'/night/ lead.wav': ")


def test_user_message_escapes_any_error_but_keeps_its_lines():
    assert CallQAError("bad\x1b[31m value\n  second line").user_message() == "bad\\x1b[31m value\n  second line"


def test_csv_cells_cannot_run_formulas_or_carry_control_characters():
    """Before: control characters went into the CSV verbatim, and ' =1+1' or '\\n=1' was not guarded."""
    rows = [{"call_id": "c1", "area": "Staf\x1b[31mford", "handler_id": "=1+1", "flags": "\n=HYPERLINK(1)"},
            {"call_id": "c2", "area": " @SUM(1)", "handler_id": "H\x00", "flags": "-2+3"}]
    text = indicator_table_csv(rows)
    assert "\x1b" not in text and "\x00" not in text
    first, second = csv.DictReader(io.StringIO(text))
    assert first["area"] == "Staf\\x1b[31mford"
    assert first["handler_id"] == "'=1+1"
    assert first["flags"] == "\\n=HYPERLINK(1)"  # escaped, the line break no longer hides the formula
    assert second["area"] == "' @SUM(1)" and second["handler_id"] == "H\\x00" and second["flags"] == "'-2+3"


def test_webvtt_cues_carry_no_control_characters():
    result = {"call_id": "c1", "transcript": [{"start_s": 0.0, "end_s": 1.0, "speaker": "handler",
                                               "text": "hello\x1b[2J there\x00"}], "flags": []}
    vtt = to_webvtt(result)
    assert "\x1b" not in vtt and "\x00" not in vtt and "hello\\x1b[2J there\\x00" in vtt
