"""The notifier's use cases, one module per job.

- ``reports``: routed reports and residents' confirmations (open, merge, count, assign by beat);
- ``commands``: officers' changes (status, assignment, beats, webhooks), scope checked by ``access``;
- ``timers``: missed deadlines, the outbox relay, webhook deliveries;
- ``views``: what officers and the public read (task lists, feeds, digest, public threats);
- ``emitter``: the one place that writes outbox, feeds and webhook queue, and publishes.

Use cases raise the domain's exceptions (``domain.errors``); the HTTP entrypoint maps them once.
"""

from __future__ import annotations

from dataclasses import dataclass

from .access import Access, require_role
from .commands import Commands
from .emitter import Clock, Emitter, LatePublisher, Publisher
from .reports import Reports
from .timers import Timers
from .views import Views

__all__ = [
    "Access",
    "Clock",
    "Commands",
    "Emitter",
    "LatePublisher",
    "Notifier",
    "Publisher",
    "Reports",
    "Timers",
    "Views",
    "require_role",
]


@dataclass(frozen=True, slots=True)
class Notifier:
    """The use cases, wired over one set of stores (``bootstrap.build_notifier``)."""

    reports: Reports
    commands: Commands
    timers: Timers
    views: Views
    emitter: Emitter
    clock: Clock
