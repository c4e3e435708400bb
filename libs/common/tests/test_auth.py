"""Bearer tokens: verification by JWKS or the dev secret, roles and unit scopes."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kmzb_common.auth import AuthSettings, Principal, Role, TokenIssuer, TokenVerifier
from kmzb_common.http import ApiError


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks(key, kid="idp-1"):
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return json.dumps({"keys": [jwk]})


def _claims(**over):
    now = int(time.time())
    claims = {
        "iss": "https://sso.policja.example",
        "aud": "kmzb",
        "sub": "u1",
        "roles": ["officer"],
        "units": ["KMP-1261"],
        "iat": now,
        "exp": now + 60,
    }
    claims.update(over)
    return claims


def test_a_token_of_the_identity_provider_verifies_with_its_jwks(rsa_key):
    settings = AuthSettings(issuer="https://sso.policja.example", jwks=_jwks(rsa_key))
    token = jwt.encode(_claims(), rsa_key, algorithm="RS256", headers={"kid": "idp-1"})
    principal = TokenVerifier(settings).verify(token)
    assert principal.subject == "u1" and principal.roles == {Role.OFFICER} and principal.units == {"KMP-1261"}


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"exp": int(time.time()) - 3600}, "token_expired"),
        ({"iss": "https://evil.example"}, "invalid_token"),
        ({"aud": "other"}, "invalid_token"),
        ({"units": "KMP-1261"}, "invalid_token"),
    ],
)
def test_bad_tokens_are_refused_with_401(rsa_key, over, code):
    settings = AuthSettings(issuer="https://sso.policja.example", jwks=_jwks(rsa_key))
    token = jwt.encode(_claims(**over), rsa_key, algorithm="RS256", headers={"kid": "idp-1"})
    with pytest.raises(ApiError) as err:
        TokenVerifier(settings).verify(token)
    assert err.value.status == 401 and err.value.code == code
    assert err.value.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_hs256_token_is_refused_when_only_a_jwks_is_configured(rsa_key):
    settings = AuthSettings(issuer="https://sso.policja.example", jwks=_jwks(rsa_key))
    forged = jwt.encode(_claims(), "guess" * 8, algorithm="HS256", headers={"kid": "idp-1"})
    with pytest.raises(ApiError):
        TokenVerifier(settings).verify(forged)


def test_demo_accounts_log_in_only_in_the_dev_mode():
    secret = "dev-secret-0123456789abcdef0123456789"
    with pytest.raises(ValueError):
        TokenIssuer(AuthSettings(hs256_secret=secret))
    settings = AuthSettings(hs256_secret=secret, dev_login=True)
    token = TokenIssuer(settings).login("koordynator.kwp12", "demo")
    principal = TokenVerifier(settings).verify(token)
    assert principal.roles == {Role.COORDINATOR} and principal.units == {"KWP-12"}
    with pytest.raises(ApiError) as err:
        TokenIssuer(settings).login("koordynator.kwp12", "wrong")
    assert err.value.code == "invalid_credentials"


def test_scope_covers_the_unit_and_its_subtree_only():
    kwp = Principal("k", "k", frozenset({Role.COORDINATOR}), frozenset({"KWP-12"}))
    kmp = Principal("o", "o", frozenset({Role.OFFICER}), frozenset({"KMP-1261"}))
    admin = Principal("a", "a", frozenset({Role.ADMIN}), frozenset())
    krakow = ["KGP", "KWP-12", "KMP-1261"]
    gdansk = ["KGP", "KWP-22", "KMP-2261"]
    assert kwp.covers(krakow) and not kwp.covers(gdansk)
    assert kmp.covers(krakow) and not kmp.covers(["KGP", "KWP-12", "KPP-1217"])
    assert admin.covers(gdansk)
    assert kmp.has_role(Role.OFFICER) and not kmp.has_role(Role.COORDINATOR) and admin.has_role(Role.ANALYST)
