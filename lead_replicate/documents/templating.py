"""The one Jinja2 environment (sandboxed): a user's template folder first, then the shipped ones."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from lead_replicate.documents.articles import each_the, the
from lead_replicate.errors import TemplateError
from lead_replicate.labels import label

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def templates_dir() -> Path:
    """The shipped templates: inside the package when installed, else at the repository top."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "templates"
    if packaged.is_dir():
        return packaged
    return package.parent / "templates"


def asset_roots(overrides: Path | None) -> tuple[Path, ...]:
    """The asset folders, user's first: a user may replace the stylesheet or a font."""
    roots = [templates_dir().resolve() / "assets"]
    if overrides is not None:
        roots.insert(0, Path(overrides).resolve() / "assets")
    return tuple(roots)


def find_asset(relative: str, overrides: Path | None = None) -> Path:
    """The asset ``relative`` (e.g. ``lead.css``), the user's copy first; never outside."""
    for root in asset_roots(overrides):
        candidate = (root / relative).resolve()
        if candidate.is_file() and candidate.is_relative_to(root):
            return candidate
    raise TemplateError(f"the asset assets/{relative} was not found")


def standalone_html(html: str, overrides: Path | None = None) -> str:
    """The HTML with the stylesheet and fonts inlined, so it opens anywhere in a browser."""
    css = find_asset("lead.css", overrides).read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(find_asset(match.group(1), overrides).read_bytes()).decode()
        return f'url("data:font/ttf;base64,{data}")'

    css = re.sub(r'url\("((?:fonts/)[A-Za-z0-9._-]+)"\)', inline, css)
    return html.replace("</head>", f"<style>\n{css}</style>\n</head>", 1)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def date_long(value: Any) -> str:
    """``2011-10-01`` -> ``October 1, 2011`` (US legal style); other text passes unchanged."""
    day = _as_date(value)
    if day is None:
        return "" if value is None else str(value)
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def money(value: Any) -> str:
    """Whole US dollars with thousands separators: ``950000`` -> ``$950,000``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    return f"${value:,.0f}"


def launch(jurisdiction: dict) -> str:
    """The launch date at the precision the planners know it (``launch_precision``)."""
    value = jurisdiction.get("launch")
    day = _as_date(value)
    if day is None:
        return "" if value is None else str(value)
    precision = jurisdiction.get("launch_precision")  # absent: a day, the format's default
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return date_long(day)


def humanize(value: Any) -> str:
    """A format value in words, from labels.py (the one mapping): ``case-managers`` -> words."""
    return label(value)


LAWS = {"hipaa": "the Health Insurance Portability and Accountability Act (HIPAA)",
        "42-cfr-part-2": ("42 CFR Part 2 (confidentiality of substance use disorder patient "
                          "records)"),
        "state-law": "applicable state confidentiality law"}


def humanize_law(value: Any) -> str:
    """A confidentiality framework's full name, for the MOU: ``hipaa`` -> the Act's name."""
    return LAWS.get(str(value), humanize(value))


def nodot(value: Any) -> str:
    """Drop a user's final period, so ``{{ x|nodot }}.`` never prints "..".

    Used wherever a template puts its own punctuation after a user's value. Before a full
    stop this is exact even for "Inc.": the stop we print stands for theirs.
    """
    text = str(value).rstrip().rstrip(".").rstrip()
    # Keep already-escaped output (a macro's result) marked safe, so it is not escaped twice.
    return markupsafe.Markup(text) if isinstance(value, markupsafe.Markup) else text


def mid_sentence(value: Any) -> str | None:
    """A user's phrase as it reads after "means": as written when it starts in lower case,
    with a leading "The", "A" or "An" lower-cased, else ``None``: the template then quotes
    the words as given, since lower-casing "LEAD" or a name would change them."""
    text = str(value)
    if text[:1].islower():
        return text
    first, _, rest = text.partition(" ")
    return f"{first.lower()} {rest}" if rest and first in ("The", "A", "An") else None


def endstop(value: Any) -> str:
    """The value ending in one full stop: "What is LEAD?" stays as it is (no "?."), "Inc." too."""
    plain = value.striptags() if isinstance(value, markupsafe.Markup) else str(value)
    if re.search(r"[.?!][\"'”’)\]]*\s*$", plain):
        return value.rstrip()
    return nodot(value) + "."


def shown(value: Any) -> str:
    """A plan value in words: ``true`` -> ``yes``, a list -> its items joined, kebab -> words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {shown(v)}" for k, v in value.items())
    return humanize(value) if isinstance(value, str) else str(value)


def names_list(items: Any, conj: str = "and") -> markupsafe.Markup:
    """``A, B and C`` (``or`` for alternatives); semicolons when a name has a comma in it.

    Items may be markup (a bracketed term); anything else is escaped.
    """
    parts = [markupsafe.escape(i) for i in (items or [])]
    if len(parts) < 2:
        return markupsafe.Markup("").join(parts)
    sep = "; " if any("," in str(p) for p in parts) else ", "
    last = f"{sep.strip()} {conj} " if len(parts) > 2 else f" {conj} "
    return markupsafe.Markup(sep).join(parts[:-1]) + markupsafe.Markup(last) + parts[-1]


def has_field(items: Any, key: str) -> bool:
    """True when any row has a value for ``key``: tables leave out columns nobody filled in."""
    return any(isinstance(row, dict) and row.get(key) not in (None, "", [], {})
               for row in (items or []))


# Characters a YAML reader accepts literally inside a double-quoted scalar. Everything else
# (control characters, YAML line breaks such as U+2028, surrogates, the byte-order mark) is
# written as an escape so the value reads back exactly as given.
_YAML_LITERAL = re.compile(r"[\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD"
                           r"\U00010000-\U0010FFFF]")
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def quote_yaml(value: str) -> str:
    """Return ``value`` as a YAML double-quoted scalar that reads back exactly.

    json.dumps is close but not enough: with ``ensure_ascii`` it writes emoji as surrogate
    pairs (YAML does not join them), and without it leaves U+2028 raw (YAML folds it).
    """
    out = ['"']
    for ch in value:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif _YAML_LITERAL.fullmatch(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02X}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04X}")
        else:  # pragma: no cover - every character above U+FFFF is literal
            out.append(f"\\U{ord(ch):08X}")
    out.append('"')
    return "".join(out)


def _autoescape(name: str | None) -> bool:
    # Every template we render is HTML, except the YAML plan `init` writes (whose values go
    # through the ``yaml`` filter instead); escape anything whose kind is unknown, too.
    return name is None or not name.endswith((".txt", ".css", ".yaml.j2"))


class _ContainedLoader(jinja2.FileSystemLoader):
    """A folder's templates, refusing any file that resolves outside that folder.

    A templates folder may come from anyone (a trainer runs one received by email): a link
    to /etc/passwd named ``mou/mou.html`` must not put the password file into the MOU.
    """

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if not any(real.is_relative_to(Path(root).resolve()) for root in self.searchpath):
            raise TemplateError(f"the template {filename} leads outside its folder (to "
                                f"{real}); put the file itself in the templates folder")
        return source, filename, uptodate


def make_environment(overrides: Path | None = None) -> jinja2.Environment:
    """The one environment factory: sandboxed, StrictUndefined, autoescape for HTML.

    ``overrides`` is a user's ``--templates`` folder; any file there replaces the shipped
    file with the same relative path, so one clause can be adapted without copying the rest.
    Every template renders in Jinja2's sandbox, the shipped ones too: one kind of
    environment, and a user's template cannot reach Python internals (``__globals__``, the
    ``os`` module) from any value it is given. One environment per folder per process, so
    each template compiles once (Jinja2 still reloads a template whose file changed).
    """
    if overrides is not None and not Path(overrides).is_dir():
        raise TemplateError(f"the templates folder {overrides} does not exist")
    return _environment(None if overrides is None else Path(overrides).resolve())


@functools.lru_cache(maxsize=8)
def _environment(overrides: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None:
        loaders.append(_ContainedLoader(str(overrides)))
    loaders.append(_ContainedLoader(str(templates_dir())))
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(date_long=date_long, money=money, launch=launch, humanize=humanize,
                       nodot=nodot, endstop=endstop, has_field=has_field, shown=shown,
                       names_list=names_list, humanize_law=humanize_law, the=the,
                       each_the=each_the, mid_sentence=mid_sentence,
                       yaml=quote_yaml)
    return env


def _where(exc: BaseException, name: str) -> str:
    """``file:line`` of the template line that failed (an override file is named as such).

    Jinja2 rewrites tracebacks so that template frames carry the template's file and line.
    """
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.endswith((".html", ".txt", ".css", ".j2"))]
    if not frames:
        return f"template {name}"
    return f"{frames[-1].filename}:{frames[-1].lineno}"


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render ``name``; turn any template problem into one plain :class:`TemplateError`."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {exc.name} was not found") from None
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise TemplateError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            f"{_where(exc, name)}: the template uses a value that does not exist: "
            f"{exc.message}") from None
    except SecurityError as exc:
        raise TemplateError(
            f"{_where(exc, name)}: the template tried to reach something templates may not "
            f"use ({str(exc).rstrip('.')}); templates render in a sandbox") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{_where(exc, name)}: the template could not be rendered: "
                            f"{exc}") from None
