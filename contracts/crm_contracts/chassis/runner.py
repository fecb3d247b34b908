"""The command line every service shares: ``crm-<service> migrate`` and ``crm-<service> run``."""

from __future__ import annotations

import argparse
import os
import sys
from importlib import resources

from .migrations import upgrade


def main_for(component: str, package: str, service_class: str, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"crm-{component.replace('_', '-')}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply this service's database migrations")
    run = commands.add_parser("run", help="migrate, then run the nameko service")
    run.add_argument("--no-migrate", action="store_true")
    run.add_argument("--config", default=str(resources.files(package) / "config.yaml"))
    args = parser.parse_args(argv)

    if args.command == "migrate" or not args.no_migrate:
        upgrade(package, component)
    if args.command == "migrate":
        return 0
    # nameko's own runner: it monkey-patches eventlet before importing the service module.
    nameko = [sys.executable, "-m", "nameko", "run", "--config", args.config,
              f"{package}.service:{service_class}"]
    os.execv(sys.executable, nameko)
    return 0  # pragma: no cover - execv does not return
