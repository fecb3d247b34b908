"""``crm-service-desk migrate|run``."""

import sys

from crm_contracts.chassis.runner import main_for


def main() -> int:
    return main_for("service_desk", "crm_service_desk", "ServiceDeskService", sys.argv[1:])
