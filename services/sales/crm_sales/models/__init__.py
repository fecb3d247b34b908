"""Sales service tables, one module per capability; everything is importable from here."""

from .activities import Activity
from .base import AUDIT, MONEY, TABLES, Base, new_id
from .directory import (
    AccountCredit,
    AccountView,
    AssignmentCursor,
    ContactView,
    PartyKey,
    RepLoad,
    SalesSetting,
    UserView,
)
from .leads import LEAD_TEXT_FIELDS, ImportChunk, ImportRow, Lead, LeadConversion, LeadImport
from .pipeline import Competitor, CompetitorPrice, Opportunity, OpportunityCompetitor, StageChange
from .pricing import Contract, ContractTemplate, PaymentMilestone, Quote, RateCard

__all__ = [
    "AUDIT", "LEAD_TEXT_FIELDS", "MONEY", "TABLES", "AccountCredit", "AccountView", "Activity",
    "AssignmentCursor", "Base", "Competitor", "CompetitorPrice", "ContactView", "Contract", "ContractTemplate",
    "ImportChunk", "ImportRow", "Lead", "LeadConversion", "LeadImport", "Opportunity", "OpportunityCompetitor",
    "PartyKey", "PaymentMilestone", "Quote", "RateCard", "RepLoad", "SalesSetting", "StageChange", "UserView",
    "new_id",
]
