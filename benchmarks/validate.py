"""Benchmark `lead-replicate validate`: cold start on one file, and files per second on 1,000.

Not a test. Run from the repository root after installing the package:

    python benchmarks/validate.py            # uses `lead-replicate` on PATH, else python -m

Targets (issue 2): one file <= 0.5 s wall (median of cold runs); >= 200 files/second.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEATTLE = ROOT / "examples" / "seattle.yaml"
TEMPLATE = ROOT / "tests" / "data" / "complete.yaml"


def command() -> list[str]:
    exe = shutil.which("lead-replicate")
    return [exe] if exe else [sys.executable, "-m", "lead_replicate"]


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main(runs: int = 9, files: int = 1000) -> None:
    cmd = command()
    target = SEATTLE if SEATTLE.exists() else TEMPLATE
    timed([*cmd, "validate", str(target)])  # warm the OS file cache, not Python
    cold = [timed([*cmd, "validate", str(target)]) for _ in range(runs)]
    print(f"command: {' '.join(cmd)}")
    print(f"cold validate of {target.name}: median {statistics.median(cold):.3f} s "
          f"(min {min(cold):.3f}, max {max(cold):.3f}, {runs} runs; target <= 0.5 s)")

    text = TEMPLATE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(files):
            body = text.replace("Example City", f"Example City {i}").replace(
                "slug: example-city", f"slug: example-city-{i}")
            (folder / f"site-{i:04d}.yaml").write_text(body, encoding="utf-8")
        empty = timed([*cmd, "--version"])
        elapsed = timed([*cmd, "validate", "--format", "json", str(folder)])
    print(f"{files} files in one invocation: {elapsed:.2f} s -> {files / elapsed:.0f} files/s "
          f"({files / max(elapsed - empty, 1e-9):.0f} files/s excluding start-up; target >= 200)")


if __name__ == "__main__":
    main()
