"""The dashboard notebook served by Voila on 127.0.0.1: outputs only, charts drawn, filters live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kit.codebook import load_codebook

from .helpers import (
    ARTIFACTS_DIR,
    VOILA_KNOWN_JS_ERRORS,
    PageRecorder,
    VoilaServer,
    assert_no_js_errors,
    count_widgets,
    error_outputs,
    open_voila,
)
from .test_dashboard import (
    CHARTS,
    THREAD,
    select_threads,
    status_text,
    wait_for_change,
    wait_until,
)
from .test_notebooks import chart_states

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

__all__: list[str] = []

NOTEBOOK = "notebooks/05_dashboard.ipynb"
# Code that must not reach the page: the notebook's own lines and the input widgets of cells.
_CODE = ("import kit", "build_dashboard(", "CORPUS =", "FOCUS =")
_INPUTS = ".jp-CodeCell .jp-InputArea, .jp-InputPrompt, .cm-editor, .CodeMirror"


def test_voila_dashboard_renders_and_filters_without_code(
    page: Page,
    page_recorder: PageRecorder,
    start_voila: Callable[[Path], VoilaServer],
    notebook_tree: Path,
) -> None:
    label = load_codebook().thread_label(THREAD)
    voila = start_voila(notebook_tree / NOTEBOOK)
    assert voila.url.startswith("http://127.0.0.1:")
    open_voila(page, voila)

    assert error_outputs(page) == 0
    assert page.get_by_role("heading", name="Dashboard").count() == 1  # markdown is shown
    assert page.locator(_INPUTS).count() == 0
    body = page.locator("body").inner_text()
    assert not [line for line in _CODE if line in body]
    assert count_widgets(page) == 1
    before = chart_states(page)
    assert len(before) == len(CHARTS), before
    assert all(c["widget"] and c["drawn"] and c["traces"] > 0 for c in before), before
    timeline = CHARTS.index("timeline")
    assert label in before[timeline]["legend"] and before[timeline]["traces"] >= 3

    status = status_text(page)
    select_threads(page, label)
    assert wait_for_change(page, lambda: status_text(page), status) != status
    after = wait_until(page, lambda: chart_states(page), lambda c: c[timeline]["names"] == [label],
                       what=f"timeline showing {THREAD} only", timeout=30)
    assert after[timeline]["traces"] == 1
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "voila_05_dashboard.png"), full_page=True)

    # Font Awesome from the CDN: asked for, blocked, and allowed not to fail the test.
    assert page_recorder.known_blocked
    assert_no_js_errors(page_recorder, ignore=VOILA_KNOWN_JS_ERRORS)
