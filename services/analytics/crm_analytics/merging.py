"""``account.merged``: the duplicate's figures fold into the survivor's.

The duplicate's fact is marked merged and names its survivor; the survivor's figures then count the
shipments booked under either code (before the merge or after it: TMS systems keep old codes), and
it has been a customer since the earlier of the two first sightings. A snapshot of the duplicate
arriving late never brings it back (``customers.apply_account``).
"""

from __future__ import annotations

from typing import Any

from crm_contracts.chassis import account_view, audit
from crm_contracts.chassis.database import UnitOfWork

from .models import AUDIT, CustomerFact


def on_account_merged(uow: UnitOfWork, event: dict[str, Any]) -> CustomerFact:
    """Mark the duplicate merged into the survivor and fold its figures in; returns the duplicate's fact."""
    session = uow.session
    duplicate, survivor = account_view.mark_merged(session, CustomerFact, event)
    duplicate_id, target_id = duplicate.account_id, duplicate.merged_into
    actor = account_view.merge_actor(event)
    audit.record(session, AUDIT, entity="customer", entity_id=duplicate_id, action="merged_into", actor=actor,
                 changes={"merged_into": {"old": None, "new": target_id}})
    changes = {"merged_from": {"old": None, "new": duplicate_id}}
    if survivor is not None and duplicate.first_seen_at < survivor.first_seen_at:
        # The customer relationship began with whichever record appeared first.
        changes.update(audit.diff({"first_seen_at": survivor.first_seen_at},
                                  {"first_seen_at": duplicate.first_seen_at}))
        survivor.first_seen_at = duplicate.first_seen_at
    audit.record(session, AUDIT, entity="customer", entity_id=target_id, action="merged", actor=actor,
                 changes=changes)
    session.flush()
    return duplicate
