"""Leads (销售线索), the public pool (公海) and conversion: bodies of the sales service's lead calls."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..events.tms import MODES, UNLOCODE
from .accounts import HistoryEntryOut
from .common import ListQuery, MoneySchema, Strict, page_of
from .fields import NormalisedEmail, PhoneNumber, TaxId

SOURCES = ("exhibition", "website", "referral", "cold_call", "overseas_agent", "campaign", "import", "other")
STATUSES = ("pool", "assigned", "working", "qualified", "disqualified", "converting", "converted")
EDITABLE_STATUSES = ("assigned", "working", "qualified", "disqualified")
GRADES = ("A", "B", "C")
COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="Use an ISO 3166 two-letter country code (e.g. CN).")


class LeadFields(Strict):
    """What a lead says about a prospect; shared by create, update and the import's rows."""

    company = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contact_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    phone = PhoneNumber(load_default=None, allow_none=True, metadata={"description": "Any format; stored E.164."})
    fax = PhoneNumber(load_default=None, allow_none=True)
    email = NormalisedEmail(load_default=None, allow_none=True)
    website = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    country = fields.String(load_default=None, allow_none=True, validate=COUNTRY)
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    industry = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    source = fields.String(load_default="other", validate=validate.OneOf(SOURCES))
    source_detail = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                                  metadata={"description": "Exhibition, referrer or campaign name."})
    agent_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                               metadata={"description": "Overseas agent that passed a SALES LEAD."})
    origin = fields.String(load_default=None, allow_none=True, validate=UNLOCODE)
    destination = fields.String(load_default=None, allow_none=True, validate=UNLOCODE)
    mode = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(MODES))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    region = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50),
                           metadata={"description": "Defaults to the creator's region."})


class LeadCreate(LeadFields):
    owner_id = fields.UUID(load_default=None, allow_none=True,
                           metadata={"description": "Managers may assign directly; otherwise rules decide."})


class LeadUpdate(Strict):
    company = fields.String(validate=validate.Length(min=1, max=200))
    contact_name = fields.String(allow_none=True, validate=validate.Length(max=100))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    phone = PhoneNumber(allow_none=True)
    fax = PhoneNumber(allow_none=True)
    email = NormalisedEmail(allow_none=True)
    website = fields.String(allow_none=True, validate=validate.Length(max=300))
    country = fields.String(allow_none=True, validate=COUNTRY)
    city = fields.String(allow_none=True, validate=validate.Length(max=100))
    address = fields.String(allow_none=True, validate=validate.Length(max=500))
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    source = fields.String(validate=validate.OneOf(SOURCES))
    source_detail = fields.String(allow_none=True, validate=validate.Length(max=200))
    agent_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    origin = fields.String(allow_none=True, validate=UNLOCODE)
    destination = fields.String(allow_none=True, validate=UNLOCODE)
    mode = fields.String(allow_none=True, validate=validate.OneOf(MODES))
    notes = fields.String(allow_none=True, validate=validate.Length(max=4000))
    status = fields.String(validate=validate.OneOf(EDITABLE_STATUSES))


class LeadOut(Strict):
    id = fields.String(required=True)
    company = fields.String(required=True)
    contact_name = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    fax = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    source = fields.String(required=True)
    source_detail = fields.String(allow_none=True)
    agent_name = fields.String(allow_none=True)
    origin = fields.String(allow_none=True)
    destination = fields.String(allow_none=True)
    mode = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    grade = fields.String(required=True)
    score = fields.Integer(required=True)
    status = fields.String(required=True)
    owner_id = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    assigned_at = fields.String(allow_none=True)
    last_activity_at = fields.String(required=True)
    release_due_at = fields.String(allow_none=True, metadata={"description": "When it returns to the pool."})
    previous_owner_id = fields.String(allow_none=True)
    released_at = fields.String(allow_none=True)
    account_id = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    opportunity_id = fields.String(allow_none=True)
    converted_at = fields.String(allow_none=True)
    import_id = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = fields.Integer(required=True)


class LeadListQuery(ListQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
    grade = fields.String(validate=validate.OneOf(GRADES))
    source = fields.String(validate=validate.OneOf(SOURCES))
    owner_id = fields.String()
    team = fields.String()
    region = fields.String()
    import_id = fields.String()


class LeadExportQuery(LeadListQuery):
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")), metadata={
        "description": "csv: the file itself (text/csv, UTF-8 with a BOM so spreadsheets read Chinese "
                       "correctly), the next page's cursor in the X-Next-Cursor header."})


class LeadExportOut(Strict):
    csv = fields.String(required=True, metadata={"description": "UTF-8 CSV with a header row; cells that "
                                                                "would start a formula are prefixed with '."})
    rows = fields.Integer(required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class PoolListQuery(ListQuery):
    grade = fields.String(validate=validate.OneOf(GRADES))
    source = fields.String(validate=validate.OneOf(SOURCES))
    region = fields.String()


LeadPage = page_of(LeadOut, "LeadPage")
LeadHistoryPage = page_of(HistoryEntryOut, "LeadHistoryPage")


class LeadRelease(Strict):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class LeadTransfer(Strict):
    """Managers' bulk transfer: named leads/opportunities, or everything one owner holds."""

    lead_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=5000))
    opportunity_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=5000))
    from_owner_id = fields.UUID(load_default=None, allow_none=True)
    to_owner_id = fields.UUID(load_default=None, allow_none=True,
                              metadata={"description": "null releases the leads to the pool."})

    @validates_schema
    def _something_to_move(self, data: dict, **_: object) -> None:
        if not (data["lead_ids"] or data["opportunity_ids"] or data["from_owner_id"]):
            raise ValidationError("Name lead_ids, opportunity_ids or from_owner_id.", "lead_ids")


class TransferOut(Strict):
    leads = fields.Integer(required=True)
    opportunities = fields.Integer(required=True)
    to_owner_id = fields.String(allow_none=True)


class ConvertContact(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    phone = PhoneNumber(allow_none=True)
    email = NormalisedEmail(allow_none=True)


class ConvertOpportunity(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    amount = fields.Nested(MoneySchema, allow_none=True)
    expected_close = fields.Date(allow_none=True)
    stage = fields.String(validate=validate.Length(min=1, max=40))


class LeadConvert(Strict):
    account_id = fields.UUID(load_default=None, allow_none=True,
                             metadata={"description": "Convert into this existing account instead of a new one."})
    customer_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=2, max=64),
                                  metadata={"description": "For the new account; derived from the lead if absent."})
    allow_duplicate = fields.Boolean(load_default=False)
    tax_id = TaxId(load_default=None, allow_none=True)
    tier = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("VIP", "A", "B", "C")))
    create_contact = fields.Boolean(load_default=True)
    contact = fields.Nested(ConvertContact, load_default=dict)
    create_opportunity = fields.Boolean(load_default=True)
    opportunity = fields.Nested(ConvertOpportunity, load_default=dict)


class ConvertOut(Strict):
    lead_id = fields.String(required=True)
    account_id = fields.String(required=True)
    contact_id = fields.String(allow_none=True)
    opportunity_id = fields.String(allow_none=True)
