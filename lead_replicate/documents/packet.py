"""Build one jurisdiction's packet: MOU, protocol manual, readiness checklist, consent form."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from lead_replicate.documents.context import build_context
from lead_replicate.documents.folders import OWNER_NAME, claim_folder
from lead_replicate.documents.output import safe_output_path, write_atomic, written_by_us
from lead_replicate.documents.templating import make_environment, render_template, standalone_html
from lead_replicate.errors import (
    LeadError,
    LoadError,
    OutputError,
    PdfEngineError,
    os_error_text,
)
from lead_replicate.loading.loader import read_plan_bytes
from lead_replicate.outcome import Outcome
from lead_replicate.rules.validate import Report, unreadable_report, validate_text

log = logging.getLogger(__name__)

DOCUMENTS = {"mou": "mou.pdf", "manual": "protocol-manual.pdf",
             "checklist": "readiness-checklist.pdf", "decisions": "decisions.pdf",
             "consent": "consent-form.pdf"}
# The checklist and the decisions brief are how a plan with open findings moves forward.
ALWAYS_BUILT = ("checklist", "decisions")


def needs_draft(document: str, report: Report) -> bool:
    """Whether ``document`` may be built only as a marked draft for this plan.

    The consent form depends only on how information is shared: it is final once that
    principle is met, whatever else is open. The MOU and manual need a plan with no error.
    """
    if document in ALWAYS_BUILT:
        return False
    if document == "consent":
        return report.statuses.get("information-sharing") != "met"
    return report.errors > 0


@dataclass
class BuildOptions:
    """What the ``build`` command was asked to do."""

    out_dir: Path
    html: bool = False
    draft: bool = False
    templates: Path | None = None
    # --force: rebuild every file (the cache is not read), replace files in out_dir that this
    # tool did not write, and take over a jurisdiction folder that another plan wrote.
    force: bool = False
    docx: bool = False  # also write each document as an editable Word file beside its PDF


def generated_on() -> dt.date:
    """Today, or the date ``SOURCE_DATE_EPOCH`` names, so builds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.datetime.now(tz=dt.timezone.utc).date()


def document_slug(report: Report) -> str:
    """The output folder name: the plan's ``jurisdiction.slug`` (normalization derives it)."""
    return str((report.plan or {}).get("jurisdiction", {}).get("slug") or "jurisdiction")


def render_document(report: Report, document: str, options: BuildOptions, *,
                    source_name: str | None = None, on: dt.date | None = None) -> str:
    """The HTML of one document (``mou``, ``manual`` or ``checklist``) for a checked plan."""
    env = make_environment(options.templates)
    context = build_context(report, document=document, draft=options.draft,
                            generated_on=on or generated_on(),
                            source_name=source_name or Path(report.file).name)
    return render_template(env, f"{document}/{document}.html", context)


def build_jurisdiction(path: Path, options: BuildOptions, raw: bytes | None = None) -> Outcome:
    """Check a plan and write its documents; a bad input file is reported, not raised.

    ``raw`` is the file's bytes when the caller has read them already (the cohort does, to key
    its cache): those same bytes are checked and rendered, and the file is not read again, so
    the documents always match the bytes the cache records. A file with YAML or format errors
    builds nothing. A file with principle errors always gets its readiness checklist; its MOU
    and manual are refused unless ``draft`` is set.
    """
    path = Path(path)
    if raw is None:
        try:
            raw = read_plan_bytes(path)
        except LoadError as exc:
            return Outcome.checked(unreadable_report(str(path), exc))
    report = validate_text(raw, str(path))
    outcome = Outcome.checked(report)
    if not report.structurally_valid:
        return outcome
    outcome.slug = document_slug(report)
    outcome.draft = options.draft and report.errors > 0
    try:
        _write_documents(path, report, options, outcome)
    except LeadError as exc:  # a broken override template, a file in the way: this file only
        outcome.problem = str(exc)
    if outcome.refused:
        outcome.blocking = [f for f in report.findings if f.severity == "error"]
    return outcome


def _write_documents(path: Path, report: Report, options: BuildOptions,
                     outcome: Outcome) -> None:
    """Render the documents this plan may have and write them (PDF; HTML and Word when
    asked)."""
    on = generated_on()
    pages: dict[str, str] = {}
    for document, filename in DOCUMENTS.items():
        draft = needs_draft(document, report)
        if draft and not options.draft:
            outcome.refused.append(filename)
            continue
        outcome.draft = outcome.draft or draft
        pages[filename] = render_document(report, document,
                                          dataclasses.replace(options, draft=draft),
                                          source_name=path.name, on=on)
    slug = str(outcome.slug)
    claim_folder(safe_output_path(options.out_dir, slug, OWNER_NAME).parent, path,
                 force=options.force)
    _remove_refused(options.out_dir, slug, outcome)
    targets = {name: safe_output_path(options.out_dir, slug, name) for name in pages}
    want_html = options.html
    try:
        from lead_replicate.documents.pdf import render_pdf

        pdfs = {name: render_pdf(html, overrides=options.templates)
                for name, html in pages.items()}
    except PdfEngineError as exc:
        outcome.problem = str(exc)
        pdfs, want_html = {}, True
    for name, data in pdfs.items():
        write_atomic(targets[name], data, force=options.force)
        outcome.written.append(targets[name])
    if want_html:
        for name, html in pages.items():
            target = targets[name].with_suffix(".html")
            write_atomic(target, standalone_html(html, options.templates).encode("utf-8"),
                         force=options.force)
            outcome.written.append(target)
    if options.docx:  # Word needs no PDF engine: written even when Pango is missing
        from lead_replicate.documents.word.docx import html_to_docx

        for name, html in pages.items():
            target = targets[name].with_suffix(".docx")
            write_atomic(target, html_to_docx(html, overrides=options.templates),
                         force=options.force)
            outcome.written.append(target)


def _remove_refused(out_dir: Path, slug: str, outcome: Outcome) -> None:
    """Remove the refused documents an earlier build wrote, so no stale MOU sits beside a new
    checklist. Only files whose bytes this tool wrote are removed; a user's file stays."""
    for name in outcome.refused:
        for candidate in (name, *(str(Path(name).with_suffix(s)) for s in (".html", ".docx"))):
            target = safe_output_path(out_dir, slug, candidate)
            if target.is_file() and written_by_us(target):
                try:
                    target.unlink()
                except OSError as exc:
                    raise OutputError(os_error_text(target, exc)) from None
                outcome.removed.append(candidate)
