"""Server-sent-events benchmark (run on purpose; see tests/bench/README.md):

    .venv/bin/python tests/bench/bench_sse.py [--json] [--events 20000] [--runs 5]

Compares the hand-written parser isolde used before (kept below as `hand_parse`, fed by httpx's
`Response.iter_lines()` as providers/queue.py did) with httpx-sse as isolde.providers.net.sse now
wraps it (`response_events`, the library's own line splitter and decoder). Both read the same
bytes through a real httpx.Response over an in-memory stream, so the figures are parsing alone:

- speed: a stream of fal-like status events (JSON with log lines, a comment keep-alive every 10
  events) in reads of 64 B and of 16 KiB; events per CPU second, the fastest of `--runs` (parsers
  taking turns).
- conformance: small streams, each checking one rule of the WHATWG event-stream format (line
  endings, separators inside data, events without data, ids with NUL, a cut-off tail, a BOM…).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx

from isolde.providers.net.sse import ServerEvent, response_events

Events = list[tuple[str, str, str | None]]


def hand_parse(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """The parser src/isolde/providers/net/sse.py had before httpx-sse, verbatim in logic."""
    event, data, last_id = "", [], None
    for line in lines:
        if not line:
            if data:
                yield ServerEvent(event or "message", "\n".join(data), last_id)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            last_id = value


def _response(chunks: list[bytes]) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "text/event-stream; charset=utf-8"}, content=iter(chunks)
    )


def run_hand(chunks: list[bytes]) -> Events:
    return [(e.event, e.data, e.id) for e in hand_parse(_response(chunks).iter_lines())]


def run_library(chunks: list[bytes]) -> Events:
    return [(e.event, e.data, e.id) for e in response_events(_response(chunks))]


PARSERS: dict[str, Callable[[list[bytes]], Events]] = {
    "hand + iter_lines": run_hand,
    "httpx-sse": run_library,
}


def status_stream(n: int) -> bytes:
    parts = []
    for i in range(n):
        status = {
            "status": "IN_PROGRESS",
            "queue_position": None,
            "logs": [{"message": f"step {i}: separating", "level": "INFO", "timestamp": "x"}] * 3,
        }
        parts.append(f"id: {i}\nevent: status\ndata: {json.dumps(status)}\n\n")
        if i % 10 == 0:
            parts.append(": ping\n\n")
    return "".join(parts).encode()


def split(raw: bytes, size: int) -> list[bytes]:
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def speed(events: int, runs: int) -> dict[str, dict[str, float]]:
    raw = status_stream(events)
    figures: dict[str, dict[str, float]] = {name: {"mb": len(raw) / 1e6} for name in PARSERS}
    for size in (64, 16384):
        chunks = split(raw, size)
        best = dict.fromkeys(PARSERS, float("inf"))
        # Parsers take turns and keep their fastest run: a burst of load elsewhere on the
        # machine then slows one run of each, not all runs of one.
        for _ in range(runs):
            for name, parse in PARSERS.items():
                start = time.process_time()
                got = parse(chunks)
                best[name] = min(best[name], time.process_time() - start)
                if len(got) != events:
                    raise SystemExit(f"{name}: {len(got)} events of {events}")
        for name in PARSERS:
            figures[name][f"events_per_s_{size}"] = events / best[name]
    return figures


# name: (stream pieces as read from the socket, the events the standard gives)
CASES: dict[str, tuple[list[bytes], Events]] = {
    "LF line endings": ([b"data: a\n\n"], [("message", "a", None)]),
    "CRLF line endings": ([b"data: a\r\n\r\n"], [("message", "a", None)]),
    "CR line endings": ([b"data: a\r\r"], [("message", "a", None)]),
    "CRLF split across reads": (
        [b"data: a\r", b"\n\r", b"\ndata: b\n\n"],
        [("message", "a", None), ("message", "b", None)],
    ),
    "UTF-8 split across reads": ([b"data: \xc3", b"\xa9\n\n"], [("message", "é", None)]),
    "U+2028 inside data": (["data: a\u2028b\n\n".encode()], [("message", "a\u2028b", None)]),
    "NEL / form feed inside data": (
        ["data: a\x85b\x0cc\n\n".encode()],
        [("message", "a\x85b\x0cc", None)],
    ),
    "multi-line data": ([b"data: a\ndata: b\n\n"], [("message", "a\nb", None)]),
    "no space / two spaces": ([b"data:a\ndata:  b\n\n"], [("message", "a\n b", None)]),
    "named event, id kept": (
        [b"event: s\nid: 1\ndata: a\n\ndata: b\n\n"],
        [("s", "a", "1"), ("message", "b", "1")],
    ),
    "comment keep-alive": ([b": ping\n\ndata: a\n\n"], [("message", "a", None)]),
    "event without data": ([b"event: ping\n\nretry: 5\n\n"], []),
    "id holding NUL ignored": ([b"id: a\x00b\ndata: x\n\n"], [("message", "x", None)]),
    "cut-off tail dropped": ([b"data: a\n\ndata: b"], [("message", "a", None)]),
    "leading BOM stripped": (["\ufeffdata: a\n\n".encode()], [("message", "a", None)]),
}


def conformance() -> dict[str, dict[str, bool]]:
    results: dict[str, dict[str, bool]] = {}
    for case, (pieces, expected) in CASES.items():
        results[case] = {}
        for name, parse in PARSERS.items():
            try:
                ok = parse(pieces) == expected
            except Exception:
                ok = False
            results[case][name] = ok
    return results


def table(figures: dict[str, Any], cases: dict[str, dict[str, bool]]) -> str:
    names = list(PARSERS)
    mb = next(iter(figures.values()))["mb"]
    lines = [f"speed, {mb:.1f} MB of status events (events per CPU second, fastest run)"]
    lines.append(f"{'parser':<20}{'64 B reads':>14}{'16 KiB reads':>14}")
    for name in names:
        row = figures[name]
        lines.append(
            f"{name:<20}{row['events_per_s_64']:>14,.0f}{row['events_per_s_16384']:>14,.0f}"
        )
    lines.append("")
    lines.append(f"{'conformance (WHATWG)':<30}" + "".join(f"{n:>20}" for n in names))
    for case, row in cases.items():
        lines.append(f"{case:<30}" + "".join(f"{'ok' if row[n] else 'WRONG':>20}" for n in names))
    totals = [sum(row[n] for row in cases.values()) for n in names]
    lines.append(f"{'passed':<30}" + "".join(f"{t:>17}/{len(cases):<2}" for t in totals))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures, cases = speed(args.events, args.runs), conformance()
    out = {"speed": figures, "conformance": cases}
    print(json.dumps(out, indent=1) if args.json else table(figures, cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
