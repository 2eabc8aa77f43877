"""HTML views: an article with its entities and topics highlighted, and evidence tables.

The functions return HTML strings; :func:`show_article`, :func:`show_evidence` and
:func:`show_table` wrap them in ``IPython.display.HTML`` for notebooks. Every piece of text from
the corpus or the codebook is escaped with ``html.escape(..., quote=True)``, so an article that
contains markup (``<script>``, ``<img onerror=...>``) shows that markup as text. Links are made
only from ``http``/``https`` URLs; anything else (``javascript:``) is shown as plain text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from kit.annotate import Annotations
from kit.charts import thread_colors

if TYPE_CHECKING:
    from IPython.display import HTML

__all__ = [
    "ENTITY_COLORS",
    "article_html",
    "evidence_html",
    "show_article",
    "show_evidence",
    "show_table",
    "table_html",
]

#: Background colour of each entity label in :func:`article_html`.
ENTITY_COLORS: dict[str, str] = {
    "PERSON": "#FDE2B6",
    "ORG": "#CFE3F7",
    "EVENT": "#E5D4F2",
    "GPE": "#D4EFD0",
    "NORP": "#F3D9D1",
    "LOC": "#E0EDC8",
    "FAC": "#EEE3C9",
}
_OTHER_ENTITY = "#E6E6E6"
_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}")
_SAFE_URL = re.compile(r"https?://[^\s]+", re.IGNORECASE)
_CSS = """
.kit-view{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;
  line-height:1.55;color:#222;max-width:60em}
.kit-view h3{margin:.2em 0}
.kit-meta{color:#555;font-size:.9em;margin:.2em 0 .8em}
.kit-legend{font-size:.85em;margin:.4em 0 1em;display:flex;flex-wrap:wrap;gap:.4em .9em;
  align-items:center}
.kit-para{margin:.6em 0;display:flex;gap:.6em;align-items:baseline}
.kit-para p{margin:0;flex:1}
.kit-pno{color:#888;font-size:.8em;min-width:1.8em;text-align:right}
.kit-badges{min-width:6.5em;display:flex;flex-direction:column;gap:.15em}
.kit-badge{display:inline-block;color:#fff;border-radius:.25em;padding:0 .35em;
  font-size:.75em;white-space:nowrap}
.kit-ent{border-radius:.2em;padding:0 .1em}
.kit-topic{border-bottom:2px solid #C0392B}
.kit-table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
.kit-table th,.kit-table td{border:1px solid #ddd;padding:.25em .5em;text-align:left;
  vertical-align:top}
.kit-table th{background:#f4f4f4}
.kit-note{color:#555;font-size:.85em}
"""


def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True)


def _color(value: str | None, fallback: str) -> str:
    """A colour safe to put in a style attribute (only ``#hex``), else *fallback*."""
    return value if isinstance(value, str) and _COLOR.fullmatch(value) else fallback


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_e(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else _e(value.strftime("%Y-%m-%d"))
    if isinstance(value, float):
        return "" if pd.isna(value) else _e(f"{value:.3g}")
    return _e(value)


def _link(url: Any) -> str:
    """An ``<a>`` for an http(s) URL; any other value as escaped text (never a link)."""
    if not isinstance(url, str) or not url.strip():
        return ""
    url = url.strip()
    if _SAFE_URL.fullmatch(url):
        return f'<a href="{_e(url)}" rel="noopener noreferrer" target="_blank">{_e(url)}</a>'
    return _e(url)


def _badge(thread: str, colors: Mapping[str, str], title: str = "") -> str:
    color = _color(colors.get(thread), "#666666")
    return (f'<span class="kit-badge" style="background:{color}" title="{_e(title)}">'
            f"{_e(thread)}</span>")


# --------------------------------------------------------------------------- tables


def table_html(frame: pd.DataFrame, *, max_rows: int = 500,
               columns: Sequence[str] | None = None) -> str:
    """Render a DataFrame as an HTML table with every header and cell escaped.

    Args:
        frame: Any table; list cells are joined with ", ", dates shown as YYYY-MM-DD.
        max_rows: Rows shown; a note says how many were left out.
        columns: Columns to show, in order (default: all).

    Returns:
        An HTML string (``<table class="kit-table">``).
    """
    cols = list(columns) if columns is not None else list(frame.columns)
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in frame[cols].head(max_rows).itertuples(index=False, name=None)
    )
    note = ""
    if len(frame) > max_rows:
        note = f'<p class="kit-note">{len(frame) - max_rows} more rows not shown.</p>'
    return (f'<table class="kit-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>{note}")


def evidence_html(table: pd.DataFrame, *, max_rows: int = 200) -> str:
    """Render :func:`kit.compare.evidence` as an escaped HTML table.

    Args:
        table: One row per sentence (``article_id, paragraph, sentence, threads, text,
            matched``; ``date`` shown when present).
        max_rows: Rows shown.

    Returns:
        An HTML string with its own style block.
    """
    cols = [c for c in ("article_id", "date", "paragraph", "sentence", "threads", "text",
                        "matched") if c in table.columns]
    if table.empty:
        return (f'<div class="kit-view"><style>{_CSS}</style>'
                '<p class="kit-note">No sentences.</p></div>')
    return (f'<div class="kit-view"><style>{_CSS}</style>'
            f"{table_html(table, max_rows=max_rows, columns=cols)}</div>")


# --------------------------------------------------------------------------- article


def _segments(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """Render *text* with highlighted spans.

    *spans* are ``(start, end, kind, title)`` with kind ``"ent:<LABEL>"`` or ``"topic"``. The
    text is cut at every span boundary; each piece is wrapped in the entity and topic marks
    that cover it (overlapping spans nest cleanly this way).
    """
    n = len(text)
    clean = [(max(0, s), min(n, e), k, t) for s, e, k, t in spans if 0 <= s < e <= n]
    cuts = sorted({0, n, *(s for s, *_ in clean), *(e for _, e, *_ in clean)})
    out: list[str] = []
    for lo, hi in zip(cuts, cuts[1:]):
        piece = _e(text[lo:hi])
        covering = [sp for sp in clean if sp[0] <= lo and hi <= sp[1]]
        ents = sorted((sp for sp in covering if sp[2].startswith("ent:")),
                      key=lambda sp: (sp[0] - sp[1], sp[0]))
        topics = [sp for sp in covering if sp[2] == "topic"]
        if ents:
            label = ents[0][2][4:]
            color = ENTITY_COLORS.get(label, _OTHER_ENTITY)
            title = "; ".join(dict.fromkeys(sp[3] for sp in ents))
            piece = (f'<mark class="kit-ent" style="background:{color}" '
                     f'title="{_e(title)}">{piece}</mark>')
        if topics:
            title = "; ".join(dict.fromkeys(sp[3] for sp in topics))
            piece = f'<span class="kit-topic" title="{_e(title)}">{piece}</span>'
        out.append(piece)
    return "".join(out)


def _legend(labels: Sequence[str], threads: Sequence[str], colors: Mapping[str, str],
            thread_labels: Mapping[str, str]) -> str:
    items = ['<strong>Legend:</strong>']
    for label in labels:
        color = ENTITY_COLORS.get(label, _OTHER_ENTITY)
        items.append(f'<mark class="kit-ent" style="background:{color}">{_e(label)}</mark>')
    items.append('<span class="kit-topic">topic</span>')
    for t in threads:
        items.append(_badge(t, colors, thread_labels.get(t, t))
                     + f" {_e(thread_labels.get(t, t))}")
    return f'<div class="kit-legend">{" ".join(items)}</div>'


def article_html(
    ann: Annotations,
    article_id: str,
    *,
    colors: Mapping[str, str] | None = None,
    evidence: bool = True,
) -> str:
    """Render one article with entities and topics highlighted, a legend and its thread evidence.

    Entities are marked with a background colour per label (hover for the linked actor or
    country); topics are underlined (hover for the topic); each paragraph carries badges for
    its threads. Below, a table lists each paragraph's thread assignments with the rule and the
    evidence sentence.

    Args:
        ann: The annotations.
        article_id: The article to show.
        colors: Thread colours (default: :func:`kit.charts.thread_colors` of every thread).
        evidence: Add the thread evidence table.

    Returns:
        An HTML string (a ``<div>`` with its own style block).

    Raises:
        KeyError: *article_id* is not in ``ann.articles``.
    """
    articles = ann.articles[ann.articles["article_id"].astype(str) == str(article_id)]
    if articles.empty:
        known = ", ".join(ann.articles["article_id"].astype(str).head(5))
        raise KeyError(f"article {article_id!r} is not in these annotations "
                       f"(e.g. {known}); see ann.articles['article_id']")
    art = articles.iloc[0]
    palette = dict(thread_colors(ann.assignments["thread"]))
    palette.update(colors or {})
    cb = ann.codebook

    def thread_label(t: str) -> str:
        try:
            return cb.thread_label(t)
        except ValueError:
            return t

    def one(table: pd.DataFrame) -> pd.DataFrame:
        return table[table["article_id"].astype(str) == str(article_id)]

    paragraphs = one(ann.paragraphs).sort_values("paragraph")
    mentions, topics = one(ann.mentions), one(ann.topics)
    spans: dict[int, list[tuple[int, int, str, str]]] = {}
    for r in mentions.itertuples(index=False):
        linked = r.actor if isinstance(r.actor, str) else None
        where = _country(cb, r.country)
        title = f"{r.label}: {linked or r.text}" + (f" ({where})" if where else "")
        spans.setdefault(int(r.paragraph), []).append(
            (int(r.start), int(r.end), f"ent:{r.label}", title))
    for r in topics.itertuples(index=False):
        spans.setdefault(int(r.paragraph), []).append(
            (int(r.start), int(r.end), "topic", f"topic: {r.topic} ({r.category})"))
    threads = sorted({t for ts in paragraphs["threads"] for t in ts})

    title = art["title"] if isinstance(art["title"], str) and art["title"] else art["article_id"]
    date = pd.Timestamp(art["date"]).strftime("%Y-%m-%d") if pd.notna(art["date"]) else ""
    meta = " · ".join(p for p in (_e(date), _e(art.get("source")), _link(art.get("url")))
                      if p)
    parts = [f'<div class="kit-view"><style>{_CSS}</style>', f"<h3>{_e(title)}</h3>",
             f'<p class="kit-meta">{meta}</p>',
             _legend(sorted(set(mentions["label"].astype(str))), threads, palette,
                     {t: thread_label(t) for t in threads})]
    for r in paragraphs.itertuples(index=False):
        badges = "".join(_badge(t, palette, ev) for t, ev in zip(r.threads, r.evidence))
        body = _segments(str(r.text), spans.get(int(r.paragraph), []))
        parts.append(f'<div class="kit-para"><span class="kit-pno">{int(r.paragraph)}</span>'
                     f'<span class="kit-badges">{badges}</span><p>{body}</p></div>')
    if evidence:
        rows = one(ann.assignments).sort_values(["paragraph", "thread"])
        if len(rows):
            table = rows.assign(label=[thread_label(t) for t in rows["thread"]])
            parts.append("<h4>Thread evidence</h4>")
            parts.append(table_html(table, columns=["paragraph", "thread", "label", "rule",
                                                    "sentence", "evidence"]))
        else:
            parts.append('<p class="kit-note">No paragraph of this article was assigned to a '
                         "cooperation thread.</p>")
    parts.append("</div>")
    return "".join(parts)


def _country(cb: Any, iso3: Any) -> str | None:
    if not isinstance(iso3, str) or not iso3:
        return None
    country = cb.countries.get(iso3)
    return country.name if country is not None else iso3


# --------------------------------------------------------------------------- notebook helpers


def _html(markup: str) -> "HTML":
    from IPython.display import HTML  # lazily: the kit must import without IPython

    return HTML(markup)


def show_article(ann: Annotations, article_id: str, **options: Any) -> "HTML":
    """:func:`article_html` as an ``IPython.display.HTML`` object for a notebook cell."""
    return _html(article_html(ann, article_id, **options))


def show_evidence(table: pd.DataFrame, *, max_rows: int = 200) -> "HTML":
    """:func:`evidence_html` as an ``IPython.display.HTML`` object for a notebook cell."""
    return _html(evidence_html(table, max_rows=max_rows))


def show_table(frame: pd.DataFrame, *, max_rows: int = 500) -> "HTML":
    """:func:`table_html` (with the kit's style) as an ``IPython.display.HTML`` object."""
    return _html(f'<div class="kit-view"><style>{_CSS}</style>'
                 f"{table_html(frame, max_rows=max_rows)}</div>")
