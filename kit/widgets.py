"""Dashboards: controls built from the data, wired to a pure render function.

:func:`render` turns annotations and a filter state into figures, calling only :mod:`kit.compare`
and :mod:`kit.charts`. :func:`build_dashboard` builds the controls from the data, shows the figures
as plotly ``FigureWidget`` objects, updates them in place when a control changes, and shows the
evidence sentences behind a bar or a network node when it is clicked. Everything a test needs is
reachable on the returned :class:`Dashboard`; nothing is kept in module globals.
"""

from __future__ import annotations

import copy
import functools
import html
import json

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
import plotly
import plotly.graph_objects as go

from kit import charts, compare, views
from kit._text import count
from kit.annotate import Annotations

__all__ = ["CHARTS", "Dashboard", "FilterState", "build_dashboard", "render"]

#: The charts a dashboard can show, in display order.
CHARTS = ("topics", "actors", "network", "timeline")
_ALL = "(all)"


@dataclass(frozen=True)
class FilterState:
    """What the dashboard's controls say. ``None`` means "no filter".

    Attributes:
        threads: Thread ids to show.
        actor_type: An actor type (PERSON, ORG, EVENT, or a model label).
        country: ISO3 code of a country that paragraphs must mention.
        category: Topic category id.
        date_range: First and last publication date, inclusive.
        min_mentions: Actors mentioned fewer times are left out of the actor charts.
        text: Case-insensitive text that paragraphs must contain.
    """

    threads: tuple[str, ...] | None = None
    actor_type: str | None = None
    country: str | None = None
    category: str | None = None
    date_range: tuple[date, date] | None = None
    min_mentions: int = 1
    text: str | None = None


def render(
    ann: Annotations,
    state: FilterState,
    *,
    charts_shown: Sequence[str] = CHARTS,
) -> dict[str, go.Figure]:
    """Return ``{chart name: figure}`` for *ann* filtered by *state*. Pure: no widgets involved.

    Args:
        ann: The annotations.
        state: The filters to apply.
        charts_shown: Names from :data:`CHARTS`.
    """
    return _render_view(ann, filtered(ann, state), state, charts_shown=charts_shown)


def _render_view(ann: Annotations, view: Annotations, state: FilterState, *,
                 charts_shown: Sequence[str]) -> dict[str, go.Figure]:
    """:func:`render` for *view*, *ann* already filtered by *state*."""
    colors = charts.thread_colors(ann.threads)
    labels = {t: ann.codebook.thread_label(t) for t in ann.threads}
    out: dict[str, go.Figure] = {}
    actors = None
    if {"actors", "network"} & set(charts_shown):
        actors = compare.actor_table(view)
        actors = actors[actors["mentions"] >= state.min_mentions]
    for name in charts_shown:
        if name == "topics":
            out[name] = charts.topic_bars(compare.topic_profile(view), colors=colors,
                                          labels=labels)
        elif name == "actors":
            out[name] = charts.actor_bars(actors, colors=colors, labels=labels)
        elif name == "network":
            keep = set(actors["actor"])
            edges = compare.co_mentions(view, window="paragraph")
            edges = edges[edges["actor_a"].isin(keep) & edges["actor_b"].isin(keep)]
            out[name] = charts.network(edges, nodes=actors, colors=colors, labels=labels)
        elif name == "timeline":
            out[name] = charts.timeline(compare.timeline(view), colors=colors, labels=labels)
        else:
            raise ValueError(f"unknown chart {name!r}; choose from {', '.join(CHARTS)}")
    return out


def filtered(ann: Annotations, state: FilterState) -> Annotations:
    """Return *ann* restricted by *state* (see :func:`kit.compare.filter_annotations`)."""
    return compare.filter_annotations(
        ann,
        threads=state.threads,
        actor_types=[state.actor_type] if state.actor_type else None,
        countries=[state.country] if state.country else None,
        categories=[state.category] if state.category else None,
        date_range=state.date_range,
        text=state.text or None,
    )


@dataclass
class Dashboard:
    """A live dashboard. Display it in a notebook as the last expression of a cell.

    Attributes:
        ann: The annotations it shows.
        controls: ``{name: widget}``: ``threads``, ``actor_type``, ``country``, ``category``,
            ``dates``, ``min_mentions``, ``text``. Set a control's ``.value`` to filter.
        figures: ``{chart name: go.FigureWidget}``, updated in place.
        evidence: HTML widget listing the sentences behind the last clicked bar or node.
        status: One line saying what the filters leave.
        widget: The whole dashboard as one ipywidgets container.
    """

    ann: Annotations
    controls: dict[str, w.Widget]
    figures: dict[str, go.FigureWidget]
    evidence: w.HTML
    status: w.HTML
    widget: w.Box = field(repr=False)
    charts_shown: tuple[str, ...] = CHARTS

    def state(self) -> FilterState:
        """The filter state the controls currently describe."""
        return _state(self.controls)

    def refresh(self, *_: Any) -> None:
        """Recompute every figure from the controls and update the figure widgets in place."""
        state = self.state()
        view = filtered(self.ann, state)  # once, for the figures and the status line
        figures = _render_view(self.ann, view, state, charts_shown=self.charts_shown)
        for name, fig in figures.items():
            _replace_figure(self.figures[name], fig)
            self._wire_clicks(name)
        self._show_status(view)

    def _show_status(self, view: Annotations) -> None:
        self.status.value = html.escape(
            f"{count(len(view.paragraphs), 'paragraph')} in "
            f"{count(view.paragraphs['article_id'].nunique(), 'article')}, "
            f"{count(len(view.assignments), 'thread assignment')}, "
            f"{count(view.mentions['actor'].nunique(), 'actor')}"
        )

    def show_evidence(self, **criteria: str | None) -> pd.DataFrame:
        """Show (and return) the evidence sentences for ``thread=``, ``topic=``, ``actor=``."""
        view = filtered(self.ann, self.state())
        table = compare.evidence(view, **{k: v for k, v in criteria.items() if v})
        said = ", ".join(self._describe(k, v) for k, v in criteria.items() if v)
        self.evidence.value = (
            f"<h4>Evidence: {html.escape(said)} ({count(len(table), 'sentence')})</h4>"
            + views.evidence_html(table)
        )
        return table

    def _describe(self, criterion: str, value: str) -> str:
        """A criterion as the charts label it: "Thailand–China", "topic Ties and relations"."""
        cb = self.ann.codebook
        if criterion == "thread":
            return cb.thread_label(value)
        if criterion == "topic" and value in cb.topics:
            return f"topic {cb.topics[value].label}"
        return f"{criterion} {value}"

    def click(self, chart: str, trace: int, point: int) -> pd.DataFrame:
        """Act as a click on point *point* of trace *trace* of *chart*: show its evidence."""
        data = self.figures[chart].data[trace]
        key = data.customdata[point] if data.customdata is not None else None
        if key is None:
            return pd.DataFrame()
        return self.show_evidence(**_criteria(chart, key))

    def _wire_clicks(self, name: str) -> None:
        for index, trace in enumerate(self.figures[name].data):
            if trace.customdata is None:
                continue

            def handler(_trace: Any, points: Any, _state: Any, *, _i: int = index,
                        _name: str = name) -> None:
                if points.point_inds:
                    self.click(_name, _i, points.point_inds[0])

            trace.on_click(handler)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def build_dashboard(
    ann: Annotations,
    *,
    charts_shown: Sequence[str] = CHARTS,
    threads: Sequence[str] | None = None,
) -> Dashboard:
    """Build a dashboard for *ann*: controls from the data, one figure widget per chart.

    Args:
        ann: The annotations.
        charts_shown: Names from :data:`CHARTS`, in display order.
        threads: Threads selected at first (default: all).
    """
    controls = _controls(ann, threads)
    # Each figure widget starts as its first rendering: a view that misses the edit messages
    # sent before its browser code had loaded still shows the right figure.
    state = _state(controls)
    view = filtered(ann, state)
    first = _render_view(ann, view, state, charts_shown=charts_shown)
    figures = {name: _new_figure_widget(fig) for name, fig in first.items()}
    evidence = w.HTML("<i>Click a bar or a network node to see the sentences behind it.</i>")
    status = w.HTML()
    # Filters sit above the charts, in columns that wrap: the charts keep the full width of a
    # notebook or a Voila page.
    column = w.Layout(width="300px", margin="0 12px 0 0")
    filters = w.HBox([
        w.VBox([controls["threads"]], layout=column),
        w.VBox([controls["actor_type"], controls["country"], controls["category"]],
               layout=column),
        w.VBox([controls["min_mentions"], *_date_range(controls), controls["text"]],
               layout=column),
    ], layout=w.Layout(flex_flow="row wrap"))
    panels = w.VBox([status, *figures.values(), evidence],
                    layout=w.Layout(width="100%", overflow="auto"))
    dash = Dashboard(ann=ann, controls=controls, figures=figures, evidence=evidence,
                     status=status, widget=w.VBox([w.HTML("<b>Filters</b>"), filters, panels]),
                     charts_shown=tuple(charts_shown))
    for name in charts_shown:
        dash._wire_clicks(name)
    dash._show_status(view)
    for control in controls.values():
        control.observe(dash.refresh, names="value")
    return dash


def _state(controls: dict[str, w.Widget]) -> FilterState:
    c = controls
    dates = c["dates"].value if "dates" in c else None
    return FilterState(
        threads=tuple(c["threads"].value),
        actor_type=_none_if_all(c["actor_type"].value),
        country=_none_if_all(c["country"].value),
        category=_none_if_all(c["category"].value),
        date_range=(pd.Timestamp(dates[0]).date(), pd.Timestamp(dates[1]).date())
        if dates else None,
        min_mentions=int(c["min_mentions"].value),
        text=c["text"].value.strip() or None,
    )


def _controls(ann: Annotations, threads: Sequence[str] | None) -> dict[str, w.Widget]:
    cb = ann.codebook
    actors = compare.actor_table(ann)
    style = {"description_width": "90px"}
    layout = w.Layout(width="290px")
    thread_options = [(cb.thread_label(t), t) for t in ann.threads]
    types = sorted(actors["type"].dropna().unique())
    countries = sorted(ann.mentions["country"].dropna().unique(), key=cb.country_name)
    categories = [c for c in cb.categories.values()
                  if c.id in set(_category_ids(ann))]
    most = int(actors["mentions"].max()) if len(actors) else 1
    controls: dict[str, w.Widget] = {
        "threads": w.SelectMultiple(
            options=thread_options, value=tuple(threads or ann.threads), rows=min(6, max(2, len(
                thread_options))), description="Threads", style=style, layout=layout),
        "actor_type": w.Dropdown(options=[_ALL, *types], value=_ALL, description="Actor type",
                                 style=style, layout=layout),
        "country": w.Dropdown(options=[(_ALL, _ALL), *((cb.country_name(c), c)
                                                        for c in countries)],
                              value=_ALL, description="Country", style=style, layout=layout),
        "category": w.Dropdown(options=[(_ALL, _ALL), *((c.label, c.id) for c in categories)],
                               value=_ALL, description="Topic area", style=style, layout=layout),
        "min_mentions": w.IntSlider(value=1, min=1, max=max(1, most), description="Min mentions",
                                    continuous_update=False, style=style, layout=layout),
        "text": w.Text(value="", placeholder="word or phrase", description="Search",
                       continuous_update=False, style=style, layout=layout),
    }
    days = sorted(pd.to_datetime(ann.articles["date"]).dt.date.unique())
    if len(days) > 1:
        controls["dates"] = w.SelectionRangeSlider(
            options=[(d.isoformat(), d) for d in days], index=(0, len(days) - 1),
            description="Published", continuous_update=False, readout=False, style=style,
            layout=layout)
    return controls


def _date_range(controls: dict[str, w.Widget]) -> list[w.Widget]:
    """The date slider with the range it selects written out below it (its own readout cuts
    two dates short)."""
    if "dates" not in controls:
        return []
    slider = controls["dates"]
    shown = w.Label(layout=w.Layout(margin="0 0 4px 96px"))

    def show(*_: Any) -> None:
        first, last = slider.value
        shown.value = f"{first:%d %b %Y} – {last:%d %b %Y}"

    slider.observe(show, names="value")
    show()
    return [slider, shown]


def _category_ids(ann: Annotations) -> list[str]:
    by_label = {c.label: c.id for c in ann.codebook.categories.values()}
    return [by_label.get(c, c) for c in ann.topics["category"].dropna().unique()]


def _criteria(chart: str, key: Sequence[Any]) -> dict[str, str | None]:
    """Map a clicked point's ``customdata`` to evidence criteria."""
    if chart == "topics":
        return {"thread": key[0], "topic": key[1]}
    if chart == "actors":
        return {"thread": key[0], "actor": key[1]}
    if chart == "network":
        return {"actor": key[0]}
    return {"thread": key[0]}


# The browser side of the dashboard's figure widgets: plotly's widget code, imported once per
# page and shared by every figure. anywidget gives a widget's `initialize` two seconds before
# declaring it dead, and compiling plotly's 5 MB bundle can take longer on a slow machine (a
# Binder, a page rendering several notebooks); so `initialize` only starts the import, and
# `render` waits for it.
_ESM = """
const key = Symbol.for("kit.plotly-figure-widget");
const bundle = () => (globalThis[key] ??= import(URL.createObjectURL(
  new Blob([__PLOTLY_WIDGET_CODE__], {type: "text/javascript"}))));
export default () => {
  let plotly;
  let ready;
  return {
    initialize(context) {
      ready = bundle().then(async (module) => {
        plotly = await module.default();
        await plotly.initialize?.(context);
      });
    },
    async render(context) {
      await ready;
      return plotly.render(context);
    },
  };
};
"""


@functools.cache
def _figure_widget_class() -> type[go.FigureWidget]:
    """``go.FigureWidget`` with the browser code of ``_ESM``, opened by :func:`_new_figure_widget`.

    ipywidgets opens a widget's comm inside its constructor, where plotly has not yet put the
    figure into the synced state: the browser's model starts empty and receives the figure in
    later messages, which a model still loading can miss (a chart then stays empty). This class
    opens its comm only when asked, so that the first message already carries the figure.
    """
    bundle = Path(plotly.__file__).with_name("package_data") / "widgetbundle.js"
    esm = _ESM.replace("__PLOTLY_WIDGET_CODE__", json.dumps(bundle.read_text(encoding="utf-8")))

    def open(self: go.FigureWidget) -> None:  # noqa: A001 - ipywidgets' name
        if self._kit_may_open:
            go.FigureWidget.open(self)

    return type("FigureWidget", (go.FigureWidget,), {
        "_esm": esm, "_kit_may_open": False, "open": open, "__module__": __name__})


def _for_widget(fig: go.Figure) -> go.Figure:
    """*fig* with its house template replaced by the few settings it stands for.

    In a FigureWidget, plotly.js drew nothing for a figure with a layout template and a
    reversed axis.
    """
    fig = go.Figure(fig)
    fig.layout.template = None
    fig.update_layout(paper_bgcolor="white", plot_bgcolor="white")
    for update in (fig.update_xaxes, fig.update_yaxes):
        update(showline=True, linecolor="#444444", ticks="outside", showgrid=False,
               zeroline=False)
    return fig


def _replace_figure(target: go.FigureWidget, source: go.Figure) -> None:
    """Make *target* show *source*, in place, in as few messages to the browser as possible."""
    source = _for_widget(source)
    with target.batch_update():
        target.data = ()
        target.add_traces(list(source.data))
        target.layout = source.layout
        target.layout.template = None  # assigning a layout put plotly's default template back
    _sync_state(target)


def _new_figure_widget(fig: go.Figure) -> go.FigureWidget:
    widget = _figure_widget_class()(_for_widget(fig))
    widget.layout.template = None  # the constructor put plotly's default template back
    _sync_state(widget)
    widget._kit_may_open = True
    widget.open()
    return widget


def _sync_state(widget: go.FigureWidget) -> None:
    """Make the state a new view of *widget* starts from match the figure.

    A FigureWidget sends edits to the views it has as one-off messages and keeps its synced
    state as it was when created; a view opened later (Voila renders after the notebook has
    run; a notebook reopened in the same session) would show that first figure. FigureWidget
    refreshes this state only when displayed on its own, not as a child of a box.
    """
    widget._widget_layout = copy.deepcopy(widget._layout_obj._props)
    widget._widget_data = copy.deepcopy(widget._data)


def _none_if_all(value: Any) -> Any:
    return None if value in (_ALL, None, "") else value
