"""A self-contained HTML report of the thread comparison, and the tables behind it.

:func:`write_report` writes one HTML file that works offline: plotly.js is embedded once, each
figure is a ``<div>`` with a deterministic id, and the kit's own markup refers to no outside URL
(no CDN, no web fonts, no MathJax). The same annotations always give the same bytes.
:func:`report_tables` returns the tables the report shows, and :func:`write_tables` writes them
as CSV, for the command line (``kit compare``) and for anyone who wants the numbers.
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

import kit
from kit import charts, compare, views
from kit._io import atomic_write
from kit.annotate import Annotations

__all__ = [
    "FIGURES",
    "report_figures",
    "report_tables",
    "resolve_pair",
    "tables_text",
    "write_report",
    "write_tables",
]

#: The report's figures, in order: name -> (heading, what the reader sees).
FIGURES: dict[str, tuple[str, str]] = {
    "topic_bars": ("Topics by thread",
                   "Share of each thread's paragraphs that mention a topic; hover for counts "
                   "and an example sentence."),
    "topic_heatmap": ("Topic profile", "The same shares as a grid of topics by thread."),
    "topic_sunburst": ("Threads, categories and topics",
                       "Each thread's topics grouped by category, sized by paragraph counts."),
    "actors": ("Actors", "Actors mentioned in each thread, coloured by country."),
    "network": ("Co-mentions",
                "Actors mentioned in the same paragraph, edges in the thread's colour."),
    "timeline": ("Timeline", "Date expressions of each thread as date ranges."),
    "distinctive_terms": ("Distinctive terms",
                          "Log-odds ratios with an informative Dirichlet prior (Monroe, "
                          "Colaresi & Quinn 2008) as z-scores; faded bars lack evidence "
                          "(|z| < 1.96 or fewer than 3 occurrences)."),
}
_NETWORK_WINDOW: compare.Window = "paragraph"
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#222;
  margin:0 auto;max-width:70em;padding:1em 1.5em 3em;line-height:1.5}
header p,.kit-note{color:#555}
nav ul{padding-left:1.2em;columns:2}
section{margin:2.2em 0}
.kit-figure{min-height:320px}
.kit-table{border-collapse:collapse;font-size:.9em}
.kit-table th,.kit-table td{border:1px solid #ddd;padding:.25em .5em;text-align:left;
  vertical-align:top}
.kit-table th{background:#f4f4f4}
"""


def resolve_pair(ann: Annotations, a: str | None = None,
                 b: str | None = None) -> tuple[str, str] | None:
    """Pick the two threads to contrast: the given ones, else the largest (most paragraphs).

    Args:
        ann: The annotations.
        a: First thread id, or None for the largest thread (other than *b*).
        b: Second thread id, or None for the largest thread other than *a*.

    Returns:
        ``(a, b)``, or None when the annotations have fewer than two threads.

    Raises:
        ValueError: a given thread is not in *ann*, or *a* equals *b*.
    """
    threads = ann.threads
    for name, value in (("a", a), ("b", b)):
        if value is not None and value not in threads:
            raise ValueError(f"{name}={value!r} is not a thread of these annotations "
                             f"(threads found: {', '.join(threads) or 'none'})")
    if a is not None and a == b:
        raise ValueError(f"a and b are both {a!r}: choose two different threads")
    if a is None:
        a = next((t for t in threads if t != b), None)
    if b is None:
        b = next((t for t in threads if t != a), None)
    if a is None or b is None:
        return None
    return a, b


def report_tables(ann: Annotations, a: str | None = None,
                  b: str | None = None) -> dict[str, pd.DataFrame]:
    """Compute the tables the report shows.

    Args:
        ann: The annotations.
        a: First thread of the distinctive-terms contrast (see :func:`resolve_pair`).
        b: Second thread.

    Returns:
        ``{name: DataFrame}`` with ``summary``, ``topic_profile``, ``actors``,
        ``co_mentions`` (paragraph window, per thread, concatenated), ``timeline`` and, when
        there are two threads to contrast, ``distinctive_terms`` (lemmas). See
        :mod:`kit.compare` for each table's grain and columns.
    """
    tables = {
        "summary": compare.summary(ann),
        "topic_profile": compare.topic_profile(ann),
        "actors": compare.actor_table(ann),
        "co_mentions": _co_mentions(ann),
        "timeline": compare.timeline(ann),
    }
    pair = resolve_pair(ann, a, b)
    if pair is not None:
        tables["distinctive_terms"] = compare.distinctive_terms(ann, *pair)
    return tables


def _co_mentions(ann: Annotations) -> pd.DataFrame:
    frames = [compare.co_mentions(ann, window=_NETWORK_WINDOW, thread=t) for t in ann.threads]
    if not frames:
        return compare.co_mentions(ann, window=_NETWORK_WINDOW)
    out = pd.concat(frames, ignore_index=True)
    out.attrs = dict(frames[0].attrs)
    return out


def report_figures(ann: Annotations, a: str | None = None, b: str | None = None,
                   *, tables: Mapping[str, pd.DataFrame] | None = None) -> dict[str, go.Figure]:
    """Draw every figure of the report.

    Args:
        ann: The annotations.
        a: First thread of the distinctive-terms contrast.
        b: Second thread.
        tables: The output of :func:`report_tables`, if already computed.

    Returns:
        ``{name: Figure}`` in the order of :data:`FIGURES`; ``distinctive_terms`` only when
        there are two threads to contrast.
    """
    t = dict(tables) if tables is not None else report_tables(ann, a, b)
    colors = charts.thread_colors(ann.threads)
    figures = {
        "topic_bars": charts.topic_bars(t["topic_profile"], colors=colors),
        "topic_heatmap": charts.topic_heatmap(t["topic_profile"]),
        "topic_sunburst": charts.topic_sunburst(t["topic_profile"], colors=colors),
        "actors": charts.actor_bars(t["actors"], colors=colors),
        "network": charts.network(t["co_mentions"], nodes=t["actors"], colors=colors,
                                  title=f"Actors mentioned in the same {_NETWORK_WINDOW}"),
        "timeline": charts.timeline(t["timeline"], colors=colors),
    }
    if "distinctive_terms" in t:
        figures["distinctive_terms"] = charts.distinctive_bars(t["distinctive_terms"],
                                                               colors=colors)
    return figures


def _figure_div(name: str, fig: go.Figure) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False,
                       div_id=f"kit-fig-{name}", config={"displaylogo": False,
                                                         "responsive": True})


def write_report(
    ann: Annotations,
    path: str | os.PathLike[str],
    *,
    a: str | None = None,
    b: str | None = None,
    title: str = "Cooperation threads compared",
) -> Path:
    """Write the comparison as one self-contained HTML file.

    The file holds the summary table and every figure of :data:`FIGURES` for the threads
    found, embeds plotly.js once, loads nothing from the network and is written atomically
    (a temporary file, then a rename).

    Args:
        ann: The annotations.
        path: Where to write (e.g. ``report.html``); parent folders are created.
        a: First thread of the distinctive-terms contrast (default: the largest thread).
        b: Second thread (default: the next largest).
        title: The page title.

    Returns:
        The path written.
    """
    from plotly.offline import get_plotlyjs

    tables = report_tables(ann, a, b)
    figures = report_figures(ann, tables=tables)
    summary = tables["summary"]
    pair = resolve_pair(ann, a, b)
    e = _e
    n_articles, n_paragraphs = len(ann.articles), len(ann.paragraphs)
    intro = (f"{n_articles} article{'s' if n_articles != 1 else ''}, {n_paragraphs} paragraphs, "
             f"{len(summary)} thread{'s' if len(summary) != 1 else ''}. Focus country: "
             f"{e(_country(ann, ann.focus))}. Pipeline: {e(ann.pipeline)}. Codebook "
             f"{e(ann.codebook.fingerprint[:12])}. kit {e(kit.__version__)}.")
    nav = ['<li><a href="#kit-summary">Summary</a></li>']
    sections = [
        '<section id="kit-summary"><h2>Summary</h2>'
        + (views.table_html(summary) if len(summary) else
           '<p class="kit-note">No paragraph was assigned to a cooperation thread.</p>')
        + "</section>"
    ]
    for name, fig in figures.items():
        heading, caption = FIGURES[name]
        if name == "distinctive_terms" and pair is not None:
            heading = f"{heading}: {_label(ann, pair[0])} vs {_label(ann, pair[1])}"
        nav.append(f'<li><a href="#kit-section-{name}">{e(heading)}</a></li>')
        sections.append(
            f'<section id="kit-section-{name}"><h2>{e(heading)}</h2>'
            f'<p class="kit-note">{e(caption)}</p>'
            f'<div class="kit-figure">{_figure_div(name, fig)}</div></section>')
    if pair is None:
        sections.append('<section id="kit-section-distinctive_terms"><h2>Distinctive terms</h2>'
                        '<p class="kit-note">Distinctive terms need two threads; these '
                        "annotations have fewer.</p></section>")
    document = "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{_CSS}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head>",
        "<body>",
        f"<header><h1>{e(title)}</h1><p>{intro}</p></header>",
        f"<nav><ul>{''.join(nav)}</ul></nav>",
        *sections,
        "</body>",
        "</html>",
        "",
    ])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, document)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _label(ann: Annotations, thread: str) -> str:
    try:
        return ann.codebook.thread_label(thread)
    except ValueError:
        return thread


def _country(ann: Annotations, iso3: str) -> str:
    country = ann.codebook.countries.get(iso3)
    return f"{country.name} ({iso3})" if country is not None else iso3


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """Join list cells with ";" (the CSV convention of DESIGN.md)."""
    out = table.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, (list, tuple))).any():
            out[col] = out[col].map(lambda v: ";".join(map(str, v))
                                    if isinstance(v, (list, tuple)) else v)
    return out


def write_tables(ann: Annotations, out: str | os.PathLike[str], *, a: str | None = None,
                 b: str | None = None, format: str = "csv") -> list[Path]:
    """Write :func:`report_tables`, and every sentence with its threads, atomically.

    The extra table ``sentences`` is :func:`kit.compare.evidence` with no criterion: every
    sentence, with its article, paragraph, sentence number and threads, so that each count
    in the other tables can be traced in a spreadsheet.

    Args:
        ann: The annotations.
        out: The folder to write to (created if missing).
        a: First thread of the distinctive-terms contrast (see :func:`resolve_pair`).
        b: Second thread.
        format: ``"csv"``: one ``out/<name>.csv`` per table, list cells ``;``-joined;
            ``"xlsx"``: one workbook ``out/threads.xlsx`` with a sheet per table.

    Returns:
        The paths written.
    """
    if format not in ("csv", "xlsx"):
        raise ValueError(f"format must be 'csv' or 'xlsx', not {format!r}")
    tables = {**report_tables(ann, a, b), "sentences": compare.evidence(ann)}
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    if format == "csv":
        return [atomic_write(folder / f"{name}.csv", _flat(table).to_csv(index=False))
                for name, table in tables.items()]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            _flat(table).to_excel(writer, sheet_name=name[:31], index=False)
    return [atomic_write(folder / "threads.xlsx", buffer.getvalue())]


def tables_text(tables: Mapping[str, pd.DataFrame], *, max_rows: int = 20,
                max_colwidth: int = 60) -> str:
    """Format tables for a terminal: a heading per table, then its first rows.

    Args:
        tables: ``{name: DataFrame}``, e.g. :func:`report_tables`.
        max_rows: Rows per table.
        max_colwidth: Longer cells are cut.

    Returns:
        Plain text.
    """
    blocks = []
    for name, table in tables.items():
        shown = _flat(table.head(max_rows))
        for col in shown.columns:
            if shown[col].dtype == object:
                shown[col] = shown[col].map(
                    lambda v: v if not isinstance(v, str) or len(v) <= max_colwidth
                    else v[: max_colwidth - 1] + "…")
        with pd.option_context("display.width", 200, "display.max_columns", None):
            body = shown.to_string(index=False) if len(shown) else "(no rows)"
        more = f"\n… {len(table) - max_rows} more rows" if len(table) > max_rows else ""
        blocks.append(f"{name.replace('_', ' ').capitalize()}\n\n{body}{more}")
    return "\n\n".join(blocks) + "\n"
