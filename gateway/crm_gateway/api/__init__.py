"""HTTP routes, one module per resource area; ``BLUEPRINTS`` is what the app registers."""

from . import (
    account_admin,
    accounts,
    analytics,
    api_keys,
    auth,
    contacts,
    credit,
    dedupe,
    kb,
    notifications,
    portal,
    relationships,
    segments,
    service_config,
    shipments,
    surveys,
    tickets,
    tms,
    users,
)

BLUEPRINTS = (auth.blp, users.blp, api_keys.blp, accounts.blp, shipments.blp, notifications.blp,
              analytics.blp, tms.blp, tickets.blp, service_config.blp, kb.blp, surveys.blp, portal.blp,
              contacts.blp, relationships.blp, credit.blp, dedupe.blp, account_admin.blp, segments.blp)
