"""Document previews: the packet's HTML from the same templates, shown in the page's frame."""

from __future__ import annotations

import html as html_lib
from pathlib import Path

from lead_replicate.workbench.workspace import NotFound, Plan

# The stylesheet and fonts come from /assets (the shipped ones); preview.css shows the pages
# on screen as the PDF lays them out (running headers become a note at the top).
_HEAD = ('<link rel="stylesheet" href="/assets/lead.css">'
         '<link rel="stylesheet" href="/static/preview.css">')


def documents() -> dict[str, str]:
    """Document key -> title, for every document the packet builds."""
    from lead_replicate.documents.context import TITLES
    from lead_replicate.documents.packet import DOCUMENTS

    return {key: TITLES.get(key, key) for key in DOCUMENTS}


def preview_html(plan: Plan, document: str) -> tuple[int, str]:
    """(status, HTML) of one document for the plan as edited; drafts when it has errors.

    The MOU and manual of a plan with errors are shown marked DRAFT, as ``build --draft``
    makes them, so the planners see what the documents will say while they work.
    """
    from lead_replicate.documents.packet import ALWAYS_BUILT, BuildOptions, render_document

    if document not in documents():
        raise NotFound(f"there is no document '{document}'; choose one of "
                       f"{', '.join(documents())}")
    report = plan.report
    if report.plan is None:
        return 422, _message("The documents appear once the plan's format errors are fixed: "
                             "see the findings.")
    draft = report.errors > 0 and document not in ALWAYS_BUILT
    options = BuildOptions(out_dir=Path("."), draft=draft)
    page = render_document(report, document, options, source_name=plan.path.name)
    return 200, page.replace("</head>", _HEAD + "</head>", 1)


def _message(text: str) -> str:
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Preview"
            f"</title>{_HEAD}</head><body><p class=\"workbench-note\">{html_lib.escape(text)}"
            "</p></body></html>")
