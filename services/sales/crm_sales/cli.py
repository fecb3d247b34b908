"""``crm-sales migrate|run``."""

import sys

from crm_contracts.chassis.runner import main_for


def main() -> int:
    return main_for("sales", "crm_sales", "SalesService", sys.argv[1:])
