"""Row triggers written once for SQLite and PostgreSQL, for the migrations that keep summaries.

A trigger is (name, table, event, condition or None, statements), with NEW (and OLD on UPDATE)
the row it fired for. SQLite takes the statements in the trigger's body; PostgreSQL wants them in
a plpgsql function, so each trigger there gets a function of the same name.

The UK day of a UTC time is computed in SQL the same way in both: PostgreSQL knows Europe/London;
SQLite does not, so it applies the UK rule in force since 1996 (summer time from 01:00 UTC on the
last Sunday of March to 01:00 UTC on the last Sunday of October). SQLite keeps times as
'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC (callqa.store.times), so the bounds compare as text.
"""

from __future__ import annotations

from typing import Any, Sequence

Trigger = tuple[str, str, str, "str | None", Sequence[str]]


def local_day(column: str, dialect: str) -> str:
    """SQL for the UK calendar day (a DATE; 'YYYY-MM-DD' text in SQLite) of UTC time `column`."""
    if dialect == "sqlite":
        def change(month: str) -> str:   # the last Sunday of the month, 01:00 UTC
            return f"(date(substr({column}, 1, 4) || '-{month}-25', 'weekday 0') || ' 01:00:00')"

        # whole seconds only: SQLite's date functions round microseconds to milliseconds, and
        # 23:59:59.9999995 would round into the next day
        return (f"date(substr({column}, 1, 19), CASE WHEN {column} >= {change('03')} AND {column} < {change('10')} "
                "THEN '+1 hours' ELSE '+0 hours' END)")
    return f"CAST(({column} AT TIME ZONE 'Europe/London') AS DATE)"


def differs(a: str, b: str, dialect: str) -> str:
    """SQL true when `a` and `b` differ, NULLs compared as values."""
    return f"{a} IS NOT {b}" if dialect == "sqlite" else f"{a} IS DISTINCT FROM {b}"


def create_triggers(op: Any, triggers: Sequence[Trigger]) -> None:
    dialect = op.get_bind().dialect.name
    for name, table, event, condition, statements in triggers:
        if dialect == "sqlite":
            when = f" WHEN {condition}" if condition else ""
            body = "; ".join(statements)
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body}; END")
        else:
            guard = f"IF {condition} THEN {'; '.join(statements)}; END IF" if condition else "; ".join(statements)
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {guard}; RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")


def drop_triggers(op: Any, triggers: Sequence[Trigger]) -> None:
    dialect = op.get_bind().dialect.name
    for name, table, _, _, _ in reversed(triggers):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if dialect == "sqlite" else f" ON {table}"))
        if dialect != "sqlite":
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
