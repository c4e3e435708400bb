"""Open311 GeoReport v2: ``routes`` over ``parse`` (input), ``render`` (JSON/XML) and ``schema`` (documents)."""

from .routes import build_open311_router

__all__ = ["build_open311_router"]
