"""Documents say exactly what the plan says: one source of truth, brackets, no tool internals.

Run over every example, every stored plan that builds, and a fresh `init` plan.
"""

from __future__ import annotations

import html as htmlmod
import io
import re
from pathlib import Path

import pytest
from conftest import DATA, ROOT
from pypdf import PdfReader

from lead_replicate.documents.packet import BuildOptions, render_document
from lead_replicate.rules.confirm import covering, terms
from lead_replicate.rules.principles import load_rulebook
from lead_replicate.rules.validate import Report, validate_file
from lead_replicate.scaffold import write_new_plan

PARTNER = ("mou", "manual", "decisions")
PLANS = sorted([*ROOT.glob("examples/*.yaml"), *ROOT.glob("jurisdictions/*.yaml"),
                DATA / "complete.yaml", DATA / "principle-errors.yaml",
                *(DATA / "principles").glob("*.yaml")])


def _ids(plans: list[Path]) -> list[str]:
    return [p.stem for p in plans]


def render(report: Report, document: str) -> str:
    return render_document(report, document, BuildOptions(Path("unused"), draft=True),
                           source_name=Path(report.file).name)


def visible(html: str) -> str:
    body = html.split("<body", 1)[1]
    return re.sub(r"\s+", " ", htmlmod.unescape(re.sub(r"<[^>]+>", " ", body)))


# --- what a partner must never read --------------------------------------------------------

TOP_KEYS = ("jurisdiction", "stakeholders", "governance", "referral", "prosecution",
            "case_management", "services", "data_sharing", "racial_equity", "evaluation",
            "training", "funding", "milestones", "to_confirm")
# Rule ids that are not also plain English words in these documents.
RULE_IDS = [p.id for p in load_rulebook() if p.id not in (
    "harm-reduction", "voluntary", "pre-booking", "field-based", "information-sharing",
    "public-defense", "consensus", "caseload", "evaluation", "training", "racial-equity",
    "crisis-communications")]
INTERNALS = [
    (re.compile(rf"\b(?:{'|'.join(TOP_KEYS)})(?:\.|\[)\w"), "a dotted YAML path"),
    (re.compile(r"\b[a-z]+_[a-z_]+\b"), "a YAML key"),
    (re.compile(r"\bline \d+|\.ya?ml:\d+"), "a line reference"),
    (re.compile(rf"\b(?:{'|'.join(map(re.escape, RULE_IDS))})\b"), "a rule id"),
    (re.compile(r"(?<![\w-])--[a-z]"), "a command option"),
    (re.compile(r"plan file|\.ya?ml\b", re.IGNORECASE), "the plan file"),
    (re.compile(r"\b[\w-]+\.md\b"), "a reference to one of the project's own files"),
]


def internals(text: str) -> list[str]:
    return [f"{what}: {m.group(0)!r} in ...{text[max(0, m.start() - 40):m.end() + 20]}..."
            for pattern, what in INTERNALS for m in pattern.finditer(text)]


@pytest.fixture(scope="module")
def fresh_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("init")
    return write_new_plan(folder / "new.yaml", "Example Town, Oregon", "OR", "city")


@pytest.mark.parametrize("plan", PLANS, ids=_ids(PLANS))
def test_partner_documents_show_no_tool_internals(plan: Path) -> None:
    report = validate_file(plan)
    if not report.structurally_valid:
        pytest.skip("builds nothing")
    for document in PARTNER:
        assert internals(visible(render(report, document))) == [], document


def test_fresh_init_plan_drafts_show_no_tool_internals(fresh_plan: Path) -> None:
    report = validate_file(fresh_plan)
    for document in PARTNER:
        assert internals(visible(render(report, document))) == [], document


def test_draft_pdfs_show_no_tool_internals() -> None:
    """The PDF text itself, for the Albany draft's partner documents (the HTML tests above
    cover every plan; a PDF costs seconds each)."""
    from lead_replicate.documents.pdf import render_pdf

    report = validate_file(ROOT / "jurisdictions/albany.yaml")
    for document in ("mou", "decisions"):
        data = render_pdf(render(report, document))
        text = re.sub(r"\s+", " ", " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
        assert "Albany" in text
        assert internals(text) == [], document


# --- one source of truth -----------------------------------------------------------------

TBD = re.compile(r'class="tbd[^"]*" data-principle="([a-z-]+)"')


@pytest.mark.parametrize("plan", PLANS, ids=_ids(PLANS))
def test_documents_agree_with_validate(plan: Path) -> None:
    report = validate_file(plan)
    if not report.structurally_valid:
        pytest.skip("builds nothing")
    named: set[str] = set()
    for document in PARTNER:
        page = render(report, document)
        # A met principle is never called undecided or departing.
        for pid in TBD.findall(page):
            assert report.statuses[pid] != "met", (document, pid)
        named |= set(re.findall(r'data-principle="([a-z-]+)"', page))
    # Every principle validate leaves open (or broken) is named to the partners.
    unmet = {pid for pid, status in report.statuses.items() if status != "met"}
    assert unmet <= named, unmet - named
    checklist = render_document(report, "checklist", BuildOptions(Path("unused")))
    assert f"<strong>{report.counts.text()}</strong>" in checklist
    # The other numbers beside validate's say what they count: principles, and terms.
    if unmet:
        n = len(unmet)
        assert f"They concern {n} principle{'s' if n != 1 else ''} not yet met" in checklist
    terms = sum(f.principle == "to-confirm" for f in report.findings)
    if terms:
        assert f"{terms} term{'s' if terms != 1 else ''} still to confirm" in checklist


# An open point reads as a bracketed draft term, "[To be decided: ...]", in one style: a
# city attorney never meets the same kind of point as an unbracketed sentence elsewhere.
INNERMOST_BRACKET = re.compile(r"\[[^\[\]]*\]")


def outside_brackets(text: str) -> str:
    while True:
        stripped = INNERMOST_BRACKET.sub(" ", text)
        if stripped == text:
            return text
        text = stripped


@pytest.mark.parametrize("plan", PLANS, ids=_ids(PLANS))
def test_every_open_point_is_a_bracketed_draft_term(plan: Path) -> None:
    report = validate_file(plan)
    if not report.structurally_valid:
        pytest.skip("builds nothing")
    for document in (*PARTNER, "consent"):
        text = visible(render(report, document))
        loose = re.findall(r"[^.;:]{0,60}\bto be decided\b", outside_brackets(text), re.IGNORECASE)
        assert loose == [], (document, loose)


def test_fully_decided_plan_gets_a_short_brief() -> None:
    report = validate_file(DATA / "complete.yaml")
    brief = visible(render_document(report, "decisions", BuildOptions(Path("unused"))))
    assert "The plan decides every question the LEAD principles ask." in brief
    assert "Core decisions" not in brief


# --- terms to confirm --------------------------------------------------------------------

BRACKET = re.compile(r'<span class="tbc" data-path="([^"]+)">\[')
MANUAL_PRINTS = ("prosecution.", "case_management.caseload", "case_management.removal",
                 "data_sharing.", "governance.operations_group")
CONSENT_PRINTS = ("data_sharing.release_of_information", "data_sharing.frameworks",
                  "data_sharing.informant_use_prohibited")


@pytest.mark.parametrize("plan", ["examples/seattle.yaml", "examples/santa_fe.yaml"])
def test_every_term_to_confirm_is_bracketed_and_only_those(plan: str) -> None:
    report = validate_file(ROOT / plan)
    listed = terms(report.plan)
    assert listed, "the example lists its unconfirmed terms"
    opened = [f for f in report.findings if f.principle == "to-confirm"]
    assert len(opened) == len(listed) and {f.severity for f in opened} == {"warning"}
    pages = {d: render(report, d) for d in ("mou", "manual", "checklist", "consent")}
    for document, page in pages.items():
        for path in BRACKET.findall(page):
            assert covering(listed, path) is not None, (document, path)
    shown = set(BRACKET.findall(pages["mou"] + pages["manual"]))
    for term in listed:
        assert any(covering([term], p) for p in shown), term.path
        if term.path.startswith(MANUAL_PRINTS):
            assert any(covering([term], p) for p in BRACKET.findall(pages["manual"])), term.path
        if term.path.startswith(CONSENT_PRINTS):
            assert any(covering([term], p) for p in BRACKET.findall(pages["consent"])), term.path
    checklist = visible(pages["checklist"])
    assert "To confirm before signing" in checklist
    assert all(term.note.split()[0] in checklist for term in listed)


def test_seattle_final_mou_brackets_what_the_example_leaves_unconfirmed() -> None:
    report = validate_file(ROOT / "examples/seattle.yaml")
    mou = visible(render_document(report, "mou", BuildOptions(Path("unused"))))
    for text in ("[Seattle Police Department] (to be confirmed)", "[30 days] (to be confirmed)",
                 "[will not be filed] (to be confirmed)",
                 "[20] (to be confirmed) participants per case manager and never exceed [25]"):
        assert text in mou, text
    # Unconfirmed values never appear unbracketed.
    assert "within 30 days" not in mou and "not required to take drug tests," not in \
        mou.replace("[are not required to take drug tests]", "")


def test_the_principle_sentence_never_cuts_a_parenthesis() -> None:
    from lead_replicate.documents.openquestions import first_sentence

    text = ('Both groups meet on a regular schedule (Santa Fe\'s case group met every other '
            'week; Beckett: "recognize the importance of regular meetings"). The OWG meets.')
    assert first_sentence(text) == text.split(" The OWG")[0]
    assert first_sentence("Plans say so; Later text.") == "Plans say so."
    assert first_sentence("No stop at all") == "No stop at all"


def test_the_card_never_calls_the_offices_contact_the_liaison() -> None:
    # Santa Fe names the DA's office as liaison; its contact is the elected DA, not the liaison.
    report = validate_file(ROOT / "examples" / "santa_fe.yaml")
    card = visible(render(report, "manual"))
    assert "First Judicial District Attorney's Office (office contact: Angela" in card
    assert "Office: Angela" not in card
