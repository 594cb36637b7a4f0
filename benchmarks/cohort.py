"""Benchmark cohort builds: serial vs pooled full builds, an unchanged rebuild, one edited file.

Run from the repository root: ``python benchmarks/cohort.py [--count 40] [--jobs 2]``.
The jurisdictions are fictional variations of tests/data/complete.yaml.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "complete.yaml"

# An unchanged rebuild in a fresh interpreter, as the CLI would run it; it must not load
# WeasyPrint. Prints the seconds build_many took.
CACHED_RUN = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from lead_replicate.cohort import build_many
from lead_replicate.documents.packet import BuildOptions
files = sorted(Path({plans!r}).glob("*.yaml"))
t = time.perf_counter()
items = build_many(files, BuildOptions(out_dir=Path({out!r})), jobs={jobs})
took = time.perf_counter() - t
assert all(i.cached for i in items), [i.file for i in items if not i.cached]
assert "weasyprint" not in sys.modules, "a cached run loaded WeasyPrint"
print(took)
"""


def generate(folder: Path, count: int) -> list[Path]:
    """``count`` fictional jurisdictions: complete.yaml with a numbered name and slug."""
    text = FIXTURE.read_text(encoding="utf-8")
    files = []
    for n in range(1, count + 1):
        body = text.replace("name: Example City and County, Oregon",
                            f"name: Example City {n:02d} and County, Oregon", 1)
        body = body.replace("slug: example-city", f"slug: example-city-{n:02d}", 1)
        path = folder / f"example-{n:02d}.yaml"
        path.write_text(body, encoding="utf-8")
        files.append(path)
    return files


def timed(files: list[Path], out: Path, jobs: int) -> tuple[float, int]:
    """Seconds for one build_many call, and how many files it actually built."""
    from lead_replicate.cohort import build_many
    from lead_replicate.documents.packet import BuildOptions

    start = time.perf_counter()
    items = build_many(files, BuildOptions(out_dir=out), jobs=jobs)
    took = time.perf_counter() - start
    failed = [f"{i.file}: {i.problem}" for i in items if i.problem]
    if failed:
        raise SystemExit("build failed:\n" + "\n".join(failed))
    return took, sum(not i.cached for i in items)


def _burn(n: int) -> int:
    return sum(i * i for i in range(n))


def cpu_ceiling(jobs: int) -> float:
    """The speed-up plain CPU work gets from ``jobs`` spawned processes on this machine now.

    On a shared or throttled machine this is well below ``jobs``; it bounds the pool's speed-up.
    """
    work = [3_000_000] * jobs
    start = time.perf_counter()
    for n in work:
        _burn(n)
    serial = time.perf_counter() - start
    with get_context("spawn").Pool(jobs) as pool:
        pool.map(_burn, [1] * jobs)  # start the workers before timing
        start = time.perf_counter()
        pool.map(_burn, work)
        return serial / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--snapshot", action="store_true",
                        help="benchmark a copy of the package and templates taken at the start, "
                             "so edits made meanwhile cannot invalidate the cache mid-run")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    with tempfile.TemporaryDirectory(prefix="lead-bench-") as tmp:
        base = Path(tmp)
        root = ROOT
        if args.snapshot:
            root = base / "snapshot"
            for name in ("lead_replicate", "templates"):
                shutil.copytree(ROOT / name, root / name,
                                ignore=shutil.ignore_patterns("__pycache__"))
        sys.path.insert(0, str(root))
        plans = base / "plans"
        plans.mkdir()
        files = generate(plans, args.count)
        rows: list[tuple[str, float, int]] = []
        pooled_out = base / "out-pooled"
        pooled, n = timed(files, pooled_out, args.jobs)
        rows.append((f"full build, --jobs {args.jobs}", pooled, n))
        serial, n = timed(files, base / "out-serial", 1)
        rows.append(("full build, --jobs 1", serial, n))
        cached, n = timed(files, pooled_out, args.jobs)
        rows.append(("unchanged rebuild (same process)", cached, n))
        script = CACHED_RUN.format(root=str(root), plans=str(plans), out=str(pooled_out),
                                   jobs=args.jobs)
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        if run.returncode:
            raise SystemExit(f"the unchanged rebuild in a fresh process failed:\n{run.stderr}")
        fresh = float(run.stdout)
        rows.append(("unchanged rebuild (fresh process)", fresh, 0))
        files[len(files) // 2].write_text(
            files[len(files) // 2].read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        edited, n = timed(files, pooled_out, args.jobs)
        rows.append(("one file edited", edited, n))
        ceiling = cpu_ceiling(args.jobs)

    print(f"{args.count} jurisdictions, {os.cpu_count()} CPUs\n")
    print(f"{'run':36}{'seconds':>9}{'built':>7}{'vs pooled full':>16}")
    for name, seconds, built in rows:
        print(f"{name:36}{seconds:9.2f}{built:7d}{seconds / pooled:16.1%}")
    print(f"\nspeed-up --jobs {args.jobs} over --jobs 1: {serial / pooled:.2f}x (target >= 1.6x; "
          f"plain CPU work gets {ceiling:.2f}x here now)")
    print(f"unchanged rebuild: {max(cached, fresh) / pooled:.1%} of a full --jobs {args.jobs} "
          "build (target <= 5%)")


if __name__ == "__main__":
    main()
