"""The workbench in a real browser: Playwright driving the distribution's Chromium.

Open Seattle, change the caseload maximum to 30, see the caseload error and the MOU preview
change, save, and find exactly that line changed in the file. Skipped only where
/usr/bin/chromium is absent (`.ci/run` installs it).
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`lead-replicate serve` on a copy of the examples: (printed address, folder)."""
    for name in ("seattle.yaml", "santa_fe.yaml"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    proc = subprocess.Popen([sys.executable, "-m", "lead_replicate", "serve", str(tmp_path),
                             "--no-browser", "--out", str(tmp_path / "build")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip(), tmp_path
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, served):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield page
    page.close()
    assert problems == []


def test_change_a_decision_see_the_finding_and_the_preview_save_exactly_that_line(
        served, page):
    address, folder = served
    before = (folder / "seattle.yaml").read_text(encoding="utf-8")
    page.goto(address)
    page.get_by_role("link", name="Seattle and King County, Washington").click()
    maximum = page.get_by_label("Maximum", exact=True)
    assert maximum.input_value() == "25"
    preview = page.frame_locator("#preview-frame")
    preview.get_by_role("heading", name="Memorandum of Understanding").wait_for()
    assert preview.get_by_text("DRAFT - does not yet meet").count() == 0

    maximum.fill("30")
    maximum.press("Tab")
    finding = page.locator("#f-case_management_caseload_maximum-findings")
    finding.get_by_text("The maximum caseload is 30, over 25.").wait_for()
    assert maximum.get_attribute("aria-invalid") == "true"
    assert page.locator(".counts").inner_text().startswith("1 error")
    preview.get_by_text("DRAFT - does not yet meet the LEAD core principles").wait_for()
    assert (folder / "seattle.yaml").read_text(encoding="utf-8") == before  # not saved yet

    page.keyboard.press("Control+s")
    page.get_by_role("status").get_by_text("Saved seattle.yaml.").wait_for()
    after = (folder / "seattle.yaml").read_text(encoding="utf-8")
    old = next(line for line in before.splitlines() if line.startswith("    maximum: 25"))
    diff = [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]
    assert diff == ["- " + old, "+ " + old.replace("25", "30", 1)]


def test_every_control_has_a_label_and_the_focus_order_follows_the_page(served, page):
    address, _ = served
    page.goto(address + "#/plan/santa-fe")
    page.locator("#sec-case_management").wait_for()
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        "input, select, textarea")].filter((el) => !el.labels.length &&
        !el.getAttribute("aria-label")).map((el) => el.id || el.outerHTML)""")
    assert unlabelled == []
    assert page.evaluate("document.activeElement.id") == "main"  # focus moves to the plan
    fields = page.evaluate("""() => [...document.querySelectorAll(
        "#sec-jurisdiction input, #sec-jurisdiction select")].map((el) => el.id)""")[:5]
    order = []
    while len(order) < 80 and fields[-1] not in order:
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || "
                                   "document.activeElement.textContent"))
    # the tabs, then the section links, then the fields in the format's order
    assert order[0] == "tab-form"
    first_field = order.index(fields[0])
    assert [o.split(" ")[0] for o in order[1:3]] == ["Jurisdiction", "Stakeholders"]
    assert all(not o.startswith("f-") for o in order[1:first_field])
    assert order[first_field:] == fields
