"""Knowledge base: search with ?q= (the SQLite fallback, and PostgreSQL full text where the paging test
runs on both), portal visibility, ticket suggestions."""

import pytest
from crm_contracts.errors import Forbidden, NotFound, ValidationFailed
from crm_contracts.testing.units import unit_of_work
from crm_service_desk import kb
from crm_service_desk.models import TABLES


def article(**overrides) -> dict:
    return {"title": "Customs hold: what documents to send", "body": "Send the commercial invoice and packing list.",
            "kind": "faq", "category": "exception", "account_id": None, "tags": ["customs"], "audience": "public",
            "status": "published", **overrides}


def test_search_finds_articles_by_every_word_and_ranks_title_hits_first(uow, admin):
    customs = kb.create(uow, admin, article())
    body_only = kb.create(uow, admin, article(title="Paperwork", body="A customs broker needs the invoice."))
    kb.create(uow, admin, article(title="Billing cycles", body="Invoices are issued monthly."))

    found, cursor = kb.list_(uow.session, admin, {"q": "customs invoice", "limit": 10})

    assert [a.id for a, _ in found] == [customs.id, body_only.id]
    assert cursor is None


def test_chinese_text_is_found_by_substring(uow, admin):
    sop = kb.create(uow, admin, article(title="报关延误处理流程", body="联系报关行并通知客户。"))

    found, _ = kb.list_(uow.session, admin, {"q": "报关", "limit": 10})

    assert [a.id for a, _ in found] == [sop.id]


def test_customers_see_published_public_articles_and_their_own_sops_only(given, uow, admin):
    mine, other = given.account(), given.account()
    customer = given.customer_of(mine)
    public = kb.create(uow, admin, article())
    kb.create(uow, admin, article(audience="internal"))
    kb.create(uow, admin, article(status="draft"))
    own_sop = kb.create(uow, admin, article(kind="sop", account_id=mine.account_id))
    other_sop = kb.create(uow, admin, article(kind="sop", account_id=other.account_id))

    seen, _ = kb.list_(uow.session, customer, {"limit": 50})

    assert {a.id for a, _ in seen} == {public.id, own_sop.id}
    with pytest.raises(NotFound):
        kb.get(uow.session, customer, other_sop.id)
    with pytest.raises(Forbidden):
        kb.create(uow, customer, article())


def test_suggestions_put_the_customers_sop_first(given, uow, admin):
    account = given.account()
    ticket = given.ticket(account_id=account.account_id, category="exception", subject="Customs hold at Hamburg")
    generic = kb.create(uow, admin, article())
    sop = kb.create(uow, admin, article(kind="sop", title="Acme: customs holds", account_id=account.account_id,
                                        audience="internal"))
    kb.create(uow, admin, article(title="Holiday greetings", body="Season's greetings.", category="inquiry"))

    suggested = kb.suggest(uow.session, admin, ticket)

    assert [a.id for a, _ in suggested] == [sop.id, generic.id]


def test_an_edit_is_audited_and_published(given, uow, admin):
    faq = kb.create(uow, admin, article(status="draft"))

    kb.update(uow, admin, faq.id, {"status": "published"}, expected_version=faq.version)

    [created, updated] = given.events("kb_article.changed")
    assert updated["changes"] == {"status": {"old": "draft", "new": "published"}}
    assert (created["version"], updated["version"]) == (1, 2)


def test_search_pages_through_every_match_once_most_relevant_first(any_sessions, admin):
    """Keyset pages on (relevance, updated_at, id): PostgreSQL full text and the fallback elsewhere alike."""
    with unit_of_work(any_sessions, TABLES) as uow:
        in_title = [kb.create(uow, admin, article(title=f"Customs hold {i}")).id for i in range(3)]
        in_body = [kb.create(uow, admin, article(title=f"Paperwork {i}", body="Ask the customs broker.")).id
                   for i in range(4)]
        kb.create(uow, admin, article(title="Billing cycles", body="Invoices are issued monthly."))

    pages, cursor = [], None
    with any_sessions() as session:
        while True:
            found, cursor = kb.list_(session, admin, {"q": "customs", "limit": 3, "cursor": cursor})
            pages.append(found)
            if cursor is None:
                break

    assert [len(page) for page in pages] == [3, 3, 1]
    ids = [a.id for page in pages for a, _ in page]
    assert set(ids[:3]) == set(in_title) and set(ids[3:]) == set(in_body) and len(set(ids)) == 7
    scores = [score for page in pages for _, score in page]
    assert scores == sorted(scores, reverse=True)
    with any_sessions() as session, pytest.raises(ValidationFailed):
        kb.list_(session, admin, {"q": "customs", "limit": 3, "cursor": "not-a-cursor"})
