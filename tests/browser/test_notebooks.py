"""Every guided notebook runs top to bottom in JupyterLab and shows its charts and widgets.

05_dashboard.ipynb is run (once) by test_dashboard.py, which also filters and clicks it.
The others run side by side in one JupyterLab, one page each (``notebook_runs``).
The functions here that read charts from a page are shared with the dashboard and Voila tests.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .helpers import (
    ARTIFACTS_DIR,
    REPO_ROOT,
    LabServer,
    PageRecorder,
    assert_no_js_errors,
    assert_no_outside_requests,
    count_widgets,
    error_outputs,
    notebook_panel,
    screenshot,
    start_run_all,
    wait_run_all,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

__all__ = [
    "NotebookRun",
    "chart_states",
    "saved_outputs",
    "screenshot_notebook",
]

_VIEWPORT = {"width": 1400, "height": 1000}  # as the page fixture's
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

#: Notebook -> (fewest plotly outputs its committed file may hold, plotly FigureWidgets of its
#: dashboard). Widget state is not saved with the notebooks (store_widget_state=False in
#: tools/build_notebooks.py), so the dashboards' figure counts come from their code.
MINIMUMS: dict[str, tuple[int, int]] = {
    "00_start_here": (0, 0),
    "01_actors": (2, 2),  # build_dashboard(ann, charts_shown=("actors", "network"))
    "02_topics": (3, 0),
    "03_compare_threads": (4, 0),
    "04_your_own_articles": (1, 0),
}

# One record per plotly root: drawn (has its svg), traces in the plot and their names
# (gd.data, what Plotly.newPlot/addTraces drew), whether it sits in a widget (FigureWidget),
# its title, legend entries (plotly shows no legend for a single trace), and the bars or
# markers drawn (g.point).
_CHART_STATES_JS = """
(root) => Array.from(root.querySelectorAll('.js-plotly-plot')).map((plot) => ({
    drawn: plot.querySelector('.main-svg') !== null,
    traces: Array.isArray(plot.data) ? plot.data.length : 0,
    names: Array.isArray(plot.data) ? plot.data.map((t) => t.name || '') : [],
    widget: plot.closest('.jupyter-widgets') !== null,
    title: (plot.querySelector('.gtitle') || {}).textContent || '',
    legend: Array.from(plot.querySelectorAll('g.legend g.traces')).map((e) => e.textContent),
    points: plot.querySelectorAll('g.point').length,
}))
"""

# Scroll the notebook to its top and return its full height (JupyterLab 4 scrolls it in
# .jp-WindowedPanel-outer).
_NOTEBOOK_HEIGHT_JS = """
(panel) => Math.max(0, ...Array.from(panel.querySelectorAll('.jp-WindowedPanel-outer, .jp-Notebook'))
    .map((e) => { e.scrollTop = 0; return e.scrollHeight; }))
"""


def saved_outputs(path: Path) -> Counter[str]:
    """Count the outputs of a committed notebook: ``plotly``, ``widgets`` and ``errors``."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            counts["plotly"] += PLOTLY_MIME in data
            counts["widgets"] += WIDGET_MIME in data
            counts["errors"] += output.get("output_type") == "error"
    return counts


def chart_states(page: Page, scope: str = "body") -> list[dict[str, Any]]:
    """One dict per plotly chart under ``scope``, in page order (see _CHART_STATES_JS)."""
    return list(page.locator(scope).first.evaluate(_CHART_STATES_JS))


def screenshot_notebook(page: Page, name: str, *, max_height: int = 12_000) -> Path:
    """Save the whole open notebook, from its top, to artifacts/<name>.png.

    JupyterLab scrolls the notebook inside the page, so the viewport is made as tall as
    the notebook for the shot and restored afterwards.
    """
    size = page.viewport_size or {"width": 1400, "height": 1000}
    height = int(notebook_panel(page).evaluate(_NOTEBOOK_HEIGHT_JS))
    page.set_viewport_size({"width": size["width"], "height": min(max_height, max(size["height"], height + 200))})
    try:
        page.wait_for_timeout(1000)  # JupyterLab and plotly lay out again
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS_DIR / f"{name}.png"
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)
    return path


@dataclass
class NotebookRun:
    """What the page showed after Run All of one notebook (or why it could not run)."""

    recorder: PageRecorder
    failure: BaseException | None = None
    charts: list[dict[str, Any]] = field(default_factory=list)
    errors: int = 0
    widgets: int = 0


@pytest.fixture(scope="module")
def notebook_runs(browser: Browser, notebooks_lab: LabServer) -> Iterator[dict[str, NotebookRun]]:
    """Run every notebook of MINIMUMS at once, one page each, and record what each page shows.

    Their kernels start and run side by side (about half the time of one after the other
    on two cores). All is recorded before the first test ends, as the suite shuts kernels
    down after each test.
    """
    contexts: list[BrowserContext] = []
    pages: dict[str, Page] = {}
    runs: dict[str, NotebookRun] = {}
    try:
        for name in MINIMUMS:
            context = browser.new_context(viewport=_VIEWPORT, service_workers="block")
            context.set_default_timeout(90_000)
            contexts.append(context)
            page = context.new_page()
            runs[name] = NotebookRun(recorder=PageRecorder())
            runs[name].recorder.attach(page)
            # Not open_notebook: that waits for each page in turn; here they load together.
            page.goto(notebooks_lab.lab_url(_rel(name)), wait_until="commit")
            pages[name] = page
        for step in ("open", "start", "wait", "record"):
            for name, page in pages.items():
                run = runs[name]
                if run.failure is not None:
                    continue
                try:
                    _step(step, name, page, run, notebooks_lab)
                except Exception as exc:  # noqa: BLE001 - reported by this notebook's test, not by all
                    run.failure = exc
                    screenshot(page, f"FAILED-{name}")
        yield runs
    finally:
        for context in contexts:
            context.close()


def _rel(name: str) -> str:
    return f"notebooks/{name}.ipynb"


def _step(step: str, name: str, page: Page, run: NotebookRun, lab: LabServer) -> None:
    if step == "open":
        notebook_panel(page).locator(".jp-Notebook .jp-Cell").first.wait_for(state="attached")
    elif step == "start":
        start_run_all(page, lab, _rel(name))
    elif step == "wait":
        wait_run_all(page, lab, _rel(name))
    else:
        screenshot_notebook(page, name)
        run.charts = chart_states(page, ".jp-NotebookPanel")
        run.errors = error_outputs(page)
        run.widgets = count_widgets(page)


@pytest.mark.parametrize("name", list(MINIMUMS))
def test_notebooks_run_all_renders_outputs(notebook_runs: dict[str, NotebookRun], name: str) -> None:
    rel = _rel(name)
    saved = saved_outputs(REPO_ROOT / rel)
    least_charts, figure_widgets = MINIMUMS[name]
    # The committed file is the reference; it must itself hold what the notebook is for.
    assert saved["plotly"] >= least_charts, f"{rel} was committed with {saved['plotly']} charts"
    assert saved["errors"] == 0, f"{rel} was committed with an error output"

    run = notebook_runs[name]
    if run.failure is not None:
        raise run.failure
    outputs = [c for c in run.charts if not c["widget"]]
    in_widgets = [c for c in run.charts if c["widget"]]
    assert run.errors == 0
    assert len(outputs) == saved["plotly"]
    assert all(c["drawn"] and c["traces"] > 0 and c["title"] for c in outputs), outputs
    assert run.widgets == saved["widgets"]
    assert len(in_widgets) == figure_widgets
    assert_no_outside_requests(run.recorder)
    assert_no_js_errors(run.recorder)  # before the charts: an error in the page explains them
    assert all(c["drawn"] and c["traces"] > 0 and c["title"] for c in in_widgets), in_widgets
