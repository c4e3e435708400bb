"""Report ids in the tail of the routed topic: what a crashed worker already sent but had not marked."""

from __future__ import annotations

import json

from kmzb_common.kafka import read_to_end

__all__ = ["recent_routed_report_ids"]


async def recent_routed_report_ids(bootstrap: str, topic: str, *, per_partition: int, fetch_wait_ms: int) -> set[str]:
    """Report ids of the last ``per_partition`` messages of every partition of the routed topic."""
    out: set[str] = set()
    for record in await read_to_end(bootstrap, topic, last=per_partition, fetch_max_wait_ms=fetch_wait_ms):
        try:
            out.add(str(json.loads(record.value)["report"]["report_id"]))
        except (ValueError, KeyError, TypeError):
            continue
    return out
