"""The command line: parse options, call the library, print, translate errors (nothing else)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from lead_replicate import __version__
from lead_replicate.errors import LeadError
from lead_replicate.findings import plural
from lead_replicate.rules.schema import KINDS

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_FOLDER = Path("jurisdictions")


def _paths_or_default(paths: tuple[Path, ...]) -> list[Path]:
    """The paths given, else the cohort folder ``jurisdictions/`` when it exists."""
    if paths:
        return list(paths)
    if DEFAULT_FOLDER.is_dir():
        return [DEFAULT_FOLDER]
    raise click.UsageError(
        "Name a jurisdiction file or folder (there is no ./jurisdictions folder)."
    )


def _files(paths: tuple[Path, ...]) -> list[Path]:
    from lead_replicate.rules.validate import collect_files

    files = collect_files(_paths_or_default(paths))
    if not files:
        raise click.UsageError("No *.yaml jurisdiction files were found in the folders given.")
    return files


def _echo_findings(report, *, errors_only: bool = False) -> None:
    from lead_replicate.console import finding_lines

    for line in finding_lines(report, errors_only=errors_only):
        click.echo(line)


PATHS = click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="FILE_OR_DIR..."
)


def _out_dir(help_text: str) -> Any:
    """The ``--out`` folder option of the commands that build documents."""
    return click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("build"), show_default=True, help=help_text)


class _Group(click.Group):
    """Turns the library's errors into click's: ``Error: …`` on stderr, exit 1 (2 for a path)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LeadError as exc:
            raise click.ClickException(str(exc)) from None
        except FileNotFoundError as exc:
            raise click.UsageError(f"no such file or folder: {exc}") from None


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="lead-replicate")
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Turn a jurisdiction's LEAD plan (a YAML file) into validated, signable documents.

    \b
    Start here:
      lead-replicate init mycity.yaml            write a new, commented plan
      lead-replicate validate mycity.yaml        check it against the LEAD principles
      lead-replicate build mycity.yaml --out build   make the MOU, manual and checklist
      lead-replicate compare examples jurisdictions --out convening/comparison.pdf

    With no FILE_OR_DIR, commands use the ./jurisdictions folder.
    """
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    ctx.obj = {"verbose": verbose, "quiet": quiet}


@cli.command(context_settings=CONTEXT)
@PATHS
@click.option("--strict", is_flag=True, help="Count warnings as errors (exit 1 on any warning).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def validate(paths: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """Check jurisdiction files against the format and the LEAD principles.

    Prints one line per finding, FILE:LINE:COL: SEVERITY [principle] message, then a summary.
    Exit status: 0 when no file has an error, 1 when any has (with --strict, warnings count
    too), 2 for a usage error. A folder means every *.yaml file in it.

    \b
    Examples:
      lead-replicate validate examples/seattle.yaml
      lead-replicate validate examples jurisdictions --strict
      lead-replicate validate mycity.yaml --format json
    """
    from lead_replicate.console import validation_summary
    from lead_replicate.rules.validate import Report, validate_file

    reports, shown = [], []
    for path in _files(paths):
        r = validate_file(path)
        if fmt == "json":
            shown.append(r.to_dict())
        else:
            _echo_findings(r)
        # Keep only what the summary reads: 1,000 loaded files kept alive made Python's
        # garbage collector a fifth of the run.
        reports.append(Report(r.file, findings=r.findings))
    if fmt == "json":
        click.echo(json.dumps({"files": shown}, indent=2, default=str))
    else:
        for line in validation_summary(reports):
            click.echo(line)
    failed = any(r.errors or (strict and r.warnings) for r in reports)
    sys.exit(1 if failed else 0)


@cli.command(context_settings=CONTEXT)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def principles(fmt: str) -> None:
    """List the LEAD principles the validator checks, with severity, fix and source.

    \b
    Examples:
      lead-replicate principles
      lead-replicate principles --format markdown > PRINCIPLES.md
    """
    from lead_replicate.console import rulebook_text
    from lead_replicate.rules.principles import load_rulebook

    click.echo(rulebook_text(load_rulebook(), fmt))


@cli.command(context_settings=CONTEXT)
def schema() -> None:
    """Print the jurisdiction file format as JSON Schema (draft 2020-12), for editors.

    \b
    Example (the YAML language server then checks and completes your file):
      lead-replicate schema > lead-replicate.schema.json
      # first line of mycity.yaml:
      # yaml-language-server: $schema=lead-replicate.schema.json
    """
    from lead_replicate.rules.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@cli.command(context_settings=CONTEXT)
@PATHS
@_out_dir("Folder to write the documents to.")
@click.option(
    "--html", is_flag=True, help="Also write each document as a self-contained .html file."
)
@click.option(
    "--docx",
    is_flag=True,
    help="Also write each document as an editable Word file (.docx) beside its PDF.",
)
@click.option(
    "--draft",
    is_flag=True,
    help="Build the MOU and manual even when core principles are not met (marked DRAFT).",
)
@click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of templates that override the shipped ones (same relative paths).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for many files.  [default: number of CPUs]",
)
@click.option(
    "--force",
    is_flag=True,
    help="Rebuild every file (ignore the cache), replace files in --out that this tool did not "
    "write, and let a plan take over a folder another plan with the same slug wrote.",
)
@click.pass_context
def build(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out_dir: Path,
    html: bool,
    docx: bool,
    draft: bool,
    templates: Path | None,
    jobs: int | None,
    force: bool,
) -> None:
    """Build each jurisdiction's MOU, protocol manual and readiness checklist as PDFs.

    Writes OUT/<slug>/mou.pdf, protocol-manual.pdf and readiness-checklist.pdf (--docx: also
    mou.docx and the others, editable in Word, same clauses and numbers). A file with
    format errors builds nothing. A file that breaks a LEAD core principle gets its readiness
    checklist only, unless --draft (every page then says DRAFT), and documents an earlier
    build wrote for it that it no longer supports are removed. Unchanged files are not
    rebuilt. One build writes an output folder at a time; another waits.

    Exit status: 0 when every requested document was written (drafts included), 1 when a file
    failed or a document was refused, 2 for a usage error, 130 when interrupted.

    \b
    Examples:
      lead-replicate build examples/seattle.yaml --out build
      lead-replicate build examples jurisdictions --out convening --jobs 2
      lead-replicate build mycity.yaml --out build --draft --html
      lead-replicate build examples/seattle.yaml --out build --docx
      lead-replicate build mycity.yaml --templates my-clauses --out build
    """
    from lead_replicate.cohort import build_many
    from lead_replicate.console import blocking_lines, format_table
    from lead_replicate.documents.packet import BuildOptions

    files = _files(paths)
    options = BuildOptions(
        out_dir=out_dir, html=html, draft=draft, templates=templates, force=force, docx=docx
    )
    quiet = ctx.obj["quiet"]
    with _Progress(len(files), quiet) as progress:
        outcomes = build_many(files, options, jobs=jobs, progress=progress.update)
    if not quiet:
        for outcome in outcomes:  # say why: the errors behind anything refused or not built
            for line in blocking_lines(outcome):
                click.echo(line)
        click.echo(format_table(outcomes), err=True)
    sys.exit(0 if all(outcome.complete for outcome in outcomes) else 1)


class _Progress:
    """A progress bar on a terminal, one plain line per file otherwise (both on stderr)."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.quiet = total, quiet
        self.bar: Any = None

    def __enter__(self) -> _Progress:
        if not self.quiet and sys.stderr.isatty() and self.total > 1:
            self.bar = click.progressbar(length=self.total, label="Building", file=sys.stderr)
            self.bar.__enter__()
        return self

    def update(self, outcome) -> None:
        from lead_replicate.console import outcome_line

        if self.bar is not None:
            self.bar.update(1)
        elif not self.quiet:
            click.echo(outcome_line(outcome), err=True)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command(context_settings=CONTEXT)
@PATHS
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("comparison.pdf"),
    show_default=True,
    help="The PDF to write.",
)
@click.option("--html", is_flag=True, help="Also write the comparison as a self-contained .html.")
@click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of templates that override the shipped ones (same relative paths).",
)
@click.option(
    "--force", is_flag=True, help="Replace an existing file that this tool did not write."
)
def compare(
    paths: tuple[Path, ...], out: Path, html: bool, templates: Path | None, force: bool
) -> None:
    """Compare many jurisdictions side by side: the core of a convening packet.

    A landscape PDF: a matrix of jurisdictions by LEAD principles (met, warning, open, error;
    readable in black and white), readiness per jurisdiction, the design choices that differ
    most between sites, then one profile page per jurisdiction with its top open items.

    \b
    Examples:
      lead-replicate compare examples jurisdictions --out convening/comparison.pdf
      lead-replicate compare jurisdictions --out comparison.pdf --html
    """
    from lead_replicate.compare import build_comparison

    written = build_comparison(
        _paths_or_default(paths), out, html=html, templates=templates, force=force
    )
    for path in written:
        click.echo(f"Wrote {path}", err=True)


class _Trouble(click.ClickException):
    """``Error: …`` with exit status 2: for diff, 1 means "the plans differ"."""

    exit_code = 2


@cli.command("diff", context_settings=CONTEXT)
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Output format.",
)
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Also write redlines there: mou-redline.docx (tracked changes) and .pdf, and the same "
    "for the manual and the consent form.",
)
@click.option(
    "--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of templates that override the shipped ones (same relative paths).",
)
@click.option(
    "--force", is_flag=True, help="Replace files in --out that this tool did not write."
)
def diff(old: str, new: str, fmt: str, out_dir: Path | None, templates: Path | None,
         force: bool) -> None:
    """Say what changed between two drafts of a plan, and redline their documents.

    Lists each decision that changed (old -> new, with its section), each LEAD principle
    whose status changed, and readiness and the counts before and after. OLD and NEW are
    plan files, or REV:path to read a plan from git (for example HEAD~1:./mycity.yaml).
    Exit status, as for diff: 0 when the plans are the same, 1 when they differ, 2 for a
    usage error or any other trouble (a file with format errors, a git revision not found).

    \b
    Examples:
      lead-replicate diff draft3.yaml draft4.yaml
      lead-replicate diff HEAD~1:./mycity.yaml mycity.yaml --out redlines
      lead-replicate diff old.yaml new.yaml --format json
    """
    from lead_replicate.diff import diff_plans, diff_text, read_side
    from lead_replicate.errors import DiffInputError

    try:
        reports = [read_side(old), read_side(new)]
        result = diff_plans(reports[0], reports[1])
        written = []
        if out_dir is not None:
            from lead_replicate.documents.word.redline import write_redlines

            written = write_redlines(reports[0], reports[1], out_dir, templates=templates,
                                     force=force)
    except DiffInputError as exc:
        if exc.report is not None:
            _echo_findings(exc.report, errors_only=True)
        raise _Trouble(str(exc)) from None
    except LeadError as exc:
        raise _Trouble(str(exc)) from None
    if fmt == "json":
        data = result.to_dict()
        data["written"] = [str(p) for p in written]
        click.echo(json.dumps(data, indent=2))
    else:
        for line in diff_text(result):
            click.echo(line)
        for path in written:
            click.echo(f"Wrote {path}", err=True)
    sys.exit(0 if result.same else 1)


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Jurisdiction name, e.g. 'Springfield, Illinois'.")
@click.option("--state", help="Two-letter USPS code, e.g. IL.")
@click.option(
    "--kind",
    type=click.Choice(KINDS, case_sensitive=False),
    help="What kind of jurisdiction runs the program.",
)
@click.option("--government-signs/--no-government-signs", default=None,
              help="Whether the jurisdiction's own government signs the MOU for its "
                   "departments (asked at a terminal; default: no).")
def init(path: Path, name: str | None, state: str | None, kind: str | None,
         government_signs: bool | None) -> None:
    """Write a new, fully commented plan that walks you through every decision.

    Asks for the name, state and kind when they are not given and you are at a terminal.
    Never overwrites an existing file. Also writes lead-replicate.schema.json beside the plan
    so editors can check it as you type.

    \b
    Examples:
      lead-replicate init mycity.yaml
      lead-replicate init springfield.yaml --name "Springfield, Illinois" --state IL --kind city
    """
    from lead_replicate.rules.validate import validate_file
    from lead_replicate.scaffold import (
        check_free,
        check_kind,
        check_name,
        check_state,
        write_new_plan,
    )

    check_free(path)  # before asking anything
    interactive = _at_terminal()
    missing = [
        opt for opt, value in (("--name", name), ("--state", state), ("--kind", kind)) if not value
    ]
    if missing and not interactive:
        raise click.UsageError(f"Give {', '.join(missing)} (no terminal to ask on).")
    # Each answer is checked as it is given; a wrong one is explained and asked again.
    if not name:
        name = click.prompt("Jurisdiction name (e.g. 'Springfield, Illinois')",
                            value_proc=_answer(check_name))
    if not state:
        state = click.prompt("State (two-letter code, e.g. IL)", value_proc=_answer(check_state))
    if not kind:
        kind = click.prompt(f"Kind ({', '.join(KINDS)})", default="city",
                            value_proc=_answer(check_kind))
    if government_signs is None:
        government_signs = interactive and click.confirm(
            "Does the jurisdiction's own government (the city or county) sign the MOU for its "
            "departments?", default=False)
    written = write_new_plan(path, name, state, kind, government_signs=bool(government_signs))
    report = validate_file(written)
    click.echo(f"Wrote {written}. Open it in an editor: each section says what to decide and why.")
    opens = [f for f in report.findings if f.status == "open"]
    if opens:
        click.echo(
            f"\nWhat to decide next ({plural(len(opens), 'open question')}; run "
            f"'lead-replicate validate {written}' again as you fill it in):"
        )
        for f in opens:
            click.echo(f"  line {f.line}: [{f.principle}] {f.message}")


def _at_terminal() -> bool:
    """Whether init may ask questions (tests replace this to answer them)."""
    return sys.stdin.isatty()


def _answer(check: Any) -> Any:
    """A prompt's value_proc: the library's check; a refusal is shown and the question asked
    again."""
    def convert(value: str) -> Any:
        try:
            return check(value)
        except LeadError as exc:
            raise click.UsageError(str(exc)) from None
    return convert


@cli.command(context_settings=CONTEXT)
@click.argument("target", required=False,
                type=click.Path(exists=True, path_type=Path), metavar="[FILE_OR_DIR]")
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Port on 127.0.0.1 (default: any free port).")
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@_out_dir("Folder the Build PDFs button writes to.")
def serve(target: Path | None, port: int, no_browser: bool, out_dir: Path) -> None:
    """Open the planning workbench: edit plans in the browser, findings update as you type.

    Starts a server on 127.0.0.1 only and prints its address, with a secret token, on the
    first line; every request needs that token. A folder shows every plan in it; a file
    opens that plan. Saving writes the YAML file back, changing only the changed lines.

    \b
    Examples:
      lead-replicate serve examples
      lead-replicate serve mycity.yaml --port 8765 --no-browser
    """
    from lead_replicate.workbench.server import serve as run

    target = target or _paths_or_default(())[0]
    run(target, port=port, open_browser=not no_browser, out_dir=out_dir,
        echo=lambda line: click.echo(line))


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM, raised by our own handler.

    Not a KeyboardInterrupt: click turns that into Abort ("Aborted.", exit 1) before main()
    could tell it apart from an end of input at a prompt.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum


def _interrupted(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def main() -> None:
    """Console entry point: run the CLI; never end in a traceback."""
    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), _interrupted)
    try:
        cli.main(prog_name="lead-replicate", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Interrupted as exc:  # atomic writes leave no partial file; workers are stopped
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut this line
        click.echo("Interrupted: stopped before finishing; no file was left half written.",
                   err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # the last line of defence: a plain message, never a traceback
        if os.environ.get("LEAD_REPLICATE_DEBUG"):
            raise
        click.echo(
            f"Error: lead-replicate hit an unexpected problem ({type(exc).__name__}: {exc}). "
            "Please report it; set LEAD_REPLICATE_DEBUG=1 to see the details.",
            err=True,
        )
        sys.exit(1)
