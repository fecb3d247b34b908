"""``crm-notify migrate|run``."""

import sys

from crm_contracts.chassis.runner import main_for


def main() -> int:
    return main_for("notify", "crm_notify", "NotifyService", sys.argv[1:])
