"""``crm-analytics migrate|run``."""

import sys

from crm_contracts.chassis.runner import main_for


def main() -> int:
    return main_for("analytics", "crm_analytics", "AnalyticsService", sys.argv[1:])
