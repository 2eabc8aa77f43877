"""Charts of the comparison tables: tidy DataFrame in, ``plotly.graph_objects.Figure`` out.

Each function takes a table from :mod:`kit.compare` and returns a figure; none computes
statistics and none calls ``.show()``. All figures share one house style (:func:`_style`) and
one colour per thread (:func:`thread_colors`), assigned by sorted thread id, so THA-JPN has the
same colour in every chart of the same annotations: the compare tables record every thread of
their annotations in ``DataFrame.attrs["kit"]`` and the charts read it. Pass ``colors=`` (and
``labels=``) to override, e.g. to keep the colours of the full corpus in a filtered view.

Figures are deterministic (no random ids; the network layout has a fixed seed) and
JSON-serialisable. Article text shown in hovers is HTML-escaped, because plotly renders a subset
of HTML in text.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

__all__ = [
    "COUNTRY_PALETTE",
    "THREAD_PALETTE",
    "actor_bars",
    "country_colors",
    "distinctive_bars",
    "network",
    "thread_colors",
    "timeline",
    "topic_bars",
    "topic_heatmap",
    "topic_sunburst",
]

#: Thread colours (Okabe & Ito's colour-blind-safe set, then darker extras), by sorted id.
THREAD_PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F3C8D", "#3B6E2B",
    "#A6761D", "#666666",
)
#: Country colours (CARTO Pastel), by sorted ISO3 code; unknown countries are grey. Pale, so
#: that they never pass for the saturated thread colours.
COUNTRY_PALETTE: tuple[str, ...] = (
    "#66C5CC", "#F6CF71", "#F89C74", "#DCB0F2", "#87C55F", "#9EB9F3", "#FE88B1", "#C9DB74",
    "#8BE0A4", "#B3B3B3",
)
_UNKNOWN = "#C7C7C7"
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_HOVER_WIDTH = 70
_HOVER_MAX = 320
_DAY_MS = 86_400_000
_LAYOUT_DIGITS = 4


# --------------------------------------------------------------------------- colours, labels


def thread_colors(threads: Iterable[str]) -> dict[str, str]:
    """Give each thread its colour: the palette in order of the sorted thread ids.

    Args:
        threads: Thread ids, in any order, duplicates allowed.

    Returns:
        ``{thread id: "#rrggbb"}``. The same set of threads always gets the same colours;
        past ten threads the palette repeats.
    """
    ids = sorted({str(t) for t in threads})
    return {t: THREAD_PALETTE[i % len(THREAD_PALETTE)] for i, t in enumerate(ids)}


def country_colors(countries: Iterable[str | None]) -> dict[str, str]:
    """Give each ISO3 country code a colour, in order of the sorted codes (None: grey)."""
    ids = sorted({str(c) for c in countries if isinstance(c, str) and c})
    return {c: COUNTRY_PALETTE[i % len(COUNTRY_PALETTE)] for i, c in enumerate(ids)}


def _context(frame: pd.DataFrame, threads: Sequence[str], colors: Mapping[str, str] | None,
             labels: Mapping[str, str] | None) -> tuple[dict[str, str], dict[str, str]]:
    """Colours and labels for *threads*: explicit arguments, else the table's attrs."""
    meta = frame.attrs.get("kit", {}) if isinstance(frame.attrs, dict) else {}
    every = list(meta.get("threads", [])) or list(threads)
    palette = dict(thread_colors(set(every) | set(threads)))
    if colors:
        palette.update(colors)
    names = {t: t for t in threads}
    names.update(meta.get("labels", {}))
    if labels:
        names.update(labels)
    return palette, names


def _ordered_threads(frame: pd.DataFrame, column: str = "thread") -> list[str]:
    return list(dict.fromkeys(frame[column].astype(str))) if column in frame else []


def _esc(text: object) -> str:
    # Plotly renders a subset of HTML in text; quotes are harmless outside tags.
    return html.escape("" if text is None or text is pd.NA else str(text), quote=False)


def _wrap(text: object, width: int = _HOVER_WIDTH) -> str:
    """Escape and wrap a sentence for a hover label."""
    raw = "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text)
    if len(raw) > _HOVER_MAX:
        raw = raw[: _HOVER_MAX - 1].rstrip() + "…"
    return "<br>".join(_esc(line) for line in textwrap.wrap(raw, width)) or ""


def _example(text: object) -> str:
    wrapped = _wrap(text)
    return f"<br><i>e.g.</i> {wrapped}" if wrapped else ""


def _tint(color: str, amount: float) -> str:
    """Mix *color* with white (amount 0: unchanged, 1: white); non-#rrggbb colours as given."""
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
        return color
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _style(
    fig: go.Figure,
    *,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    legend_title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Apply the house style to *fig* and return it.

    One font stack of system fonts (nothing is fetched), a white template, the title on the
    left, the legend on top, left-aligned hover labels, and the given axis titles.
    """
    fig.update_layout(
        template="simple_white",
        title={"text": _esc(title), "x": 0.0, "xanchor": "left"},
        font={"family": _FONT, "size": 13, "color": "#222222"},
        hoverlabel={"align": "left", "bgcolor": "white", "font": {"family": _FONT}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0,
                "title": {"text": _esc(legend_title) if legend_title else ""}},
        margin={"l": 10, "r": 10, "t": 90, "b": 50},
        height=height,
        autosize=True,
    )
    if x_title is not None:
        fig.update_xaxes(title_text=_esc(x_title), automargin=True)
    if y_title is not None:
        fig.update_yaxes(title_text=_esc(y_title), automargin=True)
    return fig


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: the table lacks the column(s) {', '.join(missing)}; pass the "
                         f"DataFrame returned by kit.compare (columns: {', '.join(frame.columns)})")


# --------------------------------------------------------------------------- topics


_UNIT_PLURAL = {"paragraph": "paragraphs", "sentence": "sentences", "article": "articles"}


def _unit_of(profile: pd.DataFrame) -> str:
    if "unit" in profile and len(profile):
        return _UNIT_PLURAL.get(str(profile["unit"].iloc[0]), "units")
    return "paragraphs"


def topic_bars(
    profile: pd.DataFrame,
    *,
    value: str = "share",
    colors: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Grouped horizontal bars: one trace per thread, one bar per topic.

    Args:
        profile: :func:`kit.compare.topic_profile`.
        value: ``"share"`` (of the thread's units) or ``"count"``.
        colors: Thread colours (default: :func:`thread_colors` of the table's threads).
        labels: Thread display labels (default: the codebook labels recorded by compare).

    Returns:
        A figure with one bar trace per thread (named by its label); the y axis lists the
        topics by category in codebook order.
    """
    _require(profile, ["thread", "category", "topic_id", "topic", "count", "units", "share",
                       "example"], "topic_bars")
    if value not in {"share", "count"}:
        raise ValueError(f"value={value!r}: use 'share' or 'count'")
    threads = _ordered_threads(profile)
    palette, names = _context(profile, threads, colors, labels)
    unit = _unit_of(profile)
    fig = go.Figure()
    for thread in threads:
        rows = profile[profile["thread"] == thread]
        hover = [
            f"<b>{_esc(names[thread])}</b><br>{_esc(r.topic)} ({_esc(r.category)})<br>"
            f"{int(r.count)} of {int(r.units)} {unit} ({r.share:.0%})"
            + _example(r.example)
            for r in rows.itertuples(index=False)
        ]
        fig.add_trace(go.Bar(
            name=_esc(names[thread]), orientation="h",
            x=rows[value].astype(float).round(6).tolist(),
            y=[[_esc(c) for c in rows["category"]], [_esc(t) for t in rows["topic"]]],
            marker={"color": palette[thread]},
            hovertext=hover, hoverinfo="text",
            # What a click on a bar stands for (kit.widgets shows its evidence).
            customdata=[[thread, t] for t in rows["topic_id"]],
        ))
    n_topics = profile["topic"].nunique()
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(autorange="reversed")
    x_title = f"Share of the thread's {unit}" if value == "share" else f"Number of {unit}"
    if value == "share":
        fig.update_xaxes(tickformat=".0%")
    return _style(fig, title="Topics by thread", x_title=x_title, y_title="Topic",
                  legend_title="Thread",
                  height=max(360, 140 + n_topics * (10 + 9 * max(1, len(threads)))))


def topic_heatmap(
    profile: pd.DataFrame,
    *,
    value: str = "share",
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Heatmap of topics (rows) by thread (columns).

    Args:
        profile: :func:`kit.compare.topic_profile`.
        value: ``"share"`` or ``"count"`` as the cell colour; the hover shows both.
        labels: Thread display labels (default: the codebook labels recorded by compare).

    Returns:
        A figure with one heatmap trace; x = thread labels, y = topic labels (codebook order).
    """
    _require(profile, ["thread", "category", "topic", "count", "units", "share", "example"],
             "topic_heatmap")
    if value not in {"share", "count"}:
        raise ValueError(f"value={value!r}: use 'share' or 'count'")
    threads = _ordered_threads(profile)
    _, names = _context(profile, threads, None, labels)
    unit = _unit_of(profile)
    topics = list(dict.fromkeys(profile["topic"]))
    cells = profile.set_index(["topic", "thread"])
    z, hover = [], []
    for topic in topics:
        z_row, h_row = [], []
        for thread in threads:
            r = cells.loc[(topic, thread)] if (topic, thread) in cells.index else None
            if r is None:
                z_row.append(None)
                h_row.append("")
                continue
            z_row.append(round(float(r[value]), 6))
            h_row.append(f"<b>{_esc(names[thread])}</b><br>{_esc(topic)} ({_esc(r['category'])})"
                         f"<br>{int(r['count'])} of {int(r['units'])} {unit} "
                         f"({float(r['share']):.0%})" + _example(r["example"]))
        z.append(z_row)
        hover.append(h_row)
    fig = go.Figure(go.Heatmap(
        z=z, x=[_esc(names[t]) for t in threads], y=[_esc(t) for t in topics],
        colorscale="Blues", hovertext=hover, hoverinfo="text", xgap=2, ygap=2,
        colorbar={"title": {"text": "share" if value == "share" else unit},
                  "tickformat": ".0%" if value == "share" else ""},
    ))
    fig.update_yaxes(autorange="reversed")
    return _style(fig, title="Topic profile", x_title="Thread", y_title="Topic",
                  height=max(360, 120 + 24 * len(topics)))


def topic_sunburst(
    profile: pd.DataFrame,
    *,
    colors: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Sunburst thread → category → topic, sized by topic counts.

    Args:
        profile: :func:`kit.compare.topic_profile`.
        colors: Thread colours; a thread's categories and topics use lighter tints of it.
        labels: Thread display labels.

    Returns:
        A figure with one sunburst trace; node ids are ``thread``, ``thread/category`` and
        ``thread/category/topic``. A category's size is the sum of its topics' counts.
    """
    _require(profile, ["thread", "category", "topic", "count", "units", "example"],
             "topic_sunburst")
    threads = _ordered_threads(profile)
    palette, names = _context(profile, threads, colors, labels)
    unit = _unit_of(profile)
    rows = profile[profile["count"] > 0]
    ids, node_labels, parents, values, hover, node_colors = [], [], [], [], [], []
    for thread in threads:
        t_rows = rows[rows["thread"] == thread]
        if t_rows.empty:
            continue
        ids.append(thread)
        node_labels.append(_esc(names[thread]))
        parents.append("")
        values.append(int(t_rows["count"].sum()))
        hover.append(f"<b>{_esc(names[thread])}</b><br>{int(t_rows['units'].iloc[0])} {unit}")
        node_colors.append(palette[thread])
        for category, c_rows in t_rows.groupby("category", sort=False):
            cid = f"{thread}/{category}"
            ids.append(cid)
            node_labels.append(_esc(category))
            parents.append(thread)
            values.append(int(c_rows["count"].sum()))
            hover.append(f"<b>{_esc(names[thread])}</b><br>{_esc(category)}: "
                         f"{int(c_rows['count'].sum())} topic counts in {len(c_rows)} topics")
            node_colors.append(_tint(palette[thread], 0.35))
            for r in c_rows.itertuples(index=False):
                ids.append(f"{cid}/{r.topic}")
                node_labels.append(_esc(r.topic))
                parents.append(cid)
                values.append(int(r.count))
                hover.append(f"<b>{_esc(names[thread])}</b><br>{_esc(r.topic)}<br>"
                             f"{int(r.count)} of {int(r.units)} {unit}" + _example(r.example))
                node_colors.append(_tint(palette[thread], 0.6))
    fig = go.Figure(go.Sunburst(
        ids=[_esc(i) for i in ids], labels=node_labels, parents=[_esc(p) for p in parents],
        values=values, branchvalues="total", hovertext=hover, hoverinfo="text",
        marker={"colors": node_colors}, insidetextorientation="radial", sort=False,
    ))
    return _style(fig, title="Threads, categories and topics", height=600)


# --------------------------------------------------------------------------- actors


def actor_bars(
    actors: pd.DataFrame,
    *,
    top: int = 15,
    colors: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Horizontal bars of actor mentions, one panel per thread, bars coloured by country.

    Args:
        actors: :func:`kit.compare.actor_table`.
        top: Actors shown per thread (most mentioned first).
        colors: Thread colours (panel titles and bar outlines).
        labels: Thread display labels.

    Returns:
        A figure with one row of axes per thread and one bar trace per (thread, country), named
        by the country (one legend entry per country).
    """
    _require(actors, ["thread", "actor", "type", "country", "country_name", "mentions",
                      "paragraphs", "example"], "actor_bars")
    threads = _ordered_threads(actors)
    palette, names = _context(actors, threads, colors, labels)
    if not threads:
        return _style(go.Figure(), title="Actors by thread", x_title="Mentions", y_title="Actor")
    shown = {t: actors[actors["thread"] == t].head(top) for t in threads}
    c_colors = country_colors(actors["country"])
    sizes = [max(1, len(shown[t])) for t in threads]
    fig = make_subplots(
        rows=len(threads), cols=1, shared_xaxes=True, row_heights=[s / sum(sizes) for s in sizes],
        vertical_spacing=min(0.08, 0.5 / max(1, len(threads) - 1)) if len(threads) > 1 else 0.0,
        subplot_titles=[_esc(names[t]) for t in threads],
    )
    seen: set[str] = set()
    for row, thread in enumerate(threads, start=1):
        rows = shown[thread].iloc[::-1]  # horizontal bars draw bottom-up: most mentioned on top
        country = rows["country"].where(rows["country"].notna(), "")
        for code in dict.fromkeys(country):
            part = rows[country == code]
            name = part["country_name"].iloc[0] if code else "Unknown country"
            fig.add_trace(go.Bar(
                name=_esc(name), legendgroup=code or "none", showlegend=code not in seen,
                orientation="h", x=part["mentions"].astype(int).tolist(),
                y=[_esc(a) for a in part["actor"]],
                marker={"color": c_colors.get(code, _UNKNOWN),
                        "line": {"color": palette[thread], "width": 1.5}},
                hovertext=[
                    f"<b>{_esc(r.actor)}</b> ({_esc(r.type)}, {_esc(r.country_name or '?')})<br>"
                    f"{_esc(names[thread])}: {int(r.mentions)} mentions in {int(r.paragraphs)} "
                    f"paragraphs" + _example(r.example)
                    for r in part.itertuples(index=False)
                ],
                hoverinfo="text",
                customdata=[[thread, a] for a in part["actor"]],
            ), row=row, col=1)
            seen.add(code)
    for i, thread in enumerate(threads):
        fig.layout.annotations[i].font = {"color": palette[thread], "size": 14}
    fig.update_layout(barmode="stack")
    _style(fig, title="Actors by thread", legend_title="Country",
           height=max(320, 120 + 26 * sum(sizes) + 40 * len(threads)))
    # Subplot titles sit where the house legend would: put the legend on the right here.
    fig.update_layout(legend={"orientation": "v", "x": 1.02, "y": 1.0, "yanchor": "top"})
    if int(actors["mentions"].max()) <= 10:
        fig.update_xaxes(dtick=1)
    fig.update_xaxes(title_text="Mentions", row=len(threads), col=1)
    fig.update_yaxes(title_text="Actor", automargin=True, row=1, col=1)
    return fig


# --------------------------------------------------------------------------- network


def network(
    edges: pd.DataFrame,
    *,
    nodes: pd.DataFrame | None = None,
    seed: int = 7,
    title: str | None = None,
    colors: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Draw the co-mention network: actors as dots coloured by country, shared windows as lines.

    The layout is networkx's spring layout with a fixed *seed*, so the same table always gives
    the same picture. *edges* may concatenate the tables of several threads
    (``pd.concat([co_mentions(ann, thread=t) for t in ann.threads])``): each thread's edges are
    drawn in its colour, on one layout.

    Args:
        edges: :func:`kit.compare.co_mentions` (one or several threads, or ``thread=None``).
        nodes: Optional :func:`kit.compare.actor_table` for node countries, types and mention
            counts (dot size); actors without a row are drawn grey.
        seed: Seed of the layout.
        title: The figure title (default: names the window, and the thread if there is one).
        colors: Thread colours.
        labels: Thread display labels.

    Returns:
        A figure with, per thread (or once for an unthreaded table), a line trace named by the
        thread label (``"co-mentions"`` when unthreaded) and an invisible ``"… (edge info)"``
        trace carrying the edge hovers at the edge midpoints; then one marker trace per
        country of the actors.
    """
    _require(edges, ["actor_a", "actor_b", "weight", "window", "thread", "example"], "network")
    edge_threads = [t for t in dict.fromkeys(edges["thread"]) if isinstance(t, str)]
    palette, names = _context(edges, edge_threads, colors, labels)
    window = str(edges["window"].iloc[0]) if len(edges) else "sentence"

    graph = nx.Graph()
    info: dict[str, dict[str, Any]] = {}
    if nodes is not None and len(nodes):
        _require(nodes, ["actor", "type", "country", "country_name", "mentions"],
                 "network nodes")
        agg = nodes.groupby("actor", sort=True).agg(
            type=("type", "first"), country=("country", "first"),
            country_name=("country_name", "first"), mentions=("mentions", "sum"))
        info = {str(k): v for k, v in agg.to_dict("index").items()}
        graph.add_nodes_from(sorted(info))
    totals = edges.groupby(["actor_a", "actor_b"], sort=True)["weight"].sum()
    for (a, b), weight in totals.items():
        graph.add_edge(str(a), str(b), weight=int(weight))
    if title is None:
        title = f"Actors mentioned in the same {window}"
        if len(edge_threads) == 1:
            title += f" ({names.get(edge_threads[0], edge_threads[0])})"
    if graph.number_of_nodes() == 0:
        fig = go.Figure()
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _style(fig, title=title, height=420)
    pos = nx.spring_layout(graph, seed=seed, weight="weight")
    pos = {n: (round(float(x), _LAYOUT_DIGITS), round(float(y), _LAYOUT_DIGITS))
           for n, (x, y) in pos.items()}

    fig = go.Figure()
    groups = [(t, edges[edges["thread"] == t]) for t in edge_threads]
    if edges["thread"].isna().any():
        groups.append((None, edges[edges["thread"].isna()]))
    for thread, rows in groups:
        name = names.get(thread, thread) if thread else "co-mentions"
        color = palette.get(thread, "#888888") if thread else "#888888"
        xs: list[float | None] = []
        ys: list[float | None] = []
        mid_x, mid_y, mid_text = [], [], []
        for r in rows.sort_values(["actor_a", "actor_b"]).itertuples(index=False):
            a, b = str(r.actor_a), str(r.actor_b)
            xs += [pos[a][0], pos[b][0], None]
            ys += [pos[a][1], pos[b][1], None]
            mid_x.append(round((pos[a][0] + pos[b][0]) / 2, _LAYOUT_DIGITS))
            mid_y.append(round((pos[a][1] + pos[b][1]) / 2, _LAYOUT_DIGITS))
            mid_text.append(
                f"<b>{_esc(a)} – {_esc(b)}</b>" + (f" ({_esc(name)})" if thread else "")
                + f"<br>together in {int(r.weight)} {window}{'s' if r.weight != 1 else ''}"
                + _example(r.example))
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", name=_esc(name), legendgroup=f"edges {name}",
            hoverinfo="skip", line={"color": color, "width": 1.5}, opacity=0.8,
            showlegend=thread is not None))
        fig.add_trace(go.Scatter(
            x=mid_x, y=mid_y, mode="markers", name=_esc(f"{name} (edge info)"),
            legendgroup=f"edges {name}", marker={"size": 10, "opacity": 0, "color": color},
            hovertext=mid_text, hoverinfo="text", showlegend=False))
    c_colors = country_colors(v.get("country") for v in info.values())
    by_country: dict[str, list[str]] = {}
    for n in sorted(graph.nodes):
        code = info.get(n, {}).get("country")
        by_country.setdefault(code if isinstance(code, str) else "", []).append(n)
    for code in sorted(by_country):
        members = by_country[code]
        name = info.get(members[0], {}).get("country_name") if code else None
        degree = dict(graph.degree(members, weight="weight"))
        fig.add_trace(go.Scatter(
            x=[pos[n][0] for n in members], y=[pos[n][1] for n in members],
            mode="markers+text", name=_esc(name or "Unknown country"),
            text=[_esc(n) for n in members], textposition="top center",
            marker={"color": c_colors.get(code, _UNKNOWN), "line": {"color": "#555555",
                                                                    "width": 1},
                    "size": [12 + 3 * min(10, int(info.get(n, {}).get("mentions", 1) or 1))
                             for n in members]},
            hovertext=[f"<b>{_esc(n)}</b> ({_esc(info.get(n, {}).get('type', 'actor'))}, "
                       f"{_esc(name or '?')})<br>{int(info.get(n, {}).get('mentions', 0) or 0)}"
                       f" mentions; {degree[n]} shared {window}s"
                       for n in members],
            hoverinfo="text",
            customdata=[[n] for n in members],
        ))
    # Room around the outermost dots for their labels.
    for axis, values in (("x", [p[0] for p in pos.values()]), ("y", [p[1] for p in pos.values()])):
        low, high = min(values), max(values)
        pad = 0.25 * (high - low) if high > low else 1.0
        fig.update_layout({f"{axis}axis": {"range": [round(low - pad, _LAYOUT_DIGITS),
                                                     round(high + pad, _LAYOUT_DIGITS)],
                                           "visible": False}})
    _style(fig, title=title, legend_title="", height=560)
    # Legend groups (a node's dots and its edges) would stack one row per group, over the title.
    return fig.update_layout(legend_traceorder="normal")


# --------------------------------------------------------------------------- timeline


def timeline(
    events: pd.DataFrame,
    *,
    colors: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Date ranges as bars, one row and one trace per thread.

    Events of a thread with the same date range are drawn as one bar (the hover counts them),
    so a large corpus gives a readable chart.

    Args:
        events: :func:`kit.compare.timeline`.
        colors: Thread colours.
        labels: Thread display labels.

    Returns:
        A figure with one horizontal bar trace per thread (named by its label) and one bar per
        distinct date range, from its start day to the end of its end day, on a date axis.
    """
    _require(events, ["thread", "text", "start_date", "end_date", "precision",
                      "sentence_text"], "timeline")
    threads = _ordered_threads(events)
    palette, names = _context(events, threads, colors, labels)
    ranges = (events.assign(start_date=pd.to_datetime(events["start_date"]),
                            end_date=pd.to_datetime(events["end_date"]))
              .groupby(["thread", "start_date", "end_date"], sort=True)
              .agg(text=("text", "first"), precision=("precision", "first"),
                   sentence_text=("sentence_text", "first"), n=("text", "size"))
              .reset_index())
    fig = go.Figure()
    for thread in threads:
        rows = ranges[ranges["thread"] == thread]
        start, end = rows["start_date"], rows["end_date"]
        width = ((end - start).dt.days + 1) * _DAY_MS
        fig.add_trace(go.Bar(
            name=_esc(names[thread]), orientation="h",
            base=start.dt.strftime("%Y-%m-%d").tolist(), x=width.astype("int64").tolist(),
            y=[_esc(names[thread])] * len(rows),
            marker={"color": palette[thread], "opacity": 0.7,
                    "line": {"color": palette[thread], "width": 1}},
            hovertext=[
                f"<b>{_esc(names[thread])}</b>: “{_esc(r.text)}” ({_esc(r.precision)})<br>"
                f"{r.start_date:%Y-%m-%d} to {r.end_date:%Y-%m-%d}"
                + (f" ({int(r.n)} mentions)" if r.n > 1 else "") + _example(r.sentence_text)
                for r in rows.itertuples(index=False)
            ],
            hoverinfo="text",
        ))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(type="date")
    fig.update_yaxes(autorange="reversed")
    return _style(fig, title="Dated events by thread", x_title="Date", y_title="Thread",
                  legend_title="Thread", height=max(260, 160 + 60 * len(threads)))


# --------------------------------------------------------------------------- distinctive terms


def distinctive_bars(
    terms: pd.DataFrame,
    *,
    top: int = 15,
    colors: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Diverging bars of z-scores: terms of thread a to the right, of thread b to the left.

    Terms flagged ``insufficient`` are drawn faded; the hover gives the raw counts.

    Args:
        terms: :func:`kit.compare.distinctive_terms`.
        top: Terms shown on each side (highest ``|z|`` first).
        colors: Thread colours.
        labels: Thread display labels.

    Returns:
        A figure with two bar traces, named by the labels of thread a and thread b.
    """
    _require(terms, ["thread_a", "thread_b", "term", "count_a", "count_b", "z", "delta",
                     "insufficient", "example"], "distinctive_bars")
    if terms.empty:
        return _style(go.Figure(), title="Distinctive terms", x_title="z-score", y_title="Term")
    a, b = str(terms["thread_a"].iloc[0]), str(terms["thread_b"].iloc[0])
    palette, names = _context(terms, [a, b], colors, labels)
    side_a = terms[terms["z"] > 0].nlargest(top, "z")
    side_b = terms[terms["z"] < 0].nsmallest(top, "z")
    order = pd.concat([side_b, side_a]).sort_values("z")["term"].tolist()
    fig = go.Figure()
    for thread, rows in ((a, side_a), (b, side_b)):
        fig.add_trace(go.Bar(
            name=_esc(names[thread]), orientation="h",
            x=rows["z"].astype(float).round(4).tolist(), y=[_esc(t) for t in rows["term"]],
            marker={"color": palette[thread],
                    "opacity": [0.35 if flag else 1.0 for flag in rows["insufficient"]]},
            hovertext=[
                f"<b>{_esc(r.term)}</b>: z = {r.z:.2f}, log-odds ratio = {r.delta:.2f}<br>"
                f"{_esc(names[a])}: {int(r.count_a)}, {_esc(names[b])}: {int(r.count_b)}"
                + ("<br><i>insufficient evidence</i>" if r.insufficient else "")
                + _example(r.example)
                for r in rows.itertuples(index=False)
            ],
            hoverinfo="text",
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=[_esc(t) for t in order])
    fig.update_layout(barmode="relative")
    feature = str(terms["feature"].iloc[0]) if "feature" in terms else "term"
    return _style(
        fig, title=f"Distinctive {feature}s: {names[a]} vs {names[b]}",
        x_title=f"z-score of the log-odds ratio (right: {names[a]}, left: {names[b]})",
        y_title=feature.capitalize(), legend_title="More typical of",
        height=max(360, 140 + 22 * len(order)),
    )
