import uuid
from datetime import UTC, datetime, timedelta

import pytest
from crm_contracts import jsonio
from crm_contracts.chassis.outbox import add_outbox_tables, backlog, claim, emit, publish_pending
from crm_contracts.chassis.paging import paginate
from crm_contracts.chassis.types import UtcDateTime
from crm_contracts.errors import ValidationFailed
from crm_contracts.events import AccountCreated
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


TABLES = add_outbox_tables(Base.metadata)


class Row(Base):
    __tablename__ = "rows"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


@pytest.fixture
def sessions():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return sessionmaker(engine)


def account_created(session):
    return emit(session, TABLES, AccountCreated, account_id=uuid.uuid4(), customer_code="C1", name="Acme",
                status="pending_review", version=1)


def test_an_event_emitted_in_a_committed_transaction_is_published_once(sessions):
    published = []
    with sessions() as s, s.begin():
        message = account_created(s)

    assert publish_pending(sessions, TABLES, lambda *args: published.append(args)) == 1
    assert publish_pending(sessions, TABLES, lambda *args: published.append(args)) == 0
    [(exchange, key, body, event_id)] = published
    assert (exchange, key, event_id) == ("customer.events", "account.created", message["event_id"])
    assert jsonio.loads(body)["customer_code"] == "C1"


def test_an_event_emitted_in_a_rolled_back_transaction_is_never_published(sessions):
    with pytest.raises(RuntimeError), sessions() as s, s.begin():
        account_created(s)
        raise RuntimeError("the change failed")

    assert publish_pending(sessions, TABLES, lambda *a: pytest.fail("published")) == 0


def test_a_failed_publish_keeps_the_event_for_the_next_attempt(sessions):
    with sessions() as s, s.begin():
        account_created(s)

    def broker_down(*_):
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        publish_pending(sessions, TABLES, broker_down)
    with sessions() as s:
        assert backlog(s, TABLES) == 1
        assert s.execute(select(TABLES.outbox.c.attempts)).scalar_one() == 1
    assert publish_pending(sessions, TABLES, lambda *a: None) == 1


def test_the_inbox_claims_an_event_once_per_handler(sessions):
    with sessions() as s, s.begin():
        first, again = claim(s, TABLES, "e-1", "sales.h"), claim(s, TABLES, "e-1", "sales.h")
        other_handler = claim(s, TABLES, "e-1", "notify.h")

    assert (first, again, other_handler) == (True, False, True)


def test_pages_follow_the_sort_and_end_with_no_cursor(sessions):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with sessions() as s, s.begin():
        s.add_all(Row(id=f"{i:03d}", name=f"n{i % 3}", created_at=start + timedelta(minutes=i)) for i in range(7))
    sorts = {"name": Row.name, "created_at": Row.created_at}
    seen, cursor = [], None
    with sessions() as s:
        while True:
            rows, cursor = paginate(s, select(Row), id_column=Row.id, allowed_sorts=sorts, default_sort=["name"],
                                    sort="name,-created_at", cursor=cursor, limit=3)
            seen += [(r.name, r.created_at) for r in rows]
            if cursor is None:
                break

    assert len(seen) == 7
    assert seen == sorted(seen, key=lambda r: (r[0], -r[1].timestamp()))


def test_an_unknown_sort_field_or_a_forged_cursor_is_a_validation_error(sessions):
    with sessions() as s:
        for kwargs in ({"sort": "password"}, {"cursor": "bm9wZQ"}):
            with pytest.raises(ValidationFailed):
                paginate(s, select(Row), id_column=Row.id, allowed_sorts={"name": Row.name}, default_sort=["name"],
                         **{"sort": None, "cursor": None, **kwargs}, limit=3)
