"""Random ids read from the OS CSPRNG in blocks."""

import os

from kmzb_common import ids


def test_ids_are_version_4_and_never_repeat_across_blocks():
    made = [ids.new_uuid4() for _ in range(10_000)]  # ~40 blocks of 4 KiB
    assert len(set(made)) == len(made)
    assert {u.version for u in made} == {4}
    assert {u.variant for u in made} == {made[0].variant}


def test_tokens_are_url_safe_and_of_the_asked_size():
    token = ids.token_urlsafe(24)
    assert len(token) == 32 and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_forked_child_does_not_reuse_its_parents_bytes(monkeypatch):
    ids.random_bytes(1)
    left = ids._state["buf"][ids._state["pos"] : ids._state["pos"] + 16]
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a child after fork
    assert ids.random_bytes(16) != left
    assert ids._state["pid"] == -1
