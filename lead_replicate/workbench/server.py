"""Run the workbench: bind 127.0.0.1, print the address with its token, open the browser."""

from __future__ import annotations

import logging
import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

from lead_replicate.errors import LeadError
from lead_replicate.workbench.security import new_token
from lead_replicate.workbench.workspace import Workspace

HOST = "127.0.0.1"  # never another interface: the plans and the token stay on this machine


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: any free port)."""
    # IPPROTO_TCP named explicitly: asyncio turns Nagle's algorithm off only on sockets that
    # say so, and with it on every response waits ~40 ms for a delayed acknowledgement.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise LeadError(f"cannot listen on {HOST}:{port} ({exc.strerror or exc}); "
                        "choose another --port, or 0 for any free port") from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(target: Path, *, port: int = 0, open_browser: bool = True, out_dir: Path,
          echo: Callable[[str], None] = print) -> None:
    """Serve ``target`` (a folder of plans, or one plan) until interrupted."""
    import uvicorn

    from lead_replicate.workbench.app import create_app

    workspace = Workspace(target)
    sock = bind(port)
    port = sock.getsockname()[1]
    token = new_token()
    app = create_app(workspace, token=token, cookie=f"lead_workbench_{port}", out_dir=out_dir)
    address = f"http://{HOST}:{port}/?token={token}"
    echo(address)
    echo(f"Serving the plans in {workspace.folder} (Ctrl+C stops; unsaved changes are lost).")
    if open_browser:
        webbrowser.open(address)
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
