"""Import police statistics or survey results from a CSV or JSONL file through the intake's endpoint.

    python -m kmzb_intake.importer crimes.csv --layer police_crimes --source kwp-krakow-2026-10 \\
        --url http://127.0.0.1:8000 --token "$KMZB_TOKEN"

The file is sent in batches of rows (each CSV batch with its header) so a progress bar can follow;
the intake validates every row, publishes the new ones and skips those imported before, so running
the same import twice adds nothing. Exit code 0 when every row was accepted, 2 when some were
rejected (listed with their reasons), 1 when the import could not finish.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["batches", "run", "main"]


def batches(data: bytes, fmt: str, size: int) -> Iterator[tuple[int, int, bytes]]:
    """(first row number, row count, body) for each batch of at most ``size`` rows."""
    text = data.decode("utf-8-sig", errors="replace")
    if fmt == "jsonl":
        lines = [ln for ln in text.splitlines() if ln.strip()]
        for start in range(0, len(lines), size):
            chunk = lines[start : start + size]
            yield start + 1, len(chunk), ("\n".join(chunk) + "\n").encode()
        return
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return
    rows = list(reader)
    for start in range(0, len(rows), size):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows[start : start + size])
        yield start + 1, len(rows[start : start + size]), out.getvalue().encode()


def _bar(done: int, total: int, stream: IO[str], width: int = 30) -> None:
    filled = width * done // total if total else width
    pct = 100 * done // total if total else 100
    stream.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {pct:3d}% {done}/{total} wierszy")
    stream.flush()


def run(
    path: Path,
    *,
    layer: str,
    source: str,
    url: str,
    token: str,
    fmt: str | None = None,
    batch_size: int = 1000,
    progress: IO[str] = sys.stderr,
) -> dict[str, Any]:
    """Send the file batch by batch and return the summed summary."""
    fmt = fmt or ("jsonl" if path.suffix.lower() in (".jsonl", ".ndjson") else "csv")
    parts = list(batches(path.read_bytes(), fmt, batch_size))
    total = sum(n for _, n, _ in parts)
    summary: dict[str, Any] = {"rows": 0, "published": 0, "duplicates": 0, "rejected": []}
    done = 0
    _bar(0, total, progress)
    for first_row, count, body in parts:
        query = urllib.parse.urlencode({"layer": layer, "source": source, "format": fmt, "first_row": first_row})
        request = urllib.request.Request(
            f"{url.rstrip('/')}/api/v1/imports/statistics?{query}",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/x-ndjson" if fmt == "jsonl" else "text/csv",
            },
        )
        with urllib.request.urlopen(request, timeout=120) as resp:
            part = json.loads(resp.read())
        for key in ("rows", "published", "duplicates"):
            summary[key] += part[key]
        summary["rejected"].extend(part["rejected"])
        done += count
        _bar(done, total, progress)
    progress.write("\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m kmzb_intake.importer", description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--layer", required=True, choices=["police_crimes", "police_offences", "survey_safety"])
    parser.add_argument("--source", required=True, help="Source system or file name (part of each row's id)")
    parser.add_argument("--format", choices=["csv", "jsonl"], help="By the file's suffix if omitted")
    parser.add_argument("--url", default=os.environ.get("KMZB_INTAKE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("KMZB_TOKEN"), help="Analyst's bearer token ($KMZB_TOKEN)")
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("a bearer token is required (--token or KMZB_TOKEN)")
    try:
        summary = run(
            args.file,
            layer=args.layer,
            source=args.source,
            url=args.url,
            token=args.token,
            fmt=args.format,
            batch_size=args.batch_size,
        )
    except urllib.error.HTTPError as exc:
        print(f"\nImport przerwany: HTTP {exc.code}: {exc.read().decode(errors='replace')[:500]}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"\nImport przerwany: {exc}", file=sys.stderr)
        return 1
    print(
        f"Wiersze: {summary['rows']}, opublikowane: {summary['published']}, "
        f"już zaimportowane: {summary['duplicates']}, odrzucone: {len(summary['rejected'])}"
    )
    for r in summary["rejected"]:
        print(f"  wiersz {r['row']}: {r['code']}: {r['reason']}")
    return 2 if summary["rejected"] else 0


if __name__ == "__main__":
    sys.exit(main())
