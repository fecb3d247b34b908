"""New-customer review (客户审核): a finance or sales manager approves or rejects a pending account.

Approval makes it active; rejection sends it back to prospect with the reason, so the rep can fix
and resubmit. Nobody but an admin reviews an account they created themselves (four eyes).
"""

from __future__ import annotations

from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import Conflict, Forbidden
from crm_contracts.events.customer import AccountReviewed
from crm_contracts.identity import Identity

from . import lookup
from .access import REVIEWERS, require
from .accounts import record_change, state
from .models import Account

OUTCOME = {"approve": "active", "reject": "prospect"}


def review(uow: UnitOfWork, actor: Identity, account_id: str, decision: str, reason: str | None) -> Account:
    account = lookup.get(uow.session, actor, account_id, lock=True)
    require(actor, REVIEWERS, "review new customers")
    if account.status != "pending_review":
        raise Conflict(f"Only an account waiting for review can be approved or rejected; this one is "
                       f"{account.status}.")
    if account.created_by == actor.user_id and not actor.is_admin:
        raise Forbidden("You created this account; another reviewer must decide on it.")
    before = state(account)
    previous = {"review_decision": account.review_decision, "review_reason": account.review_reason}
    account.status = OUTCOME[decision]
    account.review_decision, account.review_reason = decision, reason
    account.reviewed_by, account.reviewed_at = actor.user_id, utcnow()
    record_change(uow, actor, account, before, action="reviewed",
                  review_decision={"old": previous["review_decision"], "new": decision},
                  review_reason={"old": previous["review_reason"], "new": reason})
    uow.emit(AccountReviewed, actor=actor, account_id=account.id, customer_code=account.customer_code,
             owner_id=account.owner_id, decision=decision, reason=reason, status=account.status)
    return account
