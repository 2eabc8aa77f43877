"""Fixtures for the browser tests: JupyterLab and Voila servers, Chromium, guarded pages.

Browser tests live in this folder (the fixtures are scoped to it). A later test::

    from .helpers import count_plotly_charts, error_outputs, open_notebook, run_all, screenshot

    @pytest.mark.browser
    def test_notebooks_actors_renders_charts(page, notebooks_lab):
        open_notebook(page, notebooks_lab, "notebooks/01_actors.ipynb")
        run_all(page, notebooks_lab, "notebooks/01_actors.ipynb")
        screenshot(page, "01_actors")
        assert error_outputs(page) == 0
        assert count_plotly_charts(page) == 4  # 2 outputs + 2 in the dashboard widget

``notebooks_lab`` serves a temp copy of the repository's notebooks and the data they read:
JupyterLab writes ``.ipynb_checkpoints/`` next to every notebook it opens, autosave or not,
so the repository's own folders are never served.

Every test that uses ``page`` fails if the page asked for a host other than 127.0.0.1.
Without Chromium (or Playwright) every test in this folder is skipped, with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .helpers import (
    CHROMIUM_ARGS,
    REPO_ROOT,
    LabServer,
    PageRecorder,
    VoilaServer,
    assert_no_outside_requests,
    find_chromium,
    launch_lab,
    launch_voila,
    screenshot,
    shutdown_kernels,
    stop_process,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__: list[str] = []  # fixtures are found by pytest, not imported

_HERE = Path(__file__).resolve().parent
_VIEWPORT = {"width": 1400, "height": 1000}
# Generous: on two busy cores JupyterLab's first page load took 10-15 s.
_DEFAULT_TIMEOUT_MS = 90_000


def _skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed; install the test extra (pip install -e '.[test]')"
    if find_chromium() is None:
        wanted = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
        return f"Chromium not found at {wanted}; install Debian's chromium or set CHROMIUM"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium against JupyterLab or Voila")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    for item in items:
        # This hook sees the whole session's items; skip only the ones in this folder.
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    # Checked after the test body, so that an outside request fails the test itself
    # (not its teardown); a test that expects one calls recorder.acknowledge_outside().
    result = yield
    recorder = getattr(item, "funcargs", {}).get("page_recorder")
    if isinstance(recorder, PageRecorder):
        assert_no_outside_requests(recorder)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        try:
            path = screenshot(page, f"FAILED-{item.name}")
            report.sections.append(("browser", f"screenshot of the failing page: {path}"))
        except Exception as exc:  # the page may be what broke
            report.sections.append(("browser", f"no screenshot: {exc}"))
    return report


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Path of the Chromium to drive (env CHROMIUM or /usr/bin/chromium)."""
    reason = _skip_reason()
    if reason is not None:
        pytest.skip(reason)
    path = find_chromium()
    assert path is not None
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: Path) -> Iterator[Browser]:
    """Headless Chromium (Debian's, never a downloaded one), shared by the session.

    ``launch`` gives it a fresh temporary profile, deleted on close.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_executable), args=list(CHROMIUM_ARGS), headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page_recorder() -> PageRecorder:
    """What the test's page asked of outside hosts (blocked), logged and threw."""
    return PageRecorder()


@pytest.fixture
def page(browser: Browser, page_recorder: PageRecorder) -> Iterator[Page]:
    """A page in a fresh browser context, guarded by ``page_recorder``.

    Requests to hosts other than 127.0.0.1/localhost are aborted and recorded; the test
    fails at its end if there was one (see ``pytest_runtest_call``).
    """
    # Service workers fetch outside page.route's reach; the notebooks need none.
    context = browser.new_context(viewport=_VIEWPORT, service_workers="block")
    context.set_default_timeout(_DEFAULT_TIMEOUT_MS)
    new_page = context.new_page()
    page_recorder.attach(new_page)
    yield new_page
    context.close()


# --------------------------------------------------------------------------- servers


class _LabFactory:
    """Starts one JupyterLab per root folder and keeps it for the session."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self.servers: dict[Path, LabServer] = {}

    def __call__(self, root_dir: Path | str) -> LabServer:
        key = Path(root_dir).resolve()
        server = self.servers.get(key)
        if server is None or server.process.poll() is not None:
            server = launch_lab(key, workdir=self._tmp.mktemp("jupyterlab"))
            self.servers[key] = server
        return server

    def stop_all(self) -> None:
        for server in self.servers.values():
            stop_process(server.process)


@pytest.fixture(scope="session")
def start_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path | str], LabServer]]:
    """Factory ``start_lab(root_dir) -> LabServer``: JupyterLab serving ``root_dir``.

    One server per folder for the whole session (started on first use, stopped at the
    end); pass the repository root (``helpers.REPO_ROOT``) or a temp copy of notebooks.
    """
    factory = _LabFactory(tmp_path_factory)
    yield factory
    factory.stop_all()


#: What the guided notebooks read, relative to the repository root: they open ../seeds and
#: ../kit/data/examples from notebooks/, and import the installed kit.
NOTEBOOK_TREE: tuple[str, ...] = ("notebooks", "seeds", "kit/data/examples")


@pytest.fixture(scope="session")
def notebook_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temp copy of ``NOTEBOOK_TREE`` in the repository's layout (notebooks/, seeds/ ...).

    Serve this, not the repository: opening a notebook makes JupyterLab write
    ``.ipynb_checkpoints/`` beside it even with autosave off.
    """
    root = tmp_path_factory.mktemp("notebook-tree")
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for rel in NOTEBOOK_TREE:
        shutil.copytree(REPO_ROOT / rel, root / rel, ignore=skip)
    return root


@pytest.fixture(scope="session")
def notebooks_lab(start_lab: _LabFactory, notebook_tree: Path) -> LabServer:
    """The JupyterLab serving ``notebook_tree`` for the whole session (one for every notebook test)."""
    return start_lab(notebook_tree)


@pytest.fixture(scope="session")
def jupyterlab_server(start_lab: _LabFactory, tmp_path_factory: pytest.TempPathFactory) -> LabServer:
    """A JupyterLab serving an empty session temp folder; write notebooks under ``lab_dir``."""
    return start_lab(tmp_path_factory.mktemp("lab-root"))


@pytest.fixture
def lab_dir(jupyterlab_server: LabServer, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A fresh folder, named after the test, inside ``jupyterlab_server``'s root."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name)[:80]
    folder = jupyterlab_server.root_dir / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    yield folder


@pytest.fixture(autouse=True)
def _shutdown_lab_kernels(request: pytest.FixtureRequest) -> Iterator[None]:
    # Kernels of the notebooks a test opened would otherwise live on in the session
    # servers and slow the next tests on two cores. Runs after the page is closed.
    yield
    if "start_lab" not in request.fixturenames:
        return
    factory: _LabFactory = request.getfixturevalue("start_lab")
    for server in factory.servers.values():
        if server.process.poll() is None:
            shutdown_kernels(server)


@pytest.fixture(scope="session")
def start_voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path | str], VoilaServer]]:
    """Factory ``start_voila(notebook) -> VoilaServer``: Voila serving one notebook.

    One server per notebook for the session; each page load runs the notebook afresh.
    """
    servers: dict[Path, VoilaServer] = {}

    def start(notebook: Path | str) -> VoilaServer:
        key = Path(notebook).resolve()
        server = servers.get(key)
        if server is None or server.process.poll() is not None:
            server = launch_voila(key, workdir=tmp_path_factory.mktemp("voila"))
            servers[key] = server
        return server

    yield start
    for server in servers.values():
        stop_process(server.process)
