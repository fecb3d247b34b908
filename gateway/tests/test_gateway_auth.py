"""Sign-in, tokens, API keys and who may call what."""

from __future__ import annotations

import jwt
import pytest
from crm_gateway.security import Tokens
from gateway_support import PASSWORD, bearer, given_user, runtime_of


def login(client, username: str, password: str = PASSWORD, **headers: str):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password}, headers=headers)


def test_signing_in_returns_a_bearer_token_pair_that_opens_me(app, client):
    given_user(app, "ann", role="sales_manager", region="east", team="t1")

    response = login(client, "ann")

    assert response.status_code == 200
    tokens = response.get_json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
    assert (me.get_json()["username"], me.get_json()["role"], me.get_json()["region"]) == (
        "ann", "sales_manager", "east")


def test_a_wrong_password_answers_401_with_a_challenge(app, client):
    given_user(app, "ann")

    response = login(client, "ann", "not the password")

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(app, client):
    given_user(app, "ann")

    unknown, wrong = login(client, "nobody"), login(client, "ann", "wrong password")

    assert (unknown.status_code, unknown.get_json()["detail"]) == (wrong.status_code, wrong.get_json()["detail"])


def test_no_credentials_answer_401(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="crm"'


def test_an_expired_token_answers_401(app, client):
    user = given_user(app, "ann")
    with runtime_of(app).db.session() as session:
        expired = Tokens(app.config["JWT_SECRET"], -30, 60).issue(session.merge(user))["access_token"]

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})

    assert response.status_code == 401
    assert "expired" in response.get_json()["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_tampered_token_answers_401(app, client):
    headers = bearer(app, given_user(app, "ann"))
    token = headers["Authorization"].split()[1]
    header, claims, signature = token.split(".")
    forged_claims = jwt.utils.base64url_encode(b'{"sub":"x","typ":"access","gen":0}').decode()

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {header}.{forged_claims}.{signature}"})

    assert response.status_code == 401


def test_a_service_identity_token_is_not_an_access_token(app, client):
    from crm_contracts.identity import Identity, sign

    token = sign(Identity(user_id="u1", role="admin"), app.config["IDENTITY_SECRET"])

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


def test_a_refresh_token_gives_a_new_pair_but_is_no_access_token(app, client):
    given_user(app, "ann")
    tokens = login(client, "ann").get_json()

    as_access = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    access_as_refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]})

    assert as_access.status_code == 401
    assert refreshed.status_code == 200 and refreshed.get_json()["access_token"]
    assert access_as_refresh.status_code == 401


def test_failed_sign_ins_are_rate_limited_per_user_and_address(make_app):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    given_user(app, "ann")
    given_user(app, "bob")

    answers = [login(client, "ann", "wrong password").status_code for _ in range(4)]
    blocked = login(client, "ann")  # even the right password waits now
    other_user = login(client, "bob")

    assert answers == [401, 401, 401, 429]
    assert blocked.status_code == 429
    assert blocked.mimetype == "application/problem+json"
    assert int(blocked.headers["Retry-After"]) > 0
    assert other_user.status_code == 200


def test_successful_sign_ins_do_not_count_towards_the_limit(make_app):
    app = make_app(LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    given_user(app, "ann")

    answers = [login(client, "ann").status_code for _ in range(4)]

    assert answers == [200] * 4


def test_a_deactivated_user_can_neither_sign_in_nor_use_a_token(app, client, as_admin):
    user = given_user(app, "ann")
    old_token = bearer(app, user)
    version = client.get(f"/api/v1/users/{user.id}", headers=as_admin).headers["ETag"]

    client.patch(f"/api/v1/users/{user.id}", json={"active": False}, headers={**as_admin, "If-Match": version})

    assert login(client, "ann").status_code == 401
    assert client.get("/api/v1/me", headers=old_token).status_code == 401


def test_a_password_change_signs_out_existing_tokens(app, client, as_admin):
    user = given_user(app, "ann")
    old_token = bearer(app, user)

    client.patch(f"/api/v1/users/{user.id}", json={"password": "a brand new secret"}, headers=as_admin)

    assert client.get("/api/v1/me", headers=old_token).status_code == 401
    assert login(client, "ann", "a brand new secret").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/api-keys"])
def test_admin_routes_refuse_other_roles_with_403(client, as_rep, path):
    listing = client.get(path, headers=as_rep)
    creating = client.post(path, json={"name": "x"}, headers=as_rep)

    assert listing.status_code == 403 and creating.status_code == 403
    assert listing.mimetype == "application/problem+json"


def test_an_api_key_authenticates_with_its_role(client, as_admin, rpc):
    created = client.post("/api/v1/api-keys", json={"name": "erp", "role": "finance"}, headers=as_admin)
    key = created.get_json()["key"]

    me = client.get("/api/v1/me", headers={"X-API-Key": key})

    assert created.status_code == 201
    assert me.status_code == 200
    assert (me.get_json()["kind"], me.get_json()["role"]) == ("api_key", "finance")


def test_a_revoked_or_wrong_api_key_answers_401(client, as_admin):
    created = client.post("/api/v1/api-keys", json={"name": "erp", "role": "finance"}, headers=as_admin).get_json()

    revoked = client.delete(f"/api/v1/api-keys/{created['id']}", headers=as_admin)
    after = client.get("/api/v1/me", headers={"X-API-Key": created["key"]})
    forged = client.get("/api/v1/me", headers={"X-API-Key": created["key"][:-2] + "xx"})

    assert revoked.status_code == 204
    assert after.status_code == 401 and forged.status_code == 401


def test_api_key_listing_never_shows_secrets(client, as_admin):
    created = client.post("/api/v1/api-keys", json={"name": "tms", "scopes": ["tms"]}, headers=as_admin).get_json()

    listing = client.get("/api/v1/api-keys", headers=as_admin)

    [item] = listing.get_json()["items"]
    assert item["id"] == created["id"] and item["scopes"] == ["tms"]
    assert "key" not in item and created["key"] not in listing.get_data(as_text=True)


def test_a_scope_only_key_cannot_call_services(client, as_admin, rpc):
    key = client.post("/api/v1/api-keys", json={"name": "tms", "scopes": ["tms"]}, headers=as_admin).get_json()["key"]

    response = client.get("/api/v1/accounts", headers={"X-API-Key": key})

    assert response.status_code == 403
    assert rpc.calls == []
