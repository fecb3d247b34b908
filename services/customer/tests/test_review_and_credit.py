"""Review of new customers, credit terms, and receivables fed by TMS invoice/payment events."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from crm_contracts.errors import Conflict, Forbidden, PreconditionFailed, ValidationFailed
from crm_contracts.payloads.credit import CreditUpdate
from crm_customer import credit, fxrates, receivables, review

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def invoice(uow, code, number, amount, *, currency="CNY", due=date(2025, 4, 1), at=T0):
    receivables.invoice_issued(uow, {
        "event_id": uuid.uuid4(), "occurred_at": at, "customer_code": code, "invoice_number": number,
        "amount": {"amount": Decimal(amount), "currency": currency}, "issued_on": date(2025, 3, 1), "due_on": due})


def payment(uow, code, number, amount, *, event_id=None, currency="CNY"):
    receivables.payment_received(uow, {
        "event_id": event_id or uuid.uuid4(), "occurred_at": T0, "customer_code": code, "invoice_number": number,
        "amount": {"amount": Decimal(amount), "currency": currency}, "received_on": date(2025, 3, 10)})


def view(uow, actor, account, today=date(2025, 5, 1)):
    return credit.to_out(uow.session, credit.get(uow.session, actor, account.id)[1], today)


def set_limit(uow, actor, account, amount, currency="CNY", **more):
    data = CreditUpdate().load({"credit_limit": {"amount": amount, "currency": currency}, **more})
    return credit.update(uow, actor, account.id, data)[1]


def test_a_finance_reviewer_approves_a_pending_account_which_becomes_active(given, rep, finance):
    account = given.account(rep)

    review.review(given.uow, finance, account.id, "approve", None)

    assert (account.status, account.review_decision, account.reviewed_by) == ("active", "approve", finance.user_id)
    [reviewed] = given.events("account.reviewed")
    assert reviewed["decision"] == "approve" and given.events("account.updated")[-1]["status"] == "active"


def test_a_rejection_sends_the_account_back_to_prospect_with_the_reason(given, rep, manager):
    account = given.account(rep)

    review.review(given.uow, manager, account.id, "reject", "No business licence attached")

    assert (account.status, account.review_reason) == ("prospect", "No business licence attached")


def test_reps_cannot_review_nobody_reviews_their_own_and_only_pending_accounts_are_reviewed(given, rep, manager,
                                                                                             finance):
    account = given.account(rep)
    own = given.account(manager)

    with pytest.raises(Forbidden):
        review.review(given.uow, rep, account.id, "approve", None)
    with pytest.raises(Forbidden):
        review.review(given.uow, manager, own.id, "approve", None)
    review.review(given.uow, finance, account.id, "approve", None)
    with pytest.raises(Conflict):
        review.review(given.uow, finance, account.id, "approve", None)


def test_finance_sets_limit_terms_and_hold_which_are_audited_and_published(given, admin, finance):
    account = given.account(admin)

    profile = set_limit(given.uow, finance, account, "50000.00", payment_terms_days=45, credit_hold=True,
                        hold_reason="Disputed invoice")

    assert (profile.credit_limit, profile.payment_terms_days, profile.credit_hold) == (Decimal("50000.00"), 45, True)
    [event] = given.events("credit.updated")
    assert event["credit_limit"] == {"amount": "50000.00", "currency": "CNY"} and event["version"] == 1


def test_reps_cannot_edit_credit_and_service_roles_cannot_see_it(given, admin, rep):
    account = given.account(admin, owner_id=rep.user_id, team="t1")

    with pytest.raises(Forbidden):
        set_limit(given.uow, rep, account, "1.00")
    with pytest.raises(Forbidden):
        view(given.uow, given.person("service_agent"), account)
    assert view(given.uow, rep, account)["credit_limit"] is None


def test_invoices_and_payments_keep_receivables_overdue_and_utilisation(given, admin, finance):
    account = given.account(admin)
    set_limit(given.uow, finance, account, "1000.00")

    invoice(given.uow, account.customer_code, "INV-1", "600.00", due=date(2025, 4, 1))
    invoice(given.uow, account.customer_code, "INV-2", "300.00", due=date(2025, 6, 1))
    payment(given.uow, account.customer_code, "INV-1", "100.00")

    out = view(given.uow, finance, account, today=date(2025, 5, 1))
    assert out["receivables"] == {"amount": "800.00", "currency": "CNY"}
    assert out["overdue"] == {"amount": "500.00", "currency": "CNY"}
    assert (out["utilisation"], out["over_limit"]) == ("0.8000", False)


def test_events_in_any_order_and_twice_give_the_same_balance(given, admin):
    account = given.account(admin)
    paid = uuid.uuid4()

    payment(given.uow, account.customer_code, "INV-9", "40.00", event_id=paid)  # before its invoice
    invoice(given.uow, account.customer_code, "INV-9", "100.00", at=T0 + timedelta(hours=1))
    invoice(given.uow, account.customer_code, "INV-9", "90.00", at=T0)  # an older version arrives late
    payment(given.uow, account.customer_code, "INV-9", "40.00", event_id=paid)  # redelivered

    assert view(given.uow, admin, account)["receivables"]["amount"] == "60.00"


def test_crossing_the_limit_publishes_exceeded_and_coming_back_publishes_restored(given, admin, finance):
    account = given.account(admin)
    set_limit(given.uow, finance, account, "500.00")

    invoice(given.uow, account.customer_code, "INV-1", "400.00")
    invoice(given.uow, account.customer_code, "INV-2", "200.00")
    payment(given.uow, account.customer_code, "INV-2", "200.00")

    [exceeded] = given.events("credit.limit_exceeded")
    [restored] = given.events("credit.limit_restored")
    assert (exceeded["receivables"]["amount"], exceeded["utilisation"]) == ("600.00", "1.2000")
    assert restored["receivables"]["amount"] == "400.00"


def test_invoices_for_an_unknown_code_wait_for_the_account(given, admin):
    invoice(given.uow, "EARLY-1", "INV-E", "250.00", currency="USD")

    account = given.account(admin, customer_code="EARLY-1")

    out = view(given.uow, admin, account)
    assert (out["currency"], out["receivables"]["amount"]) == ("USD", "250.00")


def test_receivables_in_another_currency_are_shown_apart_from_utilisation(given, admin, finance):
    account = given.account(admin)
    set_limit(given.uow, finance, account, "1000.00")

    invoice(given.uow, account.customer_code, "INV-1", "100.00")
    invoice(given.uow, account.customer_code, "INV-2", "70.00", currency="USD")

    out = view(given.uow, finance, account)
    assert out["receivables"]["amount"] == "100.00" and out["utilisation"] == "0.1000"
    assert out["other_currencies"] == [{"amount": "70.00", "currency": "USD"}]
    assert out["unconverted"] == ["USD"]


def test_with_a_rate_other_currencies_count_in_receivables_overdue_and_utilisation(given, admin, finance):
    account = given.account(admin)
    set_limit(given.uow, finance, account, "1000.00")
    fxrates.set_rate(given.uow, finance, "USD", Decimal("7.10"))

    invoice(given.uow, account.customer_code, "INV-1", "100.00", due=date(2025, 6, 1))
    invoice(given.uow, account.customer_code, "INV-2", "50.00", currency="USD", due=date(2025, 4, 1))
    payment(given.uow, account.customer_code, "INV-2", "10.00", currency="USD")

    out = view(given.uow, finance, account, today=date(2025, 5, 1))
    assert out["receivables"] == {"amount": "384.00", "currency": "CNY"}  # 100 + 40 × 7.10
    assert out["overdue"] == {"amount": "284.00", "currency": "CNY"}  # only the USD invoice is late
    assert (out["utilisation"], out["unconverted"]) == ("0.3840", [])
    assert out["other_currencies"] == [{"amount": "40.00", "currency": "USD"}]


def test_an_overdue_invoice_counts_even_when_its_currencys_balance_is_nil(given, admin, finance):
    account = given.account(admin)
    set_limit(given.uow, finance, account, "1000.00")
    payment(given.uow, account.customer_code, "INV-B", "100.00", currency="USD")  # before its invoice
    invoice(given.uow, account.customer_code, "INV-A", "100.00", currency="USD", due=date(2025, 4, 1))

    unrated = view(given.uow, finance, account, today=date(2025, 5, 1))
    fxrates.set_rate(given.uow, finance, "USD", Decimal("7.00"))
    rated = view(given.uow, finance, account, today=date(2025, 5, 1))

    assert (unrated["overdue"]["amount"], unrated["unconverted"]) == ("0.00", ["USD"])
    assert (rated["receivables"]["amount"], rated["overdue"]["amount"], rated["unconverted"]) == ("0.00", "700.00", [])


def test_setting_a_rate_resettles_accounts_holding_that_currency_and_can_cross_the_limit(given, admin, finance):
    account = given.account(admin)
    set_limit(given.uow, finance, account, "1000.00")
    invoice(given.uow, account.customer_code, "INV-1", "200.00", currency="USD")
    assert given.events("credit.limit_exceeded") == []

    rate = fxrates.set_rate(given.uow, finance, "USD", Decimal("7.00"))
    fxrates.set_rate(given.uow, finance, "USD", Decimal("4.00"), expected_version=rate.version)

    [exceeded] = given.events("credit.limit_exceeded")
    [restored] = given.events("credit.limit_restored")
    assert (exceeded["receivables"]["amount"], exceeded["utilisation"]) == ("1400.00", "1.4000")
    assert restored["receivables"]["amount"] == "800.00"
    assert [r["currency"] for r in fxrates.list_(given.uow.session)] == ["USD"]


def test_only_finance_and_admins_set_rates_the_base_has_none_and_a_stale_version_is_refused(given, admin, finance,
                                                                                           rep):
    rate = fxrates.set_rate(given.uow, admin, "EUR", Decimal("7.80"))

    with pytest.raises(Forbidden):
        fxrates.set_rate(given.uow, rep, "EUR", Decimal("7.90"))
    with pytest.raises(ValidationFailed):
        fxrates.set_rate(given.uow, finance, "CNY", Decimal("1.10"))
    with pytest.raises(PreconditionFailed):
        fxrates.set_rate(given.uow, finance, "EUR", Decimal("7.90"), expected_version=rate.version - 1)
    assert [(r["currency"], r["rate"]) for r in fxrates.list_(given.uow.session)] == [("EUR", "7.80000000")]
