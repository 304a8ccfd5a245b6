"""Users and audit: review-app accounts, panel members' assigned draws, the audit log, and the
sign-in attempts the login rate limit counts (kept in the audit log, so the limit holds across
restarts and processes).

Password hashing and the password policy live in callqa/web/users.py: this module only stores
what it is given.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from callqa.store import schema as t
from callqa.store.base import StoreBase, write_lock
from callqa.store.times import from_db, now

Assignment = Literal["assigned", "already_assigned", "no_such_draw"]


def write_audit(conn: Connection, actor: str, action: str, call_id: str | None = None,
                details: dict[str, Any] | None = None) -> None:
    """One audit-log row, inside the caller's transaction (so the entry and the change go together)."""
    conn.execute(insert(t.audit_log).values(at=now(), actor=actor, action=action, call_id=call_id, details=details))


def login_lock_key(ip: str) -> int:
    """A PostgreSQL advisory lock number for sign-ins from this address (signed 64 bits)."""
    return int.from_bytes(hashlib.sha256(b"callqa-login:" + ip.encode()).digest()[:8], "big", signed=True)


class UsersMixin(StoreBase):
    """Accounts, assignments, the audit log and sign-in attempts."""

    # ---- audit ------------------------------------------------------------------------------

    def audit(self, actor: str, action: str, call_id: str | None = None,
              details: dict[str, Any] | None = None, conn: Connection | None = None) -> None:
        """Record who did what to which call; pass `conn` to make it part of a larger transaction."""
        if conn is not None:
            write_audit(conn, actor, action, call_id, details)
            return
        with self.engine.begin() as own:
            write_audit(own, actor, action, call_id, details)

    def audit_entries(self, action: str | None = None, call_id: str | None = None,
                      limit: int = 1000) -> list[dict[str, Any]]:
        """Newest first."""
        query = select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
        if action:
            query = query.where(t.audit_log.c.action == action)
        if call_id:
            query = query.where(t.audit_log.c.call_id == call_id)
        with self.engine.connect() as conn:
            return [{**r, "at": from_db(r["at"])} for r in conn.execute(query).mappings()]

    # ---- accounts ---------------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: str, actor: str,
                 handler_id: str | None = None) -> int | None:
        """A new active account, audited; None if the user name is taken. `handler_id` links an
        operator's account to the calls they handled (the caller checked role and handler id)."""
        details: dict[str, Any] = {"username": username, "role": role}
        if handler_id is not None:
            details["handler_id"] = handler_id
        try:
            with self.engine.begin() as conn:
                user_id = conn.execute(insert(t.users).values(
                    username=username, password_hash=password_hash, role=role, active=True,
                    created_at=now(), handler_id=handler_id)).inserted_primary_key[0]
                write_audit(conn, actor, "user_add", details=details)
        except IntegrityError:
            return None
        return user_id

    def user_by_id(self, user_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.id == user_id)).mappings().first()
        return dict(row) if row else None

    def user_by_name(self, username: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.username == username)).mappings().first()
        return dict(row) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        """id, username, role, handler_id, active and created_at of every account, by name (never the hashes)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.users.c.id, t.users.c.username, t.users.c.role, t.users.c.handler_id,
                                       t.users.c.active, t.users.c.created_at)
                                .order_by(t.users.c.username)).mappings().all()
        return [dict(r) for r in rows]

    def replace_password_hash(self, user_id: int, password_hash: str) -> None:
        """The same password under a new hash (stronger parameters): sessions go on."""
        with self.engine.begin() as conn:
            conn.execute(update(t.users).where(t.users.c.id == user_id).values(password_hash=password_hash))

    def change_user(self, username: str, action: str, actor: str, **values: Any) -> bool:
        """Set `values` (active, password_hash) on the account and end its sessions, audited as
        `action`; False if there is no such user."""
        with self.engine.begin() as conn:
            done = conn.execute(update(t.users).where(t.users.c.username == username)
                                .values(session_epoch=t.users.c.session_epoch + 1, **values)).rowcount
            if not done:
                return False
            write_audit(conn, actor, action, details={"username": username})
        return True

    def end_sessions(self, user_id: int) -> None:
        """Every session of this user stops working, including a copied cookie."""
        with self.engine.begin() as conn:
            conn.execute(update(t.users).where(t.users.c.id == user_id)
                         .values(session_epoch=t.users.c.session_epoch + 1))

    # ---- panel members' draws ---------------------------------------------------------------

    def assign_draw(self, user_id: int, username: str, draw_id: int, actor: str) -> Assignment:
        """Give the user one drawn sample's pack to review (audited once)."""
        with self.engine.begin() as conn:
            if conn.execute(select(t.panel_draws.c.id).where(t.panel_draws.c.id == draw_id)).first() is None:
                return "no_such_draw"
            if conn.execute(select(t.panel_assignments.c.id).where(
                    t.panel_assignments.c.user_id == user_id, t.panel_assignments.c.draw_id == draw_id)).first():
                return "already_assigned"
            conn.execute(insert(t.panel_assignments).values(user_id=user_id, draw_id=draw_id, assigned_at=now()))
            write_audit(conn, actor, "panel_assign", details={"username": username, "draw_id": draw_id})
        return "assigned"

    def assigned_draw_ids(self, user_id: int) -> list[int]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(t.panel_assignments.c.draw_id)
                                     .where(t.panel_assignments.c.user_id == user_id)
                                     .order_by(t.panel_assignments.c.draw_id)).scalars())

    # ---- sign-in attempts -------------------------------------------------------------------

    @staticmethod
    def _recent_login_failures(conn: Connection, name_key: str, ip: str, since: datetime) -> tuple[int, int]:
        """(failures for this user name from this address, failures from this address) since `since`."""
        by_ip = t.audit_log.c.details["ip"].as_string() == ip
        row = conn.execute(select(func.count(), func.coalesce(func.sum(case((t.audit_log.c.actor == name_key, 1),
                                                                            else_=0)), 0))
                           .where(t.audit_log.c.action == "login_failed", t.audit_log.c.at >= since, by_ip)).one()
        return int(row[1]), int(row[0])

    def reserve_login_attempt(self, name_key: str, ip: str, window: timedelta, per_name: int,
                              per_ip: int) -> int | None:
        """Record a sign-in attempt as a failure unless `per_name` failures for this name from this
        address, or `per_ip` from the address, happened within `window`: the audit row's id, else None.

        Count and insert are one transaction under the store's write lock (SQLite's BEGIN
        IMMEDIATE; on PostgreSQL an advisory lock on the address), so concurrent attempts from
        other processes take turns; the caller serialises its own threads."""
        with self.engine.connect() as conn, conn.begin():
            write_lock(conn, login_lock_key(ip))
            by_name, by_ip = self._recent_login_failures(conn, name_key, ip, now() - window)
            if by_name >= per_name or by_ip >= per_ip:
                return None
            return conn.execute(insert(t.audit_log).values(at=now(), actor=name_key, action="login_failed",
                                                           details={"ip": ip})).inserted_primary_key[0]

    def record_login(self, attempt_id: int, username: str) -> None:
        """A reserved attempt whose password was right becomes the user's sign-in."""
        with self.engine.begin() as conn:
            conn.execute(update(t.audit_log).where(t.audit_log.c.id == attempt_id)
                         .values(at=now(), actor=username, action="login"))
