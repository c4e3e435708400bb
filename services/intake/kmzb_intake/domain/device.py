"""The device key: a keyed hash of the client address and device token, never the raw values."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["device_key_hash", "client_address"]


def device_key_hash(*, secret: bytes, address: str, device_token: str) -> str:
    """HMAC-SHA256 of the address and token under ``secret``, hex."""
    return hmac.new(secret, f"{address}|{device_token}".encode(), hashlib.sha256).hexdigest()


def client_address(*, peer: str, forwarded_for: str | None, trusted_proxies: frozenset[str]) -> str:
    """The client's address; X-Forwarded-For is believed only when the peer is a trusted proxy.

    The right-most address not itself a trusted proxy is the client.
    """
    if peer not in trusted_proxies or not forwarded_for:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return peer
