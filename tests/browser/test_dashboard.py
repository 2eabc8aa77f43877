"""The dashboard notebook in JupyterLab: it runs, a thread filter redraws the charts, a bar
click shows its evidence sentences.

One test, one Run All: 05_dashboard.ipynb takes about a minute on two cores, and the
autouse kernel shutdown between tests would kill the kernel a second test needs.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import pytest

from kit.codebook import load_codebook

from .helpers import (
    REPO_ROOT,
    BrowserTestError,
    LabServer,
    PageRecorder,
    assert_no_js_errors,
    count_widgets,
    error_outputs,
    open_notebook,
    run_all,
    screenshot,
)
from .test_notebooks import (
    chart_states,
    saved_outputs,
    screenshot_notebook,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

__all__ = ["click_point", "select_threads", "status_text", "wait_for_change", "wait_until"]

NOTEBOOK = "notebooks/05_dashboard.ipynb"
# kit.widgets.CHARTS, the order of the figure widgets in the dashboard.
CHARTS = ("topics", "actors", "network", "timeline")
THREAD = "THA-CHN"
_PARAGRAPHS = re.compile(r"(\d+) paragraphs? in (\d+) articles?")


def status_text(page: Page) -> str:
    """The dashboard's status line ("25 paragraphs in 5 articles, ...")."""
    texts = page.locator(".jupyter-widgets .widget-html").filter(has_text=_PARAGRAPHS).all_inner_texts()
    if len(texts) != 1:
        raise BrowserTestError(f"expected one dashboard status line, found {texts!r}")
    return texts[0]


def select_threads(page: Page, *labels: str) -> None:
    """Select exactly ``labels`` in the dashboard's Threads multi-select."""
    page.locator(".jupyter-widgets select[multiple]").select_option(label=list(labels))


def wait_for_change(page: Page, read: Any, before: Any, *, timeout: float = 60.0) -> Any:
    """Poll ``read()`` until it differs from ``before``; return the new value."""
    deadline = time.monotonic() + timeout
    while True:
        page.wait_for_timeout(300)  # not time.sleep: the page must keep processing events
        now = read()
        if now != before:
            page.wait_for_timeout(500)  # let the other charts of the same refresh land
            return read()
        if time.monotonic() > deadline:
            raise BrowserTestError(f"nothing changed within {timeout:.0f} s; still {before!r}")


def wait_until(page: Page, read: Any, done: Any, *, what: str, timeout: float = 60.0) -> Any:
    """Poll ``read()`` until ``done(value)``; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise BrowserTestError(f"{what} not reached within {timeout:.0f} s; last seen {value!r}")
        page.wait_for_timeout(300)


def click_point(page: Page, chart: Locator, selector: str = "g.point path") -> dict[str, float]:
    """Click the biggest bar (or marker) of ``chart`` the way a user does; return its box.

    plotly reads clicks from the drag layer above the bars, for the point under the
    mouse, so the mouse goes to the bar's centre, hovers, then clicks there.
    """
    chart.scroll_into_view_if_needed()
    shapes = chart.locator(selector)
    boxes = [shapes.nth(i).bounding_box() for i in range(shapes.count())]
    drawn = [b for b in boxes if b and b["width"] >= 2 and b["height"] >= 2]
    if not drawn:
        raise BrowserTestError(f"nothing to click in the chart ({selector}); boxes: {boxes}")
    box = max(drawn, key=lambda b: b["width"] * b["height"])
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 3, y)
    page.mouse.move(x, y)
    page.wait_for_timeout(300)  # plotly's hover, which the click reuses
    page.mouse.click(x, y)
    return box


def _evidence(page: Page) -> Locator:
    return page.locator(".jupyter-widgets .widget-html").filter(has_text="Evidence:")


def _charts(page: Page) -> dict[str, dict[str, Any]]:
    states = [c for c in chart_states(page, ".jp-NotebookPanel") if c["widget"]]
    if len(states) != len(CHARTS):
        raise BrowserTestError(f"expected the dashboard's {len(CHARTS)} charts, found {states}")
    return dict(zip(CHARTS, states))


def test_dashboard_filter_and_click_show_evidence(
    page: Page, page_recorder: PageRecorder, notebooks_lab: LabServer
) -> None:
    label = load_codebook().thread_label(THREAD)
    saved = saved_outputs(REPO_ROOT / NOTEBOOK)

    open_notebook(page, notebooks_lab, NOTEBOOK)
    run_all(page, notebooks_lab, NOTEBOOK)
    screenshot_notebook(page, "05_dashboard")

    # The notebook, like the others: no error, one dashboard widget with four drawn charts.
    assert error_outputs(page) == 0
    assert saved["plotly"] == 0 and saved["widgets"] == 1
    assert count_widgets(page) == 1
    before = _charts(page)
    assert all(c["drawn"] and c["traces"] > 0 for c in before.values()), before
    all_threads = before["timeline"]["legend"]
    assert label in all_threads and len(all_threads) >= 3, before["timeline"]
    status = status_text(page)

    # Filter: only THA-CHN. The status line and every chart with data follow.
    select_threads(page, label)
    status_after = wait_for_change(page, lambda: status_text(page), status)
    after = wait_until(
        page, lambda: _charts(page), lambda c: c["timeline"]["names"] == [label]
        and c["network"]["traces"] != before["network"]["traces"]
        and c["topics"]["names"] == [label],
        what=f"charts showing {THREAD} only", timeout=30,
    )
    shown, total = (int(n) for n in _PARAGRAPHS.search(status_after).groups())  # type: ignore[union-attr]
    assert 0 < shown < int(_PARAGRAPHS.search(status).group(1))  # type: ignore[union-attr]
    assert total >= 1
    assert after["timeline"]["names"] == [label]
    assert len(after["timeline"]["legend"]) < len(before["timeline"]["legend"])
    assert after["timeline"]["traces"] == 1 < before["timeline"]["traces"]
    assert 0 < after["timeline"]["points"] < before["timeline"]["points"]
    assert 0 < after["network"]["traces"] < before["network"]["traces"]
    # One bar trace per thread, one bar per topic of the taxonomy.
    assert after["topics"]["names"] == [label]
    assert after["topics"]["traces"] == 1 < before["topics"]["traces"]
    assert 0 < after["topics"]["points"] < before["topics"]["points"]

    # Click a bar of the topics chart (customdata: thread, topic): its sentences appear
    # under the charts.
    plots = page.locator(".jp-NotebookPanel .jupyter-widgets .js-plotly-plot")
    click_point(page, plots.nth(CHARTS.index("topics")), "g.point path")
    evidence = _evidence(page)
    evidence.wait_for(timeout=60_000)
    evidence.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "05_dashboard_clicked")
    heading = evidence.locator("h4").inner_text()
    match = re.fullmatch(r"Evidence: (.+), topic (.+) \((\d+) sentences?\)", heading)
    assert match, heading
    assert match.group(1) == label and match.group(2)
    rows = evidence.locator("table.kit-table tbody tr")
    assert rows.count() == int(match.group(3)) >= 1
    headers = evidence.locator("table.kit-table thead th").all_inner_texts()
    threads = evidence.locator(f"table.kit-table tbody td:nth-child({headers.index('threads') + 1})")
    sentences = evidence.locator(f"table.kit-table tbody td:nth-child({headers.index('text') + 1})")
    assert all(THREAD in t for t in threads.all_inner_texts())
    assert all(len(s.split()) >= 4 for s in sentences.all_inner_texts())
    assert_no_js_errors(page_recorder)
