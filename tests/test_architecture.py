"""The architecture (docs/architecture.md) as tests: the layers, no module-level import cycles, and
one import name (tests/test_cli.py checks that `callqa analyze --help` stays light).

import-linter checks the layer contracts in pyproject.toml. Its graph builder (grimp) wants the
package in one folder tree, while callqa installs four folders under one name (pyproject's
package-dir), so the check runs on a copy of the sources arranged as the installed package is.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"callqa": ROOT / "callqa", "callqa.pipeline": ROOT / "pipeline", "callqa.flows": ROOT / "flows",
           "callqa.models": ROOT / "models"}


def installed_tree(target: Path) -> Path:
    """The sources as the installed package is arranged: callqa/{pipeline,flows,models} inside callqa/."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(FOLDERS["callqa"], target / "callqa", ignore=ignore)
    for name in ("pipeline", "flows", "models"):
        shutil.copytree(FOLDERS[f"callqa.{name}"], target / "callqa" / name, ignore=ignore)
    return target


def lint_imports(tree: Path, config: Path) -> subprocess.CompletedProcess:
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(config_filename=sys.argv[1]))"
    return subprocess.run([sys.executable, "-c", code, str(config)], cwd=tree, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, timeout=300)


def contracts_config(tree: Path, extra: str = "") -> Path:
    """pyproject's [tool.importlinter] for the copy (one root package there)."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = ['[importlinter]', 'root_package = callqa', 'include_external_packages = True', '']
    for i, contract in enumerate(settings["contracts"]):
        lines.append(f"[importlinter:contract:{i}]")
        for key, value in contract.items():
            lines.append(f"{key} = " + ("\n    " + "\n    ".join(value) if isinstance(value, list) else str(value)))
        lines.append("")
    path = tree / "importlinter.ini"
    path.write_text("\n".join(lines) + extra)
    return path


def test_the_layer_contracts_hold(tmp_path):
    tree = installed_tree(tmp_path)
    done = lint_imports(tree, contracts_config(tree))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout and "KEPT" in done.stdout


def test_a_violation_is_caught(tmp_path):
    """The check can fail: the analysis library importing the store breaks the layers."""
    tree = installed_tree(tmp_path)
    vad = tree / "callqa" / "pipeline" / "vad.py"
    vad.write_text(vad.read_text() + "\n\ndef _leak():\n    from callqa.store import Store  # noqa\n")
    done = lint_imports(tree, contracts_config(tree))
    assert done.returncode != 0 and "callqa.pipeline.vad -> callqa.store" in done.stdout.replace("\n", " ")


def _module_level_imports(path: Path, module: str, package: bool, modules: set[str]) -> set[str]:
    """callqa modules imported at module level (not inside functions or `if TYPE_CHECKING:`);
    `from package import submodule` counts as importing the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    base = module if package else module.rpartition(".")[0]

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("callqa"))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = base.split(".")
                    prefix = ".".join(parts[: len(parts) - node.level + 1])
                    name = f"{prefix}.{node.module}" if node.module else prefix
                else:
                    name = node.module or ""
                if name.startswith("callqa"):
                    subs = {f"{name}.{a.name}" for a in node.names} & modules
                    found.update(subs)
                    if len(subs) < len(node.names):
                        found.add(name)
            elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                visit(getattr(node, "body", []))
                visit(getattr(node, "orelse", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
                visit(getattr(node, "finalbody", []))
    visit(tree.body)
    return found


def all_modules() -> dict[str, tuple[Path, bool]]:
    modules = {}
    for name, folder in FOLDERS.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("")
            if "migrations" in rel.parts or "__pycache__" in rel.parts:
                continue
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            if name == "callqa" and parts and parts[0] in ("pipeline", "flows", "models"):
                continue
            modules[".".join((name, *parts))] = (path, rel.name == "__init__")
    return modules


def test_no_module_level_import_cycles():
    modules = all_modules()
    graph = {m: {d for d in _module_level_imports(p, m, pkg, set(modules)) if d in modules and d != m}
             for m, (p, pkg) in modules.items()}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def strongconnect(v: str) -> None:   # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            strongconnect(v)
    assert not cycles, f"module-level import cycles: {cycles}"


def test_every_package_is_installed():
    """pyproject's explicit package list (needed for package-dir) misses no folder."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for name, folder in FOLDERS.items():
        for init in folder.rglob("__init__.py"):
            rel = init.parent.relative_to(folder)
            if "__pycache__" in rel.parts or (name == "callqa" and rel.parts[:1] in (("pipeline",), ("flows",), ("models",))):
                continue
            found.add(".".join((name, *rel.parts)))
    assert found == listed, f"missing: {sorted(found - listed)}; stale: {sorted(listed - found)}"


def test_a_models_folder_in_the_working_directory_does_not_shadow_callqa(tmp_path):
    """Issue 14: run from a folder holding its own `models` package, loading the rule pack failed."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "__init__.py").write_text("raise ImportError('the wrong models')\n")
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "__init__.py").write_text("raise ImportError('the wrong pipeline')\n")
    code = "from callqa.pipeline.rules import load_rule_pack; print(load_rule_pack().force)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "Staffordshire", done.stderr[-2000:]


def test_nothing_imports_the_folders_by_their_bare_names():
    """`pipeline`, `flows` and `models` are folders, not import names: with the repository root on
    sys.path, `from models import weights` would load a second copy beside `callqa.models`."""
    import re

    bare = re.compile(r"^\s*(?:from|import)\s+(?:pipeline|flows|models)(?:\.|\s|$)", re.M)
    offenders = []
    for folder in ("callqa", "pipeline", "flows", "models", "tests", "bench", "sample_audio", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            if bare.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders
