"""The command line: help, exit codes, text and JSON output, error translation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import DATA, ROOT

from lead_replicate.cli import cli
from lead_replicate.rules.validate import validate_file

COMPLETE = DATA / "complete.yaml"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), prog_name="lead-replicate", input=input)


def test_every_command_has_help_with_examples():
    for name, command in cli.commands.items():
        result = run(name, "-h")
        assert result.exit_code == 0, name
        assert command.help and "Usage:" in result.output
        if name not in ("schema",):
            assert "Example" in result.output, name


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("lead-replicate, version ")


def test_complete_plan_validates_clean():
    result = run("validate", str(COMPLETE))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Checked 1 file: 0 files with errors."


def test_missing_file_is_a_usage_error():
    result = run("validate", "no-such-file.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_bad_option_is_a_usage_error():
    assert run("validate", "--no-such-option", str(COMPLETE)).exit_code == 2


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_error_is_one_finding_line_and_exit_1(tmp_path):
    bad = _write(tmp_path, "bad.yaml", "lead: 1\njurisdiction: [unclosed\n")
    result = run("validate", str(bad))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{bad}:") and " error [yaml] " in first
    assert "Traceback" not in result.output


# --- exact messages (the whole text, sqlite-utils style) ------------------------------------

MINIMAL = "lead: 1\njurisdiction:\n  name: Example City\n  state: WA\n  kind: city\n"


def test_missing_file_message():
    result = run("validate", "no-such-file.yaml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Usage: lead-replicate validate [OPTIONS] FILE_OR_DIR...\n"
        "Try 'lead-replicate validate --help' for help.\n\n"
        "Error: Invalid value for 'FILE_OR_DIR...': Path 'no-such-file.yaml' does not exist.\n")


def test_folder_without_plans_message(tmp_path):
    result = run("validate", str(tmp_path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "\nError: No *.yaml jurisdiction files were found in the folders given.\n")


def _validated(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    plan = _write(tmp_path, "plan.yaml", text)
    result = run("validate", str(plan))
    assert (result.exit_code, result.stderr) == (1, "")
    return plan, result.stdout.splitlines()


def test_yaml_error_message(tmp_path):
    plan, lines = _validated(tmp_path, "lead: 1\njurisdiction: [unclosed\n")
    assert lines == [
        f"{plan}:3:1: error [yaml] YAML syntax error: a [list] is not closed: expected ',' or "
        "']' Fix: Correct the file so that it is valid YAML (see docs/format.md).",
        f"{plan}: FAILS: 1 error, 0 warnings",
        "Checked 1 file: 1 file with errors.",
    ]


def test_quote_inside_single_quotes_message(tmp_path):
    text = MINIMAL.replace("Example City", "'King County Prosecuting Attorney's Office'")
    plan, lines = _validated(tmp_path, text)
    assert lines[0] == (
        f"{plan}:3:42: error [yaml] YAML syntax error: a quote mark inside single-quoted text "
        "ends the text Fix: Write it as 'King County Prosecuting Attorney''s Office' (a quote "
        "mark inside single quotes is written twice) or in double quotes: \"King County "
        "Prosecuting Attorney's Office\".")


def test_key_under_a_commented_out_heading_message(tmp_path):
    text = MINIMAL + ("referral:\n  voluntary: true\n# prosecution:\n"
                      "  diverted_charges: not-filed\n")
    plan, lines = _validated(tmp_path, text)
    assert lines[0] == (
        f"{plan}:9:3: error [schema] 'diverted_charges' belongs in the section 'prosecution', "
        "whose heading on line 8 is still commented out Fix: Delete the '# ' at the start of "
        "line 8.")


def test_line_indented_under_a_commented_out_heading_message(tmp_path):
    text = MINIMAL + ("case_management:\n  approach: harm-reduction\n#   caseload:\n"
                      "    average: 12\n")
    plan, lines = _validated(tmp_path, text)
    assert lines[0] == (
        f"{plan}:9:5: error [yaml] YAML syntax error: this line is indented under 'caseload:' on "
        "line 8, which is still commented out Fix: Delete the '# ' at the start of line 8.")


def test_unknown_stakeholder_id_message_lists_the_ids(tmp_path):
    text = MINIMAL + (
        "stakeholders:\n"
        "  - {id: ecpd, name: Example City Police, role: law-enforcement}\n"
        "  - {id: care, name: Care Partners, role: case-management}\n"
        "governance:\n  project_manager:\n    host: city-hall\n")
    plan, lines = _validated(tmp_path, text)
    assert lines[0] == (
        f"{plan}:11:11: error [schema] no stakeholder has id 'city-hall' Fix: Write one of the "
        "stakeholder ids (ecpd, care), or add 'city-hall' under stakeholders.")


def test_compare_out_is_a_folder_message(tmp_path):
    result = run("compare", str(COMPLETE), "--out", str(tmp_path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Usage: lead-replicate compare [OPTIONS] FILE_OR_DIR...\n"
        "Try 'lead-replicate compare --help' for help.\n\n"
        f"Error: Invalid value for '--out': File '{tmp_path}' is a directory.\n")


def test_json_output_follows_the_contract(tmp_path):
    bad = _write(tmp_path, "bad.yaml", "lead: 1\n")
    result = run("validate", "--format", "json", str(COMPLETE), str(bad))
    data = json.loads(result.output)
    assert [f["file"] for f in data["files"]] == [str(COMPLETE), str(bad)]
    good, broken = data["files"]
    assert set(good) >= {"file", "jurisdiction", "valid", "errors", "warnings", "findings"}
    assert good["valid"] is True and good["errors"] == 0
    assert broken["valid"] is False and broken["errors"] >= 1
    for finding in broken["findings"]:
        assert set(finding) >= {"severity", "principle", "path", "line", "column", "message"}
    assert result.exit_code == 1


def test_folder_means_every_yaml_file(tmp_path):
    _write(tmp_path, "a.yaml", COMPLETE.read_text(encoding="utf-8"))
    _write(tmp_path, "b.yml", COMPLETE.read_text(encoding="utf-8"))
    _write(tmp_path, "notes.txt", "not a plan")
    result = run("validate", "--format", "json", str(tmp_path))
    assert [Path(f["file"]).name for f in json.loads(result.output)["files"]] == ["a.yaml", "b.yml"]


def test_warnings_exit_0_unless_strict(tmp_path):
    text = COMPLETE.read_text(encoding="utf-8")
    text = text.replace("decision_rule: consensus", "decision_rule: majority")
    plan = _write(tmp_path, "majority.yaml", text)
    lenient = run("validate", str(plan))
    assert lenient.exit_code == 0, lenient.output
    assert " warning [consensus] " in lenient.output
    assert run("validate", "--strict", str(plan)).exit_code == 1


def test_principles_formats():
    text = run("principles")
    assert text.exit_code == 0 and "harm-reduction (core)" in text.output
    data = json.loads(run("principles", "--format", "json").output)
    assert {p["id"] for p in data["principles"]} >= {"harm-reduction", "no-fail-out", "caseload"}
    md = run("principles", "--format", "markdown").output
    assert md.startswith("| id | severity |") and "`local-fit`" in md


def test_schema_prints_json_schema():
    data = json.loads(run("schema").output)
    assert data["$schema"].endswith("2020-12/schema")


def test_console_script_never_shows_a_traceback(tmp_path):
    """Run the real entry point on a hostile file: one plain line, no traceback."""
    bomb = _write(tmp_path, "tagged.yaml", "lead: !!python/object/apply:os.system ['true']\n")
    proc = subprocess.run(
        [sys.executable, "-m", "lead_replicate", "validate", str(bomb)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"{bomb}:1:" in proc.stdout


@pytest.mark.parametrize(("argv", "unused"), [
    (["validate", "--help"], ["weasyprint", "jinja2", "cerberus"]),
    (["--help"], ["weasyprint", "jinja2", "cerberus"]),
    (["validate", str(ROOT / "examples" / "seattle.yaml")], ["weasyprint", "jinja2"]),
])
def test_commands_import_only_what_they_use(argv, unused):
    """A cold start pays for what it uses: validate never loads the document engines."""
    code = (
        f"import sys; from lead_replicate.cli import main; sys.argv=['lead-replicate', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit: pass\n"
        f"print(sorted(m for m in {unused!r} if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"


EXAMPLES = ROOT / "examples"


def test_build_refuses_mou_and_manual_for_a_plan_breaking_core_principles(tmp_path):
    result = CliRunner().invoke(
        cli, ["build", str(EXAMPLES / "santa_fe.yaml"), "--out", str(tmp_path), "--jobs", "1"]
    )
    assert result.exit_code == 1
    assert "error [no-fail-out]" in result.output
    assert "warning [" not in result.output  # build prints the errors that block documents
    assert "refused mou.pdf and protocol-manual.pdf" in result.output
    assert sorted(p.name for p in (tmp_path / "santa-fe").glob("*.pdf")) == [
        "decisions.pdf", "readiness-checklist.pdf"
    ]


def test_build_never_replaces_a_users_file_without_force(tmp_path):
    folder = tmp_path / "example-city"
    folder.mkdir()
    (folder / "mou.pdf").write_bytes(b"my signed copy")
    args = ["build", str(COMPLETE), "--out", str(tmp_path), "--jobs", "1"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1
    assert "was not written by lead-replicate" in refused.output
    assert (folder / "mou.pdf").read_bytes() == b"my signed copy"
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert (folder / "mou.pdf").read_bytes().startswith(b"%PDF")
    again = CliRunner().invoke(cli, args)  # its own, unchanged output: no --force needed
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output


def test_build_of_a_file_with_format_errors_builds_nothing(tmp_path):
    bad = _write(tmp_path, "typo.yaml", COMPLETE.read_text(encoding="utf-8").replace(
        "stakeholders:", "stakholders:"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(bad), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 1
    assert "error [schema] unknown key 'stakholders'; did you mean 'stakeholders'?" in result.stdout
    assert not list(out.rglob("*.pdf"))
    assert result.stderr.splitlines() == [
        f"{bad}: nothing built: the file has errors (listed above)",
        "Jurisdiction                     Errors  Warnings  Open  Readiness  Documents",
        "-------------------------------  ------  --------  ----  ---------  ---------------------",
        "Example City and County, Oregon       2         0     0          -  not built (see below)",
        "",
        f"{bad}: nothing built: the file has errors (listed above)",
        "",
        "1 jurisdiction: 0 built, 0 unchanged (from the cache), 1 failed.",
    ]


@pytest.fixture
def html_pdfs(monkeypatch):
    """A stand-in PDF engine (the 'PDF' is the page's HTML): CLI tests of the build route."""
    monkeypatch.setattr("lead_replicate.documents.pdf.render_pdf",
                        lambda html, **kw: html.encode("utf-8"))


def test_build_exit_status_follows_what_was_written(tmp_path, html_pdfs):
    """0 when every requested document was written (drafts too), 1 when one was refused."""
    from lead_replicate.rules.validate import validate_file

    santa_fe = str(EXAMPLES / "santa_fe.yaml")
    counts = validate_file(santa_fe).counts  # the table prints validate's numbers
    percent = validate_file(santa_fe).readiness.percent
    drafted = CliRunner().invoke(cli, ["build", santa_fe, "--out", str(tmp_path), "--draft"])
    assert drafted.exit_code == 0, drafted.output
    assert drafted.stderr.splitlines() == [
        f"{santa_fe}: wrote mou.pdf, protocol-manual.pdf, readiness-checklist.pdf, "
        f"decisions.pdf, consent-form.pdf in {tmp_path / 'santa-fe'} (marked DRAFT)",
        "Jurisdiction          Errors  Warnings  Open  Readiness  Documents",
        "--------------------  ------  --------  ----  ---------  ---------",
        f"Santa Fe, New Mexico  {counts.errors:6}  {counts.warnings:8}  {counts.open:4}"
        f"  {str(percent) + '%':>9}  5 written",
        "",
        "1 jurisdiction: 1 built, 0 unchanged (from the cache), 0 failed.",
    ]
    validated = run("validate", santa_fe)
    assert validated.output.splitlines()[-2] == f"{santa_fe}: FAILS: {counts.text()}"
    refused = CliRunner().invoke(cli, ["build", santa_fe, "--out", str(tmp_path / "plain")])
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-1] == (
        "1 jurisdiction: 1 built, 0 unchanged (from the cache), 0 failed; "
        "1 with documents refused.")


def test_build_help_and_readme_state_the_same_exit_status():
    rule = ("0 when every requested document was written (drafts included), 1 when a file "
            "failed or a document was refused, 2 for a usage error")
    assert rule in " ".join(run("build", "--help").output.split())
    readme = " ".join((Path(__file__).parent.parent / "README.md").read_text("utf-8").split())
    assert rule.replace("0 when", "`build` exits 0 when") in readme


def test_compare_writes_a_pdf_and_never_replaces_a_users_file(tmp_path):
    out = tmp_path / "comparison.pdf"
    out.write_bytes(b"my notes")
    args = ["compare", str(COMPLETE), str(EXAMPLES / "santa_fe.yaml"), "--out", str(out)]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1
    assert "was not written by lead-replicate" in refused.output
    assert out.read_bytes() == b"my notes"
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes().startswith(b"%PDF")
    assert CliRunner().invoke(cli, args).exit_code == 0  # its own output: replaced freely


HOSTILE = sorted((DATA / "loader").glob("*"))


@pytest.mark.parametrize("hostile", HOSTILE, ids=[p.name for p in HOSTILE])
def test_every_hostile_file_is_one_line_naming_the_file_and_exit_1(hostile):
    result = run("validate", "--format", "json", str(hostile))
    assert result.exit_code == 1, result.output
    (report,) = json.loads(result.output)["files"]
    assert report["valid"] is False
    (finding,) = report["findings"]
    assert finding["principle"] == "yaml" and finding["line"] >= 1
    assert "\n" not in finding["message"]


def test_a_place_that_cannot_be_written_is_one_plain_error_line(tmp_path):
    """A name too long for the disk (a read-only folder goes the same way: test_output.py)."""
    long = tmp_path / ("a" * 300)
    too_long = "cannot write (File name too long); the name is too long for this disk; " \
               "choose a shorter name"
    init = run("init", f"{long}.yaml", "--name", "X", "--state", "WA", "--kind", "city")
    assert (init.exit_code, init.output) == (1, f"Error: {long}.yaml: {too_long}\n")
    compare = run("compare", str(COMPLETE), "--out", f"{long}.pdf")
    assert (compare.exit_code, compare.output) == (1, f"Error: {long}.pdf: {too_long}\n")


def test_compare_never_writes_the_html_over_the_pdf(tmp_path):
    out = tmp_path / "same.html"
    result = run("compare", str(COMPLETE), "--out", str(out), "--html")
    assert (result.exit_code, result.output) == (1, (
        f"Error: --out {out}: the comparison is a PDF; give a .pdf name such as "
        f"{tmp_path / 'same.pdf'} (--html writes the HTML beside it, as {out})\n"))
    assert list(tmp_path.iterdir()) == []


def test_init_checks_each_answer_and_asks_again(tmp_path, monkeypatch):
    monkeypatch.setattr("lead_replicate.cli._at_terminal", lambda: True)
    plan = tmp_path / "springfield.yaml"
    answers = "\n   \nSpringfield, Illinois\nIllinois\nil\nTown\nCity\nn\n"
    result = run("init", str(plan), input=answers)
    assert (result.exit_code, result.stderr) == (0, "")
    name = "Jurisdiction name (e.g. 'Springfield, Illinois'): "
    state = "State (two-letter code, e.g. IL): "
    kind = "Kind (city, county, city-county, state, tribal, region) [city]: "
    assert result.stdout.splitlines()[:11] == [
        name,  # an empty answer is asked again by click itself
        name + "   ",
        "Error: The jurisdiction name is empty; give the full name, for example 'Example City, "
        "Oregon'.",
        name + "Springfield, Illinois",
        state + "Illinois",
        "Error: 'Illinois' is not a two-letter USPS state code. Use the code of a state, DC or "
        "a territory (AS, GU, MP, PR, VI), for example WA or NM.",
        state + "il",
        kind + "Town",
        "Error: 'Town' is not a kind of jurisdiction. Use one of: city, county, city-county, "
        "state, tribal, region.",
        kind + "City",
        "Does the jurisdiction's own government (the city or county) sign the MOU for its "
        "departments? [y/N]: n",
    ]
    report = validate_file(plan)
    assert result.stdout.splitlines()[11:14] == [
        f"Wrote {plan}. Open it in an editor: each section says what to decide and why.",
        "",
        f"What to decide next ({report.counts.open} open questions; run 'lead-replicate "
        f"validate {plan}' again as you fill it in):",
    ]
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    assert data["jurisdiction"] == {"name": "Springfield, Illinois", "state": "IL",
                                    "kind": "city"}


def test_init_without_a_terminal_needs_every_answer(tmp_path):
    result = run("init", str(tmp_path / "x.yaml"), "--state", "il")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith("\nError: Give --name, --kind (no terminal to ask on).\n")


def test_init_options_accept_any_case(tmp_path):
    plan = tmp_path / "x.yaml"
    result = run("init", str(plan), "--name", "X", "--state", "wa", "--kind", "County")
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(plan.read_text(encoding="utf-8"))["jurisdiction"] == {
        "name": "X", "state": "WA", "kind": "county"}
