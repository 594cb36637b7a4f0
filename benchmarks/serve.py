"""Benchmark the workbench (`lead-replicate serve`): edits and previews through the HTTP API.

Not a test. Starts the real server on 127.0.0.1 (a copy of Seattle in a temporary folder),
makes 200 edits with PATCH, back to back and then at a person's pace (one every 250 ms),
and times each request until its new findings are back (split into edits that change a
value and edits that add or remove a key, which ruamel must re-lay out), then times the
document previews. Only loopback traffic; it stops by itself.

    python benchmarks/serve.py

Targets (issue 12): 95th percentile from request to new findings <= 100 ms; preview HTML
<= 300 ms (on the 2-core machine).
"""

from __future__ import annotations

import http.client
import itertools
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEATTLE = ROOT / "examples" / "seattle.yaml"

# The edits a planner makes: numbers, three-state flags, choices, text; some undecided (null).
EDITS = [
    ("case_management.caseload.maximum", [30, 25, 22, None, 25]),
    ("case_management.field_based", [True, False, None]),
    ("governance.policy_group.meets", ["monthly", "weekly", None]),
    ("prosecution.other_cases", ["coordinate", "no-coordination"]),
    ("jurisdiction.pilot_area", ["Belltown", "Belltown and Skyway", "Downtown: 3rd Avenue"]),
    ("evaluation.comparison_group", [True, None]),
    ("jurisdiction.population", [737015, None]),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (f"{name}: n={len(ms)} median {statistics.median(ms):.1f} ms, "
            f"p95 {percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms")


class Client:
    """A keep-alive HTTP client on the standard library, with Nagle's delay off like a browser
    (httpx adds about 40 ms per request on loopback here, which is not the server's)."""

    def __init__(self, address: str, token: str) -> None:
        host, port = address.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def request(self, method: str, path: str, body: object = None) -> bytes:
        if self.conn.sock is None:
            self.conn.connect()
            self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        data = None if body is None else json.dumps(body).encode()
        self.conn.request(method, path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
        return payload


def _has(data: dict, path: str) -> bool:
    node: object = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def main(edits: int = 200, previews: int = 20) -> None:
    folder = Path(tempfile.mkdtemp(prefix="lead-serve-bench-"))
    shutil.copy(SEATTLE, folder / "seattle.yaml")
    proc = subprocess.Popen([sys.executable, "-m", "lead_replicate", "serve", str(folder),
                             "--no-browser"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        address, token = proc.stdout.readline().strip().split("/?token=")
        client = Client(address, token)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.request("GET", "/api/plans/seattle")  # loads the plan once
                break
            except OSError:
                client.conn.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        time.sleep(1)  # the page would now be showing; the plan's document is read by then
        for pause in (0.0, 0.25):
            cycle = itertools.cycle([(p, v) for p, values in EDITS for v in values])
            data = json.loads(client.request("GET", "/api/plans/seattle"))["data"]
            timings: dict[str, list[float]] = {"value": [], "structure": []}
            for _ in range(edits):
                path, value = next(cycle)
                had = _has(data, path)
                start = time.perf_counter()
                body = json.loads(client.request("PATCH", "/api/plans/seattle",
                                                 {"path": path, "value": value}))
                took = time.perf_counter() - start
                assert "findings" in body
                data = body["data"]
                kind = "value" if had and value is not None else "structure"
                timings[kind].append(took)
                time.sleep(pause)
            every = timings["value"] + timings["structure"]
            how = "back to back" if not pause else f"one every {pause * 1000:.0f} ms"
            print(summary(f"PATCH -> new findings, {edits} edits {how}", every))
            print("  " + summary("a value changed", timings["value"]))
            print("  " + summary("a key added or removed", timings["structure"]))
        for document in ("mou", "manual", "checklist"):
            times = []
            for _ in range(previews):
                start = time.perf_counter()
                client.request("GET", f"/api/plans/seattle/preview/{document}")
                times.append(time.perf_counter() - start)
            print(summary(f"preview {document}", times))
        start = time.perf_counter()
        client.request("GET", "/api/compare")
        print(f"comparison matrix: {1000 * (time.perf_counter() - start):.1f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
