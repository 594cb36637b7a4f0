"""Benchmark: our Seattle packet build against the weasyprint command on the same HTML files.

Run from the repository root: ``python benchmarks/build.py [--repeat N]``. Both sides start
a fresh process, as a user would: ours builds every PDF of the packet (five documents now;
three before the decisions brief and consent form) in one process with one shared stylesheet
and font configuration; the baseline runs ``weasyprint`` once per HTML file. Then what
``--docx`` adds (target: at most 0.3 s): the same build with Word files, and, in one fresh
process, the Word files of the MOU, manual and checklist alone (python-docx's import
included).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEATTLE = ROOT / "examples" / "seattle.yaml"
OURS = """
import sys
from pathlib import Path
from lead_replicate.documents.packet import BuildOptions, build_jurisdiction
result = build_jurisdiction(Path(sys.argv[1]), BuildOptions(Path(sys.argv[2])))
sys.exit(0 if result.complete else 1)
"""


DOCX_ONLY = """
import sys, time
from pathlib import Path
from lead_replicate.documents.packet import BuildOptions, render_document
from lead_replicate.rules.validate import validate_file
report = validate_file(sys.argv[1])
pages = [render_document(report, d, BuildOptions(Path("x")))
         for d in ("mou", "manual", "checklist")]
start, cpu = time.perf_counter(), time.process_time()
from lead_replicate.documents.word.docx import html_to_docx
for html in pages:
    html_to_docx(html)
cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
start = time.perf_counter()
for html in pages:
    html_to_docx(html)
print(f"{cold:.3f} {time.perf_counter() - start:.3f} {cold_cpu:.3f}")
"""


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per side (median is kept)")
    args = parser.parse_args()
    weasy = shutil.which("weasyprint")
    base_cmd = [weasy] if weasy else [sys.executable, "-m", "weasyprint"]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600", PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # Setup (not timed): the self-contained HTML files the baseline renders.
        subprocess.run([sys.executable, "-c", OURS.replace("BuildOptions(Path(sys.argv[2]))",
                        "BuildOptions(Path(sys.argv[2]), html=True)"), str(SEATTLE),
                        str(work / "setup")], check=True, cwd=ROOT, env=env)
        htmls = sorted((work / "setup" / "seattle").glob("*.html"))
        ours, theirs = [], []
        for i in range(args.repeat):
            ours.append(_timed([sys.executable, "-c", OURS, str(SEATTLE),
                                str(work / f"ours{i}")], env))
            start = time.perf_counter()
            for html in htmls:
                out = work / f"theirs{i}" / html.with_suffix(".pdf").name
                out.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run([*base_cmd, str(html), str(out)], check=True, env=env)
            theirs.append(time.perf_counter() - start)
        pdfs = sorted((work / "ours0" / "seattle").glob("*.pdf"))
        pages = sum(_pages(p) for p in pdfs)
        t_ours, t_theirs = statistics.median(ours), statistics.median(theirs)
        n = len(pdfs)
        print(f"ours (one process, {n} PDFs):   {t_ours:.2f} s  (runs: "
              f"{', '.join(f'{t:.2f}' for t in ours)})")
        print(f"weasyprint command x{n}:        {t_theirs:.2f} s  (runs: "
              f"{', '.join(f'{t:.2f}' for t in theirs)})")
        print(f"ratio ours/weasyprint:        {t_ours / t_theirs:.2f}  (target <= 1.0)")
        print(f"pages: {pages}; seconds per page: ours {t_ours / pages:.3f}, "
              f"weasyprint {t_theirs / pages:.3f}")
        for pdf in pdfs:
            theirs_pdf = work / "theirs0" / pdf.name
            print(f"  {pdf.name}: {_pages(pdf)} pages, {pdf.stat().st_size:,} bytes "
                  f"(weasyprint command: {theirs_pdf.stat().st_size:,} bytes)")
        with_docx = [_timed([sys.executable, "-c", OURS.replace(
            "BuildOptions(Path(sys.argv[2]))", "BuildOptions(Path(sys.argv[2]), docx=True)"),
            str(SEATTLE), str(work / f"docx{i}")], env) for i in range(args.repeat)]
        alone = [subprocess.run([sys.executable, "-c", DOCX_ONLY, str(SEATTLE)], check=True,
                                cwd=ROOT, env=env, capture_output=True, text=True
                                ).stdout.split() for _ in range(args.repeat)]
        cold = statistics.median(float(a[0]) for a in alone)
        warm = statistics.median(float(a[1]) for a in alone)
        cold_cpu = statistics.median(float(a[2]) for a in alone)
        t_docx = statistics.median(with_docx)
        print(f"ours with --docx ({n} PDFs, {n} .docx): {t_docx:.2f} s  (runs: "
              f"{', '.join(f'{t:.2f}' for t in with_docx)}); adds {t_docx - t_ours:+.2f} s")
        print(f"the MOU, manual and checklist Word files alone, fresh process: {cold:.3f} s "
              "with python-docx's import "
              f"(target <= 0.3; CPU time {cold_cpu:.3f} s, what it takes on an idle machine), "
              f"{warm:.3f} s once loaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
