"""Review-app accounts: Argon2id password hashes, roles, operators' handler ids, and panel
members' assigned draws.

Kept apart from the request handling (auth.py) so `callqa user ...` can manage accounts without a
web server; the rows themselves are the store's (callqa/store/users.py), this module holds the
rules (names, roles, the password policy and hashing). Passwords are only ever stored as
Argon2id hashes (argon2-cffi's RFC 9106 defaults), and a new one must pass `password_problem`
(length, no blanks at the ends, enough different characters, no simple sequence, not the user
name, and a zxcvbn strength estimate that refuses common passwords, words with digits tacked on,
keyboard walks and repeats).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from callqa.pipeline.errors import CallQAError
from callqa.store import Store

ROLES = ("qa_lead", "panel_member", "operator")
MAX_HANDLER_ID = 255  # calls.handler_id's width
MIN_PASSWORD = 12
MAX_PASSWORD = 1024   # the sign-in form reads no more than this
MIN_DISTINCT = 4      # different characters (case ignored)
MIN_STRENGTH = 3      # zxcvbn's score, 0-4: 3 means it needs at least about 10^8 guesses
ZXCVBN_MAX = 72       # zxcvbn refuses longer input: a longer password is judged on its first 72 characters
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")

_hasher = PasswordHasher()  # type ID (Argon2id)
# Verified against when the user is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("callqa-no-such-user-padding")


class UserError(CallQAError):
    """A user command that cannot be done (bad name, short password, unknown role or draw)."""


def _simple_sequence(password: str) -> bool:
    """Every character one step on from the last by the same amount: abcdef, 24680, zyxwvu."""
    codes = [ord(c) for c in password.casefold()]
    return len({b - a for a, b in zip(codes, codes[1:])}) == 1


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why `password` may not be set (one sentence, for the person choosing it), else None.

    Only checked when a password is set; signing in never judges it (an old password still works)."""
    if not password.strip():
        return "the password is blank: use words or characters, not only spaces"
    if password != password.strip():
        return "the password starts or ends with a space or another blank: those are easily lost when typed or pasted"
    if len(password) < MIN_PASSWORD:
        return f"the password must be at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"the password must be at most {MAX_PASSWORD} characters"
    if any(unicodedata.category(c) == "Cc" for c in password):
        return "the password contains a control character (a tab or newline, say), which a sign-in form cannot send"
    distinct = len(set(password.casefold()))
    if distinct < MIN_DISTINCT:
        return (f"the password has only {distinct} different characters: use at least {MIN_DISTINCT} "
                "(a repeated character or pattern is guessed at once)")
    if _simple_sequence(password):
        return "the password is a simple sequence (like abcd or 2468): it is guessed at once"
    if username and password.casefold() in (username.casefold(), username.casefold()[::-1]):
        return "the password is the user name"
    from zxcvbn import zxcvbn  # imported here: its word lists are large and only needed when a password is set

    estimate = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[username] if username else [])
    if estimate["score"] < MIN_STRENGTH:
        feedback = estimate["feedback"]
        why = [feedback.get("warning") or "It is made of common words, names or patterns.",
               *(feedback.get("suggestions") or ["Add another word or two."])]
        return (f"the password is too easy to guess (about 10^{estimate['guesses_log10']:.0f} guesses): "
                + " ".join(why))
    return None


def hash_password(password: str, username: str | None = None) -> str:
    """The Argon2id hash of a new password; UserError (saying why) if the policy refuses it."""
    problem = password_problem(password, username)
    if problem:
        raise UserError(problem)
    return _hasher.hash(password)


def handler_id_problem(role: str, handler_id: str | None) -> str | None:
    """Why this handler id cannot go with this role, else None: an operator needs exactly one (the
    `handler_id` of their calls), and no other role may have one (it would mean nothing)."""
    if role != "operator":
        return None if handler_id is None else f"only operators have a handler id, not a {role}"
    if handler_id is None or not handler_id.strip():
        return "an operator needs --handler-id (the handler id of their calls in the store)"
    if handler_id != handler_id.strip():
        return "the handler id starts or ends with a blank"
    if len(handler_id) > MAX_HANDLER_ID:
        return f"the handler id is longer than {MAX_HANDLER_ID} characters"
    if any(unicodedata.category(c)[0] == "C" for c in handler_id):
        return "the handler id holds a control or hidden character"
    return None


def add_user(store: Store, username: str, password: str, role: str, actor: str = "callqa",
             handler_id: str | None = None) -> int:
    """A new account; an operator's is linked to `handler_id`, the calls they may see."""
    if not USERNAME.fullmatch(username):
        raise UserError(f"user name {username!r}: use 1-128 of A-Z a-z 0-9 . _ @ -, starting with a letter or digit")
    if role not in ROLES:
        raise UserError(f"role {role!r}: use one of {', '.join(ROLES)}")
    problem = handler_id_problem(role, handler_id)
    if problem:
        raise UserError(problem)
    user_id = store.add_user(username, hash_password(password, username), role, actor, handler_id=handler_id)
    if user_id is None:
        raise UserError(f"user {username!r} exists already")
    return user_id


def get_user(store: Store, user_id: int) -> dict[str, Any] | None:
    return store.user_by_id(user_id)


def find_user(store: Store, username: str) -> dict[str, Any] | None:
    return store.user_by_name(username)


def list_users(store: Store) -> list[dict[str, Any]]:
    return store.list_users()


def check_password(store: Store, username: str, password: str) -> dict[str, Any] | None:
    """The active user with this name and password, else None (same work either way)."""
    # A name no account can have (a NUL or newline, say) is not even looked up: PostgreSQL refuses NUL.
    user = find_user(store, username) if USERNAME.fullmatch(username) else None
    try:
        _hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user["active"]:
        return None
    if _hasher.check_needs_rehash(user["password_hash"]):  # parameters raised since it was set
        store.replace_password_hash(user["id"], _hasher.hash(password))
    return user


def _update(store: Store, username: str, action: str, actor: str, **values: Any) -> None:
    """Change the account and end its sessions (the store bumps its session epoch), audited."""
    if not store.change_user(username, action, actor, **values):
        raise UserError(f"no user {username!r}")


def set_active(store: Store, username: str, active: bool, actor: str = "callqa") -> None:
    """Disable (or re-enable) an account: its open sessions stop working at their next request."""
    _update(store, username, "user_enable" if active else "user_disable", actor, active=active)


def set_password(store: Store, username: str, password: str, actor: str = "callqa") -> None:
    """A new password also ends every session signed in with the old one."""
    _update(store, username, "user_password", actor, password_hash=hash_password(password, username))


def end_sessions(store: Store, user_id: int) -> None:
    """Sign-out: every session of this user stops working, including a copied cookie."""
    store.end_sessions(user_id)


def assign_draw(store: Store, username: str, draw_id: int, actor: str = "callqa") -> None:
    """Give a panel member one drawn sample's pack to review."""
    user = find_user(store, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    if user["role"] != "panel_member":
        raise UserError(f"{username} is a {user['role']}; only panel members are assigned draws")
    if store.assign_draw(user["id"], username, draw_id, actor) == "no_such_draw":
        raise UserError(f"no panel draw {draw_id}")


def assigned_draw_ids(store: Store, user_id: int) -> list[int]:
    return store.assigned_draw_ids(user_id)
