"""Where code may live: all SQL in the store.

SQLAlchemy (its imports, statement builders, raw SQL, executing on a connection) and the store's
tables (`callqa.store.schema`) are used only under `callqa/store/`. Every other module calls
`Store` methods, and imports no private (underscore) name from the store.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("callqa", "pipeline", "flows", "models")
STORE = Path("callqa/store")
ALLOWED: set[Path] = set()   # nothing outside the store holds SQL any more
BUILDERS = {"select", "insert", "update", "delete", "text"}
EXECUTORS = {"execute", "exec_driver_sql", "executemany", "scalar", "scalars"}
CONNECTIONS = {"conn", "connection", "own", "cursor", "engine"}
TABLE_METHODS = {"insert", "update", "delete", "select"}


def _receiver(node: ast.expr) -> str | None:
    """The name a method is called on: `conn` in conn.execute(...), `engine` in store.engine.x()."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def sql_uses(source: str, filename: str = "<module>") -> list[str]:
    """Each SQL use in one module, as 'line N: what'."""
    found = []
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy" or alias.name == "callqa.store.schema":
                    found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if module.split(".")[0] == "sqlalchemy" or module == "callqa.store.schema":
                found.append(f"line {node.lineno}: from {module} import ...")
            if module == "callqa.store" and any(a.name == "schema" for a in node.names):
                found.append(f"line {node.lineno}: from callqa.store import schema")
            if module.startswith("callqa.store"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    found.append(f"line {node.lineno}: private store name(s) {', '.join(private)}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in BUILDERS:
                found.append(f"line {node.lineno}: {func.id}(...)")
            elif isinstance(func, ast.Attribute):
                if func.attr == "exec_driver_sql":
                    found.append(f"line {node.lineno}: .exec_driver_sql(...)")
                elif func.attr in EXECUTORS and _receiver(func.value) in CONNECTIONS:
                    found.append(f"line {node.lineno}: {_receiver(func.value)}.{func.attr}(...)")
                elif func.attr in TABLE_METHODS and not node.args and not node.keywords:
                    found.append(f"line {node.lineno}: .{func.attr}() (a table's statement)")
                elif func.attr in ("begin", "connect", "raw_connection") and _receiver(func.value) == "engine":
                    found.append(f"line {node.lineno}: engine.{func.attr}()")
    return found


def modules_outside_the_store() -> list[Path]:
    return sorted(path.relative_to(ROOT) for folder in SCANNED for path in (ROOT / folder).rglob("*.py")
                  if STORE not in path.relative_to(ROOT).parents)


def test_sql_only_in_the_store():
    problems = {}
    for path in modules_outside_the_store():
        if path in ALLOWED:
            continue
        uses = sql_uses((ROOT / path).read_text(encoding="utf-8"), str(path))
        if uses:
            problems[str(path)] = uses
    assert not problems, ("SQL outside callqa/store/ (add a Store method instead):\n"
                          + "\n".join(f"  {p}: {'; '.join(u)}" for p, u in problems.items()))


def test_the_check_sees_sql():
    """The check itself: each kind of SQL use is caught, and ordinary code is not."""
    sql = ("from sqlalchemy import select\n"
           "import sqlalchemy.exc\n"
           "from callqa.store import schema as t\n"
           "from callqa.store.store import _utc\n"
           "q = select(t.calls)\n"
           "with store.engine.connect() as conn:\n"
           "    conn.execute(q)\n"
           "    conn.exec_driver_sql('PRAGMA x')\n"
           "t.panel_draws.insert()\n"
           "text('SELECT 1')\n")
    assert len(sql_uses(sql)) == 10, sql_uses(sql)
    plain = ("rows = {}\nrows.update(a=1)\nitems.insert(0, x)\nname.delete\nreport_text(x)\n"
             "from callqa.store import Store, parse_date\nfrom callqa.store.times import from_db, to_utc\n"
             "store.review_queue(start=None)\nselect_autoescape(['html'])\n")
    assert sql_uses(plain) == []


def test_allow_list_is_short_and_real():
    """Only the two modules another step moves; each still exists (drop it here once moved)."""
    assert len(ALLOWED) <= 2
    assert all((ROOT / path).is_file() for path in ALLOWED)
