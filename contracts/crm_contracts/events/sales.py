"""Events the sales service publishes (exchange ``sales.events``), for notify, analytics and others.

Entity events carry the entity's snapshot (owner, region, status, version) so a consumer can keep a
read model without calling back, and apply them out of order by ``version``.
"""

from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from .base import Event, MoneyAmount


class LeadSnapshot(Event):
    lead_id = fields.UUID(required=True)
    company = fields.String(required=True)
    source = fields.String(required=True)
    grade = fields.String(required=True)
    status = fields.String(required=True)
    owner_id = fields.String(allow_none=True, load_default=None)
    team = fields.String(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None)
    created_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


class LeadCreated(LeadSnapshot):
    source, routing_key = "sales", "lead.created"


class LeadUpdated(LeadSnapshot):
    source, routing_key = "sales", "lead.updated"

    changed = fields.List(fields.String(), load_default=list)


class LeadAssigned(LeadSnapshot):
    """Placed with an owner by an assignment rule or a manager (not by claiming)."""

    source, routing_key = "sales", "lead.assigned"

    rule = fields.String(allow_none=True, load_default=None)


class LeadClaimed(LeadSnapshot):
    source, routing_key = "sales", "lead.claimed"


class LeadReleased(LeadSnapshot):
    source, routing_key = "sales", "lead.released"

    previous_owner_id = fields.String(allow_none=True, load_default=None)
    reason = fields.String(required=True)  # manual | inactivity | deactivation | transfer
    note = fields.String(allow_none=True, load_default=None)


class LeadReleaseWarned(LeadSnapshot):
    """The owner has until ``release_at`` to work the lead before it returns to the pool."""

    source, routing_key = "sales", "lead.release_warned"

    release_at = fields.AwareDateTime(required=True)


class LeadTransferred(LeadSnapshot):
    source, routing_key = "sales", "lead.transferred"

    previous_owner_id = fields.String(allow_none=True, load_default=None)
    reason = fields.String(required=True)  # transfer | deactivation


class LeadConverted(LeadSnapshot):
    source, routing_key = "sales", "lead.converted"

    account_id = fields.UUID(required=True)
    contact_id = fields.String(allow_none=True, load_default=None)
    opportunity_id = fields.String(allow_none=True, load_default=None)


class Strings(fields.Field):
    """A list of strings (or nulls) checked in one pass: batch events carry thousands of them."""

    default_error_messages = {"invalid": "Not a list of strings."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[str | None] | None:
        return None if value is None else [None if v is None else str(v) for v in value]

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str | None]:
        if not isinstance(value, list) or not all(v is None or isinstance(v, str) for v in value):
            raise self.make_error("invalid")
        return value


class LeadsImported(Event):
    """A batch of leads one import created — one event per batch, not per row. The lists run in
    parallel: lead ``lead_ids[i]`` came from ``sources[i]``, graded ``grades[i]``, in ``regions[i]``,
    owned by ``owner_ids[i]`` (null: in the pool)."""

    source, routing_key = "sales", "lead.imported"

    import_id = fields.UUID(required=True)
    created_at = fields.AwareDateTime(required=True)
    lead_ids = Strings(required=True)
    sources = Strings(required=True)
    grades = Strings(required=True)
    owner_ids = Strings(required=True)
    regions = Strings(required=True)

    @validates_schema
    def _parallel(self, data: dict, **_: object) -> None:
        lists = ("lead_ids", "sources", "grades", "owner_ids", "regions")
        if len({len(data[name]) for name in lists}) != 1:
            raise ValidationError(f"{', '.join(lists)} must have the same length.")


class LeadImportFinished(Event):
    source, routing_key = "sales", "lead_import.finished"

    import_id = fields.UUID(required=True)
    filename = fields.String(required=True)
    status = fields.String(required=True)  # completed | failed
    error = fields.String(allow_none=True, load_default=None)
    created_by = fields.String(allow_none=True, load_default=None)
    total_rows = fields.Integer(allow_none=True, load_default=None)
    created = fields.Integer(required=True)
    duplicate = fields.Integer(required=True)
    invalid = fields.Integer(required=True)
    skipped = fields.Integer(required=True)


class OpportunitySnapshot(Event):
    opportunity_id = fields.UUID(required=True)
    name = fields.String(required=True)
    account_id = fields.UUID(required=True)
    lead_id = fields.String(allow_none=True, load_default=None)
    owner_id = fields.String(allow_none=True, load_default=None)
    team = fields.String(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None)
    stage = fields.String(required=True)
    status = fields.String(required=True)  # open | won | lost
    probability = fields.Integer(required=True)
    amount = fields.Nested(MoneyAmount, allow_none=True, load_default=None)
    expected_close = fields.Date(allow_none=True, load_default=None)
    created_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


class OpportunityCreated(OpportunitySnapshot):
    source, routing_key = "sales", "opportunity.created"


class OpportunityUpdated(OpportunitySnapshot):
    source, routing_key = "sales", "opportunity.updated"

    changed = fields.List(fields.String(), load_default=list)


class OpportunityStageChanged(OpportunitySnapshot):
    source, routing_key = "sales", "opportunity.stage_changed"

    from_stage = fields.String(allow_none=True, load_default=None)
    seconds_in_previous = fields.Integer(allow_none=True, load_default=None)
    lost_reason = fields.String(allow_none=True, load_default=None)
    lost_to_competitor_id = fields.String(allow_none=True, load_default=None)
    competitor_ids = fields.List(fields.String(), load_default=list)


class QuoteSnapshot(Event):
    quote_id = fields.UUID(required=True)
    number = fields.String(required=True)
    quote_version = fields.Integer(required=True)
    account_id = fields.UUID(required=True)
    opportunity_id = fields.String(allow_none=True, load_default=None)
    owner_id = fields.String(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None)
    status = fields.String(required=True)
    mode = fields.String(required=True)
    origin = fields.String(required=True)
    destination = fields.String(required=True)
    total = fields.Nested(MoneyAmount, required=True)
    valid_until = fields.Date(required=True)


class QuoteCreated(QuoteSnapshot):
    source, routing_key = "sales", "quote.created"


class QuoteApprovalRequested(QuoteSnapshot):
    source, routing_key = "sales", "quote.approval_requested"

    reasons = fields.List(fields.String(), required=True)


class QuoteApproved(QuoteSnapshot):
    source, routing_key = "sales", "quote.approved"


class QuoteSent(QuoteSnapshot):
    source, routing_key = "sales", "quote.sent"


class QuoteAccepted(QuoteSnapshot):
    source, routing_key = "sales", "quote.accepted"


class QuoteRejected(QuoteSnapshot):
    source, routing_key = "sales", "quote.rejected"

    reason = fields.String(allow_none=True, load_default=None)


class QuoteExpired(QuoteSnapshot):
    source, routing_key = "sales", "quote.expired"


class RateCardChanged(Event):
    source, routing_key = "sales", "rate_card.changed"

    rate_card_id = fields.UUID(required=True)
    name = fields.String(required=True)
    origin = fields.String(required=True)
    destination = fields.String(required=True)
    mode = fields.String(required=True)
    active = fields.Boolean(required=True)
    change = fields.String(required=True)  # created | updated


class ContractSnapshot(Event):
    contract_id = fields.UUID(required=True)
    number = fields.String(required=True)
    account_id = fields.UUID(required=True)
    quote_id = fields.UUID(required=True)
    owner_id = fields.String(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None)
    status = fields.String(required=True)
    total = fields.Nested(MoneyAmount, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    renewal_date = fields.Date(required=True)


class ContractCreated(ContractSnapshot):
    source, routing_key = "sales", "contract.created"


class ContractApproved(ContractSnapshot):
    source, routing_key = "sales", "contract.approved"


class ContractRejected(ContractSnapshot):
    source, routing_key = "sales", "contract.rejected"

    reason = fields.String(allow_none=True, load_default=None)


class ContractRenewalDue(ContractSnapshot):
    source, routing_key = "sales", "contract.renewal_due"


class MilestoneSnapshot(Event):
    milestone_id = fields.UUID(required=True)
    contract_id = fields.UUID(required=True)
    contract_number = fields.String(required=True)
    account_id = fields.UUID(required=True)
    owner_id = fields.String(allow_none=True, load_default=None)
    name = fields.String(required=True)
    due_on = fields.Date(required=True)
    amount = fields.Nested(MoneyAmount, required=True)


class MilestoneScheduled(MilestoneSnapshot):
    """A payment milestone was added or its due date moved."""

    source, routing_key = "sales", "milestone.scheduled"


class MilestoneDue(MilestoneSnapshot):
    """Reminder: the payment falls due in ``days_left`` days."""

    source, routing_key = "sales", "milestone.due"

    days_left = fields.Integer(required=True)


class MilestoneOverdue(MilestoneSnapshot):
    source, routing_key = "sales", "milestone.overdue"


class MilestonePaid(MilestoneSnapshot):
    source, routing_key = "sales", "milestone.paid"

    paid_on = fields.Date(required=True)


class ActivitySnapshot(Event):
    activity_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    owner_id = fields.String(required=True)
    assigned_by = fields.String(allow_none=True, load_default=None)
    origin = fields.String(required=True)  # planned | spontaneous
    status = fields.String(required=True)
    lead_id = fields.String(allow_none=True, load_default=None)
    opportunity_id = fields.String(allow_none=True, load_default=None)
    account_id = fields.String(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None)
    due_at = fields.AwareDateTime(allow_none=True, load_default=None)
    done_at = fields.AwareDateTime(allow_none=True, load_default=None)


class ActivityCreated(ActivitySnapshot):
    source, routing_key = "sales", "activity.created"


class ActivityUpdated(ActivitySnapshot):
    """Rescheduled, cancelled, or its notes changed (completion is ``activity.completed``)."""

    source, routing_key = "sales", "activity.updated"

    changed = fields.List(fields.String(), load_default=list)


class ActivityCompleted(ActivitySnapshot):
    source, routing_key = "sales", "activity.completed"

    feedback = fields.String(allow_none=True, load_default=None)


class ActivityDue(ActivitySnapshot):
    """Reminder before a task's (or any dated activity's) due time (到点预警)."""

    source, routing_key = "sales", "activity.due"


class ActivityOverdue(ActivitySnapshot):
    source, routing_key = "sales", "activity.overdue"


class CompetitorChanged(Event):
    source, routing_key = "sales", "competitor.changed"

    competitor_id = fields.UUID(required=True)
    name = fields.String(required=True)
    change = fields.String(required=True)  # created | updated | price_recorded


class SalesSettingsChanged(Event):
    source, routing_key = "sales", "sales_settings.changed"

    sections = fields.List(fields.String(), required=True)


SALES_EVENTS = tuple(cls for cls in list(globals().values())
                     if isinstance(cls, type) and issubclass(cls, Event) and getattr(cls, "routing_key", ""))
