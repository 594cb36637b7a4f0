"""Build one jurisdiction's packet: MOU, protocol manual and readiness checklist."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from lead_replicate.documents.context import build_context
from lead_replicate.documents.output import safe_output_path, write_atomic
from lead_replicate.documents.templating import make_environment, render_template, standalone_html
from lead_replicate.errors import LeadError, PdfEngineError
from lead_replicate.rules.validate import Report, validate_file

log = logging.getLogger(__name__)

DOCUMENTS = {"mou": "mou.pdf", "manual": "protocol-manual.pdf",
             "checklist": "readiness-checklist.pdf"}
ALWAYS_BUILT = ("checklist",)  # the checklist is how a plan with open findings moves forward


@dataclass
class BuildOptions:
    """What the ``build`` command was asked to do."""

    out_dir: Path
    html: bool = False
    draft: bool = False
    templates: Path | None = None
    force: bool = False  # replace files in out_dir that this tool did not write


@dataclass
class BuildResult:
    """What happened to one file: written paths, refused documents, one plain summary line."""

    file: str
    slug: str | None
    report: Report
    written: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    message: str = ""
    error: str | None = None  # a problem that is not the file's (e.g. the PDF engine is missing)

    @property
    def ok(self) -> bool:
        """True when everything asked for was written (the CLI exits 1 otherwise)."""
        return self.report.plan is not None and not self.refused and self.error is None


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


def _refusal_reason(report: Report) -> str:
    n = report.errors
    return (f"{n} principle error{'s' if n != 1 else ''} "
            "(fix them, or use --draft to build marked drafts)")


def build_jurisdiction(path: Path, options: BuildOptions) -> BuildResult:
    """Validate ``path`` and write its documents; a bad input file is reported, not raised.

    A file with YAML or schema errors builds nothing. A file with principle errors always
    gets its readiness checklist; its MOU and manual are refused unless ``draft`` is set.
    """
    path = Path(path)
    report = validate_file(path)
    if not report.structurally_valid:
        return BuildResult(str(path), None, report,
                           message=f"{path}: nothing built: the file has errors (see above)")
    slug = document_slug(report)
    result = BuildResult(str(path), slug, report)
    draft = options.draft and report.errors > 0
    try:
        _write_documents(path, report, options, result, draft)
    except LeadError as exc:  # a broken override template, a file in the way: this file only
        result.error = str(exc)
    result.message = _summary(result, draft)
    return result


def _write_documents(path: Path, report: Report, options: BuildOptions, result: BuildResult,
                     draft: bool) -> None:
    """Render the documents this plan may have and write them (PDF, and HTML when asked)."""
    failing = report.errors > 0
    doc_options = dataclasses.replace(options, draft=draft)
    plain_options = dataclasses.replace(options, draft=False)
    on = generated_on()
    pages: dict[str, str] = {}
    for document, filename in DOCUMENTS.items():
        if failing and not options.draft and document not in ALWAYS_BUILT:
            result.refused.append(filename)
            continue
        chosen = plain_options if document in ALWAYS_BUILT else doc_options
        pages[filename] = render_document(report, document, chosen,
                                          source_name=path.name, on=on)
    targets = {name: safe_output_path(options.out_dir, str(result.slug), name) for name in pages}
    want_html = options.html
    if pages:
        try:
            from lead_replicate.documents.pdf import render_pdf

            pdfs = {name: render_pdf(html, overrides=options.templates)
                    for name, html in pages.items()}
        except PdfEngineError as exc:
            result.error = str(exc)
            pdfs, want_html = {}, True
        for name, data in pdfs.items():
            write_atomic(targets[name], data, force=options.force)
            result.written.append(targets[name])
        if want_html:
            for name, html in pages.items():
                target = targets[name].with_suffix(".html")
                write_atomic(target, standalone_html(html, options.templates).encode("utf-8"),
                             force=options.force)
                result.written.append(target)


def _summary(result: BuildResult, draft: bool) -> str:
    parts = [f"{result.file}: "]
    if result.written:
        parts.append(f"wrote {', '.join(p.name for p in result.written)} in "
                     f"{result.written[0].parent}")
        if draft:
            parts.append(" (marked DRAFT)")
    if result.refused:
        parts.append("; " if result.written else "")
        parts.append(f"refused {' and '.join(result.refused)}: {_refusal_reason(result.report)}")
    if result.error:
        parts.append(f"; {result.error}")
    return "".join(parts)
