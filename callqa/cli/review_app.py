"""`callqa web` (serve the review app) and `callqa user add|assign|list|disable|enable|passwd` (its accounts).

Registered by `callqa.cli.build_parser`; kept here so the main CLI does not import Flask.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from callqa.cli import login_name
from callqa.pipeline.errors import CallQAError


def cmd_web(args: argparse.Namespace) -> int:
    from callqa.web import create_app

    app = create_app(args.db, instance_dir=args.instance)
    store = app.extensions["callqa.store"]
    print(f"callqa review app on http://{args.host}:{args.port}/ (store {store.safe_url}, "
          f"instance {app.instance_path}); Ctrl-C stops it", file=sys.stderr)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("callqa: note: listening beyond this machine; put it behind HTTPS (a reverse proxy) and set "
              "CALLQA_SECURE_COOKIES=1", file=sys.stderr)
    try:
        from waitress import serve
    except ImportError:  # werkzeug's threaded server: fine for a team's review app on one host
        from werkzeug.serving import make_server

        server = make_server(args.host, args.port, app, threaded=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return 0
    serve(app, host=args.host, port=args.port, threads=8, ident="callqa")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Again: ") != first:
        raise CallQAError("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from callqa.store import Store
    from callqa.web.users import add_user

    store = Store(args.db)
    add_user(store, args.username, _read_password(args.password_stdin), args.role, actor=login_name())
    print(f"user {args.username} ({args.role}) added", file=sys.stderr)
    return 0


def cmd_user_assign(args: argparse.Namespace) -> int:
    from callqa.store import Store
    from callqa.web.users import assign_draw

    assign_draw(Store(args.db), args.username, args.draw, actor=login_name())
    print(f"draw {args.draw} assigned to {args.username}", file=sys.stderr)
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    from callqa.store import Store
    from callqa.web.users import set_active

    set_active(Store(args.db), args.username, args.user_command == "enable", actor=login_name())
    print(f"user {args.username} {args.user_command}d", file=sys.stderr)
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from callqa.store import Store
    from callqa.web.users import set_password

    set_password(Store(args.db), args.username, _read_password(args.password_stdin), actor=login_name())
    print(f"password of {args.username} changed", file=sys.stderr)
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from callqa.store import Store
    from callqa.web.users import assigned_draw_ids, list_users

    store = Store(args.db)
    rows = [{**u, "created_at": u["created_at"].isoformat(), "draws": assigned_draw_ids(store, u["id"])}
            for u in list_users(store)]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no users: callqa user add NAME --role qa_lead", file=sys.stderr)
    for u in rows:
        draws = f"  draws {', '.join(map(str, u['draws']))}" if u["draws"] else ""
        print(f"{u['username']:24} {u['role']:13} {'active' if u['active'] else 'disabled'}{draws}")
    return 0


def add_parsers(sub: argparse._SubParsersAction, db_help: str) -> None:
    web = sub.add_parser("web", help="serve the review app for QA leads and panel members")
    web.add_argument("--db", help=db_help)
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--instance", help="folder for the secret key and caches (default $CALLQA_INSTANCE, "
                                        "else ./callqa-instance)")
    web.set_defaults(func=cmd_web)

    user = sub.add_parser("user", help="review-app accounts: add, assign a panel draw, list, disable, passwd")
    cmds = user.add_subparsers(dest="user_command", required=True)
    add = cmds.add_parser("add", help="add an account (password asked twice, or read from stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=("qa_lead", "panel_member"))
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.add_argument("--db", help=db_help)
    add.set_defaults(func=cmd_user_add)
    assign = cmds.add_parser("assign", help="give a panel member a drawn sample's pack")
    assign.add_argument("username")
    assign.add_argument("--draw", type=int, required=True, help="draw id (from callqa panel sample)")
    assign.add_argument("--db", help=db_help)
    assign.set_defaults(func=cmd_user_assign)
    listing = cmds.add_parser("list", help="list accounts, roles and assigned draws")
    listing.add_argument("--db", help=db_help)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_user_list)
    for name, text in (("disable", "stop an account signing in (its open sessions end at once)"),
                       ("enable", "let a disabled account sign in again")):
        toggle = cmds.add_parser(name, help=text)
        toggle.add_argument("username")
        toggle.add_argument("--db", help=db_help)
        toggle.set_defaults(func=cmd_user_active)
    passwd = cmds.add_parser("passwd", help="set a new password (asked twice, or read from stdin)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.add_argument("--db", help=db_help)
    passwd.set_defaults(func=cmd_user_passwd)
