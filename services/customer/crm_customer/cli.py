"""``crm-customer migrate|run``."""

import sys

from crm_contracts.chassis.runner import main_for


def main() -> int:
    return main_for("customer", "crm_customer", "CustomerService", sys.argv[1:])
