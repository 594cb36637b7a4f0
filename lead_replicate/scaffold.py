"""Write a new, fully commented jurisdiction plan for `lead-replicate init`."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
from pathlib import Path

import jinja2

from lead_replicate.documents.templating import make_environment, templates_dir
from lead_replicate.errors import LeadError, OutputError, os_error_text
from lead_replicate.rules.schema import KINDS, STATES

log = logging.getLogger(__name__)

TEMPLATE = "init/plan.yaml.j2"
SCHEMA_FILENAME = "lead-replicate.schema.json"
_SURROGATE = re.compile("[\ud800-\udfff]")  # an undecodable byte in an argument

def check_inputs(name: str, state: str, kind: str,
                 short_name: str | None = None) -> tuple[str, str]:
    """Check the planner's answers; return the normalized (state, kind).

    State codes and kinds are accepted in any case and with stray spaces, because people type
    them at a prompt; names are kept exactly as given (they go into signed documents).
    """
    check_name(name)
    if short_name is not None:
        check_name(short_name, short=True)
    return check_state(state), check_kind(kind)


def check_name(name: str, *, short: bool = False) -> str:
    """The name as given; raises LeadError when it is empty or holds a broken character."""
    if not isinstance(name, str) or not name.strip():
        raise LeadError("The short name is empty; leave it out to use the full name." if short
                        else "The jurisdiction name is empty; give the full name, for example "
                        "'Example City, Oregon'.")
    broken = _SURROGATE.search(name)
    if broken:  # what an undecodable byte in a command-line argument turns into
        raise LeadError(f"The name {name!r} contains a character that is not valid text "
                        f"(U+{ord(broken.group()):04X}); retype it.")
    return name


def check_state(state: str) -> str:
    """The two-letter code in capitals (``wa`` -> ``WA``); raises LeadError for anything else."""
    code = state.strip().upper() if isinstance(state, str) else ""
    if code not in STATES:
        raise LeadError(f"{state!r} is not a two-letter USPS state code. Use the code of a "
                        "state, DC or a territory (AS, GU, MP, PR, VI), for example WA or NM.")
    return code


def check_kind(kind: str) -> str:
    """The kind in lower case (``City`` -> ``city``); raises LeadError for anything else."""
    norm_kind = kind.strip().lower() if isinstance(kind, str) else ""
    if norm_kind not in KINDS:
        raise LeadError(f"{kind!r} is not a kind of jurisdiction. Use one of: "
                        f"{', '.join(KINDS)}.")
    return norm_kind


# Lines of the template that start with "#= " are fields the planner has not decided yet.
_UNDECIDED = re.compile(r"^#= ", re.MULTILINE)


def _render(context: dict[str, object], *, undecided_prefix: str = "# ") -> str:
    """Render the plan template; ``undecided_prefix=""`` uncomments every field (for tests)."""
    try:
        text = make_environment().get_template(TEMPLATE).render(context)
    except jinja2.TemplateNotFound:
        raise LeadError(f"The plan template {TEMPLATE} is missing from {templates_dir()}; "
                        "reinstall lead-replicate.") from None
    return _UNDECIDED.sub(undecided_prefix, text)


def render_plan(name: str, state: str, kind: str, short_name: str | None = None, *,
                government_signs: bool = False) -> str:
    """Return the text of a new plan with only the given answers filled in.

    Every other field is present but commented out, so the plan is structurally valid from
    the start and each undecided field shows up as an open question when validated.
    ``government_signs`` adds the jurisdiction's own government as a signing stakeholder that
    the police act for (a department is often not a legal entity that can sign).
    """
    code, norm_kind = check_inputs(name, state, kind, short_name)
    return _render({"name": name, "state": code, "kind": norm_kind, "short_name": short_name,
                    "government_signs": government_signs})


def write_new_plan(path: str | Path, name: str, state: str, kind: str,
                   short_name: str | None = None, *, government_signs: bool = False) -> Path:
    """Create a new plan at ``path`` (never overwriting) and the JSON Schema beside it.

    Raises LeadError for bad answers and OutputError when ``path`` exists or cannot be written.
    """
    target = Path(path)
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise LeadError(f"{path}: a plan file name must end in .yaml or .yml, "
                        "for example mycity.yaml")
    text = render_plan(name, state, kind, short_name, government_signs=government_signs)
    _create_exclusive(target, text, shown=str(path))
    log.info("wrote %s", target)
    _write_schema_beside(target)
    return target


def check_free(target: Path, *, shown: str | None = None) -> None:
    """Raise OutputError unless a new file can be made at ``target`` (checked before asking).

    Free means: nothing there (not even a dangling link), and its folder exists. A name too
    long or a folder that cannot be looked into is a plain error too.
    """
    shown = str(target) if shown is None else shown
    try:
        taken, has_folder = target.exists() or target.is_symlink(), target.parent.is_dir()
    except OSError as exc:
        raise OutputError(os_error_text(shown, exc)) from None
    if taken:
        raise OutputError(f"{shown} already exists; choose another name or delete it first")
    if not has_folder:
        raise OutputError(f"{shown}: the folder {target.parent} does not exist; create it first")


def _create_exclusive(target: Path, text: str, *, shown: str) -> None:
    """Write ``text`` to a new file ``target`` atomically; never replace an existing file.

    The text goes to a temporary file in the same folder first; a hard link then gives it its
    name only if that name is free (atomic, no clobbering). Where hard links are not supported,
    the name is reserved with O_EXCL before the temporary file replaces the reservation.
    """
    exists = f"{shown} already exists; choose another name or delete it first"
    folder = target.parent
    check_free(target, shown=shown)
    reserved = False
    tmp: Path | None = None
    try:
        tmp = _new_temp_file(folder, text)
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise OutputError(exists) from None
        except (OSError, NotImplementedError):
            try:
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            except FileExistsError:
                raise OutputError(exists) from None
            reserved = True
            os.replace(tmp, target)
            reserved = False
    except OSError as exc:
        if reserved:
            target.unlink(missing_ok=True)
        raise OutputError(os_error_text(shown, exc)) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _new_temp_file(folder: Path, text: str) -> Path:
    """Write ``text`` to a fresh hidden file in ``folder``, with the user's usual permissions.

    tempfile.mkstemp would make the plan private (mode 0600); planners share these files.
    """
    for _ in range(100):
        tmp = folder / f".lead-init-{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp
    raise FileExistsError(f"no free temporary name in {folder}")  # pragma: no cover


def _write_schema_beside(plan: Path) -> Path | None:
    """Write the JSON Schema the plan's modeline points to, unless one is already there.

    The schema only helps editors, so any failure here is logged, not raised: the plan itself
    has been written.
    """
    target = plan.parent / SCHEMA_FILENAME
    if target.exists():
        return None
    from lead_replicate.rules.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    try:
        _create_exclusive(target, text, shown=str(target))
    except OutputError as exc:
        log.warning("%s", exc)
        return None
    return target
