"""The report written by ``kit report`` draws every chart from disk with the network cut off.

It goes through the command line a user runs, and checks each chart div of the file for its
own drawn plot (not a total of svg layers).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .helpers import (
    PLOTLY_CHART,
    REPO_ROOT,
    PageRecorder,
    assert_no_js_errors,
    screenshot,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = pytest.mark.browser

__all__: list[str] = []

_DIV = re.compile(r'<div id="([^"]+)" class="plotly-graph-div"')


def test_report_offline_cli_report_draws_every_chart(
    page: Page, page_recorder: PageRecorder, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    env = {**os.environ, "KIT_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "kit.cli", "report", "seeds", "--out", str(out), "--model", "blank"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    ids = _DIV.findall(out.read_text(encoding="utf-8"))
    assert len(ids) >= 7, ids  # topics x3, actors, network, timeline, distinctive terms

    requests: list[str] = []

    def guard(route: Route) -> None:
        # Registered after the page fixture's guard, so it sees every request first.
        requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            page_recorder.outside.append(route.request.url)  # fails the test at its end
            route.abort("blockedbyclient")

    page.route("**/*", guard)
    page.goto(out.as_uri())
    page.wait_for_function(
        "(n) => document.querySelectorAll('.js-plotly-plot:has(.main-svg)').length >= n",
        arg=len(ids), timeout=60_000,
    )
    page.wait_for_timeout(500)  # anything a chart would fetch after drawing
    screenshot(page, "report_offline")

    drawn = page.locator(PLOTLY_CHART).evaluate_all("(plots) => plots.map((p) => p.id)")
    assert drawn == ids
    assert requests == [out.as_uri()]
    assert page_recorder.outside == []
    assert_no_js_errors(page_recorder)
