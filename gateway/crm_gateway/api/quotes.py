"""Rate cards per lane and freight quotes: one route, one call to the sales service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.quotes import (
    QuoteCreate,
    QuoteDecision,
    QuoteListQuery,
    QuoteOut,
    QuotePage,
    QuoteRevise,
    RateCardCreate,
    RateCardListQuery,
    RateCardOut,
    RateCardPage,
    RateCardUpdate,
)

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("quotes", __name__, description="Rate cards and freight quotes")
RATE_CARD = "/rate-cards/<uuid:rate_card_id>"
QUOTE = "/quotes/<uuid:quote_id>"


@blp.operation("POST", "/rate-cards", body=RateCardCreate, response=RateCardOut, status=201, etag=True,
               extra_responses=(422,))
def create_rate_card(rpc: Any, body: dict[str, Any]) -> Any:
    """A lane's rates: weight breaks, minimum, default surcharges, validity (admins, sales managers)."""
    return rpc.sales.create_rate_card(body)


@blp.operation("GET", "/rate-cards", query=RateCardListQuery, response=RateCardPage)
def list_rate_cards(rpc: Any, query: dict[str, Any]) -> Any:
    """Rate cards; `?valid_on=` those valid on a day."""
    return rpc.sales.list_rate_cards(query)


@blp.operation("GET", RATE_CARD, response=RateCardOut, etag=True)
def get_rate_card(rpc: Any, rate_card_id: UUID) -> Any:
    """One rate card."""
    return rpc.sales.get_rate_card(str(rate_card_id))


@blp.operation("PATCH", RATE_CARD, body=RateCardUpdate, response=RateCardOut, etag=True, extra_responses=(409, 422))
def update_rate_card(rpc: Any, rate_card_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Change rates, validity or deactivate a card."""
    return rpc.sales.update_rate_card(str(rate_card_id), body, expected_version=expected_version)


@blp.operation("POST", "/quotes", body=QuoteCreate, response=QuoteOut, status=201, extra_responses=(404, 422))
def create_quote(rpc: Any, body: dict[str, Any]) -> Any:
    """Price a shipment from the lane's rate card; over the discount/margin policy or on credit hold it
    waits for approval."""
    return rpc.sales.create_quote(body)


@blp.operation("GET", "/quotes", query=QuoteListQuery, response=QuotePage)
def list_quotes(rpc: Any, query: dict[str, Any]) -> Any:
    """Quote history, e.g. `?account_id=`; `?all_versions=true` includes superseded versions."""
    return rpc.sales.list_quotes(query)


@blp.operation("GET", QUOTE, response=QuoteOut)
def get_quote(rpc: Any, quote_id: UUID) -> Any:
    """One quote version."""
    return rpc.sales.get_quote(str(quote_id))


@blp.operation("POST", f"{QUOTE}/revise", body=QuoteRevise, response=QuoteOut, status=201,
               extra_responses=(409, 422))
def revise_quote(rpc: Any, quote_id: UUID, body: dict[str, Any]) -> Any:
    """A new version of the quote on the same lane; the previous one is superseded."""
    return rpc.sales.revise_quote(str(quote_id), body)


@blp.operation("POST", f"{QUOTE}/approve", response=QuoteOut, extra_responses=(403, 409))
def approve_quote(rpc: Any, quote_id: UUID) -> Any:
    """A sales manager of the region approves a quote that needs it."""
    return rpc.sales.approve_quote(str(quote_id))


@blp.operation("POST", f"{QUOTE}/send", response=QuoteOut, extra_responses=(409,))
def send_quote(rpc: Any, quote_id: UUID) -> Any:
    """Send the quote to the customer (approved first when it needs approval)."""
    return rpc.sales.send_quote(str(quote_id))


@blp.operation("POST", f"{QUOTE}/accept", body=QuoteDecision, response=QuoteOut, extra_responses=(409,))
def accept_quote(rpc: Any, quote_id: UUID, body: dict[str, Any]) -> Any:
    """The customer accepted; an expired quote answers 409."""
    return rpc.sales.accept_quote(str(quote_id), body)


@blp.operation("POST", f"{QUOTE}/reject", body=QuoteDecision, response=QuoteOut, extra_responses=(409,))
def reject_quote(rpc: Any, quote_id: UUID, body: dict[str, Any]) -> Any:
    """The customer declined, with a reason."""
    return rpc.sales.reject_quote(str(quote_id), body)
