"""Duplicate control (查重): the check before create, and merging a duplicate into a survivor."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.duplicates import DuplicateQuery, DuplicatesOut, MergeIn, MergeOut

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("dedupe", __name__, description="Duplicate control and merge")


@blp.operation("GET", "/accounts/duplicates", query=DuplicateQuery, response=DuplicatesOut, extra_responses=(422,))
def find_duplicates(rpc: Any, query: dict[str, Any]) -> Any:
    """Existing accounts that look like this name, phone, e-mail or tax code, each with why it matched."""
    return rpc.customer.find_duplicates(query)


@blp.operation("POST", "/accounts/<uuid:account_id>/merge", body=MergeIn, response=MergeOut,
               extra_responses=(409, 422))
def merge_accounts(rpc: Any, account_id: UUID, body: dict[str, Any]) -> Any:
    """Merge `duplicate_id` into this account; the duplicate then answers 404 naming the survivor."""
    return rpc.customer.merge_accounts(str(account_id), body)
