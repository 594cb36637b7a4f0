"""Turn document HTML into PDF bytes; the only module that imports WeasyPrint (lazily)."""

from __future__ import annotations

import atexit
import logging
import mimetypes
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lead_replicate.documents.templating import asset_roots, find_asset, templates_dir
from lead_replicate.errors import PdfEngineError

log = logging.getLogger(__name__)

STYLESHEET = "lead.css"  # inside the assets folder
ENGINE_HELP = ("The PDF engine (WeasyPrint) could not start because a system library it needs "
               "(Pango) is missing; install it as described at "
               "https://doc.courtbouillon.org/weasyprint/stable/first_steps.html and run the "
               "command again (the HTML documents were written and can be printed from a browser).")


def _weasyprint() -> Any:
    """Import WeasyPrint on first use: it costs about a second and fails without Pango."""
    try:
        with warnings.catch_warnings():
            # "HarfBuzz-Subset will be required by future versions": not the user's concern.
            warnings.simplefilter("ignore", DeprecationWarning)
            import weasyprint  # type: ignore[import-untyped]
    except (OSError, ImportError) as exc:
        log.debug("WeasyPrint import failed: %s", exc)
        raise PdfEngineError(ENGINE_HELP) from None
    engine_log = logging.getLogger("weasyprint")
    if engine_log.level == logging.NOTSET:  # its font-subsetting notices are not the user's
        engine_log.setLevel(logging.ERROR)  # concern; an application may still set a level
    return weasyprint


def resolve_asset(url: str, roots: tuple[Path, ...]) -> Path | None:
    """The file an asset URL names, looked up in ``roots`` in order; None if not allowed.

    Only ``file:`` URLs inside one of the asset folders are served, so a hostile name
    such as ``<img src="file:///etc/passwd">`` can never pull a file into a PDF.
    """
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    wanted = Path(unquote(parts.path)).resolve()
    relative = None
    for root in roots:
        if wanted.is_relative_to(root):
            relative = wanted.relative_to(root)
            break
    if relative is None:
        return None
    for root in roots:
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _make_fetcher(roots: tuple[Path, ...]) -> Any:
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    class AssetsOnlyFetcher(URLFetcher):
        """Serves the shipped (and user) assets and ``data:`` URLs; refuses the rest."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = resolve_asset(url, roots)
            if path is None:
                log.warning("refused to load %s: only the shipped assets may be used", url[:200])
                raise ValueError(f"refused to load {url[:200]}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                      {"Content-Type": mime})

    del weasyprint
    return AssetsOnlyFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


@lru_cache(maxsize=8)
def _engine(overrides: Path | None) -> tuple[Any, Any, Any]:
    """Stylesheet, font configuration and fetcher, built once per process and reused."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    fetcher = _make_fetcher(asset_roots(overrides))
    sheet = find_asset(STYLESHEET, overrides)
    fonts = FontConfiguration()
    css = weasyprint.CSS(url=sheet.as_uri(), url_fetcher=fetcher, font_config=fonts)
    return css, fonts, fetcher


def render_pdf(html: str, *, overrides: Path | None = None) -> bytes:
    """Render one document's HTML (title, lang and metadata in its head) to tagged PDF/UA-1.

    Identical HTML gives identical bytes: the dates come from the HTML's
    ``dcterms.created`` meta (set from ``SOURCE_DATE_EPOCH``), never from the clock.
    """
    weasyprint = _weasyprint()
    css, fonts, fetcher = _engine(_resolved(overrides))
    document = weasyprint.HTML(string=html, base_url=(templates_dir().resolve() / "x").as_uri(),
                               url_fetcher=fetcher)
    data = document.write_pdf(stylesheets=[css], font_config=fonts, pdf_variant="pdf/ua-1",
                              pdf_identifier=True)
    assert isinstance(data, bytes)
    return data


@atexit.register
def _release_engine() -> None:
    """Drop the cached fonts before interpreter shutdown, when their cleanup would fail noisily."""
    _engine.cache_clear()


def warm_up(overrides: Path | None = None) -> None:
    """Load WeasyPrint and build the stylesheet now (for a pool initializer or a benchmark)."""
    _engine(_resolved(overrides))


def _resolved(overrides: Path | None) -> Path | None:
    """One cache entry per folder, however the user spelled its path."""
    return None if overrides is None else Path(overrides).resolve()
