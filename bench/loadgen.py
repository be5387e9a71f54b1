"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, one request in flight each.

Plain asyncio streams and a hand-written request (no httpx on the hot path), so the generator
costs a few tens of microseconds per request and leaves the CPU to the servers:

    .venv/bin/python bench/loadgen.py --port 8000 --path /health --duration 6

Runs ``--warmup`` seconds unmeasured, then ``--duration`` seconds measured on the same
connections. Prints one JSON object: requests completed in the window, errors (non-2xx,
broken connections), the window, and every latency in microseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time


class Window:
    def __init__(self) -> None:
        self.start = float("inf")
        self.end = float("inf")
        self.latencies: list[int] = []
        self.errors = 0
        self.statuses: dict[int, int] = {}


async def _client(host: str, port: int, request: bytes, window: Window) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    perf = time.perf_counter
    try:
        while True:
            sent = perf()
            if sent >= window.end:
                return
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at < 0:
                raise RuntimeError(f"no Content-Length in response: {head[:200]!r}")
            length = int(lower[at + 17 : lower.index(b"\r\n", at + 2)])
            await reader.readexactly(length)
            done = perf()
            if window.start <= done < window.end:
                if 200 <= status < 300:
                    window.latencies.append(int((done - sent) * 1e6))
                else:
                    window.errors += 1
                    window.statuses[status] = window.statuses.get(status, 0) + 1
    finally:
        writer.close()


async def run(args: argparse.Namespace) -> dict[str, object]:
    headers = [f"GET {args.path} HTTP/1.1", f"Host: {args.host}:{args.port}"]
    if args.token:
        headers.append(f"Authorization: Bearer {args.token}")
    headers.append("Accept: application/json")
    request = ("\r\n".join(headers) + "\r\n\r\n").encode()
    window = Window()
    now = time.perf_counter()
    window.start = now + args.warmup
    window.end = window.start + args.duration
    tasks = [
        asyncio.create_task(_client(args.host, args.port, request, window))
        for _ in range(args.concurrency)
    ]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    broken = [repr(r) for r in results if isinstance(r, BaseException)]
    return {
        "path": args.path,
        "concurrency": args.concurrency,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "requests": len(window.latencies),
        "errors": window.errors + len(broken),
        "statuses": window.statuses,
        "broken_connections": broken[:3],
        "latencies_us": window.latencies,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--token", default=os.environ.get("BENCH_TOKEN", ""), help="or BENCH_TOKEN")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=6.0)
    args = parser.parse_args()
    json.dump(asyncio.run(run(args)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
