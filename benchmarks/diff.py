"""Benchmark `lead-replicate diff` on two Seattle drafts (the caseload limit changed).

Not a test. Run from the repository root: ``python benchmarks/diff.py [--repeat N]``.

Target (issue 11): the diff, with its Word redlines, in at most 1 s plus the PDF rendering.
Reported: the text report as a user runs it (a fresh process), and, in one fresh process,
reading and checking both drafts plus the diff, the redlines as Word files, and the PDF
rendering of the redlines on its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEATTLE = ROOT / "examples" / "seattle.yaml"
PHASES = """
import sys, time
from pathlib import Path
start, cpu = time.perf_counter(), time.process_time()
from lead_replicate.diff import diff_plans, read_side
from lead_replicate.documents.word import redline
old, new = read_side(sys.argv[1]), read_side(sys.argv[2])
diff_plans(old, new)
checked = time.perf_counter()
redline.write_redlines(old, new, Path(sys.argv[3]), pdf=False, force=True)
words, words_cpu = time.perf_counter(), time.process_time() - cpu
from lead_replicate.documents.word.blockhtml import blocks_html
from lead_replicate.documents.pdf import render_pdf
for doc in ("mou", "manual"):
    merged = redline.redline_blocks(redline.document_blocks(old, doc, None),
                                    redline.document_blocks(new, doc, None))
    render_pdf(blocks_html(merged))
pdf = time.perf_counter()
print(f"{checked - start:.3f} {words - checked:.3f} {pdf - words:.3f} {words_cpu:.3f}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs (the median is kept)")
    args = parser.parse_args()
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600", PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        draft = Path(tmp) / "seattle-draft2.yaml"
        text = SEATTLE.read_text(encoding="utf-8")
        assert text.count("maximum: 25") == 1
        draft.write_text(text.replace("maximum: 25", "maximum: 22"), encoding="utf-8")
        report = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "lead_replicate", "diff", str(SEATTLE),
                                   str(draft)], cwd=ROOT, env=env, capture_output=True)
            report.append(time.perf_counter() - start)
            assert done.returncode == 1, done.stderr
        phases = [[float(x) for x in subprocess.run(
            [sys.executable, "-c", PHASES, str(SEATTLE), str(draft), str(Path(tmp) / "out")],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.split()]
            for _ in range(args.repeat)]
    checked, words, pdf, cpu = (statistics.median(p[i] for p in phases) for i in range(4))
    print(f"diff (text report), fresh process:   {statistics.median(report):.2f} s  (runs: "
          f"{', '.join(f'{t:.2f}' for t in report)})")
    print(f"read and check both drafts, diff:     {checked:.2f} s")
    print(f"redlines as Word (MOU, manual):       {words:.2f} s")
    print(f"diff with Word redlines, without PDF: {checked + words:.2f} s  (target <= 1.0; CPU "
          f"time {cpu:.2f} s, what it takes on an idle machine)")
    print(f"PDF rendering of the two redlines:    {pdf:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
