"""`callqa web` (serve the review app) and `callqa user add|assign|list|disable|enable|passwd` (its accounts;
`user add --role operator --handler-id H` links an operator to their calls).

Registered by `callqa.cli.build_parser`; Flask loads only inside `callqa web`. Every command here
opens an existing store: none creates or migrates one.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from callqa.cli import login_name, open_store, print_json
from callqa.errors import CallQAError


class PortInUse(CallQAError):
    """`callqa web` cannot listen where it was asked: a configuration (exit 6) problem."""

    exit_code = 6


def _check_port(host: str, port: int) -> None:
    """Bind once before serving, so a busy port is one clear line (not a raw OSError, or a banner
    for a server that never starts)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortInUse(f"cannot listen on {host}: {exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            probe.bind(address)
        except OSError as exc:
            raise _port_error(host, port, exc) from None


def _port_error(host: str, port: int, exc: OSError) -> CallQAError:
    import errno

    if exc.errno == errno.EADDRINUSE:
        return PortInUse(f"port {port} on {host} is in use (another callqa web or another server?); "
                         "stop it or choose another with --port")
    if exc.errno == errno.EACCES:
        return PortInUse(f"port {port} on {host} needs privileges this user lacks; choose a port above 1023 "
                         "with --port")
    if exc.errno == errno.EADDRNOTAVAIL:
        return PortInUse(f"{host} is not an address of this machine; choose another with --host")
    return PortInUse(f"cannot listen on {host} port {port}: {exc.strerror or exc}")


def cmd_web(args: argparse.Namespace) -> int:
    from callqa.web import create_app

    app = create_app(args.db, instance_dir=args.instance)  # an existing store, or "no store at ..."
    _check_port(args.host, args.port)
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

        try:
            server = make_server(args.host, args.port, app, threaded=True)
        except OSError as exc:  # taken between the check and here
            raise _port_error(args.host, args.port, exc) from None
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return 0
    try:
        serve(app, host=args.host, port=args.port, threads=8, ident="callqa")
    except OSError as exc:
        if exc.errno is None:
            raise
        raise _port_error(args.host, args.port, exc) from None
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Again: ") != first:
        raise CallQAError("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from callqa.web.users import UserError, add_user, handler_id_problem

    store = open_store(args.db)
    problem = handler_id_problem(args.role, args.handler_id)  # before the password is asked for
    if problem:
        raise UserError(problem)
    add_user(store, args.username, _read_password(args.password_stdin), args.role, actor=login_name(),
             handler_id=args.handler_id)
    linked = f", handler {args.handler_id}" if args.handler_id else ""
    print(f"user {args.username} ({args.role}{linked}) added", file=sys.stderr)
    if args.handler_id and args.handler_id not in store.call_values().get("handlers", []):
        print(f"callqa: note: no calls for handler {args.handler_id} in the store yet; {args.username} sees "
              "their feedback once the nightly run has scored their calls", file=sys.stderr)
    return 0


def cmd_user_assign(args: argparse.Namespace) -> int:
    from callqa.web.users import assign_draw

    assign_draw(open_store(args.db), args.username, args.draw, actor=login_name())
    print(f"draw {args.draw} assigned to {args.username}", file=sys.stderr)
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    from callqa.web.users import set_active

    set_active(open_store(args.db), args.username, args.user_command == "enable", actor=login_name())
    print(f"user {args.username} {args.user_command}d", file=sys.stderr)
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from callqa.web.users import set_password

    set_password(open_store(args.db), args.username, _read_password(args.password_stdin), actor=login_name())
    print(f"password of {args.username} changed", file=sys.stderr)
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from callqa.web.users import assigned_draw_ids, list_users

    store = open_store(args.db)
    rows = [{**u, "created_at": u["created_at"].isoformat(), "draws": assigned_draw_ids(store, u["id"])}
            for u in list_users(store)]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no users: callqa user add NAME --role qa_lead", file=sys.stderr)
    for u in rows:
        draws = f"  draws {', '.join(map(str, u['draws']))}" if u["draws"] else ""
        handler = f"  handler {u['handler_id']}" if u.get("handler_id") else ""
        print(f"{u['username']:24} {u['role']:13} {'active' if u['active'] else 'disabled'}{draws}{handler}")
    return 0


def register(subparsers: Any, common: Any) -> None:
    web = common.parser(
        subparsers, "web", help="serve the review app for QA leads, operators and panel members",
        epilog="Environment: CALLQA_DB (the store, when --db is not given), CALLQA_INSTANCE (--instance), "
               "CALLQA_SECRET_KEY (the session key; default: one kept in the instance folder), "
               "CALLQA_SECURE_COOKIES=1 (behind HTTPS), CALLQA_TRUSTED_PROXIES (proxies in front; default 0), "
               "CALLQA_SESSION_IDLE_HOURS (default 8), CALLQA_SESSION_MAX_HOURS (default 12). "
               "See docs/review-app.md.")
    common.db(web)
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1: this machine only)")
    web.add_argument("--port", type=int, default=8000, help="port to listen on")
    web.add_argument("--instance", metavar="DIR", help="folder for the secret key and caches (env CALLQA_INSTANCE; "
                                                       "default: ./callqa-instance)")
    web.set_defaults(func=cmd_web)

    user = common.parser(subparsers, "user", help="review-app accounts: add, assign a panel draw, list, disable, passwd")
    cmds = user.add_subparsers(dest="user_command", required=True, metavar="COMMAND")
    add = common.parser(cmds, "add", help="add an account (password asked twice, or read from stdin)")
    add.add_argument("username", help="the sign-in name")
    add.add_argument("--role", required=True, choices=("qa_lead", "panel_member", "operator"),
                     help="qa_lead sees everything; panel_member only the packs assigned to them; operator only "
                          "the feedback on their own calls (required)")
    add.add_argument("--handler-id", metavar="H", help="an operator's handler id, as in the recorder export "
                                                       "(required for operators, refused for other roles)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    common.db(add)
    add.set_defaults(func=cmd_user_add)
    assign = common.parser(cmds, "assign", help="give a panel member a drawn sample's pack")
    assign.add_argument("username", help="a panel member's sign-in name")
    assign.add_argument("--draw", type=int, required=True, metavar="ID", help="draw id (from callqa panel sample; required)")
    common.db(assign)
    assign.set_defaults(func=cmd_user_assign)
    listing = common.parser(cmds, "list", help="list accounts, roles and assigned draws")
    common.db(listing)
    common.json(listing, "one JSON array of accounts instead of text")
    listing.set_defaults(func=cmd_user_list)
    for name, text in (("disable", "stop an account signing in (its open sessions end at once)"),
                       ("enable", "let a disabled account sign in again")):
        toggle = common.parser(cmds, name, help=text)
        toggle.add_argument("username", help="the sign-in name")
        common.db(toggle)
        toggle.set_defaults(func=cmd_user_active)
    passwd = common.parser(cmds, "passwd", help="set a new password (asked twice, or read from stdin)")
    passwd.add_argument("username", help="the sign-in name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    common.db(passwd)
    passwd.set_defaults(func=cmd_user_passwd)
