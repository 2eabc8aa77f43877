"""The ``kit`` command: annotate, compare, report, fetch and check codebooks from a terminal.

Every command exits 0 on success and 2 on bad input, with the problem on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import kit

__all__ = ["main"]


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
    except (CorpusError, CodebookError, PipelineError, ValueError, FileNotFoundError) as err:
        print(f"kit {args.command}: error: {err}", file=sys.stderr)
        return 2


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

    p = sub.add_parser("annotate", help="annotate articles and write the tables as CSV")
    annotation_options(p)
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.set_defaults(run=_annotate)

    p = sub.add_parser("compare", help="print the summary, topic profile and distinctive terms")
    annotation_options(p)
    p.add_argument("--a", metavar="THREAD", help="first thread (default: the largest)")
    p.add_argument("--b", metavar="THREAD", help="second thread (default: the next largest)")
    p.set_defaults(run=_compare)

    p = sub.add_parser("report", help="write a self-contained HTML report")
    annotation_options(p)
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="report.html")
    p.add_argument("--a", metavar="THREAD")
    p.add_argument("--b", metavar="THREAD")
    p.set_defaults(run=_report)

    p = sub.add_parser("codebook", help="list and validate codebooks")
    p.add_argument("--check", action="append", type=Path, default=[], metavar="FILE",
                   help="a codebook file to validate on top of the bundled one (repeatable)")
    p.set_defaults(run=_codebook)

    p = sub.add_parser("fetch", help="download article pages or feeds as article files")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("--out", required=True, type=Path, metavar="DIR")
    p.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="publication date for pages that do not state one")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds per request")
    p.add_argument("--overwrite", action="store_true", help="replace existing files")
    p.set_defaults(run=_fetch)
    return parser


def _annotations(args: argparse.Namespace):  # noqa: ANN202 - Annotations, imported lazily
    from kit.annotate import annotate
    from kit.codebook import load_codebook
    from kit.corpus import load_corpus

    corpus = load_corpus(list(args.path))
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
          f"{len(cb.cues)} cooperation cues")
    for source in cb.sources:
        print(f"  from {source}")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from kit.fetch import fetch_urls, summary_text

    results = fetch_urls(args.urls, out_dir=args.out, date=args.date, timeout=args.timeout,
                         overwrite=args.overwrite)
    print(summary_text(results))
    return 0 if results["ok"].all() else 2


if __name__ == "__main__":
    raise SystemExit(main())
