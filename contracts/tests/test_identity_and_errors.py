import time

import jwt
import pytest
from crm_contracts.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from crm_contracts.identity import Identity, sign, verify
from nameko.exceptions import deserialize, serialize

SECRET = "unit-test-secret-0123456789abcdef0123"
REP = Identity(user_id="u-1", role="sales_rep", username="rep", region="east", team="t1")


def test_a_signed_identity_verifies_back_to_the_same_caller():
    assert verify(sign(REP, SECRET), SECRET) == REP


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_a_missing_or_malformed_identity_is_refused(token):
    with pytest.raises(Unauthenticated):
        verify(token, SECRET)


def test_an_identity_signed_with_another_secret_is_refused():
    with pytest.raises(Unauthenticated):
        verify(sign(REP, "someone-elses-secret-0123456789abcdef"), SECRET)


def test_an_expired_identity_is_refused():
    token = sign(REP, SECRET, ttl_seconds=-1)
    with pytest.raises(Unauthenticated, match="expired"):
        verify(token, SECRET)


def test_an_identity_with_an_unknown_role_is_refused():
    claims = {"user_id": "u", "role": "emperor", "aud": "crm-services", "iss": "crm-gateway",
              "exp": int(time.time()) + 60}
    with pytest.raises(Unauthenticated):
        verify(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET)


def test_domain_errors_cross_the_bus_as_their_own_class_with_their_details():
    validation = deserialize(serialize(ValidationFailed(errors={"phone": ["Not a valid phone number."]})))
    conflict = deserialize(serialize(Conflict("duplicate", duplicates=[{"id": "a"}])))
    missing = deserialize(serialize(NotFound("Account x was not found.")))

    assert isinstance(validation, ValidationFailed) and validation.errors == {"phone": ["Not a valid phone number."]}
    assert isinstance(conflict, Conflict) and conflict.extra["duplicates"] == [{"id": "a"}]
    assert (type(missing), str(missing), missing.status) == (NotFound, "Account x was not found.", 404)
