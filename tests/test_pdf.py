"""Tests for pdf.py: the assets-only URL fetcher and the missing-engine message."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from lead_replicate.documents import pdf
from lead_replicate.documents.templating import templates_dir
from lead_replicate.errors import PdfEngineError


def test_assets_are_served_and_nothing_else(tmp_path: Path) -> None:
    roots = pdf.asset_roots(None)
    font = templates_dir().resolve() / "assets" / "fonts" / "Caladea-Regular.ttf"
    assert pdf.resolve_asset(font.as_uri(), roots) == font
    for url in ("file:///etc/passwd", "http://example.org/x.css",
                (templates_dir().resolve() / "assets" / ".." / "base.html").as_uri(),
                (templates_dir().resolve() / "base.html").as_uri()):
        assert pdf.resolve_asset(url, roots) is None, url


def test_user_assets_override_shipped_ones(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "lead.css").write_text("p {}", encoding="utf-8")
    roots = pdf.asset_roots(tmp_path)
    shipped_css = (templates_dir().resolve() / "assets" / "lead.css").as_uri()
    assert pdf.resolve_asset(shipped_css, roots) == (tmp_path / "assets" / "lead.css").resolve()
    font = templates_dir().resolve() / "assets" / "fonts" / "Caladea-Bold.ttf"
    assert pdf.resolve_asset(font.as_uri(), roots) == font  # not overridden: shipped


def test_hostile_html_cannot_pull_a_local_file() -> None:
    html = ('<html lang="en"><head><title>t</title></head><body><p>x</p>'
            '<img src="file:///etc/passwd" alt="x"></body></html>')
    data = pdf.render_pdf(html)
    assert b"root:" not in data and data.startswith(b"%PDF")


def test_missing_engine_is_one_plain_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            raise OSError("cannot load library 'gobject-2.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(PdfEngineError, match="Pango") as info:
        pdf.render_pdf("<html></html>")
    assert "\n" not in str(info.value)
