"""Officers' authentication: OAuth2 bearer JWTs from a configurable issuer, roles and unit scopes.

Production verifies tokens of a real identity provider with its public keys (a JWKS). The local
development mode instead shares an HS256 secret between the services and lets the notifier issue
tokens for the documented demo accounts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from fastapi import Request
from pydantic import BaseModel, Field, SecretStr

from .http import ApiError

__all__ = [
    "AuthSettings",
    "Role",
    "Principal",
    "TokenVerifier",
    "TokenIssuer",
    "DEMO_ACCOUNTS",
    "bearer_principal",
    "principal_dependency",
]


class AuthSettings(BaseModel):
    """How tokens are verified (nested: KMZB_<SERVICE>_AUTH__<FIELD>)."""

    issuer: str = Field(default="kmzb-dev", description="Expected `iss` claim")
    audience: str = Field(default="kmzb", description="Expected `aud` claim")
    jwks: str | None = Field(default=None, description="JSON Web Key Set of the identity provider (RS256/ES256)")
    hs256_secret: SecretStr | None = Field(
        default=None, description="Local development only: shared HMAC secret; never set in production"
    )
    dev_login: bool = Field(default=False, description="Local development only: demo accounts may log in")
    token_ttl_s: int = Field(default=8 * 3600, ge=60, le=86400, description="Lifetime of dev-issued tokens")
    leeway_s: int = Field(default=30, ge=0, le=300, description="Clock skew allowed")

    @property
    def configured(self) -> bool:
        """Whether tokens can be verified at all."""
        return bool(self.jwks or self.hs256_secret)


class Role(StrEnum):
    """What a user may do."""

    OFFICER = "officer"
    COORDINATOR = "coordinator"
    ANALYST = "analyst"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated officer: who, which roles, which units."""

    subject: str
    name: str
    roles: frozenset[Role]
    units: frozenset[str]

    def has_role(self, *roles: Role) -> bool:
        """Whether the principal has any of ``roles`` (admins have all)."""
        return Role.ADMIN in self.roles or any(r in self.roles for r in roles)

    def covers(self, unit_chain: Iterable[str]) -> bool:
        """Whether a thing owned by a unit with this chain (national first) is in the principal's scope.

        A unit's users see the unit and its whole subtree; admins see everything.
        """
        return Role.ADMIN in self.roles or not self.units.isdisjoint(unit_chain)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A documented demo account of the local development mode."""

    username: str
    name: str
    roles: tuple[Role, ...]
    units: tuple[str, ...]


DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS: dict[str, DemoAccount] = {
    a.username: a
    for a in (
        DemoAccount("dzielnicowy.krakow", "asp. Anna Nowak", (Role.OFFICER,), ("KMP-1261",)),
        DemoAccount("koordynator.krakow", "kom. Piotr Wiśniewski", (Role.COORDINATOR,), ("KMP-1261",)),
        DemoAccount("koordynator.kwp12", "insp. Ewa Zielińska", (Role.COORDINATOR,), ("KWP-12",)),
        DemoAccount("dzielnicowy.gdansk", "sierż. Tomasz Lewandowski", (Role.OFFICER,), ("KMP-2261",)),
        DemoAccount("analityk.kgp", "mł. insp. Marek Kowalczyk", (Role.ANALYST,), ("KGP",)),
        DemoAccount("admin", "Administrator KMZB", (Role.ADMIN,), ("KGP",)),
    )
}


def _unauthorised(code: str, pl: str, en: str) -> ApiError:
    return ApiError(401, code, pl, en, headers={"WWW-Authenticate": 'Bearer realm="kmzb"'})


class TokenVerifier:
    """Verifies bearer tokens against the configured keys, issuer and audience."""

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKSet.from_json(settings.jwks) if settings.jwks else None
        self._secret = settings.hs256_secret.get_secret_value() if settings.hs256_secret else None

    def _key_for(self, token: str) -> tuple[Any, list[str]]:
        header = jwt.get_unverified_header(token)
        if self._jwks is not None:
            kid = header.get("kid")
            for key in self._jwks.keys:
                if kid is None or key.key_id == kid:
                    return key.key, [key.algorithm_name]
            raise jwt.InvalidKeyError(f"unknown key id {kid!r}")
        if self._secret is not None:
            return self._secret, ["HS256"]
        raise jwt.InvalidKeyError("no verification key configured")

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; ApiError 401 otherwise."""
        try:
            key, algorithms = self._key_for(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise _unauthorised("token_expired", "Sesja wygasła. Zaloguj się ponownie.", "Token expired.") from None
        except jwt.PyJWTError:
            raise _unauthorised("invalid_token", "Nieprawidłowy token dostępu.", "Invalid access token.") from None
        roles = frozenset(Role(r) for r in claims.get("roles", []) if r in Role._value2member_map_)
        units = claims.get("units", [])
        if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
            raise _unauthorised("invalid_token", "Nieprawidłowy token dostępu.", "Invalid access token.")
        return Principal(
            subject=str(claims["sub"]), name=str(claims.get("name", claims["sub"])), roles=roles, units=frozenset(units)
        )


class TokenIssuer:
    """Local development mode only: issues HS256 tokens for the demo accounts."""

    def __init__(self, settings: AuthSettings, *, clock: Callable[[], float] = time.time) -> None:
        if not (settings.dev_login and settings.hs256_secret):
            raise ValueError("the token issuer needs dev_login and an hs256_secret (local development only)")
        self._settings = settings
        self._secret = settings.hs256_secret.get_secret_value()
        self._clock = clock

    def login(self, username: str, password: str) -> str:
        """A token for a demo account; ApiError 401 on wrong credentials."""
        account = DEMO_ACCOUNTS.get(username)
        if account is None or password != DEMO_PASSWORD:
            raise _unauthorised("invalid_credentials", "Nieprawidłowy login lub hasło.", "Wrong username or password.")
        now = int(self._clock())
        claims = {
            "iss": self._settings.issuer,
            "aud": self._settings.audience,
            "sub": account.username,
            "name": account.name,
            "roles": [r.value for r in account.roles],
            "units": list(account.units),
            "iat": now,
            "exp": now + self._settings.token_ttl_s,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")


def bearer_principal(verifier: TokenVerifier) -> Callable[..., Principal]:
    """A FastAPI dependency that returns the caller's principal or answers 401."""

    def dependency(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _unauthorised("missing_token", "Wymagane logowanie.", "Authentication required.")
        return verifier.verify(token.strip())

    return dependency


def principal_dependency(verifier: TokenVerifier | None, *, jwks_setting: str) -> Callable[..., Principal]:
    """``bearer_principal(verifier)``; without a verifier (no key configured), 503 ``auth_not_configured``.

    ``jwks_setting`` names the environment variable that configures the keys, for the English message.
    """
    if verifier is not None:
        return bearer_principal(verifier)

    def not_configured() -> Principal:
        raise ApiError(
            503,
            "auth_not_configured",
            "Logowanie nie jest skonfigurowane.",
            f"Authentication is not configured (set {jwks_setting}).",
        )

    return not_configured
