"""The browser-test kit proves itself on small notebooks written to a temp folder.

Rendering of charts and widgets, in JupyterLab and in Voila, is proven by the tests of the
real notebooks (test_notebooks.py, test_dashboard.py, test_voila.py); these keep what those
cannot show: the token, the settings, error detection and the outside-request guard.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .helpers import (
    BrowserTestError,
    LabServer,
    PageRecorder,
    VoilaServer,
    assert_no_js_errors,
    assert_no_outside_requests,
    error_outputs,
    http_status,
    is_known_blocked,
    is_local_url,
    open_notebook,
    open_voila,
    run_all,
    screenshot,
    write_notebook,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

__all__: list[str] = []

_TEXT_CELL = "print('hello from the kernel')"
_OUTSIDE_URL = "http://example.com/x.png"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8888/lab?token=x", True),
        ("ws://localhost:9999/api/kernels/abc/channels", True),
        ("http://[::1]:8888/api/status", True),
        ("data:image/png;base64,AAAA", True),
        ("http://example.com/x.png", False),
        ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@%5E5/css/all.min.css", False),
        ("http://127.0.0.1@example.com/x.png", False),
        ("http://127.0.0.1.example.com/x.png", False),
    ],
)
def test_infrastructure_url_is_local(url: str, local: bool) -> None:
    assert is_local_url(url) is local


@pytest.mark.parametrize(
    ("url", "known"),
    [
        ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@%5E5/css/all.min.css", True),
        ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/v4-shims.min.css", True),
        ("https://cdn.jsdelivr.net/npm/plotly.js/dist/plotly.min.js", False),
        ("https://cdnjs.cloudflare.com/ajax/libs/mathjax/3.2.2/es5/latest.min.js", False),
    ],
)
def test_infrastructure_known_blocked_list_is_tiny(url: str, known: bool) -> None:
    assert is_known_blocked(url) is known


@pytest.mark.parametrize(
    ("path", "auth", "expected"),
    [
        ("api/status", "token", {200}),
        ("api/status", None, {401, 403}),
        ("api/status", "wrong", {401, 403}),
        ("api/sessions", None, {401, 403}),
        ("lab", None, {302}),  # to the login page
    ],
)
def test_infrastructure_lab_answers_only_with_token(
    jupyterlab_server: LabServer, path: str, auth: str | None, expected: set[int]
) -> None:
    token = {"token": jupyterlab_server.token, "wrong": "0" * 48, None: None}[auth]
    headers = {"Authorization": f"token {token}"} if token else {}
    assert http_status(f"{jupyterlab_server.url}{path}", headers=headers) in expected


def test_infrastructure_lab_token_is_random_and_local(
    start_lab: Callable[[Path], LabServer], jupyterlab_server: LabServer
) -> None:
    assert re.fullmatch(r"[0-9a-f]{48}", jupyterlab_server.token)
    assert jupyterlab_server.url.startswith("http://127.0.0.1:")
    assert start_lab(jupyterlab_server.root_dir) is jupyterlab_server  # one server per root


@pytest.mark.parametrize(
    ("plugin", "key", "value"),
    [
        ("@jupyterlab/apputils-extension:notification", "fetchNews", "false"),
        ("@jupyterlab/apputils-extension:notification", "checkForUpdates", False),
        ("@jupyterlab/docmanager-extension:plugin", "autosave", False),
        ("@jupyterlab/notebook-extension:tracker", "windowingMode", "none"),
    ],
)
def test_infrastructure_lab_applies_settings_overrides(
    jupyterlab_server: LabServer, plugin: str, key: str, value: object
) -> None:
    # overrides.json in the isolated app settings dir turns into schema defaults
    request = urllib.request.Request(
        f"{jupyterlab_server.url}lab/api/settings/{plugin}",
        headers={"Authorization": f"token {jupyterlab_server.token}"},
    )
    with urllib.request.urlopen(request) as response:
        settings = json.load(response)
    assert settings["schema"]["properties"][key]["default"] == value


def test_infrastructure_lab_detects_errors_and_blocks_outside_requests(
    page: Page, page_recorder: PageRecorder, jupyterlab_server: LabServer, lab_dir: Path
) -> None:
    notebook = write_notebook(
        lab_dir / "error_outside.ipynb",
        [
            # stderr text is not an error output: only the traceback below counts
            "import warnings\nwarnings.warn('only a warning')",
            f"from IPython.display import HTML\nHTML('<img src=\"{_OUTSIDE_URL}\" alt=\"outside\">')",
            "1 / 0",
            "print('never runs')",
        ],
    )
    rel = notebook.relative_to(jupyterlab_server.root_dir)
    open_notebook(page, jupyterlab_server, rel)
    run_all(page, jupyterlab_server, rel)
    page.locator("img[alt='outside']").wait_for(state="attached")
    for _ in range(50):  # the image request races the end of the run
        if page_recorder.outside:
            break
        page.wait_for_timeout(100)
    screenshot(page, "lab_error_outside")

    assert error_outputs(page) == 1
    assert page.get_by_text("ZeroDivisionError").count() >= 1
    prompts = [p.strip() for p in page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()]
    assert prompts == ["[1]:", "[2]:", "[3]:", "[ ]:"]  # Run All stopped at the error

    assert set(page_recorder.outside) == {_OUTSIDE_URL}  # Chromium may ask twice
    # Aborted by the router before it left Chromium, not failed on the network.
    assert (_OUTSIDE_URL, "net::ERR_BLOCKED_BY_CLIENT") in [
        (url, failure.split(".")[0]) for url, failure in page_recorder.failed
    ]
    with pytest.raises(BrowserTestError, match="example.com"):
        assert_no_outside_requests(page_recorder)
    page_recorder.acknowledge_outside()


def test_infrastructure_voila_error_detected(
    page: Page, start_voila: Callable[[Path], VoilaServer], tmp_path: Path
) -> None:
    notebook = write_notebook(tmp_path / "broken.ipynb", [_TEXT_CELL, "raise ValueError('broken dashboard')"])
    open_voila(page, start_voila(notebook))
    screenshot(page, "voila_error")

    assert error_outputs(page) == 1
    assert page.get_by_text("ValueError").count() >= 1


def test_infrastructure_server_errors_fail_unless_a_known_race() -> None:
    console_500 = ("error", "Failed to load resource: the server responded with a status of 500 ()")
    race = PageRecorder(console=[console_500],
                        server_errors=[(500, "http://127.0.0.1:8888/api/kernels?1764")])
    assert_no_js_errors(race)  # jupyter_server's kernel-list race: tolerated
    other = PageRecorder(console=[console_500, console_500], server_errors=[
        (500, "http://127.0.0.1:8888/api/kernels?1764"),
        (500, "http://127.0.0.1:8888/api/contents/notebooks/01_actors.ipynb")])
    with pytest.raises(BrowserTestError, match="server error: 500 .*/api/contents/"):
        assert_no_js_errors(other)
    kernel = PageRecorder(server_errors=[(500, "http://127.0.0.1:8888/api/kernels/abc/restart")])
    with pytest.raises(BrowserTestError, match="restart"):
        assert_no_js_errors(kernel)
