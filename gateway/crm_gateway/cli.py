"""``crm-gateway``: migrate, create-admin, serve."""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import sys

from crm_contracts import config


def _database_url(args: argparse.Namespace) -> str:
    return args.database_url or config.database_url("gateway")


def _migrate_and_seed(url: str) -> tuple[str, str] | None:
    """Apply migrations, then create the first admin when none exists (returns its credentials)."""
    from .store import users
    from .store.db import Database, upgrade

    upgrade(url)
    db = Database(url)
    try:
        with db.transaction() as session:
            return users.ensure_first_admin(session, os.environ.get("CRM_ADMIN_USER", "admin"),
                                            os.environ.get("CRM_ADMIN_PASSWORD") or None)
    finally:
        db.dispose()


def _print_admin(created: tuple[str, str] | None) -> None:
    if created is None:
        return
    username, password = created
    print(f"Created the first admin: username {username!r}", flush=True)
    if not os.environ.get("CRM_ADMIN_PASSWORD"):
        # Printed once to the operator's terminal, never logged; set CRM_ADMIN_PASSWORD to choose it.
        print(f"  password (shown only now): {password}", flush=True)


def cmd_migrate(args: argparse.Namespace) -> int:
    _print_admin(_migrate_and_seed(_database_url(args)))
    print("gateway database is up to date", flush=True)
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    from crm_contracts.errors import CrmError
    from crm_contracts.identity import SYSTEM

    from .store import users
    from .store.db import Database, upgrade

    password = args.password or os.environ.get("CRM_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    url = _database_url(args)
    upgrade(url)
    db = Database(url)
    try:
        with db.transaction() as session:
            users.create(session, SYSTEM, username=args.username, password=password, role="admin")
    except CrmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"created admin {args.username!r}")
    return 0


def _prepare_multiprocess_metrics(workers: int) -> None:
    """Several workers share one /metrics view through prometheus-client's multiprocess mode."""
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        path = config.var_dir() / "prometheus-gateway"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


def cmd_serve(args: argparse.Namespace) -> int:
    _prepare_multiprocess_metrics(args.workers)  # before anything imports prometheus_client
    _print_admin(_migrate_and_seed(_database_url(args)))
    from .server import serve

    host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    print(f"gateway on http://{host}:{args.port}/api/v1  (docs: http://{host}:{args.port}/api/docs)", flush=True)
    serve(f"{args.host}:{args.port}", args.workers, args.threads)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-gateway", description="The logistics CRM REST gateway.")
    parser.add_argument("--database-url", help="default: CRM_GATEWAY_DATABASE_URL or sqlite under ./var")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply migrations and create the first admin if none exists"
                   ).set_defaults(func=cmd_migrate)
    admin = sub.add_parser("create-admin", help="create another admin user")
    admin.add_argument("username")
    admin.add_argument("--password", help="default: CRM_ADMIN_PASSWORD or a prompt")
    admin.set_defaults(func=cmd_create_admin)
    serve = sub.add_parser("serve", help="migrate, then run the gateway under gunicorn (gthread)")
    serve.add_argument("--host", default=os.environ.get("CRM_GATEWAY_HOST", "0.0.0.0"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("CRM_GATEWAY_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("CRM_GATEWAY_WORKERS", "2")))
    serve.add_argument("--threads", type=int, default=int(os.environ.get("CRM_GATEWAY_THREADS", "8")))
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
