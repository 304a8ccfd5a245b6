"""The CLI contract (issue 14 items 5 and 6): one module per command group, --version and help,
--json as a switch with --out for paths, distinct exit codes, output safe to pipe, local ISO times,
case-insensitive filters, a clear busy-port error, and a store that is opened, never conjured."""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import re
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from callqa.cli import GROUPS, build_parser, exit_code, main
from tests.conftest import ROOT, SAMPLES

UTC = timezone.utc
BST = timezone(timedelta(hours=1))
MISSING_HINT = "run `callqa run EXPORT` to create one, or point --db/CALLQA_DB at an existing store"


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callqa.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout)


# ---- a small store with real results ------------------------------------------------------------


@pytest.fixture(scope="module")
def mate_result(analyzer) -> dict:
    result = analyzer.analyze(SAMPLES / "mate.wav").to_dict()
    assert result["flags"]
    return result


@pytest.fixture(scope="module")
def filled(tmp_path_factory, mate_result) -> str:
    """A SQLite store with four scored calls: two areas, two handlers, a winter and a summer (BST) time."""
    from callqa.recorder_export import CallRecord
    from callqa.store import Store

    folder = tmp_path_factory.mktemp("cli-store")
    url = f"sqlite:///{folder / 'callqa.db'}"
    store = Store(url)
    calls = [("winter", datetime(2026, 11, 25, 21, 14, tzinfo=UTC), "Cannock", "H1042"),
             ("summer", datetime(2026, 6, 1, 10, 30, tzinfo=BST), "Stafford", "H2"),
             ("other", datetime(2026, 6, 2, 8, 0, tzinfo=UTC), "Stafford", "H3307")]
    store.upsert_calls([CallRecord(call_id=c, audio=SAMPLES / "mate.wav", started_at=when, call_type="101", area=area,
                                   handler_id=handler, layout="stereo-handler-left", answer_delay_s=12.5,
                                   training=False, source=f"manifest.csv row {c}") for c, when, area, handler in calls],
                       None)
    for call_id, *_ in calls:
        store.save_analysis({**copy.deepcopy(mate_result), "call_id": call_id}, call_id.ljust(64, "f"), None)
    run_id = store.start_run("/exports/night", "manifest", "faster-whisper", "tiny.en", "r1", 1)
    store.finish_run(run_id, {"counts": {"analysed": 3, "failed": 0, "flagged": 3}}, "finished")
    store.engine.dispose()
    return url


# ---- 1. one module per command group ------------------------------------------------------------


def test_each_command_group_is_a_module_that_registers_itself():
    import importlib

    for group in GROUPS:
        module = importlib.import_module(f"callqa.cli.{group}")
        assert callable(module.register), group
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    assert {"analyze", "run", "serve", "flags", "status", "export", "rescore", "db", "voiceprints", "panel",
            "web", "user"} <= commands


def test_the_cli_copies_of_library_constants_match():
    """analyze.py keeps LAYOUTS and ENGINES, and cli the time zone, so --help loads no numpy."""
    from callqa.cli import LOCAL_TIMEZONE, analyze
    from callqa.pipeline.audio import LAYOUTS
    from callqa.pipeline.config import ENGINES, LOCAL_TIMEZONE as CONFIG_ZONE

    assert analyze.LAYOUTS == LAYOUTS and analyze.ENGINES == ENGINES and LOCAL_TIMEZONE == CONFIG_ZONE


def test_python_dash_m_and_analyze_help_stay_light():
    code = ("import sys, runpy\nsys.argv = ['callqa', 'analyze', '--help']\n"
            "try:\n    runpy.run_module('callqa.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in ('flask', 'sqlalchemy', 'prefect', 'numpy') if m in sys.modules)\n"
            "print('HEAVY', heavy, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "HEAVY []" in done.stderr and "--out PATH" in done.stdout, done.stderr[-2000:]


# ---- 2. --version and help ----------------------------------------------------------------------


def test_version():
    from callqa import __version__

    done = run_cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"callqa {__version__}"


def _parsers(parser: argparse.ArgumentParser, path: str = "callqa"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def test_every_option_has_help_with_its_default_and_environment_variable():
    parser = build_parser()
    undocumented = [f"{path} {a.option_strings or a.dest}" for path, p in _parsers(parser) for a in p._actions
                    if not isinstance(a, argparse._SubParsersAction) and not a.help]
    assert not undocumented
    helps = {path: " ".join(p.format_help().split()) for path, p in _parsers(parser)}
    with_db = [path for path, p in _parsers(parser) if any("--db" in a.option_strings for a in p._actions)]
    assert len(with_db) >= 20
    assert all("CALLQA_DB" in helps[path] for path in with_db)
    assert "(default: callqa-reports)" in helps["callqa run"] and "(default: 1)" in helps["callqa run"]
    assert "(default: 02:00)" in helps["callqa serve"] and "PREFECT_API_URL" in helps["callqa serve"]
    assert "(default: 8000)" in helps["callqa web"] and "CALLQA_INSTANCE" in helps["callqa web"]
    assert "CALLQA_MODEL_CACHE" in helps["callqa analyze"]
    assert "(default: None)" not in "".join(helps.values()) and "(default: False)" not in "".join(helps.values())


# ---- 3. --json is a switch, paths use --out -----------------------------------------------------


@pytest.mark.parametrize("out", ["result.json", "results/"])
def test_the_old_json_out_form_is_a_usage_error_with_a_hint(tmp_path, capsys, out):
    assert main(["analyze", str(SAMPLES / "good_999.wav"), "--json", str(tmp_path / out)]) == 2
    err = capsys.readouterr().err
    assert "--json is a switch now" in err and f"use --out {tmp_path / out}" in err
    assert not (tmp_path / out).exists()


def test_analyze_prints_json_and_json_lines_and_writes_out(tmp_path, capsys):
    one = SAMPLES / "good_999.wav"
    assert main(["analyze", str(one), "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["call_id"] == "good_999" and out.startswith("{\n")   # one document
    folder = tmp_path / "results"
    assert main(["analyze", str(one), "--json", str(SAMPLES / "mate.wav"), "--out", str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["call_id"] for line in lines] == ["good_999", "mate"]      # JSON Lines
    assert sorted(p.name for p in folder.iterdir()) == ["good_999.json", "mate.json"]
    assert json.loads((folder / "mate.json").read_text())["call_id"] == "mate"
    single = tmp_path / "one.json"
    assert main(["analyze", str(one), "--out", str(single)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and json.loads(single.read_text())["call_id"] == "good_999"
    assert "good_999:" in captured.err   # the summary goes to stderr


def test_list_commands_print_one_json_array(filled, capsys):
    for command in (["flags"], ["status"], ["voiceprints"], ["user", "list"]):
        assert main([*command, "--db", filled, "--json"]) == 0, command
        assert isinstance(json.loads(capsys.readouterr().out), list), command


def test_export_takes_out_and_the_old_output_spelling(filled, tmp_path):
    assert main(["export", "csv", "--db", filled, "--out", str(tmp_path / "a.csv")]) == 0
    assert main(["export", "csv", "--db", filled, "--output", str(tmp_path / "b.csv")]) == 0
    assert main(["export", "vtt", "winter", "--db", filled, "-o", str(tmp_path / "w.vtt")]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    assert (tmp_path / "w.vtt").read_text().startswith("WEBVTT")


# ---- 4. exit codes ------------------------------------------------------------------------------


def test_exit_codes_by_error_type():
    from callqa.errors import CallQAError, ConfigError
    from callqa.models.errors import ModelNotFoundError
    from callqa.panel.answers import AnswersError
    from callqa.panel.questionnaire import QuestionnaireError
    from callqa.pipeline.errors import MissingAudioError, NotAudioError, RulePackError
    from callqa.recorder_export import ExportError
    from callqa.store import StoreError

    assert exit_code(CallQAError("unknown call")) == 2
    assert exit_code(NotAudioError("x.wav")) == exit_code(MissingAudioError("x.wav")) == 4
    assert exit_code(ExportError("no manifest")) == exit_code(AnswersError("bad answers")) == 4
    assert exit_code(StoreError("no store")) == 5
    assert exit_code(RulePackError("bad pack")) == exit_code(ConfigError("bad setting")) == 6
    assert exit_code(QuestionnaireError("bad question")) == 6
    assert exit_code(ModelNotFoundError("no model")) == 6


def test_exit_codes_of_analyze(tmp_path, capsys):
    bad = tmp_path / "broken.wav"
    bad.write_text("this is not audio")
    assert main(["analyze", str(bad)]) == 4                                               # a bad input file
    assert main(["analyze", str(tmp_path / "absent.wav")]) == 4
    assert main(["analyze", str(bad), str(SAMPLES / "good_999.wav"), "--out", str(tmp_path / "o")]) == 3  # some bad
    config = tmp_path / "callqa.toml"
    config.write_text("[stt]\nengine = 'whisper-9000'\n")
    assert main(["analyze", str(SAMPLES / "good_999.wav"), "--config", str(config)]) == 6  # configuration
    pack = tmp_path / "pack.toml"
    pack.write_text("force = 'X'\nnot_a_section = 1\n")
    assert main(["analyze", str(SAMPLES / "good_999.wav"), "--rules", str(pack)]) == 6     # rule pack
    err = capsys.readouterr().err
    assert "Traceback" not in err and "not an audio file" in err


def test_a_bad_result_json_is_a_bad_input_file(tmp_path, capsys):
    broken = tmp_path / "r.json"
    broken.write_text("{not json")
    assert main(["export", "vtt", str(broken)]) == 4
    assert "not a callqa result JSON" in capsys.readouterr().err


def test_a_crash_is_exit_1_with_its_traceback(tmp_path):
    bad_json = tmp_path / "r.json"
    bad_json.write_text(json.dumps({"transcript": "not a list of turns"}))
    done = run_cli("export", "vtt", str(bad_json))
    assert done.returncode == 1 and "Traceback" in done.stderr


# ---- 5. safe to pipe, local ISO times, case-insensitive filters ---------------------------------


def test_a_closed_pipe_ends_quietly(filled):
    proc = subprocess.Popen([sys.executable, "-m", "callqa.cli", "flags", "--db", filled, "--json"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before callqa writes (as `| head -1` once it has its line)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
    done = subprocess.run(f"'{sys.executable}' -m callqa.cli flags --db '{filled}' --json | head -1", shell=True,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout == "[\n" and "Traceback" not in done.stderr


def test_text_times_are_uk_local_iso_8601_with_offset(filled, capsys):
    assert main(["flags", "--db", filled]) == 0
    out = capsys.readouterr().out
    assert "winter  2026-11-25T21:14+00:00  101" in out
    assert "summer  2026-06-01T10:30+01:00  101" in out       # 09:30 UTC is 10:30 BST
    assert main(["status", "--db", filled]) == 0
    [run] = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d\+0[01]:00", run.split()[3]), run   # no microseconds


def test_filters_are_case_insensitive(filled, capsys):
    def listed(*args: str) -> set[str]:
        assert main(["flags", "--db", filled, *args]) == 0
        return {line.split()[0] for line in capsys.readouterr().out.splitlines()
                if line and not line.startswith((" ", "Needs review"))}

    assert listed("--area", "cannock") == listed("--area", "CANNOCK") == {"winter"}
    assert listed("--handler", "h3307") == {"other"}
    assert listed("--area", "stafford", "--handler", "H2") == {"summer"}


def test_panel_sample_areas_are_case_insensitive(filled, capsys):
    assert main(["panel", "sample", "--panel", "p", "--n", "2", "--areas", "stafford", "--seed", "1",
                 "--json", "--db", filled]) == 0
    draw = json.loads(capsys.readouterr().out)
    assert sorted(c["call_id"] for c in draw["calls"]) == ["other", "summer"]
    assert main(["panel", "redraw", str(draw["draw_id"]), "--db", filled]) == 0


def test_a_redraw_that_differs_exits_3(filled, tmp_path, capsys):
    """The draw finished, but the store no longer gives the same calls: a problem (3), not an error."""
    from callqa.recorder_export import CallRecord
    from callqa.store import Store

    db = tmp_path / "copy.db"
    shutil.copy(Store(filled).url.removeprefix("sqlite:///"), db)
    assert main(["panel", "sample", "--panel", "p", "--n", "2", "--areas", "Stafford", "--seed", "1", "--json",
                 "--db", str(db)]) == 0
    draw = json.loads(capsys.readouterr().out)
    moved = draw["calls"][0]["call_id"]
    store = Store(str(db))
    store.upsert_calls([CallRecord(call_id=moved, audio=SAMPLES / "mate.wav", started_at=datetime(2026, 6, 1, 10, 30,
                                   tzinfo=BST), call_type="101", area="Cannock", handler_id="H2",
                                   layout="stereo-handler-left", answer_delay_s=12.5, training=False,
                                   source="manifest.csv row moved")], None)   # no longer in a Stafford draw
    store.engine.dispose()
    assert main(["panel", "redraw", str(draw["draw_id"]), "--db", str(db)]) == 3
    assert "DIFFERENT calls" in capsys.readouterr().out


# ---- 6. callqa web on a busy port ---------------------------------------------------------------


def test_web_on_a_busy_port_is_one_clear_line(filled, tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["web", "--db", filled, "--port", str(port), "--instance", str(tmp_path / "instance")])
    err = capsys.readouterr().err
    assert code == 6
    assert f"callqa: error: port {port} on 127.0.0.1 is in use" in err and "Traceback" not in err
    assert "review app on" not in err


# ---- 7. the store is opened, not conjured -------------------------------------------------------

READ_COMMANDS = [["flags"], ["status"], ["export", "csv"], ["export", "vtt", "c1"], ["voiceprints"],
                 ["panel", "sample", "--panel", "p", "--n", "1"], ["panel", "redraw", "1"], ["panel", "calibrate"],
                 ["panel", "pack", "1", "--out", "pack"], ["panel", "import", "answers.json"], ["rescore"],
                 ["user", "list"], ["user", "add", "lead", "--role", "qa_lead", "--password-stdin"],
                 ["db", "current"], ["db", "backup", "copy.db"], ["db", "upgrade"]]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_a_missing_store_is_named_and_never_created(command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers.json").write_text("{}")
    typo = tmp_path / "typo" / "callqa.db"
    assert main([*command, "--db", str(typo)]) == 5
    assert f"callqa: error: no store at {typo} ({MISSING_HINT})" in capsys.readouterr().err
    assert not typo.parent.exists()


def test_the_default_store_is_not_created_either(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLQA_DB", raising=False)
    assert main(["flags"]) == 5
    assert "no store at callqa.db" in capsys.readouterr().err and not (tmp_path / "callqa.db").exists()
    monkeypatch.setenv("CALLQA_DB", str(tmp_path / "env.db"))
    assert main(["status"]) == 5
    assert f"no store at {tmp_path / 'env.db'}" in capsys.readouterr().err and not list(tmp_path.iterdir())


def test_the_review_app_refuses_a_missing_store(tmp_path):
    from callqa.store import StoreError
    from callqa.web import create_app

    with pytest.raises(StoreError, match="no store at .*run `callqa run EXPORT`"):
        create_app(str(tmp_path / "nope.db"), instance_dir=tmp_path / "instance")
    assert not (tmp_path / "nope.db").exists() and not (tmp_path / "instance").exists()


def test_a_file_that_is_not_a_store_is_refused(tmp_path, capsys):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    assert main(["flags", "--db", str(other)]) == 5
    assert f"no store at {other} (it holds no callqa tables" in capsys.readouterr().err


def test_an_older_store_needs_db_upgrade(tmp_path, capsys):
    from alembic import command

    from callqa.store import Store, head_revision
    from callqa.store.base import _alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Store(url, migrate=False)
    config = _alembic_config()
    with old.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0007")
    old.engine.dispose()
    head = head_revision()
    assert main(["flags", "--db", url]) == 5
    err = capsys.readouterr().err
    assert f"is at migration 0007, older than this callqa's {head}: run `callqa db upgrade`" in err
    assert main(["db", "current", "--db", url]) == 5
    assert "0007 (older than this callqa's" in capsys.readouterr().out
    assert main(["db", "backup", str(tmp_path / "before.db"), "--db", url]) == 0   # back up before upgrading
    assert main(["db", "upgrade", "--db", url]) == 0
    assert f"from 0007 to {head}" in capsys.readouterr().err
    assert main(["db", "current", "--db", url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"store": str(tmp_path / "old.db"), "revision": head,
                                                   "head": head, "newest": True}
    assert main(["flags", "--db", url]) == 0
    assert main(["db", "upgrade", "--db", url]) == 0
    assert "nothing to do" in capsys.readouterr().err


def test_read_commands_do_not_migrate(filled):
    """Opening for reading leaves the revision alone (and a store at head needs nothing)."""
    from callqa.store import Store

    store = Store.open(filled)
    assert store.revision() == store.revision()
    store.engine.dispose()


# ---- 8. check before Prefect --------------------------------------------------------------------

PREFLIGHT = ("import sys, time\nfrom callqa.cli import main\nstart = time.monotonic()\nrc = main(sys.argv[1:])\n"
             "print('RC', rc, 'PREFECT', 'prefect' in sys.modules, 'FLOWS', 'callqa.flows' in sys.modules, "
             "'SECONDS', round(time.monotonic() - start, 2), file=sys.stderr)\n")


@pytest.mark.parametrize("case, code, message", [
    ("no-folder", 4, "export folder not found"),
    ("a-file", 4, "export folder is not a directory"),
    ("bad-config", 6, "unknown setting(s) aggresiveness"),
    ("bad-pack", 6, "pack.toml"),
    ("db-under-a-file", 5, "cannot be created"),
    ("bad-url", 5, "is not a store URL"),
    ("bad-reader", 4, "unknown export reader 'nope'"),
    ("unreachable-server", 5, "cannot reach the store postgresql+psycopg://callqa@127.0.0.1:1/callqa"),
])
@pytest.mark.parametrize("command", ["run", "serve"])
def test_run_checks_before_prefect(tmp_path, command, case, code, message):
    if command == "serve" and case == "bad-reader":
        pytest.skip("serve takes no --reader")
    export = tmp_path / "export"
    export.mkdir()
    args = [command, str(export), "--db", str(tmp_path / "store.db")]
    args += ["--report-dir", ""] if command == "run" else []
    if case == "no-folder":
        args[1] = str(tmp_path / "nonexistent")
    elif case == "a-file":
        args[1] = str(SAMPLES / "manifest.csv")
    elif case == "bad-config":
        (tmp_path / "c.toml").write_text("[vad]\naggresiveness = 2\n")
        args += ["--config", str(tmp_path / "c.toml")]
    elif case == "bad-pack":
        (tmp_path / "pack.toml").write_text("nonsense = 1\n")
        (tmp_path / "c.toml").write_text(f"rules = '{tmp_path / 'pack.toml'}'\n")
        args += ["--config", str(tmp_path / "c.toml")]
    elif case == "db-under-a-file":
        args[3] = str(SAMPLES / "manifest.csv" / "store.db")
    elif case == "bad-url":
        args[3] = "postgresql+psycopg://user@host:notaport/db"
    elif case == "bad-reader":
        args += ["--reader", "nope"]
    elif case == "unreachable-server":
        args[3] = "postgresql+psycopg://callqa@127.0.0.1:1/callqa"   # nothing listens on port 1
    done = subprocess.run([sys.executable, "-c", PREFLIGHT, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert f"RC {code} PREFECT False FLOWS False" in done.stderr, done.stderr[-3000:]
    assert message in done.stderr and "Traceback" not in done.stderr
    assert float(done.stderr.rsplit("SECONDS", 1)[1]) < 5
    assert not (tmp_path / "store.db").exists()


def test_run_nonexistent_from_the_command_line_is_quick():
    start = time.monotonic()
    done = run_cli("run", "/nonexistent")
    assert done.returncode == 4 and time.monotonic() - start < 10
    assert done.stderr.strip() == "callqa: error: export folder not found: /nonexistent"
