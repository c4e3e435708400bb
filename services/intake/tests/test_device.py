"""Device key and client address rules."""

from kmzb_intake.domain.device import client_address, device_key_hash


def test_forwarded_for_is_ignored_from_an_untrusted_peer():
    assert client_address(peer="203.0.113.9", forwarded_for="1.2.3.4", trusted_proxies=frozenset()) == "203.0.113.9"


def test_forwarded_for_from_a_trusted_proxy_gives_the_rightmost_untrusted_hop():
    trusted = frozenset({"10.0.0.1", "10.0.0.2"})
    got = client_address(peer="10.0.0.1", forwarded_for="6.6.6.6, 198.51.100.7, 10.0.0.2", trusted_proxies=trusted)
    assert got == "198.51.100.7"


def test_device_hash_is_keyed_and_hides_the_address():
    a = device_key_hash(secret=b"k1" * 8, address="198.51.100.7", device_token="t")
    b = device_key_hash(secret=b"k2" * 8, address="198.51.100.7", device_token="t")
    assert a != b and "198.51" not in a and len(a) == 64
