"""Events the service desk publishes: tickets and their SLA, surveys, proactive customer alerts and
changes to its configuration (skill groups, SLA policies, knowledge-base articles).

Every ticket event carries the whole ticket snapshot with its ``version``, so analytics and notify
can apply them in any order and keep the newest.
"""

from marshmallow import fields, validate

from .base import Event

SOURCE = "service_desk"


class TicketSnapshot(Event):
    ticket_id = fields.UUID(required=True)
    subject = fields.String(required=True)
    channel = fields.String(required=True)
    category = fields.String(required=True)
    priority = fields.String(required=True)
    status = fields.String(required=True)
    account_id = fields.String(allow_none=True, load_default=None)
    customer_code = fields.String(allow_none=True, load_default=None)
    contact_id = fields.String(allow_none=True, load_default=None)
    requester_id = fields.String(allow_none=True, load_default=None)
    shipment_reference = fields.String(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None)
    group_id = fields.String(allow_none=True, load_default=None)
    assignee_id = fields.String(allow_none=True, load_default=None)
    root_cause = fields.String(allow_none=True, load_default=None)
    reopen_count = fields.Integer(load_default=0)
    created_at = fields.AwareDateTime(required=True)
    first_responded_at = fields.AwareDateTime(allow_none=True, load_default=None)
    resolved_at = fields.AwareDateTime(allow_none=True, load_default=None)
    closed_at = fields.AwareDateTime(allow_none=True, load_default=None)
    first_response_due_at = fields.AwareDateTime(allow_none=True, load_default=None)
    resolution_due_at = fields.AwareDateTime(allow_none=True, load_default=None)
    version = fields.Integer(required=True)


class TicketCreated(TicketSnapshot):
    source, routing_key = SOURCE, "ticket.created"


class TicketUpdated(TicketSnapshot):
    source, routing_key = SOURCE, "ticket.updated"

    changed = fields.List(fields.String(), load_default=list)


class TicketAssigned(TicketSnapshot):
    """Who now owns the ticket; notify tells the assignee."""

    source, routing_key = SOURCE, "ticket.assigned"

    previous_assignee_id = fields.String(allow_none=True, load_default=None)
    assignee_username = fields.String(allow_none=True, load_default=None)
    assignee_email = fields.String(allow_none=True, load_default=None)
    group_name = fields.String(allow_none=True, load_default=None)
    reason = fields.String(required=True, validate=validate.OneOf(
        ("routing", "manual", "agent_deactivated", "queued")))


class TicketCommented(TicketSnapshot):
    source, routing_key = SOURCE, "ticket.commented"

    comment_id = fields.UUID(required=True)
    visibility = fields.String(required=True, validate=validate.OneOf(("public", "internal")))
    author_id = fields.String(allow_none=True, load_default=None)
    author_role = fields.String(allow_none=True, load_default=None)
    body = fields.String(allow_none=True, load_default=None)  # public comments only


class TicketResolved(TicketSnapshot):
    source, routing_key = SOURCE, "ticket.resolved"

    resolution = fields.String(required=True)


class TicketClosed(TicketSnapshot):
    source, routing_key = SOURCE, "ticket.closed"


class TicketReopened(TicketSnapshot):
    source, routing_key = SOURCE, "ticket.reopened"

    reason = fields.String(allow_none=True, load_default=None)


class SlaEscalation(TicketSnapshot):
    target = fields.String(required=True, validate=validate.OneOf(("first_response", "resolution")))
    due_at = fields.AwareDateTime(required=True)
    percent = fields.Integer(required=True)


class TicketSlaWarning(SlaEscalation):
    """A target is about to be missed (``percent`` of its time used): escalate before the breach."""

    source, routing_key = SOURCE, "ticket.sla_warning"


class TicketSlaBreached(SlaEscalation):
    source, routing_key = SOURCE, "ticket.sla_breached"


class SurveyRequested(Event):
    """A one-use satisfaction survey exists; notify sends its link to the requester."""

    source, routing_key = SOURCE, "survey.requested"

    token = fields.String(required=True)
    ticket_id = fields.UUID(required=True)
    account_id = fields.String(allow_none=True, load_default=None)
    contact_id = fields.String(allow_none=True, load_default=None)
    requester_id = fields.String(allow_none=True, load_default=None)
    subject = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class SurveyAnswered(Event):
    source, routing_key = SOURCE, "survey.answered"

    ticket_id = fields.UUID(required=True)
    account_id = fields.String(allow_none=True, load_default=None)
    category = fields.String(required=True)
    assignee_id = fields.String(allow_none=True, load_default=None)
    csat = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    nps = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, max=10))
    comment = fields.String(allow_none=True, load_default=None)


class CustomerAlertRequested(Event):
    """Warn a customer before they call (主动预警): notify tells the account's contacts and its owner."""

    source, routing_key = SOURCE, "customer.alert_requested"

    account_id = fields.UUID(required=True)
    customer_code = fields.String(required=True)
    account_name = fields.String(allow_none=True, load_default=None)
    owner_id = fields.String(allow_none=True, load_default=None)
    ticket_id = fields.UUID(required=True)
    shipment_reference = fields.String(required=True)
    exception_type = fields.String(required=True)
    severity = fields.String(required=True)
    description = fields.String(required=True)
    location = fields.String(allow_none=True, load_default=None)
    eta = fields.AwareDateTime(allow_none=True, load_default=None)


class ConfigChanged(Event):
    """A configuration record was created or changed; ``changes`` is the audit diff."""

    id = fields.UUID(required=True)
    name = fields.String(required=True)
    changes = fields.Dict(load_default=dict)
    version = fields.Integer(required=True)


class SkillGroupChanged(ConfigChanged):
    source, routing_key = SOURCE, "skill_group.changed"


class SlaPolicyChanged(ConfigChanged):
    source, routing_key = SOURCE, "sla_policy.changed"


class KbArticleChanged(ConfigChanged):
    source, routing_key = SOURCE, "kb_article.changed"
