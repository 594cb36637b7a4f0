"""The workbench's routes: the page, its assets, and the documented JSON API (README)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from lead_replicate.errors import LeadError, OutputError
from lead_replicate.workbench import shapes
from lead_replicate.workbench.editing import EditError, parse_path
from lead_replicate.workbench.security import PREVIEW_CSP, Guard
from lead_replicate.workbench.workspace import Conflict, NotFound, Plan, Workspace

STATIC = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
MAX_BODY = 6 * 1024 * 1024  # a whole plan (5 MiB at most) as JSON


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _failure(exc: Exception) -> JSONResponse:
    """The library's errors as JSON with the right status; the message is the CLI's line."""
    if isinstance(exc, NotFound):
        return _error(404, str(exc))
    if isinstance(exc, Conflict):
        return _error(409, str(exc))
    if isinstance(exc, EditError):
        return _error(422, str(exc))
    if isinstance(exc, OutputError):
        return _error(500, str(exc))
    return _error(400, str(exc))


async def _body(request: Request) -> dict[str, Any]:
    """The JSON object sent, refusing other content types (a form post from another page)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise LeadError("send the request body as JSON (Content-Type: application/json)")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise LeadError("the request is too large")
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise LeadError("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise LeadError("the request body must be a JSON object")
    return body


def create_app(workspace: Workspace, *, token: str, cookie: str,
               out_dir: Path | None = None) -> Starlette:
    """The ASGI application; every route sits behind :class:`Guard`."""
    from lead_replicate.workbench.builds import BuildJob

    builds = BuildJob(workspace, out_dir or Path("build"))

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        target = STATIC / name
        if "/" in name or name.startswith(".") or not target.is_file():
            return _error(404, "no such file")
        return FileResponse(target, media_type=STATIC_TYPES.get(target.suffix, "text/plain"))

    async def asset(request: Request) -> Response:
        from lead_replicate.documents.templating import find_asset

        try:
            return FileResponse(find_asset(request.path_params["path"]))
        except LeadError:
            return _error(404, "no such asset")

    async def list_plans(request: Request) -> Response:
        plans = [shapes.plan_summary(plan) for _, plan in workspace.reports()]
        return JSONResponse({"folder": workspace.folder.name,
                             "single": workspace.single is not None, "plans": plans})

    async def new_plan(request: Request) -> Response:
        try:
            body = await _body(request)
            plan = workspace.new_plan(str(body.get("name") or ""), str(body.get("state") or ""),
                                      str(body.get("kind") or "city"))
        except LeadError as exc:
            return _failure(exc)
        return JSONResponse(shapes.plan_json(plan), status_code=201)

    def plan_route(change: Callable[[str, dict[str, Any]], Plan], *,
                   body: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """A route that changes (or reads) one plan and answers with its new state."""
        async def run(request: Request) -> Response:
            try:
                sent = await _body(request) if body else {}
                plan = change(request.path_params["slug"], sent)
            except LeadError as exc:
                return _failure(exc)
            return JSONResponse(shapes.plan_json(plan))
        return run

    def edit(slug: str, body: dict[str, Any]) -> Plan:
        if not isinstance(body.get("path"), str) or "value" not in body:
            raise LeadError('send {"path": "case_management.caseload.maximum", "value": 30}')
        return workspace.edit(slug, parse_path(body["path"]), body["value"])

    def replace_text(slug: str, body: dict[str, Any]) -> Plan:
        if not isinstance(body.get("text"), str):
            raise LeadError('send {"text": "..."}')
        return workspace.set_text(slug, body["text"])

    async def preview(request: Request) -> Response:
        from lead_replicate.workbench.preview import preview_html

        try:
            plan = workspace.get(request.path_params["slug"])
            status, html = preview_html(plan, request.path_params["document"])
        except LeadError as exc:
            return _failure(exc)
        return HTMLResponse(html, status_code=status, headers={
            "content-security-policy": PREVIEW_CSP, "x-frame-options": "SAMEORIGIN"})

    async def form(request: Request) -> Response:
        from lead_replicate.workbench.forms import form_description
        from lead_replicate.workbench.preview import documents

        return JSONResponse({**form_description(), "documents": documents(),
                             "principles": shapes.rulebook_json()})

    async def compare(request: Request) -> Response:
        plans = [(slug, plan.report) for slug, plan in workspace.reports()]
        return JSONResponse(shapes.comparison_json(plans))

    async def build_status(request: Request) -> Response:
        return JSONResponse(builds.status())

    async def build_start(request: Request) -> Response:
        try:
            return JSONResponse(builds.start(), status_code=202)
        except LeadError as exc:
            return _failure(exc)

    async def built_file(request: Request) -> Response:
        target = builds.file(request.path_params["slug"], request.path_params["name"])
        if target is None:
            return _error(404, "no such file in the last build")
        return FileResponse(target, content_disposition_type="inline")

    slug = "/api/plans/{slug:str}"
    routes = [
        Route("/", index),
        Route("/static/{name:str}", static),
        Route("/assets/{path:path}", asset),
        Route("/api/form", form),
        Route("/api/plans", list_plans),
        Route("/api/plans", new_plan, methods=["POST"]),
        Route(slug, plan_route(lambda s, _: workspace.get(s))),
        Route(slug, plan_route(edit, body=True), methods=["PATCH"]),
        Route(slug + "/text", plan_route(replace_text, body=True), methods=["PUT"]),
        Route(slug + "/save", plan_route(lambda s, _: workspace.save(s)), methods=["POST"]),
        Route(slug + "/undo", plan_route(lambda s, _: workspace.undo(s)), methods=["POST"]),
        Route(slug + "/reload", plan_route(lambda s, _: workspace.reload(s)),
              methods=["POST"]),
        Route(slug + "/preview/{document:str}", preview),
        Route("/api/compare", compare),
        Route("/api/build", build_status),
        Route("/api/build", build_start, methods=["POST"]),
        Route("/files/{slug:str}/{name:str}", built_file),
    ]
    return Starlette(routes=routes,
                     middleware=[Middleware(Guard, token=token, cookie=cookie)])
