"""The convening comparison: many jurisdictions side by side, as plain data and as one PDF."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lead_replicate import __version__
from lead_replicate.errors import LeadError, OutputError, PdfEngineError, os_error_text
from lead_replicate.findings import Counts, Finding
from lead_replicate.labels import ROLE_NAMES
from lead_replicate.labels import label as in_words
from lead_replicate.rules.confirm import TO_CONFIRM
from lead_replicate.rules.plan import section
from lead_replicate.rules.principles import load_rulebook
from lead_replicate.rules.validate import Report, collect_files, validate_file

log = logging.getLogger(__name__)

# The design choices a convening argues about, in the order the issue lists them.
CHOICES: dict[str, str] = {
    "doors": "Referral doors",
    "offenses": "Eligible offenses",
    "intake": "Intake window",
    "caseload": "Caseload (average / maximum)",
    "pm_host": "Project manager's host",
    "policy_group": "Policy group: decisions, meetings",
    "operations_group": "Operations group meets",
    "diverted_charges": "Diverted charges",
}
UNDECIDED = "not decided"
MATRIX_COLUMNS = 12  # jurisdictions per matrix page: legible in landscape with short names
TOP_ITEMS = 6  # open items on a profile page; the readiness checklist has the rest
STATUS_ORDER = ("error", "open", "warning", "met")


@dataclass
class ComparisonRow:
    """One file in the comparison; ``compared`` is False when its structure could not be read."""

    file: str
    name: str
    short_name: str
    slug: str
    compared: bool
    counts: Counts  # errors, warnings and open questions, exactly as validate counts them
    readiness: int | None = None
    statuses: dict[str, str] = field(default_factory=dict)  # principle id -> met/warning/open/error
    choices: dict[str, str] = field(default_factory=dict)  # choice key -> text shown
    partners: list[dict[str, Any]] = field(default_factory=list)
    top_items: list[dict[str, str]] = field(default_factory=list)
    more_items: int = 0
    first_error: str = ""

    @property
    def principles(self) -> dict[str, int]:
        """How many principles are met, have a warning, are open or are not met (error).

        Principles, not findings: one principle can have several findings, so these are not
        the numbers ``validate`` prints (those are :attr:`counts`).
        """
        tally = Counter(self.statuses.values())
        return {s: tally.get(s, 0) for s in STATUS_ORDER}


@dataclass
class Spread:
    """How one design choice varies across the compared sites (most common answer first)."""

    key: str
    label: str
    distinct: int
    values: list[tuple[str, int]]

    @property
    def agreement(self) -> int:
        """Percentage of sites giving the most common answer (100: everyone agrees)."""
        total = sum(n for _, n in self.values)
        return self.values[0][1] * 100 // total if total else 100


@dataclass
class Comparison:
    """Everything the comparison document shows; no HTML, so other outputs can reuse it."""

    rows: list[ComparisonRow]
    principles: list[dict[str, str]]
    differing_choices: list[Spread]

    @property
    def compared(self) -> list[ComparisonRow]:
        return [r for r in self.rows if r.compared]

    @property
    def unreadable(self) -> list[ComparisonRow]:
        return [r for r in self.rows if not r.compared]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _words(value: Any, field: str = "") -> str:
    return in_words(value, field) if value not in (None, "") else UNDECIDED


def _policy_group(pcg: dict) -> str:
    rule, meets = pcg.get("decision_rule"), pcg.get("meets")
    if not rule and not meets:
        return UNDECIDED
    decides = "decides by " + _words(rule, "decision_rule") if rule else \
        "decision rule " + UNDECIDED
    return (f"{decides}; "
            f"{'meets ' + _words(meets) if meets else 'meetings ' + UNDECIDED}")


def design_choices(plan: dict) -> tuple[dict[str, str], dict[str, str]]:
    """(text to show, value to compare) for each choice; names differ between sites, so
    the project manager's host is compared by role, not by organization name."""
    people = {s.get("id"): s for s in plan.get("stakeholders") or [] if isinstance(s, dict)}
    referral = section(plan, "referral")
    flags = {label: section(referral, key).get("enabled") for key, label in (
        ("arrest_diversion", "arrest diversion"), ("social_contact", "social contact"),
        ("community_referral", "community referral"))}
    doors = [label for label, enabled in flags.items() if enabled is True]
    offenses = [_text(o.get("name")) for o in
                section(referral, "arrest_diversion").get("eligible_offenses") or []
                if isinstance(o, dict) and _text(o.get("name"))]
    prosecution = section(plan, "prosecution")
    days = prosecution.get("intake_window_days")
    load = section(plan, "case_management", "caseload")
    avg, most = load.get("average"), load.get("maximum")
    host_id = section(plan, "governance", "project_manager").get("host")
    host = people.get(host_id) or {}
    role = ROLE_NAMES.get(host.get("role", ""), "")
    pcg = section(plan, "governance", "policy_group")
    owg = section(plan, "governance", "operations_group")
    show = {
        "doors": ("all three" if len(doors) == 3 else ", ".join(doors) if doors
                  else "none enabled" if False in flags.values() else UNDECIDED),
        "offenses": "; ".join(offenses) if offenses else UNDECIDED,
        "intake": f"{days} days" if isinstance(days, int) else UNDECIDED,
        "caseload": (f"{avg if avg is not None else '?'} / {most if most is not None else '?'}"
                     if avg is not None or most is not None else UNDECIDED),
        "pm_host": (f"{host.get('name', host_id)} ({role.lower()})" if host and role
                    else str(host_id) if host_id else UNDECIDED),
        "policy_group": _policy_group(pcg),
        "operations_group": _words(owg.get("meets")) if owg else UNDECIDED,
        "diverted_charges": _words(prosecution.get("diverted_charges")),
    }
    same = dict(show)
    same["offenses"] = "; ".join(sorted({o.lower() for o in offenses})) or UNDECIDED
    same["pm_host"] = role or show["pm_host"]
    return show, same


def _top_items(findings: Sequence[Finding], titles: dict[str, str]) -> list[dict[str, str]]:
    """Unmet core principles first, then open core questions, open recommended questions,
    warnings, and last the terms still to confirm (settled in the plan, awaiting a partner's
    word): a convening sees what blocks the program before what is only to be checked.
    One entry per distinct message."""
    rank = {("error", "violation"): 0, ("error", "open"): 1, ("warning", "open"): 2,
            ("warning", "violation"): 3}

    def order(f: Finding) -> tuple[int, int]:
        return (5 if f.principle == TO_CONFIRM else rank.get((f.severity, f.status), 4), f.line)

    seen: set[tuple[str, str]] = set()
    items = []
    for f in sorted(findings, key=order):
        if not f.is_principle or (f.principle, f.message) in seen:
            continue
        seen.add((f.principle, f.message))
        kind = "error" if (f.severity, f.status) == ("error", "violation") else \
            "open" if f.status == "open" else "warning"
        title = ("Term to confirm" if f.principle == TO_CONFIRM
                 else titles.get(f.principle, f.principle))
        items.append({"kind": kind, "principle": title,
                      "message": f.message, "fix": f.fix, "line": str(f.line)})
    return items


def _row(report: Report,
         titles: dict[str, str]) -> tuple[ComparisonRow, dict[str, str]]:
    from lead_replicate.documents.packet import document_slug

    path = Path(report.file)
    name = report.jurisdiction or path.stem
    plan = report.plan or {}
    j = section(plan, "jurisdiction")
    row = ComparisonRow(file=str(report.file), name=name,
                        short_name=_text(j.get("short_name")) or name,
                        slug=document_slug(report), compared=report.structurally_valid,
                        counts=report.counts)
    if not row.compared:
        first = next((f for f in report.findings if f.severity == "error"), None)
        row.first_error = f"line {first.line}: {first.message}" if first else ""
        return row, {}
    row.readiness = report.readiness.percent if report.readiness else None
    row.statuses = report.statuses
    row.choices, same = design_choices(plan)
    row.partners = [{"name": _text(s.get("name")) or str(s.get("id")),
                     "role": ROLE_NAMES.get(s.get("role", ""), "Other partner"),
                     "signatory": s.get("signatory") is True}
                    for s in plan.get("stakeholders") or [] if isinstance(s, dict)]
    items = _top_items(report.findings, titles)
    row.top_items, row.more_items = items[:TOP_ITEMS], max(0, len(items) - TOP_ITEMS)
    return row, same


def compare_reports(reports: Iterable[Report]) -> Comparison:
    """Rows in the order given, and the choices ranked by how much the sites differ."""
    rules = load_rulebook()
    titles = {p.id: p.title for p in rules}
    rows, compared_values = [], []
    for report in reports:
        row, same = _row(report, titles)
        rows.append(row)
        if row.compared:
            compared_values.append(same)
    spreads = []
    for key, label in CHOICES.items():
        tally = Counter(v[key] for v in compared_values).most_common()
        spreads.append(Spread(key, label, len(tally), tally))
    order = list(CHOICES)
    spreads.sort(key=lambda s: (-s.distinct, s.agreement, order.index(s.key)))
    principles = [{"id": p.id, "title": p.title, "severity": p.severity} for p in rules]
    return Comparison(rows, principles, spreads)


def matrix_pages(rows: Sequence[ComparisonRow],
                 per_page: int = MATRIX_COLUMNS) -> list[list[ComparisonRow]]:
    """Split the jurisdictions into balanced groups of at most ``per_page`` (40 -> 4 x 10)."""
    if not rows:
        return []
    pages = math.ceil(len(rows) / per_page)
    size = math.ceil(len(rows) / pages)
    return [list(rows[i:i + size]) for i in range(0, len(rows), size)]


def _sources_line(rows: Sequence[ComparisonRow]) -> str:
    names = [Path(r.file).name for r in rows]
    return ", ".join(names) if len(names) <= 4 else f"the {len(names)} files listed on page 1"


def render_comparison(comparison: Comparison, *, templates: Path | None = None,
                      on: Any = None) -> str:
    """The comparison's HTML, through the shared environment and base layout."""
    from lead_replicate.documents.context import page_context
    from lead_replicate.documents.packet import generated_on
    from lead_replicate.documents.templating import date_long, make_environment, render_template

    compared = comparison.compared
    on = on or generated_on()
    sources = _sources_line(comparison.rows)
    context = {
        **page_context(
            document="compare", doc_title="Convening Comparison", draft=False,
            generated_on=on, source_name=sources,
            j={"name": f"{len(compared)} LEAD jurisdictions", "short_name": "LEAD convening"},
            footer=(f"Convening comparison generated from {sources} by lead-replicate "
                    f"{__version__}, {date_long(on)}, for discussion among the jurisdictions. "
                    "Each plan's own MOU and manual remain drafts for review by its counsel.")),
        "cmp": comparison, "rows": comparison.rows, "compared": compared,
        "unreadable": comparison.unreadable, "principles": comparison.principles,
        "spreads": comparison.differing_choices, "pages": matrix_pages(compared),
        "choices": CHOICES, "undecided": UNDECIDED,
    }
    return render_template(make_environment(templates), "compare/comparison.html", context)


def build_comparison(paths: Iterable[str | Path], out: Path, *, html: bool = False,
                     templates: Path | None = None, force: bool = False) -> list[Path]:
    """Validate every file, write the comparison PDF to ``out`` (and its HTML beside it).

    When the PDF engine cannot start, the HTML is still written (a browser can print it)
    and the engine's plain-English error is raised afterwards.
    """
    from lead_replicate.documents.output import write_atomic
    from lead_replicate.documents.templating import standalone_html

    out = Path(out)
    if out.suffix.lower() in (".html", ".htm"):  # --html would write the HTML over the PDF
        raise OutputError(f"--out {out}: the comparison is a PDF; give a .pdf name such as "
                          f"{out.with_suffix('.pdf')} (--html writes the HTML beside it, "
                          f"as {out.with_suffix('.html')})")
    try:
        is_folder = out.is_dir()
    except OSError as exc:
        raise OutputError(os_error_text(out, exc)) from None
    if is_folder:
        raise OutputError(f"{out} is a folder: give a file name such as {out / 'comparison.pdf'}")
    files = collect_files(paths)
    if not files:
        raise LeadError("no jurisdiction files (*.yaml) were found to compare")
    comparison = compare_reports(validate_file(f) for f in files)
    if not comparison.compared:
        raise LeadError("none of the files could be read as a jurisdiction plan; "
                        "run lead-replicate validate on them to see why")
    page = render_comparison(comparison, templates=templates)
    written: list[Path] = []
    engine_error: PdfEngineError | None = None
    try:
        from lead_replicate.documents.pdf import render_pdf

        data = render_pdf(page, overrides=templates)
    except PdfEngineError as exc:
        engine_error, html = exc, True
    else:
        write_atomic(out, data, force=force)
        written.append(out)
    if html:
        target = out.with_suffix(".html")
        write_atomic(target, standalone_html(page, templates).encode("utf-8"), force=force)
        written.append(target)
    log.info("compared %d files: wrote %s", len(files), ", ".join(map(str, written)))
    if engine_error is not None:
        raise engine_error
    return written
