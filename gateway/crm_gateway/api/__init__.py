"""HTTP routes, one module per resource area; ``BLUEPRINTS`` is what the app registers."""

from . import (
    accounts,
    analytics,
    api_keys,
    auth,
    notifications,
    shipments,
    tms,
    users,
)

BLUEPRINTS = (auth.blp, users.blp, api_keys.blp, accounts.blp, shipments.blp, notifications.blp,
              analytics.blp, tms.blp)
