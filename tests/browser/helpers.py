"""Plain helpers for the browser tests: servers, a network guard and notebook actions.

The fixtures in ``conftest.py`` wire these together; tests import the functions that act
on a page (``open_notebook``, ``run_all``, ``count_plotly_charts`` ...) from here.
Everything talks to 127.0.0.1 only: the servers bind there, and every page request for
another host is aborted and recorded by :class:`PageRecorder`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # helpers import without playwright; conftest skips the suite then
    from playwright.sync_api import ConsoleMessage, Locator, Page, Request, Response, Route, WebSocket

__all__ = [
    "ARTIFACTS_DIR",
    "CHROMIUM_ARGS",
    "KNOWN_BLOCKED_URLS",
    "KNOWN_SERVER_RACES",
    "VOILA_KNOWN_JS_ERRORS",
    "LAB_SETTINGS_OVERRIDES",
    "PLOTLY_CHART",
    "REPO_ROOT",
    "WIDGET_VIEW",
    "BrowserTestError",
    "LabServer",
    "PageRecorder",
    "VoilaServer",
    "api_get",
    "assert_no_js_errors",
    "assert_no_outside_requests",
    "count_plotly_charts",
    "count_widgets",
    "error_outputs",
    "find_chromium",
    "find_console",
    "http_status",
    "is_known_blocked",
    "is_local_url",
    "launch_lab",
    "launch_voila",
    "notebook_panel",
    "open_notebook",
    "open_voila",
    "run_all",
    "screenshot",
    "shutdown_kernels",
    "start_run_all",
    "stop_process",
    "wait_for_kernel_idle",
    "wait_run_all",
    "write_notebook",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"

# NOTES.md: without the background-networking flags Chromium itself calls outside hosts.
# The dead proxy is a second wall behind the request router: anything the router cannot
# see (service workers, a WebSocket to another host) fails instead of leaving the machine.
# Chromium never sends loopback traffic through a proxy, so 127.0.0.1 still works.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=http://127.0.0.1:9",
)

# Written to the app settings dir of every test JupyterLab (see launch_lab).
LAB_SETTINGS_OVERRIDES: dict[str, dict[str, Any]] = {
    # The news toast asks an outside host and covers the notebook (NOTES.md).
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Autosave would rewrite the served notebooks (the repository's own, for later tests)
    # with the outputs of the test run.
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    # The default windowing skips rendering off-screen cells; counts of charts and
    # widgets must see every cell.
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}

# Outside URLs a page may ask for without failing the test. They are still aborted.
# Voila's lab template links Font Awesome from a CDN (icons only, NOTES.md).
KNOWN_BLOCKED_URLS: frozenset[str] = frozenset(
    {
        "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/all.min.css",
        "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/v4-shims.min.css",
    }
)

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Only requests matching this reach the Python route handler. Under Playwright's sync API
# a routed request waits until Python next calls into Playwright, so routing local traffic
# too would stall JupyterLab (its session request hung while a test polled the REST API).
# The handler still checks the host properly (e.g. "http://127.0.0.1@example.com/").
_MAYBE_OUTSIDE = re.compile(r"^(?!https?://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:[/?#]|$))")
_LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-extension", "devtools"})

# JS errors Voila pages raise with this stack of packages, harmless for what users see.
# jupyterlab-plotly 7.1 stores a PNG snapshot of each chart with model.setData, which
# Voila 0.5's output models lack; the chart itself renders (seen with a widget on the page).
VOILA_KNOWN_JS_ERRORS: tuple[str, ...] = (r"setData is not a function",)

# Server errors of this stack that are no fault of the kit. jupyter_server 2 answers 500 to
# the kernel list (GET /api/kernels) while a kernel is starting: it reads the kernel's
# last_activity before it is set (TraitError in the server log). JupyterLab polls the list
# again; the notebook tests start five kernels at once, so they meet this.
KNOWN_SERVER_RACES: tuple[re.Pattern[str], ...] = (re.compile(r"/api/kernels(?:\?|$)"),)

# A rendered chart: one plotly root holding its svg layers (several .main-svg each).
PLOTLY_CHART = ".js-plotly-plot:has(.main-svg)"
# A rendered widget: an output holding a widget view; a Box with children counts once.
# Widget outputs carry no data-mime-type attribute in JupyterLab 4 or Voila.
WIDGET_VIEW = ".jp-OutputArea-output:has(> .jupyter-widgets)"
# JupyterLab 4 renders a traceback exactly like a stderr stream
# (.jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']), so in JupyterLab
# error_outputs() reads the notebook model; stderr outputs with traceback text are the
# fallback for Voila, whose pages have no model (it prints the traceback, or a notice).
_STDERR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
_ERROR_TEXT = re.compile(r"Traceback \(most recent call last\)|There was an error when executing cell")

_PROMPT_DONE = re.compile(r"^\[\d+\]:$")


class BrowserTestError(AssertionError):
    """A server, page or notebook did not reach the state a browser test waits for."""


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab started by :func:`launch_lab`.

    Attributes:
        url: Base URL with a trailing slash, e.g. ``http://127.0.0.1:41234/``.
        token: The random token every request must carry.
        root_dir: The folder JupyterLab serves; notebook paths are relative to it.
        log_path: File holding the server's stdout and stderr.
        process: The server process (stopped by :func:`stop_process`).
    """

    url: str
    token: str
    root_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def lab_url(self, relpath: str | Path) -> str:
        """URL that opens ``relpath`` in a fresh workspace, authenticated by the token."""
        quoted = urllib.parse.quote(_relposix(relpath))
        # ?reset: a session-scoped server would otherwise restore the tabs of the
        # previous test's notebook next to this one.
        return f"{self.url}lab/tree/{quoted}?reset&token={self.token}"


@dataclass(frozen=True)
class VoilaServer:
    """A running Voila started by :func:`launch_voila` for one notebook.

    Attributes:
        url: URL of the rendered notebook (the server root), with a trailing slash.
        notebook: The notebook Voila serves.
        log_path: File holding the server's stdout and stderr.
        process: The server process (stopped by :func:`stop_process`).
    """

    url: str
    notebook: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)


def find_chromium() -> Path | None:
    """Return the Chromium to drive: env ``CHROMIUM`` or /usr/bin/chromium, if it exists."""
    candidate = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which(str(candidate))
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _isolated_env(home: Path) -> dict[str, str]:
    """Environment for a Jupyter process whose user-level state lives under ``home``.

    Only user-level locations move: ``sys.prefix/share/jupyter`` (lab extensions such as the
    widget manager and plotly's renderer, the python3 kernel) and ``sys.prefix/etc/jupyter``
    (server extensions) stay on Jupyter's search paths.
    """
    env = dict(os.environ)
    # Variables that would add the developer's own paths or another app dir.
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTERLAB_DIR", "JUPYTER_PREFER_ENV_PATH"):
        env.pop(name, None)
    for name, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "user-settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("IPYTHONDIR", "ipython"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    # The kernel's debugger otherwise warns about frozen modules on every start.
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _spawn(cmd: Sequence[str], *, env: dict[str, str], cwd: Path, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        log.write(f"$ {' '.join(cmd)}\n".encode())
        log.flush()
        # Own session: the server and its kernels form one process group that teardown
        # can clean up without touching anything else.
        return subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def http_status(url: str, *, headers: dict[str, str] | None = None, timeout: float = 5.0) -> int:
    """HTTP status of a GET, redirects not followed (a login redirect shows as 302)."""
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _wait_until_ready(
    process: subprocess.Popen[bytes],
    probe: Callable[[], bool],
    *,
    what: str,
    log_path: Path,
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrowserTestError(
                f"{what} exited with code {process.returncode} before answering; "
                f"log {log_path} ends with:\n{_log_tail(log_path)}"
            )
        try:
            if probe():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    stop_process(process)
    raise BrowserTestError(
        f"{what} did not answer within {timeout:.0f} s; log {log_path} ends with:\n{_log_tail(log_path)}"
    )


def launch_lab(root_dir: Path, *, workdir: Path, timeout: float = 60.0) -> LabServer:
    """Start JupyterLab on 127.0.0.1 serving ``root_dir`` and wait until it answers.

    The server gets a random token, a free port, isolated user config/runtime/settings
    under ``workdir`` and the settings in :data:`LAB_SETTINGS_OVERRIDES`. Stop it with
    ``stop_process(server.process)``.

    Args:
        root_dir: Folder to serve; notebook paths are relative to it.
        workdir: Empty folder for the server's own files (config, settings, log).
        timeout: Seconds to wait for ``/api/status``.

    Returns:
        The running server.
    """
    root_dir = Path(root_dir).resolve()
    if not root_dir.is_dir():
        raise BrowserTestError(f"JupyterLab root_dir {root_dir} is not a folder; create it first.")
    workdir.mkdir(parents=True, exist_ok=True)
    env = _isolated_env(workdir)
    # JupyterLab reads overrides.json from its app settings dir, by default
    # <sys.prefix>/share/jupyter/lab/settings; pointing the dir elsewhere keeps the venv clean.
    app_settings = workdir / "app-settings"
    app_settings.mkdir(exist_ok=True)
    (app_settings / "overrides.json").write_text(json.dumps(LAB_SETTINGS_OVERRIDES, indent=2), encoding="utf-8")
    log_path = workdir / "jupyterlab.log"
    token = secrets.token_hex(24)
    for _attempt in range(3):
        port = _free_port()
        cmd = [
            sys.executable, "-m", "jupyter", "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            # A taken port must fail loudly, not move the server to a port we do not poll.
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root_dir}",
            f"--LabApp.app_settings_dir={app_settings}",
            # Server-side outside calls: update check, news feed, PyPI extension listing.
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",
            "--ServerApp.terminals_enabled=False",
            # window.jupyterapp lets error_outputs() read output types from the model.
            "--LabApp.expose_app_in_browser=True",
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        process = _spawn(cmd, env=env, cwd=root_dir, log_path=log_path)
        url = f"http://127.0.0.1:{port}/"
        headers = {"Authorization": f"token {token}"}

        def probe(url: str = url, headers: dict[str, str] = headers) -> bool:
            return http_status(f"{url}api/status", headers=headers, timeout=2.0) == 200

        try:
            _wait_until_ready(process, probe, what=f"JupyterLab on port {port}", log_path=log_path, timeout=timeout)
        except BrowserTestError:
            if "already in use" in _log_tail(log_path, 10):
                continue
            raise
        return LabServer(url=url, token=token, root_dir=root_dir, log_path=log_path, process=process)
    raise BrowserTestError(f"JupyterLab found no free port in 3 tries; see {log_path}.")


def launch_voila(notebook: Path, *, workdir: Path, timeout: float = 60.0) -> VoilaServer:
    """Start Voila on 127.0.0.1 for one notebook and wait until it answers.

    Args:
        notebook: The .ipynb file to serve; it runs in a fresh kernel on each page load.
        workdir: Empty folder for the server's own files (config, runtime, log).
        timeout: Seconds to wait for the server.

    Returns:
        The running server; open ``server.url`` to render the notebook.
    """
    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise BrowserTestError(f"Voila notebook {notebook} does not exist; write it before starting Voila.")
    workdir.mkdir(parents=True, exist_ok=True)
    env = _isolated_env(workdir)
    log_path = workdir / "voila.log"
    for _attempt in range(3):
        port = _free_port()
        cmd = [
            sys.executable, "-m", "voila", str(notebook),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            "--show_tracebacks=True",
        ]  # fmt: skip
        process = _spawn(cmd, env=env, cwd=notebook.parent, log_path=log_path)
        url = f"http://127.0.0.1:{port}/"

        # A static file, not "/": every load of "/" starts a kernel and runs the notebook.
        def probe(url: str = url) -> bool:
            return http_status(f"{url}voila/static/voila.js", timeout=2.0) == 200

        try:
            _wait_until_ready(process, probe, what=f"Voila on port {port}", log_path=log_path, timeout=timeout)
        except BrowserTestError:
            if "already in use" in _log_tail(log_path, 10):
                continue
            raise
        return VoilaServer(url=url, notebook=notebook, log_path=log_path, process=process)
    raise BrowserTestError(f"Voila found no free port in 3 tries; see {log_path}.")


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 15.0) -> None:
    """Stop a server started here: SIGTERM, wait, then SIGKILL; then reap its kernels.

    Args:
        process: A process from :func:`launch_lab` or :func:`launch_voila`.
        timeout: Seconds to wait after SIGTERM before killing.
    """
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    # The server shuts its kernels down on SIGTERM; this only catches ones left behind
    # after a kill. The group is the one _spawn created for this server alone.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def api_get(server: LabServer, path: str, *, timeout: float = 10.0) -> Any:
    """GET ``/api/<path>`` from JupyterLab with the token and return the decoded JSON."""
    request = urllib.request.Request(
        f"{server.url}api/{path.lstrip('/')}", headers={"Authorization": f"token {server.token}"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def shutdown_kernels(server: LabServer) -> int:
    """Shut down every session (and its kernel) of ``server``; return how many there were.

    A session-scoped server keeps the kernel of each notebook a test opened; on two cores
    the next test runs faster without them.
    """
    sessions = api_get(server, "sessions")
    for session in sessions:
        request = urllib.request.Request(
            f"{server.url}api/sessions/{session['id']}",
            method="DELETE",
            headers={"Authorization": f"token {server.token}"},
        )
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except urllib.error.HTTPError as exc:
            if exc.code != 404:  # already gone is fine
                raise
    return len(sessions)


# --------------------------------------------------------------------------- notebooks


def write_notebook(path: Path, cells: Iterable[str | tuple[str, str]]) -> Path:
    """Write a small notebook with the python3 kernel and no outputs.

    Args:
        path: Where to write the .ipynb (parent folders are created).
        cells: Code sources, or ``("markdown", text)`` / ``("code", text)`` pairs.

    Returns:
        ``path``.
    """
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for cell in cells:
        kind, source = ("code", cell) if isinstance(cell, str) else cell
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        elif kind == "code":
            nb.cells.append(nbformat.v4.new_code_cell(source))
        else:
            raise ValueError(f"write_notebook: cell kind {kind!r} of {path} must be 'code' or 'markdown'.")
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _relposix(relpath: str | Path) -> str:
    text = Path(relpath).as_posix() if isinstance(relpath, Path) else relpath.replace("\\", "/")
    return text.lstrip("/")


# --------------------------------------------------------------------------- page recorder


def is_local_url(url: str) -> bool:
    """True for URLs that stay on this machine: 127.0.0.1/localhost/::1, data:, blob: ..."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in _LOCAL_SCHEMES:
        return True
    return (parts.hostname or "") in _LOCAL_HOSTS


def is_known_blocked(url: str) -> bool:
    """True for the outside URLs in :data:`KNOWN_BLOCKED_URLS` (query and fragment ignored)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.unquote(f"{parts.scheme}://{parts.netloc}{parts.path}") in KNOWN_BLOCKED_URLS


@dataclass
class PageRecorder:
    """Blocks and records what a page asks of the outside world, and what it logs.

    Attach with :meth:`attach` before the first navigation. Requests for hosts other
    than 127.0.0.1/localhost are aborted (Chromium reports ``net::ERR_BLOCKED_BY_CLIENT``)
    and listed in ``outside`` - or in ``known_blocked`` when :func:`is_known_blocked`.

    Attributes:
        outside: URLs of aborted requests a test must not make.
        known_blocked: URLs of aborted requests on the allow-list.
        failed: ``(url, failure text)`` of every request that failed, ours included.
        console: ``(type, text)`` of every console message.
        page_errors: Messages of uncaught exceptions in the page.
        server_errors: ``(status, url)`` of every response with a 5xx status.
    """

    outside: list[str] = field(default_factory=list)
    known_blocked: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    server_errors: list[tuple[int, str]] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        """Route the outside requests of ``page`` through the guard and listen to its logs."""
        page.route(_MAYBE_OUTSIDE, self._route)
        page.on("websocket", self._on_websocket)
        page.on("requestfailed", self._on_failed)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("response", self._on_response)

    def acknowledge_outside(self) -> list[str]:
        """Return and forget the outside requests seen so far (for a test that expects one)."""
        seen, self.outside = self.outside, []
        return seen

    def _route(self, route: Route) -> None:
        url = route.request.url
        if is_local_url(url):
            route.continue_()
            return
        (self.known_blocked if is_known_blocked(url) else self.outside).append(url)
        route.abort("blockedbyclient")

    def _on_websocket(self, ws: WebSocket) -> None:
        # page.route does not see WebSockets; the dead proxy stops them, this records them.
        if not is_local_url(ws.url):
            self.outside.append(ws.url)

    def _on_failed(self, request: Request) -> None:
        self.failed.append((request.url, request.failure or ""))

    def _on_console(self, message: ConsoleMessage) -> None:
        self.console.append((message.type, message.text))

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append((response.status, response.url))


def assert_no_outside_requests(recorder: PageRecorder) -> None:
    """Fail when the page asked for any host other than 127.0.0.1 (allow-list aside)."""
    if recorder.outside:
        listed = "\n  ".join(recorder.outside)
        raise BrowserTestError(
            f"The page asked for {len(recorder.outside)} outside URL(s), all blocked:\n  {listed}\n"
            "A notebook or kit output must not load anything from the internet: bundle the asset, "
            "or, for a harmless request of a third-party page, add it to KNOWN_BLOCKED_URLS in "
            "tests/browser/helpers.py."
        )


def assert_no_js_errors(recorder: PageRecorder, *, ignore: Sequence[str] = ()) -> None:
    """Fail on uncaught page exceptions and console errors that match no ``ignore`` regex.

    Console errors caused by the guard's own aborts (``ERR_BLOCKED_BY_CLIENT``) are ignored.
    A server error (5xx) fails too, unless it is a known server race (``KNOWN_SERVER_RACES``);
    the console line the browser logs for it then does not count.
    """
    patterns = [re.compile(p) for p in (*ignore, r"ERR_BLOCKED_BY_CLIENT")]
    races = [(status, url) for status, url in recorder.server_errors
             if any(race.search(url) for race in KNOWN_SERVER_RACES)]
    if races and len(races) == len(recorder.server_errors):
        patterns.append(re.compile(r"the server responded with a status of 5\d\d"))
    errors = [f"pageerror: {text}" for text in recorder.page_errors]
    errors += [f"server error: {status} {url}" for status, url in recorder.server_errors
               if (status, url) not in races]
    errors += [f"console.error: {text}" for kind, text in recorder.console if kind == "error"]
    errors = [e for e in errors if not any(p.search(e) for p in patterns)]
    if errors:
        raise BrowserTestError("JavaScript errors in the page:\n  " + "\n  ".join(errors))


def find_console(recorder: PageRecorder, marker: str) -> list[str]:
    """Console message texts containing ``marker`` (a kit or notebook can log one on purpose)."""
    return [text for _kind, text in recorder.console if marker in text]


# --------------------------------------------------------------------------- JupyterLab


def notebook_panel(page: Page) -> Locator:
    """The open notebook's panel (open_notebook resets the workspace, so there is one)."""
    return page.locator(".jp-NotebookPanel").first


def open_notebook(page: Page, server: LabServer, relpath: str | Path, *, timeout: float = 90.0) -> Locator:
    """Open ``relpath`` in JupyterLab, in a reset workspace, and wait for its cells.

    The kernel may still be starting: :func:`run_all` waits for it, other actions
    should call :func:`wait_for_kernel_idle` first.

    Args:
        page: A page from the ``page`` fixture.
        server: The JupyterLab serving the notebook.
        relpath: Path of the notebook relative to ``server.root_dir``.
        timeout: Seconds to wait for the panel and its first cell.

    Returns:
        The notebook panel.
    """
    rel = _relposix(relpath)
    if not (server.root_dir / rel).is_file():
        raise BrowserTestError(f"Notebook {rel} does not exist under the server root {server.root_dir}.")
    page.goto(server.lab_url(rel), timeout=timeout * 1000)
    panel = notebook_panel(page)
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for(state="attached", timeout=timeout * 1000)
    return panel


def wait_for_kernel_idle(server: LabServer, relpath: str | Path, *, timeout: float = 90.0) -> dict[str, Any]:
    """Wait until the notebook's session has a connected kernel that reports ``idle``.

    JupyterLab's toolbar says "Idle" before the kernel exists, and a Run All clicked then
    runs nothing (NOTES.md), so this asks the server (``GET /api/sessions``) instead.

    Args:
        server: The JupyterLab serving the notebook.
        relpath: Notebook path relative to ``server.root_dir``.
        timeout: Seconds to wait.

    Returns:
        The notebook's session record from ``GET /api/sessions``.
    """
    rel = _relposix(relpath)
    deadline = time.monotonic() + timeout
    mine: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        mine = [s for s in api_get(server, "sessions") if s.get("path") == rel]
        for session in mine:
            kernel = session.get("kernel") or {}
            if kernel.get("execution_state") == "idle" and kernel.get("connections", 1) >= 1:
                return session
        time.sleep(0.25)
    hint = "" if mine else " No session at all: is the notebook open, and is its kernelspec 'python3'?"
    raise BrowserTestError(f"Kernel of {rel} not idle after {timeout:.0f} s; its sessions: {mine!r}.{hint}")


def _click_menu(page: Page, menu: str, command: str) -> None:
    page.locator(f"li.lm-MenuBar-item:has-text('{menu}')").click()
    page.locator(f"li.lm-Menu-item[data-command='{command}']").click()


_CELL_STATES_JS = """
(panel) => Array.from(panel.querySelectorAll('.jp-Notebook .jp-CodeCell')).map((cell) => ({
    prompt: (cell.querySelector('.jp-InputArea-prompt')?.textContent || '').trim(),
    empty: (cell.querySelector('.cm-content')?.textContent || '').trim() === '',
}))
"""


def run_all(
    page: Page,
    server: LabServer,
    relpath: str | Path,
    *,
    timeout: float = 180.0,
    render_timeout: float = 30.0,
) -> None:
    """Clear all outputs, Run All from the menu, and wait until the run is over.

    Outputs are cleared first so that a notebook saved with outputs cannot look finished
    before it ran. The run is over when the kernel is idle, no cell is queued (``[*]:``)
    and every non-empty code cell shows a number - or an error output stopped the run, as
    Run All does. Then it waits up to ``render_timeout`` for every plotly and widget
    output of the model to show in the page; it does not fail on that, the counts do.
    (:func:`start_run_all` then :func:`wait_run_all`; call those two to run several
    notebooks at once, one page each.)

    Args:
        page: The page showing the notebook (from :func:`open_notebook`).
        server: The JupyterLab serving it.
        relpath: Notebook path relative to ``server.root_dir``.
        timeout: Seconds the kernel may take to start, and the cells to run.
        render_timeout: Seconds the outputs may take to render afterwards.
    """
    start_run_all(page, server, relpath, timeout=timeout)
    wait_run_all(page, server, relpath, timeout=timeout, render_timeout=render_timeout)


def start_run_all(page: Page, server: LabServer, relpath: str | Path, *, timeout: float = 180.0) -> None:
    """Wait for the notebook's kernel, clear all outputs and click Run All; do not wait for the run.

    Args:
        page: The page showing the notebook (from :func:`open_notebook`).
        server: The JupyterLab serving it.
        relpath: Notebook path relative to ``server.root_dir``.
        timeout: Seconds the kernel may take to start.
    """
    wait_for_kernel_idle(server, relpath, timeout=timeout)
    _click_menu(page, "Edit", "editmenu:clear-all")
    _click_menu(page, "Run", "runmenu:run-all")


def wait_run_all(
    page: Page,
    server: LabServer,
    relpath: str | Path,
    *,
    timeout: float = 180.0,
    render_timeout: float = 30.0,
) -> None:
    """Wait until a Run All started by :func:`start_run_all` is over (see :func:`run_all`).

    Args:
        page: The page showing the notebook.
        server: The JupyterLab serving it.
        relpath: Notebook path relative to ``server.root_dir``.
        timeout: Seconds the cells may take to run, counted from this call.
        render_timeout: Seconds the outputs may take to render afterwards.
    """
    rel = _relposix(relpath)
    panel = notebook_panel(page)
    deadline = time.monotonic() + timeout
    states: list[dict[str, Any]] = []
    while True:
        # Not time.sleep: Playwright's sync API only delivers events while it is called.
        page.wait_for_timeout(300)
        states = panel.evaluate(_CELL_STATES_JS)
        prompts = [s["prompt"] for s in states if not s["empty"]]
        finished = "[*]:" not in prompts and (
            all(_PROMPT_DONE.match(p) for p in prompts) or error_outputs(page) > 0
        )
        if finished and _kernel_state(server, rel) == "idle":
            break
        if time.monotonic() > deadline:
            raise BrowserTestError(
                f"Run All of {rel} did not finish within {timeout:.0f} s; code cell prompts: "
                f"{[s['prompt'] for s in states]}. All '[ ]:' means the kernel ignored the run."
            )
    render_deadline = time.monotonic() + render_timeout
    while _pending_renders(page) and time.monotonic() < render_deadline:
        page.wait_for_timeout(300)


def _kernel_state(server: LabServer, rel: str) -> str | None:
    for session in api_get(server, "sessions"):
        if session.get("path") == rel:
            return (session.get("kernel") or {}).get("execution_state")
    return None


# Output types from the notebook models of JupyterLab (window.jupyterapp), or null when
# the page has no notebook panel (Voila has a window.jupyterapp too, without panels).
_MODEL_STATS_JS = """
() => {
    const app = window.jupyterapp;
    if (!app || !app.shell || !app.shell.widgets) return null;
    const stats = {errors: 0, plotly: 0, widgets: 0};
    let notebooks = 0;
    for (const widget of app.shell.widgets('main')) {
        const model = widget.content && widget.content.model;
        if (!widget.context || !model || !model.cells) continue;
        notebooks++;
        for (let i = 0; i < model.cells.length; i++) {
            const cell = model.cells.get(i);
            if (cell.type !== 'code') continue;
            for (let j = 0; j < cell.outputs.length; j++) {
                const output = cell.outputs.get(j);
                const data = output.data || {};
                if (output.type === 'error') stats.errors++;
                if ('application/vnd.plotly.v1+json' in data) stats.plotly++;
                if ('application/vnd.jupyter.widget-view+json' in data) stats.widgets++;
            }
        }
    }
    return notebooks ? stats : null;
}
"""

# Outputs still on their way: Voila's unrendered output scripts, plotly roots without svg,
# and output nodes that are empty or show the widget manager's "Loading widget..." (the
# widget's view is not there yet; Voila has no notebook model to compare with).
_PENDING_DOM_JS = """
() => document.querySelectorAll(
        'script[type="application/vnd.voila.cell-output+json"], '
        + '.jp-RenderedPlotly:not(:has(.main-svg))').length
    + Array.from(document.querySelectorAll('.jp-OutputArea-output:not(:has(.jupyter-widgets))'))
        .filter((node) => {
            const text = node.textContent.trim();
            return (node.childElementCount === 0 && text === '') || text === 'Loading widget...';
        }).length
"""


def _pending_renders(page: Page) -> int:
    pending = int(page.evaluate(_PENDING_DOM_JS))
    stats = page.evaluate(_MODEL_STATS_JS)
    if stats is not None:
        pending += max(0, stats["plotly"] - count_plotly_charts(page))
        pending += max(0, stats["widgets"] - count_widgets(page))
    return pending


def error_outputs(page: Page) -> int:
    """Number of error (traceback) outputs shown in the page.

    In JupyterLab the count comes from the notebook model (outputs of type ``error``),
    since the page renders tracebacks like stderr text; in Voila from the page's text.
    """
    stats = page.evaluate(_MODEL_STATS_JS)
    if stats is not None:
        return int(stats["errors"])
    return page.locator(_STDERR_OUTPUT).filter(has_text=_ERROR_TEXT).count()


def count_plotly_charts(scope: Page | Locator) -> int:
    """Number of rendered plotly charts in a page or panel (each once, not per svg layer)."""
    return scope.locator(PLOTLY_CHART).count()


def count_widgets(scope: Page | Locator) -> int:
    """Number of rendered top-level widget outputs (a Box with children counts once)."""
    return scope.locator(WIDGET_VIEW).count()


def screenshot(page: Page, name: str) -> Path:
    """Save a PNG of the page to tests/browser/artifacts/<name>.png and return its path."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "page"
    path = ARTIFACTS_DIR / f"{safe}.png"
    page.screenshot(path=str(path))
    return path


# --------------------------------------------------------------------------- Voila


def open_voila(page: Page, server: VoilaServer, *, timeout: float = 120.0) -> None:
    """Load the Voila page and wait until the notebook has run and its outputs rendered.

    Args:
        page: A page from the ``page`` fixture.
        server: The Voila serving the notebook.
        timeout: Seconds for the kernel to run the notebook and the page to render it.
    """
    # Voila streams the page while the kernel runs the cells; "load" fires at the end.
    page.goto(server.url, timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while page.locator("#loading").count() or _pending_renders(page):
        if time.monotonic() > deadline:
            raise BrowserTestError(
                f"Voila did not finish rendering {server.notebook} within {timeout:.0f} s; "
                f"log {server.log_path} ends with:\n{_log_tail(server.log_path)}"
            )
        page.wait_for_timeout(300)
