"""One plan file's build outcome: the one record that goes from the worker to the closing table.

A worker process builds the packet and returns an :class:`Outcome`; the cohort keeps it in
input order, the build cache stores it (so an unchanged file still has its table row), and
the command line prints it. It is plain, picklable data: never an exception object or a
:class:`~lead_replicate.rules.validate.Report` (which holds the whole parsed file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lead_replicate.findings import Counts, Finding

if TYPE_CHECKING:
    from lead_replicate.rules.validate import Report

NOTHING_BUILT = "nothing built: the file has errors (listed above)"


@dataclass
class Outcome:
    """What became of one plan file in one ``build``.

    ``problem`` is the one place a failure is said: why the file's documents were not all
    written, for any reason other than the refusal rule (which ``refused`` lists). A file with
    a problem is *failed*; a file with neither a problem nor a refusal is *complete*.
    """

    file: str
    jurisdiction: str = ""  # the plan's name, else the file's name
    slug: str | None = None  # the output folder, when the plan got that far
    counts: Counts | None = None  # None when the file was never checked (a crash, a clash)
    readiness: float | None = None  # percent, when the plan's structure is valid
    written: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # file names the refusal rule held back
    removed: list[str] = field(default_factory=list)  # earlier documents the plan no longer backs
    draft: bool = False  # the MOU and manual were written marked DRAFT
    cached: bool = False  # the documents from an earlier build were still current
    problem: str | None = None
    blocking: list[Finding] = field(default_factory=list)  # the errors behind refused/not built
    detail: str = ""  # a traceback for an internal error, shown with -vv

    @property
    def failed(self) -> bool:
        return self.problem is not None

    @property
    def complete(self) -> bool:
        """Every requested document was written (drafts included): exit status 0."""
        return self.problem is None and not self.refused

    @classmethod
    def checked(cls, report: Report) -> Outcome:
        """The outcome of checking a plan, before any document is written.

        Counts and readiness come from the report, which computes them once for every output.
        """
        readiness = report.readiness
        outcome = cls(report.file, jurisdiction=report.jurisdiction or Path(report.file).name,
                      counts=report.counts,
                      readiness=None if readiness is None else float(readiness.percent))
        if not report.structurally_valid:
            outcome.problem = NOTHING_BUILT
            outcome.blocking = [f for f in report.findings if f.severity == "error"]
        return outcome

    @classmethod
    def failure(cls, file: str | Path, problem: str, *, detail: str = "",
                jurisdiction: str = "", slug: str | None = None) -> Outcome:
        """A file that could not be built at all (a crash, a slug clash, an internal error)."""
        return cls(str(file), jurisdiction=jurisdiction or Path(file).name, slug=slug,
                   problem=problem, detail=detail)
