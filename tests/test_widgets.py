"""Dashboards: controls built from the data move the figures; clicks show evidence."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w
import pytest

from kit import widgets
from kit.annotate import annotate
from kit.corpus import load_corpus

from conftest import REPO, SEEDS

EXAMPLES = REPO / "kit" / "data" / "examples"


@pytest.fixture(scope="module")
def many(blank_nlp):
    """The seed plus the example articles: seven threads over several dates."""
    from kit.codebook import load_codebook

    cb = load_codebook(EXAMPLES / "codebook.yml")
    corpus = load_corpus([SEEDS, EXAMPLES / "articles"])
    from kit.pipeline import load_pipeline

    return annotate(corpus, nlp=load_pipeline("blank", codebook=cb), codebook=cb, cache=False)


@pytest.fixture()
def dash(many):
    return widgets.build_dashboard(many)


def _texts(widget) -> list[str]:
    """The values of every Label and HTML widget inside *widget*."""
    out = [widget.value] if isinstance(widget, (w.Label, w.HTML)) else []
    for child in getattr(widget, "children", ()):
        out += _texts(child)
    return out


def bar_threads(dash) -> list[str]:
    return [trace.name for trace in dash.figures["topics"].data]


def test_widgets_controls_are_built_from_the_data(dash, many):
    c = dash.controls
    assert [value for _, value in c["threads"].options] == many.threads
    assert set(c["threads"].value) == set(many.threads)
    assert "PERSON" in c["actor_type"].options and "ORG" in c["actor_type"].options
    countries = {value for _, value in c["country"].options}
    assert {"THA", "JPN", "CHN", "KHM", "MYS"} <= countries
    assert c["dates"].options[0][1] == dt.date(2025, 8, 21)
    assert c["dates"].options[-1][1] == dt.date(2025, 11, 5)
    assert c["min_mentions"].continuous_update is False
    assert c["dates"].continuous_update is False
    assert "21 Aug 2025 – 05 Nov 2025" in _texts(dash.widget)
    c["dates"].value = (dt.date(2025, 9, 29), dt.date(2025, 10, 3))
    assert "29 Sep 2025 – 03 Oct 2025" in _texts(dash.widget)


def test_widgets_selecting_one_thread_updates_every_figure(dash):
    before = {name: len(fig.data) for name, fig in dash.figures.items()}
    assert len(bar_threads(dash)) == 7
    dash.controls["threads"].value = ("THA-CHN",)
    assert bar_threads(dash) == ["Thailand–China"]
    assert [t.name for t in dash.figures["timeline"].data] == ["Thailand–China"]
    after = {name: len(fig.data) for name, fig in dash.figures.items()}
    assert after != before
    assert dash.status.value.startswith("3 paragraphs in 1 article,")


def test_widgets_figures_are_updated_in_place(dash):
    figures = dict(dash.figures)
    dash.controls["threads"].value = ("THA-JPN",)
    assert all(dash.figures[name] is fig for name, fig in figures.items())


def test_widgets_date_range_filters_articles(dash):
    dash.controls["dates"].value = (dt.date(2025, 10, 3), dt.date(2025, 10, 10))
    assert set(bar_threads(dash)) == {"Thailand–Cambodia", "Multilateral", "Thailand–Laos"}


def test_widgets_country_and_search_filters(dash):
    dash.controls["country"].value = "MYS"
    assert bar_threads(dash) == ["Thailand–Malaysia"]
    dash.controls["country"].value = "(all)"
    dash.controls["text"].value = "romance"
    assert bar_threads(dash) == ["Thailand–South Korea"]


def test_widgets_min_mentions_drops_rare_actors(dash):
    def actors_shown() -> int:
        return sum(len(trace.y) for trace in dash.figures["actors"].data)

    everyone = actors_shown()
    dash.controls["min_mentions"].value = 2
    assert 0 < actors_shown() < everyone


def test_widgets_clicking_a_topic_bar_shows_its_evidence(dash):
    dash.controls["threads"].value = ("THA-JPN",)
    trace = dash.figures["topics"].data[0]
    point = next(i for i, key in enumerate(trace.customdata) if key[1] == "call_centre_scams")
    table = dash.click("topics", 0, point)
    assert len(table) == 2
    assert "Evidence: Thailand–Japan, topic Call-centre and phone scams (2 sentences)" \
        in dash.evidence.value
    assert "call centre scams" in dash.evidence.value
    assert "Thai police are stepping up" in dash.evidence.value


def test_widgets_clicking_a_network_node_shows_its_evidence(dash):
    node_trace = next(i for i, t in enumerate(dash.figures["network"].data)
                      if t.customdata is not None and t.mode and "markers" in t.mode)
    trace = dash.figures["network"].data[node_trace]
    table = dash.click("network", node_trace, 0)
    actor = trace.customdata[0][0]
    assert len(table) >= 1
    assert actor in dash.evidence.value


def test_widgets_render_is_pure(many):
    state = widgets.FilterState(threads=("THA-KHM",))
    first = widgets.render(many, state)
    second = widgets.render(many, state)
    assert first["topics"].to_dict() == second["topics"].to_dict()
    assert [t.name for t in first["topics"].data] == ["Thailand–Cambodia"]


def test_widgets_evidence_is_escaped(write_articles, blank_nlp, codebook):
    folder = write_articles({"xss": "date 2025-01-01\n\nThai police met Japanese officials "
                                    "to discuss <script>alert(1)</script> call centre scams.\n"})
    ann = annotate(load_corpus(folder), nlp=blank_nlp, codebook=codebook, cache=False)
    dash = widgets.build_dashboard(ann)
    dash.show_evidence(thread="THA-JPN")
    assert "<script>" not in dash.evidence.value
    assert "&lt;script&gt;" in dash.evidence.value


def test_widgets_state_for_a_new_view_follows_the_filters(dash):
    # What a view opened later receives (Voila renders after the notebook has run): the
    # widget's synced state, not the edit messages sent to views open at the time.
    def synced_names(name: str) -> list[str]:
        return [trace.get("name") for trace in dash.figures[name].get_state()["_widget_data"]]

    assert len(synced_names("topics")) == 7
    dash.controls["threads"].value = ("THA-CHN",)
    assert synced_names("topics") == ["Thailand–China"]
    assert synced_names("timeline") == ["Thailand–China"]
    layout = dash.figures["topics"].get_state()["_widget_layout"]
    assert layout["title"]["text"] == dash.figures["topics"].layout.title.text


def test_widgets_figures_carry_no_layout_template(dash):
    # plotly.js drew nothing in a FigureWidget whose layout had a template and a reversed axis;
    # the dashboard states the house style directly, at build and after every update.
    def templates() -> list[dict]:
        return [fig.layout.template.to_plotly_json() for fig in dash.figures.values()]

    assert templates() == [{}] * len(dash.figures)
    dash.controls["threads"].value = ("THA-CHN",)
    assert templates() == [{}] * len(dash.figures)
    assert [fig.get_state()["_widget_layout"].get("template") or {} for fig in dash.figures.values()] \
        == [{}] * len(dash.figures)


def test_widgets_figures_open_with_the_figure_in_their_first_message(many, monkeypatch):
    # The browser creates a widget's model from the comm's opening message; a figure that
    # arrived only in later messages could be missed while the model loads (an empty chart).
    import ipywidgets.widgets.widget as widget_module

    opened: list[dict] = []
    create_comm = widget_module.comm.create_comm

    def recording_create_comm(**kwargs):
        opened.append(kwargs["data"]["state"])
        return create_comm(**kwargs)

    monkeypatch.setattr(widget_module.comm, "create_comm", recording_create_comm)
    dash = widgets.build_dashboard(many)
    figures = [state for state in opened if "_widget_data" in state]
    assert len(figures) == len(dash.figures)
    for state, fig in zip(figures, dash.figures.values()):
        assert [t.get("name") for t in state["_widget_data"]] == [t.name for t in fig.data]
        assert state["_widget_layout"]["title"]["text"] == fig.layout.title.text
    assert all(fig.comm is not None for fig in dash.figures.values())
