"""`callqa db backup|upgrade|current` (the store itself) and `callqa voiceprints` (handlers' voices).

`callqa db upgrade` is the one way besides `callqa run` to migrate a store; every other command
opens the store as it is and says so when it is missing or older.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from callqa.cli import EXIT_OK, EXIT_STORE, local_time, login_name, open_store, print_json
from callqa.errors import CallQAError


def cmd_db_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the live store (safe while a run or the review app is using it)."""
    if Path(args.destination).exists():  # a usage error, before the store is opened
        raise CallQAError(f"backup target {args.destination} already exists; choose a new file")
    target = open_store(args.db, current=False).backup(args.destination)  # an older store backs up too
    print(f"backed up the store to {target}", file=sys.stderr)
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from callqa.store import Store

    store = Store(args.db, migrate=False, create=False)  # an existing store (or an empty PostgreSQL database)
    before, after = store.upgrade()
    if before == after:
        print(f"the store {store.where} is at migration {after}, the newest: nothing to do", file=sys.stderr)
    else:
        print(f"migrated the store {store.where} from {before or 'empty'} to {after}", file=sys.stderr)
    return EXIT_OK


def cmd_db_current(args: argparse.Namespace) -> int:
    from callqa.store import head_revision

    store = open_store(args.db, current=False)
    revision, head = store.revision(), head_revision()
    newest = revision == head
    if args.json:
        print_json({"store": store.where, "revision": revision, "head": head, "newest": newest})
    elif newest:
        print(f"{revision} (the newest)")
    else:
        print(f"{revision} (older than this callqa's {head}: run `callqa db upgrade`)")
    return EXIT_OK if newest else EXIT_STORE


def cmd_voiceprints(args: argparse.Namespace) -> int:
    """List who has an enrolled voiceprint (never the vectors), or erase one handler's."""
    store = open_store(args.db)
    if args.delete:
        removed = store.delete_voiceprint(args.delete)
        store.audit(login_name(), "voiceprint_delete", details={"handler_id": args.delete, "samples": removed})
        print(f"deleted {removed} voice sample(s) of handler {args.delete}", file=sys.stderr)
        return EXIT_OK
    prints = store.voiceprints()
    if args.json:
        print_json(prints)
        return EXIT_OK
    if not prints:
        print("no voiceprints yet: they are enrolled from handlers' stereo calls", file=sys.stderr)
    for p in prints:
        print(f"{p['handler_id']:24s} {p['calls']:5d} call(s) {p['seconds']:8.1f} s of speech  "
              f"updated {local_time(p['updated_at'])}  {p['encoder']}")
    return EXIT_OK


def register(subparsers: Any, common: Any) -> None:
    db = common.parser(subparsers, "db", help="the results store: back it up, migrate it, show its migration")
    db_cmds = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    backup = common.parser(db_cmds, "backup", help="copy the live store consistently (SQLite backup API, or pg_dump)")
    backup.add_argument("destination", help="a new file: a SQLite database, or a pg_dump custom-format archive")
    common.db(backup)
    backup.set_defaults(func=cmd_db_backup)
    upgrade = common.parser(db_cmds, "upgrade", help="migrate an existing store to this callqa's newest revision "
                                                    "(back it up first)")
    common.db(upgrade)
    upgrade.set_defaults(func=cmd_db_upgrade)
    current = common.parser(db_cmds, "current", help="print the store's migration revision and whether it is the "
                                                    "newest (exit 5 when it needs `callqa db upgrade`)")
    common.db(current)
    common.json(current, "one JSON object: store, revision, head, newest")
    current.set_defaults(func=cmd_db_current)

    voices = common.parser(subparsers, "voiceprints",
                           help="handlers' enrolled voiceprints (for mono calls): list or delete")
    common.db(voices)
    voices.add_argument("--delete", metavar="HANDLER", help="erase this handler's voice samples (audited)")
    common.json(voices, "one JSON array of voiceprints (never the vectors) instead of text")
    voices.set_defaults(func=cmd_voiceprints)
