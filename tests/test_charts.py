"""Tests for kit.charts: figure structure (traces, bars, axis titles, colours), never pixels."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from kit import charts, compare
from kit.annotate import Annotations

THREADS_DIR = Path(__file__).parent / "data" / "threads"


# Fixtures (to move to tests/conftest.py)
def _figures(ann: Annotations) -> dict[str, go.Figure]:
    profile = compare.topic_profile(ann)
    actors = compare.actor_table(ann)
    a, b = ann.threads[:2]
    return {
        "topic_bars": charts.topic_bars(profile),
        "topic_heatmap": charts.topic_heatmap(profile),
        "topic_sunburst": charts.topic_sunburst(profile),
        "actor_bars": charts.actor_bars(actors),
        "network": charts.network(compare.co_mentions(ann, window="paragraph"), nodes=actors),
        "timeline": charts.timeline(compare.timeline(ann)),
        "distinctive_bars": charts.distinctive_bars(compare.distinctive_terms(ann, a, b)),
    }


# --------------------------------------------------------------------------- colours


def test_charts_thread_colors_follow_sorted_ids() -> None:
    colors = charts.thread_colors(["THA-MYS", "THA-JPN", "THA-CHN", "THA-JPN"])
    assert list(colors) == ["THA-CHN", "THA-JPN", "THA-MYS"]
    assert list(colors.values()) == list(charts.THREAD_PALETTE[:3])
    assert charts.thread_colors(["THA-JPN", "THA-CHN"]) == charts.thread_colors(
        ["THA-CHN", "THA-JPN"])


def test_charts_thread_colour_is_the_same_in_every_chart(three: Annotations) -> None:
    expected = charts.thread_colors(three.threads)
    assert len(set(expected.values())) == 3
    bars = charts.topic_bars(compare.topic_profile(three))
    # A chart of two of the three threads keeps the colours of the full set.
    terms = charts.distinctive_bars(compare.distinctive_terms(three, "THA-MYS", "THA-JPN"))
    events = charts.timeline(compare.timeline(three))
    for fig in (bars, terms, events):
        for trace in fig.data:
            thread = next(t for t in expected if three.codebook.thread_label(t) == trace.name)
            assert trace.marker.color == expected[thread], (fig.layout.title.text, trace.name)


# --------------------------------------------------------------------------- topics


def test_charts_topic_bars_structure(seed: Annotations) -> None:
    profile = compare.topic_profile(seed)
    fig = charts.topic_bars(profile)
    assert [t.name for t in fig.data] == ["Thailand–Japan", "Thailand–China"]
    n_topics = seed.topics["topic_id"].nunique()
    assert all(t.type == "bar" and len(t.x) == n_topics for t in fig.data)
    assert fig.layout.xaxis.title.text == "Share of the thread's paragraphs"
    assert fig.layout.yaxis.title.text == "Topic"
    assert fig.layout.barmode == "group"
    # y is (category, topic) in codebook order, the same for every thread.
    categories, topics = fig.data[0].y
    assert list(topics) == profile.loc[profile["thread"] == "THA-JPN", "topic"].tolist()
    jpn = dict(zip(topics, fig.data[0].x))
    chn = dict(zip(topics, fig.data[1].x))
    assert jpn["Call-centre and phone scams"] == pytest.approx(2 / 6)
    assert chn["Call-centre and phone scams"] == 0
    hover = fig.data[0].hovertext[list(topics).index("Call-centre and phone scams")]
    assert "2 of 6 paragraphs" in hover and "call centre scams" in hover


def test_charts_topic_bars_counts(seed: Annotations) -> None:
    fig = charts.topic_bars(compare.topic_profile(seed, unit="sentence"), value="count")
    assert fig.layout.xaxis.title.text == "Number of sentences"
    assert max(fig.data[0].x) == 3  # "High-level visits": 3 sentences of THA-JPN


def test_charts_topic_heatmap_structure(seed: Annotations) -> None:
    fig = charts.topic_heatmap(compare.topic_profile(seed))
    (heat,) = fig.data
    assert heat.type == "heatmap"
    assert list(heat.x) == ["Thailand–Japan", "Thailand–China"]
    n_topics = seed.topics["topic_id"].nunique()
    assert len(heat.y) == n_topics and all(len(row) == 2 for row in heat.z)
    row = list(heat.y).index("Call-centre and phone scams")
    assert heat.z[row][0] == pytest.approx(2 / 6, abs=1e-6) and heat.z[row][1] == 0
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("Thread", "Topic")


def test_charts_topic_sunburst_structure(seed: Annotations) -> None:
    fig = charts.topic_sunburst(compare.topic_profile(seed))
    (sun,) = fig.data
    ids = list(sun.ids)
    assert "THA-JPN/Crime/Call-centre and phone scams" in ids
    assert "THA-CHN/Crime/Call-centre and phone scams" not in ids  # zero counts are left out
    values = dict(zip(ids, sun.values))
    assert values["THA-JPN/Crime/Call-centre and phone scams"] == 2
    # branchvalues="total": a parent is the sum of its children.
    children = [i for i, p in zip(ids, sun.parents) if p == "THA-JPN/Crime"]
    assert values["THA-JPN/Crime"] == sum(values[c] for c in children)
    assert sun.marker.colors[ids.index("THA-JPN")] == charts.thread_colors(seed.threads)["THA-JPN"]


# --------------------------------------------------------------------------- actors, network


def test_charts_actor_bars_structure(seed: Annotations) -> None:
    fig = charts.actor_bars(compare.actor_table(seed))
    assert sum(len(t.y) for t in fig.data) == 9  # 6 THA-JPN actors + 3 THA-CHN actors
    assert {t.name for t in fig.data} == {"Thailand", "Japan", "China"}
    # One legend entry per country, though Thailand has bars in both panels.
    assert sorted(t.name for t in fig.data if t.showlegend) == ["China", "Japan", "Thailand"]
    assert [a.text for a in fig.layout.annotations] == ["Thailand–Japan", "Thailand–China"]
    assert fig.layout.xaxis2.title.text == "Mentions"
    assert fig.layout.yaxis.title.text == "Actor"
    colors = charts.country_colors(["THA", "JPN", "CHN"])
    thai = [t for t in fig.data if t.name == "Thailand"]
    assert all(t.marker.color == colors["THA"] for t in thai)
    cib = next(t for t in fig.data if "Central Investigation Bureau" in t.y)
    assert cib.x[list(cib.y).index("Central Investigation Bureau")] == 3


def test_charts_network_structure_and_fixed_layout(seed: Annotations) -> None:
    edges = compare.co_mentions(seed, window="article")
    actors = compare.actor_table(seed)
    fig = charts.network(edges, nodes=actors)
    names = [t.name for t in fig.data]
    assert names[:2] == ["co-mentions", "co-mentions (edge info)"]
    assert sorted(names[2:]) == ["China", "Japan", "Thailand"]
    nodes = [label for t in fig.data[2:] for label in t.text]
    assert len(nodes) == 9
    assert len(fig.data[1].x) == len(edges) == 36  # 9 actors in one article: 9 * 8 / 2 pairs
    again = charts.network(edges, nodes=actors)
    assert fig.to_json() == again.to_json()
    other_seed = charts.network(edges, nodes=actors, seed=8)
    assert other_seed.to_json() != fig.to_json()


def test_charts_network_one_edge_trace_per_thread(three: Annotations) -> None:
    edges = [compare.co_mentions(three, window="article", thread=t) for t in three.threads]
    table = pd.concat(edges, ignore_index=True)
    # THA-MYS names one actor only (the Royal Malaysia Police): no pair, no edge trace.
    assert set(table["thread"]) == {"THA-KHM", "THA-JPN"}
    fig = charts.network(table, nodes=compare.actor_table(three))
    lines = [t for t in fig.data if t.mode == "lines"]
    colors = charts.thread_colors(three.threads)
    assert [t.name for t in lines] == ["Thailand–Cambodia", "Thailand–Japan"]
    assert [t.line.color for t in lines] == [colors["THA-KHM"], colors["THA-JPN"]]
    # Royal Malaysia Police is still a node (from the actor table), without edges.
    nodes = [label for t in fig.data if t.mode == "markers+text" for label in t.text]
    assert "Royal Malaysia Police" in nodes


# --------------------------------------------------------------------------- timeline, terms


def test_charts_timeline_structure(seed: Annotations) -> None:
    fig = charts.timeline(compare.timeline(seed))
    assert [t.name for t in fig.data] == ["Thailand–Japan", "Thailand–China"]
    assert [len(t.x) for t in fig.data] == [2, 1]
    assert fig.layout.xaxis.type == "date"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("Date", "Thread")
    jpn = fig.data[0]
    # "September 16 to 21": six days from 2025-09-16.
    i = list(jpn.base).index("2025-09-16")
    assert jpn.x[i] == 6 * 86_400_000
    assert "September 16 to 21" in jpn.hovertext[i]


def test_charts_distinctive_bars_structure(seed: Annotations) -> None:
    terms = compare.distinctive_terms(seed, "THA-JPN", "THA-CHN")
    fig = charts.distinctive_bars(terms, top=5)
    assert [t.name for t in fig.data] == ["Thailand–Japan", "Thailand–China"]
    assert [len(t.y) for t in fig.data] == [5, 5]
    assert all(x > 0 for x in fig.data[0].x) and all(x < 0 for x in fig.data[1].x)
    assert fig.data[0].y[0] == "police"
    assert "Thailand–Japan: 5, Thailand–China: 0" in fig.data[0].hovertext[0]
    # Every seed term lacks evidence: all bars are faded.
    assert set(fig.data[0].marker.opacity) == {0.35}
    assert fig.layout.xaxis.title.text.startswith("z-score of the log-odds ratio")
    assert fig.layout.yaxis.title.text == "Lemma"


# --------------------------------------------------------------------------- every figure


@pytest.mark.parametrize("corpus", ["seed", "three"])
def test_charts_figures_are_deterministic_and_serialisable(
        corpus: str, request: pytest.FixtureRequest) -> None:
    ann = request.getfixturevalue(corpus)
    first, second = _figures(ann), _figures(ann)
    for name, fig in first.items():
        text = fig.to_json()
        assert text == second[name].to_json(), name
        data = json.loads(text)
        assert all("uid" not in trace for trace in data["data"]), name
        assert data["layout"]["title"]["text"], name
        assert "http" not in json.dumps(data["layout"].get("font", {}))


def test_charts_escape_article_text_in_hovers(seed: Annotations) -> None:
    profile = compare.topic_profile(seed)
    hostile = '<script>alert(1)</script> <img src=x onerror=alert(2)> "quoted" & more'
    profile.loc[profile["count"] > 0, "example"] = hostile
    fig = charts.topic_bars(profile)
    hover = " ".join(h for t in fig.data for h in t.hovertext)
    assert "<script" not in hover and "<img" not in hover
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hover
    assert "&amp; more" in hover


def test_charts_reject_a_table_without_the_columns(seed: Annotations) -> None:
    with pytest.raises(ValueError, match="topic_bars: the table lacks the column"):
        charts.topic_bars(compare.actor_table(seed))


def test_charts_empty_tables_give_empty_figures(seed: Annotations) -> None:
    none = compare.filter_annotations(seed, threads=[])
    assert len(charts.topic_bars(compare.topic_profile(none)).data) == 0
    assert len(charts.timeline(compare.timeline(none)).data) == 0
    assert len(charts.network(compare.co_mentions(none)).data) == 0
    assert len(charts.actor_bars(compare.actor_table(none)).data) == 0
