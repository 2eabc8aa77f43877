"""The ``kit`` command: annotate, compare, report, import, fetch and edit codebooks from a terminal.

Every command exits 0 on success and 2 on bad input, with the problem on stderr.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import kit
from kit._text import count

if TYPE_CHECKING:  # for annotations only: commands import what they need when they run
    from kit.annotate import Annotations
    from kit.codebook import Codebook
    from kit.corpus import Corpus

__all__ = ["main"]

# Table column options: (field, default column name), as in kit.corpus.read_table.
_COLUMNS = (("text", "text"), ("date", "date"), ("title", "title"), ("source", "source"),
            ("id", "id"), ("url", "url"), ("language", "language"))
_TABLE_SUFFIXES = (".csv", ".jsonl", ".xlsx")
_MAX_SHOWN = 20


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kit`` command line with *argv* (default: ``sys.argv[1:]``)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    from kit.codebook import CodebookError
    from kit.corpus import CorpusError
    from kit.pipeline import PipelineError

    try:
        return int(args.run(args) or 0)
    # OSError: files that exist already, permissions, a full disk: the user's to fix.
    except (CorpusError, CodebookError, PipelineError, ValueError, OSError) as err:
        print(f"kit {args.command}: error: {_cli_hint(str(err))}", file=sys.stderr)
        return 2


def _cli_hint(message: str) -> str:
    """Turn the library's advice ("pass text_col='...' to read_table") into the option's name."""
    return re.sub(r"pass (\w+)_col='\.\.\.' to read_table", lambda m: f"pass --{m[1]}-col NAME",
                  message)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kit",
        description="Compare bilateral security-cooperation threads in news articles.",
    )
    parser.add_argument("--version", action="version", version=f"kit {kit.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def annotation_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("path", nargs="+", type=Path,
                       help="article files, folders, CSV/JSONL/XLSX tables")
        p.add_argument("--codebook", action="append", type=Path, default=[],
                       metavar="FILE", help="extra codebook file (repeatable)")
        p.add_argument("--model", help="spaCy pipeline name or path, or 'blank'")
        p.add_argument("--focus", default="THA", metavar="ISO3",
                       help="focus country (default: THA)")
        p.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
        p.add_argument("--n-process", type=int, default=1, help="processes for spaCy")
        column_options(p)

    def column_options(p: argparse.ArgumentParser) -> None:
        group = p.add_argument_group(
            "table columns", "for .csv, .jsonl and .xlsx inputs (one article per row); names "
            "match exactly, else ignoring case")
        for field, default in _COLUMNS:
            group.add_argument(f"--{field}-col", metavar="NAME", dest=f"{field}_col",
                               help=f"column with the article {field} (default: {default})")

    p = sub.add_parser("annotate", help="annotate articles and write the tables as CSV")
    annotation_options(p)
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.set_defaults(run=_annotate)

    p = sub.add_parser("compare", help="print the summary, topic profile and distinctive terms")
    annotation_options(p)
    p.add_argument("--a", metavar="THREAD", help="first thread (default: the largest)")
    p.add_argument("--b", metavar="THREAD", help="second thread (default: the next largest)")
    p.set_defaults(run=_compare)

    p = sub.add_parser("export", help="write the comparison tables as CSV files or a workbook",
                       description="Write the comparison tables (summary, topic profile, "
                       "actors, co-mentions, timeline, distinctive terms) and every sentence "
                       "with its threads, for a spreadsheet.")
    annotation_options(p)
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                   help="one CSV per table (default) or one Excel workbook, a sheet per table")
    p.add_argument("--a", metavar="THREAD", help="first thread of the distinctive terms")
    p.add_argument("--b", metavar="THREAD", help="second thread of the distinctive terms")
    p.set_defaults(run=_export)

    p = sub.add_parser("report", help="write a self-contained HTML report")
    annotation_options(p)
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="report.html")
    p.add_argument("--a", metavar="THREAD")
    p.add_argument("--b", metavar="THREAD")
    p.set_defaults(run=_report)

    p = sub.add_parser(
        "import", help="turn a CSV/JSONL/XLSX table into article files",
        description=textwrap.fill(
            "Write one article file per table row, in the format `kit annotate` reads. "
            "Nothing is written when a row is invalid: every problem is listed with its row."),
        epilog="example: kit import articles.csv --out corpus/ --text-col body "
        "--date-col published", formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("table", type=Path, metavar="TABLE", help="a .csv, .jsonl or .xlsx file")
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="folder for the article files (created if missing)")
    p.add_argument("--overwrite", action="store_true", help="replace existing files")
    column_options(p)
    p.set_defaults(run=_import)

    p = sub.add_parser(
        "codebook", help="list and validate codebooks; add actors and topics to your own",
        description=textwrap.fill(
            "Without an ACTION: load the bundled codebook (and the --check files), validate it "
            "and print its counts. With an ACTION: add an entry to YOUR codebook file (created "
            "if missing; the bundled one is read-only). The entry is validated together with "
            "the bundled codebook before the file is written."),
        epilog="examples:\n"
        "  kit codebook --check my_codebook.yml\n"
        "  kit codebook add-actor my_codebook.yml --id thai_immigration_police \\\n"
        "      --name 'Immigration Police' --type ORG --country THA --alias TIP\n"
        "  kit codebook add-topic my_codebook.yml --id romance_fraud --category crime \\\n"
        "      --label 'Romance fraud' --pattern 'romance (?:scams?|fraud)'\n"
        "Then: kit annotate ARTICLES --codebook my_codebook.yml --out DIR",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="append", type=Path, default=[], metavar="FILE",
                   help="a codebook file to validate on top of the bundled one (repeatable)")
    p.set_defaults(run=_codebook)
    actions = p.add_subparsers(dest="action", metavar="ACTION")

    a = actions.add_parser("add-actor", help="add a person, organisation or event",
                           description="Add an actor to your codebook FILE.")
    a.add_argument("file", type=Path, metavar="FILE", help="your codebook file (.yml)")
    a.add_argument("--id", required=True, help="snake_case id, e.g. osaka_police")
    a.add_argument("--name", required=True, help="canonical name, matched exactly in text")
    a.add_argument("--type", required=True, type=str.upper, choices=("PERSON", "ORG", "EVENT"))
    a.add_argument("--country", metavar="ISO3", type=str.upper,
                   help="ISO 3166-1 alpha-3 country (omit for an international body)")
    a.add_argument("--role", help="a person's post or an organisation's remit")
    a.add_argument("--alias", action="append", default=[], dest="aliases", metavar="TEXT",
                   help="another exact spelling (repeatable)")
    a.add_argument("--valid-from", metavar="YYYY-MM-DD", help="first day the entry holds")
    a.add_argument("--valid-to", metavar="YYYY-MM-DD", help="last day the entry holds")
    a.add_argument("--replace", action="store_true",
                   help="replace an entry with this id (in FILE, or override a bundled one)")
    a.set_defaults(run=_codebook_add_actor)

    t = actions.add_parser("add-topic", help="add a topic with its match patterns",
                           description="Add a topic to your codebook FILE. Patterns are "
                           "lower-case phrases; each word is a regular expression for one "
                           "token (see kit/codebook/topics.yml).")
    t.add_argument("file", type=Path, metavar="FILE", help="your codebook file (.yml)")
    t.add_argument("--id", required=True, help="snake_case id, e.g. romance_fraud")
    t.add_argument("--category", required=True,
                   help="topic category id (e.g. crime, cooperation, technology)")
    t.add_argument("--label", required=True, help="display label")
    t.add_argument("--pattern", action="append", required=True, dest="patterns",
                   metavar="PHRASE", help="match phrase (repeatable), e.g. 'romance scams?'")
    t.add_argument("--replace", action="store_true",
                   help="replace an entry with this id (in FILE, or override a bundled one)")
    t.set_defaults(run=_codebook_add_topic)

    p = sub.add_parser("fetch", help="download article pages or feeds as article files")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("--out", required=True, type=Path, metavar="DIR")
    p.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="publication date for pages that do not state one")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds per request")
    p.add_argument("--overwrite", action="store_true", help="replace existing files")
    p.set_defaults(run=_fetch)
    return parser


def _annotations(args: argparse.Namespace) -> Annotations:
    from kit.annotate import annotate
    from kit.codebook import load_codebook
    from kit.corpus import load_corpus

    columns = _columns(args)
    corpus = _read_inputs(args.path, columns) if columns else load_corpus(list(args.path))
    return annotate(
        corpus,
        codebook=load_codebook(*args.codebook),
        model=args.model,
        focus=args.focus,
        cache=not args.no_cache,
        n_process=args.n_process,
    )


def _annotate(args: argparse.Namespace) -> int:
    ann = _annotations(args)
    written = ann.to_dir(args.out)
    paragraphs = ann.assignments.groupby("thread")["paragraph"].size()
    print(f"Pipeline: {ann.pipeline}")
    print(f"Articles: {len(ann.articles)} ({ann.cache.get('cached', 0)} from the cache), "
          f"paragraphs: {len(ann.paragraphs)}")
    print("Paragraphs per thread:")
    for thread in ann.threads:
        print(f"  {thread:<10} {ann.codebook.thread_label(thread):<28} {paragraphs[thread]:>5}")
    if not ann.threads:
        print("  (no cooperation thread found)")
    actors = ann.mentions["actor"].dropna().nunique()
    print(f"Actors: {actors}; mentions: {len(ann.mentions)}; topics: {len(ann.topics)}; "
          f"dates: {len(ann.dates)}")
    print(f"Wrote {len(written)} files to {args.out}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from kit.report import report_tables, resolve_pair, tables_text

    ann = _annotations(args)
    pair = resolve_pair(ann, args.a, args.b)
    print(f"Pipeline: {ann.pipeline}\n")
    print(tables_text(report_tables(ann, *(pair or (None, None)))))
    if pair is None:
        print("\nDistinctive terms need two threads; found fewer.")
    return 0


def _export(args: argparse.Namespace) -> int:
    from kit.report import resolve_pair, write_tables

    ann = _annotations(args)
    pair = resolve_pair(ann, args.a, args.b) or (None, None)
    written = write_tables(ann, args.out, a=pair[0], b=pair[1], format=args.format)
    print(f"Wrote {', '.join(path.name for path in written)} to {args.out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from kit.report import resolve_pair, write_report

    ann = _annotations(args)
    pair = resolve_pair(ann, args.a, args.b) or (None, None)
    path = write_report(ann, args.out, a=pair[0], b=pair[1])
    print(f"Wrote {path}")
    return 0


def _codebook(args: argparse.Namespace) -> int:
    from kit.codebook import load_codebook

    cb = load_codebook(*args.check)
    print(f"Codebook OK: {len(cb.countries)} countries, {len(cb.actors)} actors, "
          f"{len(cb.categories)} topic categories, {len(cb.topics)} topics, "
          f"{len(cb.cues)} cooperation cues, {len(cb.regions)} regions")
    for source in cb.sources:
        print(f"  from {source}")
    return 0


def _codebook_add_actor(args: argparse.Namespace) -> int:
    from kit.codebook_edit import add_actor

    existed = args.file.exists()
    cb = add_actor(args.file, id=args.id, name=args.name, type=args.type, country=args.country,
                   role=args.role, aliases=args.aliases, valid_from=args.valid_from,
                   valid_to=args.valid_to, replace=args.replace)
    actor = cb.actors[args.id]
    where = f", {cb.country_name(actor.country)}" if actor.country else ""
    _print_added(args, f"actor {actor.id!r} ({actor.name}, {actor.type}{where})", existed, cb)
    return 0


def _codebook_add_topic(args: argparse.Namespace) -> int:
    from kit.codebook_edit import add_topic

    existed = args.file.exists()
    cb = add_topic(args.file, id=args.id, category=args.category, label=args.label,
                   patterns=args.patterns, replace=args.replace)
    topic = cb.topics[args.id]
    what = (f"topic {topic.id!r} ({topic.label}, category {cb.categories[topic.category].label}"
            f", {len(topic.patterns)} pattern{'s' * (len(topic.patterns) != 1)})")
    _print_added(args, what, existed, cb)
    return 0


def _print_added(args: argparse.Namespace, what: str, existed: bool, cb: Codebook) -> None:
    verb = "Replaced" if args.replace else "Added"
    print(f"{verb} {what} in {args.file}{'' if existed else ' (new file)'}")
    print(f"Codebook OK: {len(cb.actors)} actors, {len(cb.topics)} topics")
    print(f"Use it with: kit annotate ARTICLES --codebook {args.file} --out DIR "
          f"(or KIT_CODEBOOK={args.file})")


def _columns(args: argparse.Namespace) -> dict[str, str]:
    """The table column options given, as read_table keywords (``{"text_col": "body"}``)."""
    return {f"{field}_col": getattr(args, f"{field}_col") for field, _ in _COLUMNS
            if getattr(args, f"{field}_col", None) is not None}


def _read_inputs(paths: Sequence[Path], columns: dict[str, str]) -> Corpus:
    """Load *paths* as load_corpus does, reading tables with the column options."""
    import pandas as pd

    from kit.corpus import Corpus, CorpusError, load_corpus, read_table

    if not any(_is_table(p) for p in paths):
        options = " and ".join(f"--{k[:-4]}-col" for k in columns)
        raise ValueError(f"{options} {'apply' if len(columns) > 1 else 'applies'} to .csv, "
                         ".jsonl and .xlsx tables, and no input is one; drop the option or "
                         "pass the table")
    parts = [read_table(p, **columns) if _is_table(p) else load_corpus(p) for p in paths]
    seen: dict[str, str] = {}
    for part in parts:
        for article_id, path in zip(part.articles["article_id"], part.articles["path"]):
            if article_id in seen:
                problem = f"article id {article_id!r} is used twice: by {seen[article_id]} and " \
                    f"by {path}"
                raise CorpusError(f"{path}: {problem}. Article ids come from file names (or a "
                                  "table's id column); rename one of them.", path=str(path),
                                  line=None, problem=problem)
            seen[article_id] = str(path)
    if len(parts) == 1:
        return parts[0]
    return Corpus(*(pd.concat([getattr(part, name) for part in parts], ignore_index=True)
                    for name in ("articles", "paragraphs", "problems")))


def _is_table(path: Path) -> bool:
    return path.suffix.lower() in _TABLE_SUFFIXES and not path.is_dir()


def _import(args: argparse.Namespace) -> int:
    from kit.corpus import format_article, read_table, write_article

    columns = _columns(args)
    corpus = read_table(args.table, errors="collect", **columns)
    problems = [str(message) for message in corpus.problems["message"]]
    articles: dict[str, str] = {}
    paragraphs = corpus.paragraphs.groupby("article_id", sort=False)["text"]
    bodies = {str(article_id): list(texts) for article_id, texts in paragraphs}
    for row in corpus.articles.itertuples(index=False):
        try:
            text = format_article(
                bodies.get(str(row.article_id), []), date=row.date.date(),
                title=_cell(row.title), source=_cell(row.source), url=_cell(row.url),
                language=_cell(row.language))
            # Text UTF-8 cannot hold (a lone surrogate) must stop the import before any write.
            text.encode("utf-8")
            articles[str(row.article_id)] = text
        except ValueError as err:  # includes UnicodeEncodeError
            problems.append(f"{args.table}, article {row.article_id!r}: {err}")
    if not problems and not articles:
        problems.append(f"{args.table}: no articles found; add one row per article")
    if problems:
        for message in problems[:_MAX_SHOWN]:
            print(f"kit import: error: {_cli_hint(message)}", file=sys.stderr)
        if len(problems) > _MAX_SHOWN:
            print(f"kit import: ... and {len(problems) - _MAX_SHOWN} more problems",
                  file=sys.stderr)
        if columns:
            print("kit import: columns read: " + ", ".join(
                f"{k[:-4]}={v!r}" for k, v in columns.items()), file=sys.stderr)
        print(f"kit import: nothing was written to {args.out}", file=sys.stderr)
        return 2
    stems = _file_stems(list(articles))
    targets = {article_id: args.out / f"{stem}.txt" for article_id, stem in stems.items()}
    existing = [t for t in targets.values() if t.exists()]
    if existing and not args.overwrite:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        print(f"kit import: error: {existing[0]} exists already{more}; pass --overwrite to "
              f"replace, or choose another --out folder. Nothing was written.", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for article_id, text in articles.items():
        write_article(targets[article_id], text, overwrite=args.overwrite)
    dates = corpus.articles["date"]
    print(f"Read {count(len(articles), 'article')} "
          f"({count(len(corpus.paragraphs), 'paragraph')}) from {args.table}, "
          f"dated {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}")
    replaced = f" ({len(existing)} replaced)" if existing else ""
    print(f"Wrote {count(len(articles), 'article file')} to {args.out}{replaced}")
    renamed = [(a, s) for a, s in stems.items() if s != a]
    for article_id, stem in renamed[:_MAX_SHOWN]:
        print(f"  article id {article_id!r} -> {stem}.txt (file names need safe characters)")
    print(f"Next: kit annotate {args.out} --out DIR")
    return 0


def _cell(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _file_stems(article_ids: list[str]) -> dict[str, str]:
    """A file stem per article id: the id where it is a safe file name, else a cleaned one.

    Loading the folder gives each article its file stem as id, so ids are kept where possible;
    stems differ also in case, for file systems that ignore it.
    """
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for article_id in article_ids:
        base = re.sub(r"[^\w.-]+", "-", article_id).strip(".-")[:100] or "article"
        stem, n = base, 1
        while stem.casefold() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.casefold())
        stems[article_id] = stem
    return stems


def _fetch(args: argparse.Namespace) -> int:
    from kit.fetch import fetch_urls, summary_text

    results = fetch_urls(args.urls, out_dir=args.out, date=args.date, timeout=args.timeout,
                         overwrite=args.overwrite)
    print(summary_text(results))
    return 0 if results["ok"].all() else 2


if __name__ == "__main__":
    raise SystemExit(main())
