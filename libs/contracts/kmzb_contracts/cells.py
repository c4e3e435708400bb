"""The H3 resolutions of KMZB, defined once: every service computes and reads cells at these."""

from __future__ import annotations

__all__ = ["ROUTING_RESOLUTION", "HOTSPOT_RESOLUTION", "DEDUP_RESOLUTION", "PRIVACY_RESOLUTION"]

ROUTING_RESOLUTION = 7
"""The jurisdiction index (edge about 1.2 km): which unit owns a place."""
HOTSPOT_RESOLUTION = 8
"""Hotspot counts and Gi* (edge about 460 m)."""
DEDUP_RESOLUTION = 9
"""Duplicate search (edge about 170 m): a report in the cell or its first ring is the same threat."""
PRIVACY_RESOLUTION = 8
"""Privacy categories are shown publicly at the centre of their cell of this resolution."""
