"""Knowledge base: FAQs, guides and per-customer SOPs; `?q=` searches, paged like every list."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.kb import ArticleCreate, ArticleListQuery, ArticleOut, ArticlePage, ArticleUpdate

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("kb", __name__, description="Knowledge base")


@blp.operation("POST", "/kb/articles", body=ArticleCreate, response=ArticleOut, status=201, etag=True,
               extra_responses=(422,))
def create_article(rpc: Any, body: dict[str, Any]) -> Any:
    """Write an article (service roles)."""
    return rpc.service_desk.create_article(body)


@blp.operation("GET", "/kb/articles", query=ArticleListQuery, response=ArticlePage)
def list_articles(rpc: Any, query: dict[str, Any]) -> Any:
    """Articles the caller may read; with `q`, the matches, most relevant first, paged by `next_cursor`."""
    return rpc.service_desk.list_articles(query)


@blp.operation("GET", "/kb/articles/<uuid:article_id>", response=ArticleOut, etag=True)
def get_article(rpc: Any, article_id: UUID) -> Any:
    """One article."""
    return rpc.service_desk.get_article(str(article_id))


@blp.operation("PATCH", "/kb/articles/<uuid:article_id>", body=ArticleUpdate, response=ArticleOut, etag=True,
               extra_responses=(422,))
def update_article(rpc: Any, article_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Edit, publish or archive an article."""
    return rpc.service_desk.update_article(str(article_id), body, expected_version=expected_version)
