"""User administration: validation, optimistic locking, events through the outbox, paging."""

from __future__ import annotations

import json

from crm_gateway.store.models import OUTBOX
from gateway_support import ACCOUNT_ID, bearer, given_user, runtime_of
from sqlalchemy import select


def outbox(app) -> list[tuple[str, dict]]:
    with runtime_of(app).db.session() as session:
        rows = session.execute(select(OUTBOX.outbox.c.routing_key, OUTBOX.outbox.c.body)
                               .order_by(OUTBOX.outbox.c.id)).all()
    return [(row.routing_key, json.loads(row.body)) for row in rows]


def new_user(**overrides):
    return {"username": "carol", "password": "long enough secret", "role": "sales_rep", "region": "east",
            "team": "t1", "email": "carol@example.com", "full_name": "Carol", **overrides}


def test_creating_a_user_answers_201_with_etag_and_stages_user_created(app, client, as_admin):
    response = client.post("/api/v1/users", json=new_user(), headers=as_admin)

    assert response.status_code == 201
    body = response.get_json()
    assert (body["username"], body["role"], body["version"], body["active"]) == ("carol", "sales_rep", 1, True)
    assert "password" not in body and response.headers["ETag"] == '"1"'
    [(routing_key, event)] = [e for e in outbox(app) if e[1]["username"] == "carol"]
    assert routing_key == "user.created"
    assert (event["user_id"], event["region"], event["actor"]["username"]) == (body["id"], "east", "root")


def test_a_customer_user_needs_an_account(client, as_admin):
    missing = client.post("/api/v1/users", json=new_user(role="customer"), headers=as_admin)
    bound = client.post("/api/v1/users", json=new_user(role="customer", account_id=ACCOUNT_ID), headers=as_admin)

    assert missing.status_code == 422 and "account_id" in missing.get_json()["errors"]
    assert bound.status_code == 201 and bound.get_json()["account_id"] == ACCOUNT_ID


def test_a_taken_username_answers_409(client, as_admin):
    client.post("/api/v1/users", json=new_user(), headers=as_admin)

    again = client.post("/api/v1/users", json=new_user(username="Carol"), headers=as_admin)

    assert again.status_code == 409


def test_an_unknown_role_or_short_password_answers_422(client, as_admin):
    response = client.post("/api/v1/users", json=new_user(role="pirate", password="short"), headers=as_admin)

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"role", "password"}


def test_a_patch_with_a_stale_if_match_answers_412_and_changes_nothing(app, client, as_admin):
    user = given_user(app, "dave", region="east")
    client.patch(f"/api/v1/users/{user.id}", json={"team": "t2"}, headers={**as_admin, "If-Match": '"1"'})

    stale = client.patch(f"/api/v1/users/{user.id}", json={"region": "west"}, headers={**as_admin, "If-Match": '"1"'})

    assert stale.status_code == 412
    current = client.get(f"/api/v1/users/{user.id}", headers=as_admin)
    assert (current.get_json()["region"], current.headers["ETag"]) == ("east", '"2"')


def test_a_role_change_stages_user_updated(app, client, as_admin):
    user = given_user(app, "dave")

    response = client.patch(f"/api/v1/users/{user.id}", json={"role": "sales_manager"}, headers=as_admin)

    assert response.status_code == 200 and response.get_json()["role"] == "sales_manager"
    assert outbox(app)[-1][0] == "user.updated" and outbox(app)[-1][1]["role"] == "sales_manager"


def test_deactivating_with_a_successor_stages_user_deactivated(app, client, as_admin):
    leaver, successor = given_user(app, "erin"), given_user(app, "frank")

    response = client.patch(f"/api/v1/users/{leaver.id}", json={"active": False, "successor_id": successor.id},
                            headers=as_admin)

    assert response.status_code == 200 and response.get_json()["active"] is False
    routing_key, event = outbox(app)[-1]
    assert (routing_key, event["user_id"], event["successor_id"]) == ("user.deactivated", leaver.id, successor.id)


def test_a_successor_must_be_another_active_user(app, client, as_admin):
    leaver = given_user(app, "erin")

    response = client.patch(f"/api/v1/users/{leaver.id}", json={"active": False, "successor_id": leaver.id},
                            headers=as_admin)

    assert response.status_code == 422 and "successor_id" in response.get_json()["errors"]


def test_the_last_admin_cannot_be_demoted(client, admin, as_admin):
    response = client.patch(f"/api/v1/users/{admin.id}", json={"role": "analyst"}, headers=as_admin)

    assert response.status_code == 409


def test_users_are_listed_in_pages_with_a_cursor(app, client, as_admin):
    for name in ("u1", "u2", "u3"):
        given_user(app, name, region="north")

    first = client.get("/api/v1/users?region=north&limit=2", headers=as_admin).get_json()
    second = client.get(f"/api/v1/users?region=north&limit=2&cursor={first['next_cursor']}",
                        headers=as_admin).get_json()

    assert [u["username"] for u in first["items"]] == ["u1", "u2"]
    assert [u["username"] for u in second["items"]] == ["u3"] and second["next_cursor"] is None


def test_an_unknown_sort_or_bad_cursor_answers_422(client, as_admin):
    assert client.get("/api/v1/users?sort=password_hash", headers=as_admin).status_code == 422
    assert client.get("/api/v1/users?cursor=garbage", headers=as_admin).status_code == 422


def test_an_unknown_user_answers_404(client, as_admin):
    response = client.get("/api/v1/users/00000000-0000-4000-8000-000000000000", headers=as_admin)

    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_the_relay_publishes_staged_user_events_once(app, client, as_admin):
    from gateway_fakes import RecordingPublish

    client.post("/api/v1/users", json=new_user(), headers=as_admin)
    publish = RecordingPublish()
    relay = runtime_of(app).relay
    relay._publish = publish

    sent_first, sent_again = relay.run_once(), relay.run_once()

    assert (sent_first, sent_again) == (len(outbox(app)), 0)
    assert publish.sent[-1][:2] == ("gateway.events", "user.created")


def test_the_relay_thread_publishes_after_a_commit(make_app):
    import time

    from gateway_fakes import RecordingPublish

    publish = RecordingPublish()
    app = make_app(OUTBOX_RELAY=True, OUTBOX_INTERVAL=30)
    runtime_of(app).relay._publish = publish
    headers = bearer(app, given_user(app, "boss", role="admin"))

    app.test_client().post("/api/v1/users", json=new_user(), headers=headers)

    deadline = time.monotonic() + 5
    while not any(json.loads(body)["username"] == "carol" for _, _, body, _ in publish.sent):
        assert time.monotonic() < deadline, "the relay did not publish after the commit"
        time.sleep(0.02)
    runtime_of(app).relay.stop()


def test_a_user_states_a_time_zone_which_must_be_a_real_one(app, client, as_admin):
    made = client.post("/api/v1/users", json=new_user(time_zone="Asia/Shanghai"), headers=as_admin)
    unknown = client.post("/api/v1/users", json=new_user(time_zone="Asia/Atlantis"), headers=as_admin)
    moved = client.patch(f"/api/v1/users/{made.get_json()['id']}", json={"time_zone": "Europe/Berlin"},
                         headers=as_admin)

    assert made.status_code == 201 and made.get_json()["time_zone"] == "Asia/Shanghai"
    assert unknown.status_code == 422 and "time_zone" in unknown.get_json()["errors"]
    assert moved.status_code == 200, moved.get_json()["errors"]
    assert moved.get_json()["time_zone"] == "Europe/Berlin"
    zones = [(key, event["time_zone"]) for key, event in outbox(app) if event["username"] == "carol"]
    assert zones == [("user.created", "Asia/Shanghai"), ("user.updated", "Europe/Berlin")]  # notify learns it
