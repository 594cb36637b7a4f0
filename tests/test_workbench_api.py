"""The workbench's HTTP API (README "serve"): every route, the guard, saving, conflicts."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from conftest import DATA, ROOT
from starlette.testclient import TestClient

from lead_replicate.rules.validate import validate_file
from lead_replicate.workbench.app import create_app
from lead_replicate.workbench.security import PAGE_CSP
from lead_replicate.workbench.workspace import Workspace

TOKEN = "test-token-0123456789"
BASE = "http://127.0.0.1:8765"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SAME_ORIGIN = {**AUTH, "Origin": BASE}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("seattle.yaml", "santa_fe.yaml"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def client(folder: Path, tmp_path_factory) -> TestClient:
    out = tmp_path_factory.mktemp("out")
    app = create_app(Workspace(folder), token=TOKEN, cookie="lead_workbench_8765", out_dir=out)
    return TestClient(app, base_url=BASE, headers=AUTH)


def patch(client: TestClient, path: str, value: object, slug: str = "seattle") -> httpx.Response:
    return client.patch(f"/api/plans/{slug}", json={"path": path, "value": value},
                        headers=SAME_ORIGIN)


def caseload_findings(body: dict) -> list[dict]:
    return [f for f in body["findings"] if f["principle"] == "caseload"]


# --- the guard -------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/", "/api/plans", "/api/plans/seattle", "/api/form",
                                   "/static/workbench.js", "/assets/lead.css",
                                   "/api/plans/seattle/preview/mou", "/api/compare",
                                   "/api/build"])
def test_every_route_needs_the_token(client, route):
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong"}):
        response = client.get(route, headers=headers)
        assert response.status_code == 401, route
        assert "token" in response.text
    assert client.get(route).status_code in (200, 422)


def test_the_printed_address_sets_a_strict_cookie_that_then_suffices(client):
    response = client.get(f"/?token={TOKEN}", headers={"Authorization": ""},
                          follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie == f"lead_workbench_8765={TOKEN}; HttpOnly; SameSite=Strict; Path=/"
    plain = TestClient(client.app, base_url=BASE)
    assert plain.get("/api/plans").status_code == 401
    plain.cookies.set("lead_workbench_8765", TOKEN)
    assert plain.get("/api/plans").status_code == 200
    assert plain.get(f"/?token={TOKEN}x", follow_redirects=False).status_code == 401


def test_the_token_in_the_query_is_only_taken_by_the_page(client):
    response = client.get(f"/api/plans?token={TOKEN}", headers={"Authorization": ""})
    assert response.status_code == 401


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.2:8765",
                                  "localhost.evil.example", ""])
def test_other_host_names_are_refused_even_with_the_token(client, host):
    response = client.get("/api/plans", headers={"Host": host})
    assert response.status_code == 403
    assert "127.0.0.1 or localhost" in response.text


def test_localhost_is_accepted(client):
    assert client.get("/api/plans", headers={"Host": "localhost:8765"}).status_code == 200


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"},
                                     {"Origin": "http://127.0.0.1:9999"},
                                     {"Origin": "null"},
                                     {"Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-site"}])
def test_writes_from_another_site_are_refused(client, folder, headers):
    before = (folder / "seattle.yaml").read_bytes()
    for method, route, body in [("PATCH", "/api/plans/seattle",
                                 {"path": "case_management.caseload.maximum", "value": 30}),
                                ("POST", "/api/plans/seattle/save", None),
                                ("POST", "/api/plans", {"name": "X", "state": "WA"})]:
        response = client.request(method, route, json=body, headers={**AUTH, **headers})
        assert response.status_code == 403, (method, route)
    assert client.post("/api/plans/seattle/save").status_code == 200
    assert (folder / "seattle.yaml").read_bytes() == before


def test_writes_need_a_json_body(client):
    response = client.patch("/api/plans/seattle", content=b"path=x&value=1",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "application/json" in response.json()["error"]


def test_every_response_forbids_external_sources(client):
    for route in ("/", "/api/plans", "/static/workbench.js", "/nowhere"):
        headers = client.get(route).headers
        assert headers["content-security-policy"] == PAGE_CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
    assert "http" not in PAGE_CSP and "*" not in PAGE_CSP
    refused = client.get("/", headers={"Authorization": ""}).headers
    assert refused["content-security-policy"] == PAGE_CSP


def test_the_page_and_its_assets_are_served_from_the_package(client):
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/static/workbench.js"' in page.text
    assert client.get("/static/workbench.js").headers["content-type"].startswith(
        "text/javascript")
    assert client.get("/assets/fonts/Caladea-Regular.ttf").content[:4] == b"\x00\x01\x00\x00"
    for bad in ("/static/..%2Fapp.py", "/static/.hidden", "/assets/../../pyproject.toml",
                "/assets/%2E%2E/lead.css"):
        assert client.get(bad).status_code == 404, bad


# --- plans -----------------------------------------------------------------------------------


def test_the_folder_lists_its_plans_with_their_counts(client, folder):
    body = client.get("/api/plans").json()
    assert body["folder"] == folder.name and body["single"] is False
    by_slug = {p["slug"]: p for p in body["plans"]}
    assert list(by_slug) == ["santa-fe", "seattle"]
    report = validate_file(folder / "santa_fe.yaml")
    assert by_slug["santa-fe"] == {
        "slug": "santa-fe", "file": "santa_fe.yaml", "jurisdiction": report.jurisdiction,
        "valid": False, "errors": report.errors, "warnings": report.warnings,
        "open_questions": report.counts.open, "readiness": report.readiness.percent,
        "dirty": False}


def test_a_plan_has_the_shape_of_validate_json(client, folder):
    body = client.get("/api/plans/seattle").json()
    report = validate_file(folder / "seattle.yaml").to_dict()
    report["file"] = "seattle.yaml"
    assert {k: body[k] for k in report} == json.loads(json.dumps(report, default=str))
    assert body["text"] == (folder / "seattle.yaml").read_text(encoding="utf-8")
    assert body["data"]["jurisdiction"]["launch"] == "2011-10-01"
    assert body["statuses"]["caseload"] == "met"
    assert body["editable"] is True and body["dirty"] is False and body["can_undo"] is False


def test_unknown_plans_are_not_found(client):
    for slug in ("nowhere", "..", "seattle.yaml", "SEATTLE"):
        assert client.get(f"/api/plans/{slug}").status_code == 404, slug
        assert patch(client, "lead", 1, slug=slug).status_code == 404, slug


def test_an_edit_returns_the_new_findings_and_saving_changes_exactly_that_line(client, folder):
    before = (folder / "seattle.yaml").read_text(encoding="utf-8")
    body = patch(client, "case_management.caseload.maximum", 30).json()
    [finding] = caseload_findings(body)
    assert finding["severity"] == "error" and finding["path"] == "case_management.caseload.maximum"
    assert body["dirty"] is True and body["statuses"]["caseload"] == "error"
    assert (folder / "seattle.yaml").read_text(encoding="utf-8") == before  # not saved yet
    assert client.post("/api/plans/seattle/save", headers=SAME_ORIGIN).status_code == 200
    after = (folder / "seattle.yaml").read_text(encoding="utf-8")
    old = next(line for line in before.splitlines() if line.startswith("    maximum: 25"))
    diff = [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]
    assert diff == ["- " + old, "+ " + old.replace("25", "30", 1)]
    assert client.get("/api/plans/seattle").json()["dirty"] is False


def test_null_removes_a_key_and_undo_brings_it_back(client):
    body = patch(client, "referral.voluntary", None).json()
    [finding] = [f for f in body["findings"] if f["principle"] == "voluntary"]
    assert (finding["status"], finding["severity"]) == ("open", "error")
    assert body["data"]["referral"].get("voluntary") is None and body["can_undo"] is True
    body = client.post("/api/plans/seattle/undo").json()
    assert [f for f in body["findings"] if f["principle"] == "voluntary"] == []
    assert body["dirty"] is False and body["can_undo"] is False


def test_a_missing_parent_section_is_created(client):
    patch(client, "evaluation", None)
    body = patch(client, "evaluation.comparison_group", True).json()
    assert body["data"]["evaluation"] == {"comparison_group": True}


@pytest.mark.parametrize(("body", "status"), [
    ({"path": "stakeholders.0.name", "value": "x"}, 422),
    ({"path": "stakeholders[99].name", "value": "x"}, 422),
    ({"path": "case_management.caseload.maximum"}, 400),
    ({"value": 3}, 400),
])
def test_bad_edits_are_refused_in_plain_words(client, body, status):
    response = client.patch("/api/plans/seattle", json=body)
    assert response.status_code == status
    assert response.json()["error"]


def test_a_save_refuses_when_the_file_changed_on_disk(client, folder):
    patch(client, "case_management.caseload.maximum", 30)
    target = folder / "seattle.yaml"
    changed = target.read_text(encoding="utf-8").replace("lead: 1", "lead: 1  # edited", 1)
    target.write_text(changed, encoding="utf-8")
    response = client.post("/api/plans/seattle/save")
    assert response.status_code == 409
    assert "changed on disk" in response.json()["error"]
    assert target.read_text(encoding="utf-8") == changed
    body = client.post("/api/plans/seattle/reload").json()
    assert body["text"] == changed and body["dirty"] is False


def test_the_raw_text_can_be_replaced_and_is_checked_as_a_file(client, folder):
    text = (folder / "seattle.yaml").read_text(encoding="utf-8")
    body = client.put("/api/plans/seattle/text",
                      json={"text": text.replace("maximum: 25", "maximum: 44")}).json()
    assert caseload_findings(body)[0]["line"] == 161


def test_a_hostile_file_is_refused_as_validate_refuses_it(client, folder):
    for name in ("billion-laughs.yaml", "nul-byte.yaml", "python-object-tag.yaml"):
        shutil.copy(DATA / "loader" / name, folder / name)
        slug = name.removesuffix(".yaml")
        body = client.get(f"/api/plans/{slug}").json()
        expected = validate_file(folder / name).to_dict()
        assert body["findings"] == expected["findings"], name
        if body["findings"][0]["principle"] == "yaml":
            assert patch(client, "lead", 1, slug=slug).status_code == 422
            assert client.get(f"/api/plans/{slug}/preview/mou").status_code == 422


def test_symbolic_links_and_other_folders_are_not_served(client, folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("lead: 1\n", encoding="utf-8")
    (folder / "link.yaml").symlink_to(outside)
    (folder / "sub").mkdir()
    shutil.copy(ROOT / "examples" / "seattle.yaml", folder / "sub" / "inner.yaml")
    slugs = [p["slug"] for p in client.get("/api/plans").json()["plans"]]
    assert slugs == ["santa-fe", "seattle"]
    assert client.get("/api/plans/link").status_code == 404


def test_a_new_plan_is_init_s_plan_and_never_overwrites(client, folder):
    response = client.post("/api/plans", json={"name": "Example City, Oregon", "state": "or",
                                               "kind": "city"})
    assert response.status_code == 201
    assert response.json()["slug"] == "example-city-oregon"
    text = (folder / "example-city-oregon.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=lead-replicate.schema.json")
    again = client.post("/api/plans", json={"name": "Example City, Oregon", "state": "OR"})
    assert again.status_code == 409
    bad = client.post("/api/plans", json={"name": "X", "state": "ZZ"})
    assert bad.status_code == 400 and "USPS" in bad.json()["error"]


# --- documents, form, comparison, build -------------------------------------------------------


def test_a_preview_is_the_document_s_html_under_its_own_policy(client):
    patch(client, "jurisdiction.short_name", "Seattle <b>&</b> King")
    response = client.get("/api/plans/seattle/preview/mou")
    assert response.status_code == 200
    assert "Memorandum of Understanding" in response.text
    assert "Seattle &lt;b&gt;&amp;&lt;/b&gt; King" in response.text
    assert '<link rel="stylesheet" href="/assets/lead.css">' in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp
    assert "frame-ancestors 'self'" in csp
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    for document in client.get("/api/form").json()["documents"]:
        assert client.get(f"/api/plans/seattle/preview/{document}").status_code == 200
    assert client.get("/api/plans/seattle/preview/secrets").status_code == 404


def test_a_plan_with_errors_previews_as_a_draft(client):
    patch(client, "case_management.caseload.maximum", 30)
    assert "DRAFT - does not yet meet" in client.get("/api/plans/seattle/preview/mou").text
    assert "DRAFT - does not yet meet" not in client.get(
        "/api/plans/seattle/preview/checklist").text


def test_the_form_follows_the_format(client):
    from lead_replicate.rules.schema import FORMAT

    body = client.get("/api/form").json()
    sections = {s["key"]: s for s in body["sections"]}
    assert list(sections) == [k for k in FORMAT if k != "lead"]
    fields = {f["key"]: f for f in sections["case_management"]["fields"]}
    maximum = {f["key"]: f for f in fields["caseload"]["fields"]}["maximum"]
    assert maximum["control"] == "number" and maximum["path"] == "case_management.caseload.maximum"
    assert fields["field_based"]["control"] == "flag"
    assert fields["provider"]["control"] == "ref"
    assert fields["approach"]["choices"] == ["harm-reduction", "abstinence-based", "other"]
    governance = {f["key"]: f for f in sections["governance"]["fields"]}
    members = {f["key"]: f for f in governance["policy_group"]["fields"]}["members"]
    assert members["control"] == "refs"
    assert sections["stakeholders"]["control"] == "items"
    guide = sections["case_management"]["guidance"]
    assert guide["decide"].startswith("who provides case management")
    assert guide["serves"] == ["harm-reduction", "no-fail-out", "caseload", "field-based"]
    assert body["documents"]["mou"] == "Memorandum of Understanding"
    assert {p["id"] for p in body["principles"]} >= {"caseload", "no-fail-out"}


def test_the_comparison_matrix_is_live(client, folder):
    rows = {r["plan"]: r for r in client.get("/api/compare").json()["rows"]}
    assert rows["seattle"]["statuses"]["caseload"] == "met"
    santa_fe = validate_file(folder / "santa_fe.yaml")
    assert rows["santa-fe"]["counts"]["errors"] == santa_fe.errors
    assert rows["santa-fe"]["principle_counts"]["error"] == list(
        santa_fe.statuses.values()).count("error")
    patch(client, "case_management.caseload.maximum", 30)
    rows = {r["plan"]: r for r in client.get("/api/compare").json()["rows"]}
    assert rows["seattle"]["statuses"]["caseload"] == "error"


def test_build_runs_in_the_background_and_serves_only_what_it_wrote(client, monkeypatch):
    import lead_replicate.cohort as cohort
    from lead_replicate.outcome import Outcome

    def fake_build_many(paths, options, *, jobs=None, progress=None, builder=None):
        outcomes = []
        for path in paths:
            slug = Path(path).stem.replace("_", "-")
            target = Path(options.out_dir) / slug / "mou.pdf"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"%PDF-1.7 test")
            outcome = Outcome(file=str(path), slug=slug, written=[target])
            progress(outcome)
            outcomes.append(outcome)
        return outcomes

    monkeypatch.setattr(cohort, "build_many", fake_build_many)
    assert client.post("/api/build").status_code == 202
    deadline = time.monotonic() + 10
    while (status := client.get("/api/build").json())["running"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert status["done"] == status["total"] == 2
    assert status["items"][1]["written"] == ["mou.pdf"]
    assert status["items"][1]["message"] == "wrote mou.pdf"
    assert client.get("/files/seattle/mou.pdf").content == b"%PDF-1.7 test"
    assert client.get("/files/seattle/readiness-checklist.pdf").status_code == 404
    assert client.get("/files/seattle/..%2F..%2Fetc").status_code == 404


# --- the command ---------------------------------------------------------------------------


def test_serve_prints_the_address_with_its_token_first_and_listens_on_loopback(folder):
    proc = subprocess.Popen([sys.executable, "-m", "lead_replicate", "serve", str(folder),
                             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:") and "/?token=" in first
        address, token = first.split("/?token=")
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"{address}/api/plans",
                                     headers={"Authorization": f"Bearer {token}"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert [p["slug"] for p in response.json()["plans"]] == ["santa-fe", "seattle"]
        assert httpx.get(f"{address}/api/plans").status_code == 401
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err
