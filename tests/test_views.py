"""Tests for kit.views: highlighted articles and evidence tables, with all article text escaped."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from kit import compare, views
from kit.annotate import Annotations, annotate
from kit.corpus import load_corpus

# Markup a hostile or careless article may contain; none of it may reach the page as markup.
HOSTILE = (
    'Thai police met Japanese officials <script>alert("x")</script> to discuss '
    "<img src=x onerror=alert(1)> call centre scams, "
    '<a href="javascript:alert(2)">click here</a> and "quoted" claims & rumours.'
)
# Tags and attributes the kit's own markup uses: anything else came from the article.
ALLOWED_TAGS = {"div", "style", "h3", "h4", "p", "span", "mark", "strong", "table", "thead",
                "tbody", "tr", "th", "td", "a"}
ALLOWED_ATTRIBUTES = {"class", "style", "title", "href", "rel", "target"}


# Fixtures (to move to tests/conftest.py)
@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Annotations:
    """One article whose text and metadata carry markup, annotated with the blank pipeline."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.txt").write_text(
        'date 2025-09-01\ntitle <b>Bold</b> "Title" & co\n\n'
        + HOSTILE + "\n\nThe Royal Thai Police and Japan's National Police Agency agreed.\n",
        encoding="utf-8")
    ann = annotate(load_corpus(folder), model="blank", cache=False)
    articles = ann.articles.assign(url="javascript:alert(3)", source='<i>src</i> "x"')
    return dataclasses.replace(ann, articles=articles)


class _Tags(HTMLParser):
    """Collect every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser.tags


def _assert_only_kit_markup(markup: str) -> None:
    for tag, attrs in _tags(markup):
        assert tag in ALLOWED_TAGS, f"unexpected <{tag}> {attrs}"
        assert set(attrs) <= ALLOWED_ATTRIBUTES, f"unexpected attributes on <{tag}>: {attrs}"
        href = attrs.get("href")
        assert href is None or href.startswith(("http://", "https://")), href


# --------------------------------------------------------------------------- article


def test_views_article_html_escapes_article_text(hostile: Annotations) -> None:
    article_id = hostile.articles["article_id"].iloc[0]
    markup = views.article_html(hostile, article_id)
    _assert_only_kit_markup(markup)
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    # The text is shown, as text.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert "&lt;a href=&quot;javascript:alert(2)&quot;&gt;click here&lt;/a&gt;" in markup
    assert "&quot;quoted&quot; claims &amp; rumours." in markup
    assert "&lt;b&gt;Bold&lt;/b&gt; &quot;Title&quot; &amp; co" in markup
    # A javascript: URL is shown as text, never as a link.
    assert "javascript:alert(3)" in markup
    assert not any(tag == "a" for tag, _ in _tags(markup))


def test_views_article_html_highlights_entities_and_topics(hostile: Annotations) -> None:
    article_id = hostile.articles["article_id"].iloc[0]
    markup = views.article_html(hostile, article_id)
    marks = [attrs for tag, attrs in _tags(markup) if tag == "mark"]
    titles = [a.get("title") or "" for a in marks]
    assert "ORG: Royal Thai Police (Thailand)" in titles
    assert "NORP: Thai (Thailand)" in titles
    topics = [a["title"] for tag, a in _tags(markup)
              if tag == "span" and a.get("class") == "kit-topic" and a.get("title")]
    assert any(t.startswith("topic: Call-centre and phone scams") for t in topics)
    # The highlighted words themselves are intact.
    assert "Royal Thai Police</mark>" in markup


def test_views_article_html_has_legend_badges_and_evidence(seed: Annotations) -> None:
    article_id = seed.articles["article_id"].iloc[0]
    markup = views.article_html(seed, article_id)
    _assert_only_kit_markup(markup)
    assert 'class="kit-legend"' in markup
    for label in ("PERSON", "ORG", "EVENT", "GPE", "NORP"):
        assert f">{label}</mark>" in markup
    assert "Thailand–Japan" in markup and "Thailand–China" in markup
    badges = [a for tag, a in _tags(markup) if tag == "span" and a.get("class") == "kit-badge"]
    # Two in the legend, then one per paragraph (each of the 9 paragraphs has one thread).
    assert len(badges) == 2 + 9
    assert "<h4>Thread evidence</h4>" in markup
    assert markup.count("<tr>") == 1 + 9  # header + one row per (paragraph, thread)
    assert "Sun Weidong</mark>" in markup


def test_views_article_html_unknown_article(seed: Annotations) -> None:
    with pytest.raises(KeyError, match="'nope' is not in these annotations"):
        views.article_html(seed, "nope")


# --------------------------------------------------------------------------- tables


def test_views_evidence_html_escapes_cells(hostile: Annotations) -> None:
    table = compare.evidence(hostile, topic="call_centre_scams")
    assert len(table) == 1
    markup = views.evidence_html(table)
    _assert_only_kit_markup(markup)
    assert "<script" not in markup and "<img" not in markup
    assert "&lt;script&gt;" in markup
    headers = [t for t, _ in _tags(markup) if t == "th"]
    assert len(headers) == 7  # article_id, date, paragraph, sentence, threads, text, matched


def test_views_table_html_escapes_headers_lists_and_dates() -> None:
    frame = pd.DataFrame({"<th>": ["<td>", "x"], "threads": [["THA-JPN", "<b>"], []],
                          "date": pd.to_datetime(["2025-09-29", None])})
    markup = views.table_html(frame, max_rows=1)
    _assert_only_kit_markup(markup)
    assert "<th>&lt;th&gt;</th>" in markup
    assert "<td>THA-JPN, &lt;b&gt;</td>" in markup
    assert "<td>2025-09-29</td>" in markup
    assert "1 more rows not shown." in markup


def test_views_show_helpers_return_ipython_html(seed: Annotations) -> None:
    from IPython.display import HTML

    article_id = seed.articles["article_id"].iloc[0]
    shown = views.show_article(seed, article_id)
    assert isinstance(shown, HTML)
    assert shown.data == views.article_html(seed, article_id)
    rows = compare.evidence(seed, actor="Tej Bunnag")
    assert views.show_evidence(rows).data == views.evidence_html(rows)
    assert "<table" in views.show_table(rows).data


def test_views_import_does_not_load_ipython() -> None:
    code = "import sys, kit.views; print('IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"
    assert out.stderr == ""
