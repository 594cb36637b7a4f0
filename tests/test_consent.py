"""The participant's release of information: every 42 CFR 2.31 element, plain language at
grade 8 or below (Flesch-Kincaid), one or two pages, and built only when sharing is decided."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT
from pypdf import PdfReader
from test_mou import complete, report_of

from lead_replicate import scaffold
from lead_replicate.documents.packet import BuildOptions, build_jurisdiction, render_document


def consent_html(plan: dict, draft: bool = False) -> str:
    report = report_of(plan)
    return render_document(report, "consent", BuildOptions(Path("unused"), draft=draft))


def text_of(page: str) -> str:
    body = re.sub(r"<(style|head)\b.*?</\1>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def words_of(page: str) -> str:
    """text_of, with no space left before a full stop or comma where a tag ended."""
    return re.sub(r" ([.,])", r"\1", text_of(page))


def plain_text(page: str) -> str:
    """The words written for the participant: the plain sections, without bracketed notes."""
    parts = re.findall(r'<section id="[a-z-]+" class="plain">(.*?)</section>', page, flags=re.S)
    text = text_of(" ".join(parts))
    return re.sub(r"\[[^\]]*\]", " ", text)


# --- Flesch-Kincaid grade level (Kincaid et al. 1975), implemented here -------------------

def syllables(word: str) -> int:
    """Vowel groups, less a silent final e: the usual approximation for the formula."""
    word = word.lower()
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def flesch_kincaid_grade(text: str) -> float:
    sentences = [s for s in re.split(r"[.!?:]+\s", text + " ") if re.search(r"[A-Za-z]", s)]
    words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", text)
    syl = sum(syllables(w) for w in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * syl / len(words) - 15.59


def test_the_formula_on_known_text() -> None:
    assert syllables("cat") == 1 and syllables("table") == 2 and syllables("information") == 4
    assert flesch_kincaid_grade("The cat sat on the mat. The dog ran.") < 1
    hard = ("Notwithstanding the aforementioned considerations, interagency memoranda "
            "necessitate comprehensive jurisdictional authorization.")
    assert flesch_kincaid_grade(hard) > 16


@pytest.mark.parametrize("name", ["complete.yaml", "seattle"])
def test_participant_text_is_grade_8_or_below(name: str) -> None:
    path = DATA / name if name.endswith(".yaml") else ROOT / "examples" / f"{name}.yaml"
    page = consent_html(yaml.safe_load(path.read_text(encoding="utf-8")))
    text = plain_text(page)
    assert len(text.split()) > 100
    assert flesch_kincaid_grade(text) <= 8.0, flesch_kincaid_grade(text)


def test_every_2_31_element_is_on_the_form() -> None:
    page = consent_html(complete())
    words = text_of(page)
    assert "Your name:" in words  # 1. the patient's name
    for org in ("Example City Police Department", "Example County District Attorney",
                "Example Public Defender", "Example Care Network", "Example Civic Partnership"):
        assert org in words  # 2 and 4: who may disclose, who may receive
    assert "each for the reason given" in words
    # 3: what is disclosed, and by whom
    assert "Records of your care for drug or alcohol use from the Example Care Network" in words
    assert ("Example County District Attorney (prosecution) gets only whether you are in LEAD, "
            "whether you finished intake, and how you are doing with your goals. It gets this "
            "to decide about the charge you were sent to LEAD for") in words  # 3 and 5, each
    assert "You can take back this consent at any time. Tell your case manager in writing." \
        in words  # 6. revocation, how, and not undoing what was done
    assert "It does not undo what was shared before you took it back." in words
    assert ("This consent ends: One year after you sign, or when you leave LEAD, whichever "
            "comes first.") in words  # 7. expiration, from the plan
    assert "Your signature" in words and "Date" in words  # 8 and 9
    assert "Witness: signature and printed name" in words
    assert "Counsel to review before use" in words


def test_parties_are_who_holds_or_receives_records_each_with_a_purpose() -> None:
    plan = complete()
    del plan["data_sharing"]["recipients"]
    for person in plan["stakeholders"]:
        if person["id"] == "care":
            person.pop("signatory", None)
            person["signatory"] = False
    who = words_of(re.search(r'<section id="consent-who".*?</section>', consent_html(plan),
                            flags=re.S).group(0))
    # The provider holds the records, so it is listed even when it does not sign.
    assert ("The Example Care Network (case management) holds your records. It uses them to "
            "give you LEAD services and plan your care with you.") in who
    # Where the plan does not say what a recipient gets, counsel completes it.
    assert ("The Example County District Attorney (prosecution) gets [Counsel to complete: what "
            "it gets]. It gets this to decide about the charge you were sent to LEAD for") in who
    assert ("The Example City Police Department (law enforcement) gets [Counsel to complete: "
            "what it gets]. It gets this so officers know you are in LEAD") in who
    assert ("The Example Public Defender (public defense) gets [Counsel to complete: what it "
            "gets]") in who
    assert who.count("[Counsel to complete: what it gets]") == 4  # not the provider
    # Community and government partners neither hold nor receive participant records.
    for person in plan["stakeholders"]:
        if person["role"] in ("community", "government"):
            assert person["name"] not in who, person["name"]
    del plan["case_management"]["provider"]
    for person in plan["stakeholders"]:
        if person["role"] == "case-management":
            person["role"] = "other"
    who = words_of(consent_html(plan))
    assert "[To be decided: the case-management provider, which holds the records]" in who


def test_each_recipient_gets_what_the_plan_says() -> None:
    """42 CFR 2.31: how much and what kind of information, per recipient, from the plan."""
    plan = complete()
    who = words_of(re.search(r'<section id="consent-who".*?</section>', consent_html(plan),
                            flags=re.S).group(0))
    assert ("Example City Police Department (law enforcement) gets only whether you are in "
            "LEAD and whether you finished intake. It gets this so officers know") in who
    assert ("Example Public Defender (public defense) gets only whether you are in LEAD, "
            "whether you finished intake, how you are doing with your goals, and your court "
            "cases and warrants.") in who
    assert "From the others, it gets only your court cases and warrants." in who
    assert "Counsel to complete" not in who
    # A partner the roles leave out is listed when the plan says it receives something.
    plan["data_sharing"]["recipients"].append({"id": "neighbors", "receives": ["status"]})
    plan["data_sharing"]["recipients"][1]["receives"] = []
    who = words_of(consent_html(plan))
    assert ("Downtown Neighbors Association (community) gets only whether you are in LEAD and "
            "whether you finished intake. It gets this [Counsel to complete: why it gets "
            "this].") in who
    assert ("Example City Police Department (law enforcement) gets no information about you "
            "from the others.") in who
    # A recipient's terms not yet confirmed print bracketed.
    plan["to_confirm"] = [{"path": "data_sharing.recipients[ecpd].receives", "note": "x"}]
    assert "[gets no information about you from the others.] (to be confirmed)" \
        in words_of(consent_html(plan))


def test_2_35_note_stays_unless_no_prosecutor_gets_anything() -> None:
    plan = complete()
    note = "if a prosecutor gets records covered by 42 CFR Part 2"
    assert note in words_of(consent_html(plan))
    plan["data_sharing"]["recipients"][2]["receives"] = []  # ecda
    assert note not in words_of(consent_html(plan))


def test_refusal_and_expiry_print_the_plan_or_a_bracket() -> None:
    plan = complete()
    rights = words_of(consent_html(plan))
    assert ("You do not have to sign this form. If you do not sign: You can still work with "
            "your case manager, but the prosecutor will not be told that you finished intake."
            ) in rights
    del plan["data_sharing"]["if_consent_refused"], plan["data_sharing"]["consent_expires"]
    rights = words_of(consent_html(plan))
    assert ("You do not have to sign this form. [To be decided: what happens if the person "
            "does not sign]") in rights
    assert "This consent ends: [To be decided: the date or event when this consent ends]" \
        in rights


def test_redisclosure_notice_and_2_35_note_follow_the_plan() -> None:
    page = text_of(consent_html(complete()))
    assert "Notice to anyone who receives this information" in page
    assert "may not share them further unless the person gives written consent" in page
    assert "limit using the records to investigate or prosecute the person" in page
    assert "[Counsel to complete: if a prosecutor gets records covered by 42 CFR Part 2" in page
    assert "Federal rules, 42 CFR Part 2, protect records" in page
    plan = complete()
    plan["to_confirm"] = [{"path": "data_sharing.frameworks", "note": "Not yet checked."}]
    assert ("Federal rules, [42 CFR Part 2] (to be confirmed), protect records"
            in words_of(consent_html(plan)))
    plan["data_sharing"]["frameworks"] = ["hipaa"]
    plan["data_sharing"]["part2_programs"] = []
    page = text_of(consent_html(plan))
    assert "42 CFR" not in page and "Notice to anyone" not in page


def test_state_law_is_named_only_when_cited() -> None:
    assert "This form also follows" not in text_of(consent_html(complete()))
    plan = complete()
    plan["agreement"]["statutes"].append({"name": "Example Health Records Act",
                                          "citation": "Example Rev. Stat. 2.2",
                                          "source": "Fictional", "subject": "confidentiality"})
    assert ("This form also follows the Example Health Records Act (Example Rev. Stat. 2.2)."
            in text_of(consent_html(plan)))


def test_a_fresh_plan_builds_a_marked_bracketed_draft(tmp_path: Path) -> None:
    plan = yaml.safe_load(scaffold.render_plan("Example Town", "OR", "city"))
    page = consent_html(plan, draft=True)
    assert "DRAFT - how information is shared is not decided yet" in page
    assert "[To be decided: the organizations that share information]" in text_of(page)
    assert "Open questions" not in page  # no annex: the form stays one or two pages


def test_built_when_sharing_is_decided_else_only_as_draft(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = build_jurisdiction(DATA / "complete.yaml", BuildOptions(out))
    form = out / "example-city" / "consent-form.pdf"
    assert form in done.written
    reader = PdfReader(form)
    assert 1 <= len(reader.pages) <= 2
    plan = complete()
    del plan["data_sharing"]["release_of_information"]
    undecided = tmp_path / "undecided.yaml"
    undecided.write_text(yaml.safe_dump(plan), encoding="utf-8")
    refused = build_jurisdiction(undecided, BuildOptions(tmp_path / "a"))
    assert "consent-form.pdf" in refused.refused
    drafted = build_jurisdiction(undecided, BuildOptions(tmp_path / "b", draft=True, html=True))
    names = {p.name for p in drafted.written}
    assert {"consent-form.pdf", "consent-form.html"} <= names


def test_a_list_too_long_for_page_1_starts_under_its_heading() -> None:
    """Long names (120 characters each) make the list of groups longer than what is left of
    page 1; the list breaks between rows of two instead of moving whole to page 2 and leaving
    page 1 with only the title (a side-by-side row never splits across pages)."""
    import io

    from lead_replicate.documents.pdf import render_pdf

    plan = complete()
    tail = " of the Consolidated Metropolitan Region Joint Powers Authority for Public Safety"
    for s in plan["stakeholders"]:
        s["name"] = (s["name"] + tail * 2)[:120]
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(consent_html(plan)))).pages]
    first = " ".join(pages[0].split())
    assert "Who shares information about you" in first
    assert first.count("Consolidated Metropolitan Region") >= 2, first[-300:]
