"""Tests for templating.py: filters, autoescape, StrictUndefined and the override order."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from conftest import ROOT

from lead_replicate.documents.templating import (
    date_long,
    launch,
    make_environment,
    money,
    render_template,
    templates_dir,
)
from lead_replicate.errors import TemplateError


def test_templates_dir_holds_the_shipped_layout() -> None:
    assert (templates_dir() / "base.html").is_file()
    assert (templates_dir() / "assets" / "fonts" / "OFL.txt").is_file()


def test_filters() -> None:
    assert date_long(dt.date(2011, 10, 1)) == "October 1, 2011"
    assert date_long("2027-01-15") == "January 15, 2027"
    assert money(950000) == "$950,000"
    day = dt.date(2011, 10, 1)
    assert launch({"launch": day}) == "October 1, 2011"
    assert launch({"launch": day, "launch_precision": "month"}) == "October 2011"
    assert launch({"launch": day, "launch_precision": "year"}) == "2011"


def test_autoescape_and_literal_template_syntax() -> None:
    env = make_environment()
    out = env.from_string("{{ name }}").render(name="<b>{{ x }}</b>")
    assert out == "&lt;b&gt;{{ x }}&lt;/b&gt;"


def test_strict_undefined_becomes_a_template_error(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("{{ nothing_here }}", encoding="utf-8")
    with pytest.raises(TemplateError, match="does not exist"):
        render_template(make_environment(tmp_path), "t.html", {})


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("ok\n{% if %}", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"t.html:2"):
        render_template(make_environment(tmp_path), "t.html", {})


def test_user_folder_comes_first(tmp_path: Path) -> None:
    (tmp_path / "macros.html").write_text("mine", encoding="utf-8")
    env = make_environment(tmp_path)
    assert env.get_template("macros.html").render() == "mine"
    assert env.get_template("base.html")  # everything else still shipped


def test_missing_override_folder(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="does not exist"):
        make_environment(tmp_path / "nope")


def test_nodot_drops_only_a_final_full_stop() -> None:
    from markupsafe import Markup

    from lead_replicate.documents.templating import has_field, humanize, nodot

    assert nodot("Reinvest savings.") == "Reinvest savings"
    assert nodot("Example Care, Inc. ") == "Example Care, Inc"  # the template prints the stop
    assert nodot("No stop") == "No stop" and nodot("Why?") == "Why?"
    kept = nodot(Markup("A &amp; B."))
    assert isinstance(kept, Markup) and kept == Markup("A &amp; B")
    env = make_environment()
    out = env.from_string("{{ x|nodot }}.").render(x="Tom & Jerry Inc.")
    assert out == "Tom &amp; Jerry Inc."
    assert has_field([{"a": ""}, {"a": "x"}], "a") and not has_field([{"a": None}, {}], "a")
    assert humanize("quasi-experimental") == "quasi-experimental"
    assert humanize("jail-days") == "jail days"


def _render_mou(templates: Path) -> str:
    from lead_replicate.documents.packet import BuildOptions, render_document
    from lead_replicate.rules.validate import validate_file

    report = validate_file(ROOT / "examples" / "seattle.yaml")
    options = BuildOptions(templates / "out", templates=templates)
    return render_document(report, "mou", options)


def test_a_users_template_runs_sandboxed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "mou").mkdir()
    (tmp_path / "mou" / "mou.html").write_text(
        f"ok\n{{{{ lipsum.__globals__['os'].popen('touch {marker}').read() }}}}\n",
        encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        _render_mou(tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'mou' / 'mou.html'}:2: the template tried to reach something templates "
        "may not use (access to attribute '__globals__' of 'function' object is unsafe); "
        "templates render in a sandbox")
    assert not marker.exists()


def test_a_template_linking_outside_its_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0", encoding="utf-8")
    (tmp_path / "templates" / "mou").mkdir(parents=True)
    (tmp_path / "templates" / "mou" / "mou.html").symlink_to(secret)
    with pytest.raises(TemplateError) as info:
        _render_mou(tmp_path / "templates")
    assert str(info.value) == (
        f"the template {tmp_path / 'templates' / 'mou' / 'mou.html'} leads outside its folder "
        f"(to {secret}); put the file itself in the templates folder")


def test_an_undefined_value_names_the_override_file_that_used_it(tmp_path: Path) -> None:
    clause = tmp_path / "mou" / "clauses" / "funding.html"
    clause.parent.mkdir(parents=True)
    clause.write_text("<p>Funded.</p>\n<p>{{ no_such_value }}</p>\n", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        _render_mou(tmp_path)
    assert str(info.value) == (f"{clause}:2: the template uses a value that does not exist: "
                               "'no_such_value' is undefined")


def test_endstop_adds_a_full_stop_only_where_none_is() -> None:
    from markupsafe import Markup

    from lead_replicate.documents.templating import endstop

    assert endstop("LEAD toolkit, ch. 1 What is LEAD?") == "LEAD toolkit, ch. 1 What is LEAD?"
    assert endstop("Stop now!") == "Stop now!"
    assert endstop("Example Care, Inc. ") == "Example Care, Inc."
    assert endstop('He said "go."') == 'He said "go."' and endstop("(see p. 3)") == "(see p. 3)."
    assert endstop("No stop") == "No stop."
    kept = endstop(Markup('<span class="tbc">[A &amp; B]<span> (to be confirmed)</span></span>'))
    assert isinstance(kept, Markup) and kept.endswith("</span>.")


@pytest.mark.parametrize("name, shown", [
    ("LEAD Community Advisory Board", "the LEAD Community Advisory Board"),
    ("King County Prosecuting Attorney's Office", "the King County Prosecuting Attorney's Office"),
    ("ACLU of Washington", "the ACLU of Washington"),
    ("City of Example City", "the City of Example City"),
    ("University of Washington (Harm Reduction Research)",
     "the University of Washington (Harm Reduction Research)"),
    ("Center for Law and Justice", "the Center for Law and Justice"),
    ("The Defender Association's Racial Disparity Project",
     "The Defender Association's Racial Disparity Project"),
    ("Evergreen Treatment Services (REACH)", "Evergreen Treatment Services (REACH)"),
    ("Example State University", "Example State University"),
    ("Catholic Charities of Albany", "Catholic Charities of Albany"),
    ("Santa Fe County", "Santa Fe County"),
])
def test_an_organization_gets_the_article_english_gives_it(name: str, shown: str) -> None:
    from lead_replicate.documents.articles import the

    assert the(name) == shown
    env = make_environment()
    start = html.unescape(env.from_string("{{ x|the(true) }} signs.").render(x=name))
    assert start == shown[0].upper() + shown[1:] + " signs."


def test_a_sentence_that_opens_with_names_gives_each_its_article() -> None:
    env = make_environment()
    names = ["Seattle Police Department", "Evergreen Treatment Services", "City of Seattle"]
    said = env.from_string("{{ xs|each_the(true)|names_list }} hold records. Kept by "
                           "{{ xs|each_the|names_list }}.").render(xs=names)
    assert said == ("The Seattle Police Department, Evergreen Treatment Services, and the City "
                    "of Seattle hold records. Kept by the Seattle Police Department, Evergreen "
                    "Treatment Services, and the City of Seattle.")
    first = env.from_string("{{ xs|each_the(true)|names_list }}").render(xs=names[1:])
    assert first == "Evergreen Treatment Services and the City of Seattle"  # no article: none
