"""Knowledge base: FAQs, guides and per-customer SOPs; ``?q=`` search (PostgreSQL full text, with a
LIKE fallback on SQLite and for Chinese text, which the text parser does not split into words), paged
by relevance like any list, and suggestions for a ticket (the customer's SOPs, the ticket's category,
words of its subject)."""

from __future__ import annotations

import json
import re
from typing import Any

from crm_contracts import jsonio
from crm_contracts.chassis.database import UnitOfWork
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import utcnow
from crm_contracts.errors import NotFound
from crm_contracts.events.service_desk import KbArticleChanged
from crm_contracts.identity import Identity
from sqlalchemy import ColumnElement, Float, Integer, Select, String, and_, cast, func, literal, or_, select
from sqlalchemy.orm import Session, with_expression

from . import permissions
from .models import Article, Ticket
from .records import check_version, config_body, save, state

FIELDS = ("title", "body", "kind", "category", "account_id", "tags", "audience", "status")
SORTS = {"updated_at": Article.updated_at, "created_at": Article.created_at, "title": Article.title}
FILTERS = ("kind", "category", "account_id", "status")
TS_CONFIG = "english"
STOP_WORDS = frozenset(("the", "and", "for", "with", "from", "this", "that", "have", "has", "our", "your", "are",
                        "was", "not", "can", "how", "what", "why", "when", "please"))
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")


def _visible(stmt: Select, actor: Identity) -> Select:
    if permissions.is_customer(actor):
        return stmt.where(Article.status == "published", Article.audience == "public",
                          or_(Article.account_id.is_(None), Article.account_id == actor.account_id))
    if actor.role in permissions.WORKERS:
        return stmt
    return stmt.where(Article.status == "published")


def create(uow: UnitOfWork, actor: Identity, data: dict[str, Any]) -> Article:
    permissions.require_worker(actor, "write knowledge-base articles")
    now = utcnow()
    article = Article(**data, created_by=actor.user_id, created_at=now, updated_at=now)
    uow.session.add(article)
    save(uow, actor, article, entity="kb_article", action="created", before={}, fields=FIELDS,
         event_cls=KbArticleChanged, body=config_body("title"))
    return article


def update(uow: UnitOfWork, actor: Identity, article_id: str, data: dict[str, Any],
           expected_version: int | None = None) -> Article:
    permissions.require_worker(actor, "write knowledge-base articles")
    article = get(uow.session, actor, article_id)
    check_version(article, expected_version, f"Article {article_id}")
    before = state(article, FIELDS)
    for key, value in data.items():
        setattr(article, key, value)
    save(uow, actor, article, entity="kb_article", action="updated", before=before, fields=FIELDS,
         event_cls=KbArticleChanged, body=config_body("title"))
    return article


def get(session: Session, actor: Identity, article_id: str) -> Article:
    article = session.scalar(_visible(select(Article).where(Article.id == str(article_id)), actor))
    if article is None:
        raise NotFound(f"Article {article_id} was not found.")
    return article


def _filtered(actor: Identity, query: dict[str, Any]) -> Select:
    stmt = _visible(select(Article), actor)
    for name in FILTERS:
        if query.get(name) is not None:
            stmt = stmt.where(getattr(Article, name) == query[name])
    if query.get("tag"):
        # Tags are a JSON list, stored as text the way SQLAlchemy writes JSON (json.dumps).
        stmt = stmt.where(cast(Article.tags, String).like(f"%{json.dumps(query['tag'])}%"))
    return stmt


def list_(session: Session, actor: Identity, query: dict[str, Any]
          ) -> tuple[list[tuple[Article, float | None]], str | None]:
    """A page of articles; with ``q``, a page of the matches, the most relevant first."""
    stmt = _filtered(actor, query)
    if query.get("q"):
        return search(session, stmt, query["q"], query.get("cursor"), query.get("limit", 50))
    items, cursor = paginate(session, stmt, id_column=Article.id, allowed_sorts=SORTS,
                             default_sort=["-updated_at"], sort=query.get("sort"), cursor=query.get("cursor"),
                             limit=query.get("limit", 50))
    return [(a, None) for a in items], cursor


def search(session: Session, stmt: Select, q: str, cursor: str | None, limit: int
           ) -> tuple[list[tuple[Article, float]], str | None]:
    """The matches of ``q`` by relevance, newest edit first among equals, keyset-paged on (relevance,
    updated_at, id) with the cursor every list uses: a deep page costs what the first does."""
    match, rank = _match_and_rank(session, q)
    # A double precision value survives the JSON cursor exactly, so the next page starts where this ended;
    # the label is the attribute paginate reads the cursor value from.
    rank = cast(rank, Float).label("search_rank")
    # populate_existing: articles already in the session (just written) get their rank too.
    stmt = (stmt.where(match).options(with_expression(Article.search_rank, rank))
            .execution_options(populate_existing=True))
    items, next_cursor = paginate(session, stmt, id_column=Article.id,
                                  allowed_sorts={"rank": rank, "updated_at": Article.updated_at},
                                  default_sort=["-rank", "-updated_at"], sort=None, cursor=cursor, limit=limit)
    return [(article, float(article.search_rank)) for article in items], next_cursor


def _match_and_rank(session: Session, q: str) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
    """Which articles match ``q`` and how well, as SQL, so the database orders and pages them."""
    like = f"%{q.strip()}%"
    substring = or_(Article.title.ilike(like), Article.body.ilike(like))
    if session.get_bind().dialect.name == "postgresql":
        document = func.to_tsvector(TS_CONFIG, func.coalesce(Article.title, "") + literal(" ")
                                    + func.coalesce(Article.body, ""))
        tsquery = func.plainto_tsquery(TS_CONFIG, q)
        rank = func.ts_rank(document, tsquery) + cast(Article.title.ilike(like), Integer)  # title hits first
        return or_(document.op("@@")(tsquery), substring), rank
    # Elsewhere every word must appear; a word in the title counts twice what one in the body does.
    terms = keywords(q) or [q.strip()]
    each = [or_(Article.title.ilike(f"%{t}%"), Article.body.ilike(f"%{t}%")) for t in terms]
    score = sum((2 * cast(Article.title.ilike(f"%{t}%"), Integer) + cast(Article.body.ilike(f"%{t}%"), Integer)
                 for t in terms), literal(0))
    return or_(substring, and_(*each)), score


def keywords(text: str, most: int = 8) -> list[str]:
    """Words worth searching for: not stop words, three letters or more (two for Chinese)."""
    words = []
    for word in _WORD.findall(text.casefold()):
        long_enough = len(word) >= (2 if _CJK.search(word) else 3)
        if long_enough and word not in STOP_WORDS and word not in words:
            words.append(word)
    return words[:most]


def _score(article: Article, terms: list[str]) -> float:
    title, body = article.title.casefold(), article.body.casefold()
    return float(sum(2 * (t in title) + (t in body) for t in terms))


def suggest(session: Session, actor: Identity, ticket: Ticket, limit: int = 5) -> list[tuple[Article, float]]:
    """The articles most likely to help with ``ticket``: its customer's SOPs, its category, its words."""
    terms = keywords(f"{ticket.subject} {ticket.exception_type or ''}")
    matches = [Article.category == ticket.category]
    if ticket.account_id:
        matches.append(Article.account_id == ticket.account_id)
    matches += [or_(Article.title.ilike(f"%{t}%"), Article.body.ilike(f"%{t}%")) for t in terms]
    stmt = _visible(select(Article), actor).where(Article.status == "published", or_(*matches),
                                                  or_(Article.account_id.is_(None),
                                                      Article.account_id == ticket.account_id))
    scored = []
    for article in session.scalars(stmt.order_by(Article.updated_at.desc()).limit(100)):
        score = _score(article, terms) + 2 * (article.category == ticket.category)
        score += 3 * (ticket.account_id is not None and article.account_id == ticket.account_id)
        scored.append((article, score))
    return sorted(scored, key=lambda pair: (-pair[1], pair[0].title))[:limit]


def to_out(article: Article, score: float | None = None) -> dict[str, Any]:
    return jsonio.to_jsonable({"id": article.id, **state(article, FIELDS), "created_by": article.created_by,
                               "created_at": article.created_at, "updated_at": article.updated_at,
                               "version": article.version, "score": score})
