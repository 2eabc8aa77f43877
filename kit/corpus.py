"""Read news articles into tidy tables, with errors a person can act on.

An article file is UTF-8 text: header lines at the top, then body paragraphs separated by
blank lines. The seed format puts the first paragraph on the date line::

    date 2025-09-29 Thai police are stepping up cross-border efforts ...

    From September 16 to 21, Police Lieutenant General ...

Headers may also stand on their own lines (``title Some title`` or ``Title: Some title``).
Known keys are ``date`` (required, ``YYYY-MM-DD``), ``title``, ``source``, ``url`` and
``language``; the space form must be lowercase, the colon form may use any case. The headers end
at the first line that is not one. Folders (searched recursively for ``.txt``/``.md``), CSV,
JSONL and Excel tables load into the same :class:`Corpus`.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.resources
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union

import pandas as pd

from kit._io import atomic_write

__all__ = [
    "STORY_OPENERS",
    "Corpus",
    "CorpusError",
    "format_article",
    "load_corpus",
    "read_table",
    "sample",
    "write_article",
]

_PathLike = Union[str, "os.PathLike[str]"]
_Errors = Literal["raise", "collect"]

STORY_OPENERS: tuple[str, ...] = (
    "In a related story",
    "In a related development",
    "In other news",
    "Separately,",
    "In a separate development",
)
"""Paragraph openings (matched case-insensitively) that start a new story within an article."""

_HEADER_KEYS = ("date", "title", "source", "url", "language")
_ARTICLE_EXTS = (".txt", ".md")
_TABLE_EXTS = (".csv", ".jsonl", ".xlsx")
_SUPPORTED = "a folder, or a .txt, .md, .csv, .jsonl or .xlsx file"
_BINARY_SNIFF = 8192
_ARTICLE_COLUMNS = (
    "article_id", "path", "date", "title", "source", "url", "language", "n_paragraphs", "n_words"
)
_PARAGRAPH_COLUMNS = ("article_id", "paragraph", "story", "text")
_PROBLEM_COLUMNS = ("path", "line", "problem", "message")
# datetime64[ns] is what most pandas code expects; its range is the limit on article dates.
_MIN_DATE, _MAX_DATE = dt.date(1678, 1, 1), dt.date(2261, 12, 31)

# Colon form: any case ("Title: ..."); space form: lowercase only, so that a body line such as
# "Source said ..." right under the headers stays body text.
_COLON_HEADER_RE = re.compile(rf"^({'|'.join(_HEADER_KEYS)})\s*:\s*(.*)$", re.IGNORECASE)
_SPACE_HEADER_RE = re.compile(rf"^({'|'.join(_HEADER_KEYS)})\s+(.*)$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TABLE_DATE_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


class CorpusError(ValueError):
    """An input file (or a row of a table) that cannot be read as articles.

    Attributes:
        path: The file or folder at fault, as given.
        line: The 1-based line in that file, or None when no line applies.
        problem: A short statement of what is wrong, e.g. ``"no date header"``.
    """

    def __init__(self, message: str, *, path: str, line: int | None, problem: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.problem = problem

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only attributes would be lost by the default pickling (Dask workers pickle).
        return (_rebuild_error, (str(self), self.path, self.line, self.problem))


def _rebuild_error(message: str, path: str, line: int | None, problem: str) -> CorpusError:
    return CorpusError(message, path=path, line=line, problem=problem)


def _error(path: object, problem: str, fix: str, *, line: int | None = None) -> CorpusError:
    shown, problem = _shown(str(path)), _shown(problem)
    where = f"{shown}, line {line}" if line is not None else shown
    return CorpusError(f"{where}: {problem}. {fix}", path=shown, line=line, problem=problem)


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _shown(text: str) -> str:
    """*text* with its lone surrogates written as escapes, so that it can be encoded as UTF-8.

    A file name that is not valid UTF-8 reaches Python with each undecodable byte as a
    surrogate (U+DC80-U+DCFF); it is shown as that byte (``\\xe9``). Other lone surrogates
    (from a JSON ``"\\ud800"``) are shown as ``\\ud800``. Tables, Parquet and terminals all
    refuse the raw surrogates.
    """
    if not _SURROGATE_RE.search(text):
        return text
    return _SURROGATE_RE.sub(
        lambda m: f"\\x{ord(m[0]) - 0xDC00:02x}" if "\udc80" <= m[0] <= "\udcff"
        else f"\\u{ord(m[0]):04x}", text)


@dataclass(frozen=True, repr=False)
class Corpus:
    """Articles split into paragraphs, plus the problems met while reading them.

    Attributes:
        articles: DataFrame, one row per article. Columns: ``article_id`` (file stem or table
            id), ``path``, ``date`` (datetime64, midnight), ``title``, ``source``, ``url``,
            ``language`` (None/NaN when absent), ``n_paragraphs``, ``n_words`` (whitespace-
            separated words in the body).
        paragraphs: DataFrame, one row per body paragraph. Columns: ``article_id``,
            ``paragraph`` (0-based within the article), ``story`` (0-based story within the
            article, see :data:`STORY_OPENERS`), ``text``.
        problems: DataFrame, one row per problem (filled with ``errors="collect"``). Columns:
            ``path``, ``line`` (nullable int), ``problem`` (short text), ``message`` (the full
            message, with how to fix it).
    """

    articles: pd.DataFrame
    paragraphs: pd.DataFrame
    problems: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"Corpus({len(self.articles)} articles, {len(self.paragraphs)} paragraphs, "
            f"{len(self.problems)} problems)"
        )


@dataclass(frozen=True)
class _Article:
    article_id: str
    path: str
    origin: str  # where to point a person at, e.g. "a.csv, data row 3"
    date: dt.date
    paragraphs: tuple[str, ...]
    title: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None


class _Reader:
    """Collects articles and problems; raises the first problem when errors="raise"."""

    def __init__(self, errors: str, max_bytes: int) -> None:
        if errors not in ("raise", "collect"):
            raise ValueError(f'errors must be "raise" or "collect", not {errors!r}')
        if not isinstance(max_bytes, int) or max_bytes <= 0:
            raise ValueError(f"max_bytes must be a positive int, not {max_bytes!r}")
        self.errors = errors
        self.max_bytes = max_bytes
        self.articles: list[_Article] = []
        self.problems: list[CorpusError] = []
        self._seen: dict[str, str] = {}

    def problem(self, err: CorpusError) -> None:
        if self.errors == "raise":
            raise err
        self.problems.append(err)

    def add(self, article: _Article) -> None:
        first = self._seen.get(article.article_id)
        if first is not None:
            self.problem(_error(
                article.path, f"article id {article.article_id!r} is used twice: by {first} "
                f"and by {article.origin}",
                "Article ids come from file names (or a table's id column); rename one of them.",
            ))
            return
        self._seen[article.article_id] = article.origin
        self.articles.append(article)

    def corpus(self) -> Corpus:
        return _build_corpus(self.articles, self.problems)


def load_corpus(
    path_or_paths: _PathLike | Sequence[_PathLike],
    *,
    errors: _Errors = "raise",
    max_bytes: int = 5_000_000,
) -> Corpus:
    """Load articles from files, folders and tables.

    Args:
        path_or_paths: One path or a list of them: an article file (``.txt``/``.md``), a folder
            (searched recursively for ``.txt``/``.md``, sorted; hidden files and folders are
            skipped), or a ``.csv``, ``.jsonl`` or ``.xlsx`` table (see :func:`read_table`).
        errors: ``"raise"`` raises the first problem as a :class:`CorpusError`; ``"collect"``
            loads every valid article and lists the problems in ``Corpus.problems``.
        max_bytes: Largest file size to read; bigger files are a problem (checked before
            reading).

    Returns:
        A :class:`Corpus` (tables ``articles``, ``paragraphs``, ``problems``).

    Raises:
        CorpusError: With ``errors="raise"``, for the first unreadable input.
        ValueError: For an invalid ``errors`` or ``max_bytes``, or an empty list of paths.
    """
    reader = _Reader(errors, max_bytes)
    if isinstance(path_or_paths, (str, os.PathLike)):
        paths = [path_or_paths]
    else:
        paths = list(path_or_paths)
        if not paths:
            raise ValueError("load_corpus got an empty list of paths; pass a file or a folder")
    for given in paths:
        _load_path(Path(given), reader)
    return reader.corpus()


def read_table(
    path: _PathLike,
    *,
    text_col: str = "text",
    date_col: str = "date",
    title_col: str = "title",
    source_col: str = "source",
    id_col: str = "id",
    url_col: str = "url",
    language_col: str = "language",
    errors: _Errors = "raise",
    max_bytes: int = 5_000_000,
) -> Corpus:
    """Load a ``.csv``, ``.jsonl`` or ``.xlsx`` table with one article per row.

    The text and date columns are required; the others are optional unless you name them
    explicitly. Dates are ``YYYY-MM-DD`` (a time part is ignored; Excel date cells work).
    Article ids come from the id column, else ``<file stem>-<data row number>``. Text is split
    into paragraphs on blank lines, as in article files. Column names match exactly, else
    case-insensitively.

    Args:
        path: The table file.
        text_col: Column holding the article text.
        date_col: Column holding the publication date.
        title_col: Column holding the title.
        source_col: Column holding the source (outlet).
        id_col: Column holding the article id.
        url_col: Column holding the URL.
        language_col: Column holding the language.
        errors: ``"raise"`` or ``"collect"``, as in :func:`load_corpus`.
        max_bytes: Largest file size to read.

    Returns:
        A :class:`Corpus`; ``articles.path`` is the table's path for every row.

    Raises:
        CorpusError: With ``errors="raise"``, for a missing column or the first bad row.
    """
    reader = _Reader(errors, max_bytes)
    columns = {
        "text": text_col, "date": date_col, "title": title_col, "source": source_col,
        "id": id_col, "url": url_col, "language": language_col,
    }
    try:
        _load_table(Path(path), reader, columns)
    except CorpusError as exc:
        reader.problem(exc)
    return reader.corpus()


def sample() -> Corpus:
    """Load the bundled sample corpus (the seed article of 2025-09-29).

    Works from any working directory and from an installed wheel; ``articles.path`` is the
    location of the bundled file.

    Returns:
        A :class:`Corpus` of one article, nine paragraphs in two stories.
    """
    reader = _Reader("raise", 5_000_000)
    folder = importlib.resources.files("kit").joinpath("data").joinpath("sample")
    entries = [
        e for e in folder.iterdir()
        if e.is_file() and not e.name.startswith(".") and e.name.lower().endswith(_ARTICLE_EXTS)
    ]
    for entry in sorted(entries, key=lambda e: e.name):
        text = _decode(entry.read_bytes(), str(entry))
        reader.add(_parse_article(text, path=str(entry), article_id=Path(entry.name).stem))
    return reader.corpus()


def format_article(
    paragraphs: Sequence[str] | str,
    *,
    date: dt.date,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    language: str | None = None,
) -> str:
    """Write an article in the file format that :func:`load_corpus` reads.

    Header lines (``date: YYYY-MM-DD``, then any of title, source, url, language) each stand on
    their own line, then a blank line, then the paragraphs separated by blank lines. Line breaks
    inside a paragraph or header value become single spaces; empty paragraphs are dropped.

    Args:
        paragraphs: The body paragraphs, or the body as one string (split on blank lines).
        date: Publication date.
        title: Title, if any.
        source: Source (outlet), if any.
        url: URL, if any.
        language: Language, if any.

    Returns:
        The article text, ending with a newline.

    Raises:
        ValueError: If there is no non-empty paragraph, or the text holds a NUL character or a
            lone surrogate.
    """
    if not isinstance(date, dt.date):
        raise ValueError(f"date must be a datetime.date, not {date!r}")
    if isinstance(date, dt.datetime):
        date = date.date()
    chunks = _split_paragraphs(paragraphs.split("\n")) if isinstance(paragraphs, str) else [
        p for p in (_one_line(str(p)) for p in paragraphs) if p
    ]
    if not chunks:
        raise ValueError("format_article needs at least one non-empty paragraph")
    headers = [f"date: {date.isoformat()}"]
    for key, value in (("title", title), ("source", source), ("url", url), ("language", language)):
        if value is not None and _one_line(str(value)):
            headers.append(f"{key}: {_one_line(str(value))}")
    text = "\n".join(headers) + "\n\n" + "\n\n".join(chunks) + "\n"
    if "\x00" in text:
        raise ValueError("article text contains a NUL character; remove it (files with NUL "
                         "bytes are read as binary)")
    lone = _SURROGATE_RE.search(text)
    if lone:
        raise ValueError(f"article text contains a lone surrogate (\\u{ord(lone[0]):04x}), "
                         "which is no character and cannot be written as UTF-8; remove it")
    return text


def write_article(path: _PathLike, text: str, *, overwrite: bool = False) -> Path:
    """Write article text to a UTF-8 file atomically (never a half-written file).

    Args:
        path: Destination file; its folder must exist.
        text: The article, e.g. from :func:`format_article`.
        overwrite: Replace an existing file instead of refusing.

    Returns:
        The path written.

    Raises:
        FileExistsError: If the file exists and ``overwrite`` is False.
        FileNotFoundError: If the destination folder does not exist.
    """
    dest = Path(path)
    if not dest.parent.is_dir():
        raise FileNotFoundError(f"{dest}: folder {dest.parent} does not exist; create it first")
    return atomic_write(dest, text, overwrite=overwrite)


def _load_path(path: Path, reader: _Reader) -> None:
    try:
        if path.is_dir():
            files = _article_files(path)
            if not files:
                raise _error(path, "folder has no .txt or .md article files", "Put articles "
                             "in it (hidden files and folders are skipped) or pass a table.")
            for file in files:
                _load_path(file, reader)
        elif path.suffix.lower() in _ARTICLE_EXTS or not path.exists():
            # A file name that is not UTF-8 is kept, its odd bytes escaped (see _shown).
            reader.add(_parse_article(_read_text(path, reader.max_bytes), path=_shown(str(path)),
                                      article_id=_shown(path.stem)))
        elif path.suffix.lower() in _TABLE_EXTS:
            _load_table(path, reader, {})
        else:
            raise _error(path, f"unsupported file type {path.suffix or '(none)'!r}",
                         f"Supported: {_SUPPORTED}.")
    except CorpusError as exc:
        reader.problem(exc)


def _article_files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(root, f) for f in files
                  if not f.startswith(".") and Path(f).suffix.lower() in _ARTICLE_EXTS]
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _check_size(path: Path, max_bytes: int) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _error(path, "path does not exist",
                     f"Check the spelling (relative paths start at {Path.cwd()}).") from None
    if size > max_bytes:
        raise _error(path, f"file is {size:,} bytes, over the limit of {max_bytes:,}",
                     "Split it, or pass a larger max_bytes= if it really is one file.")


def _read_text(path: Path, max_bytes: int) -> str:
    _check_size(path, max_bytes)  # before reading, so a huge file is never loaded
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _error(path, f"cannot be read ({exc.strerror or exc})",
                     "Check that it is a readable file.") from None
    return _decode(raw, str(path))


def _decode(raw: bytes, path: str) -> str:
    nul = raw.find(b"\x00", 0, _BINARY_SNIFF)
    if nul >= 0:
        raise _error(path, f"file looks binary (NUL byte at offset {nul}), not text",
                     "Articles must be plain UTF-8 text; export or save the file as text.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _error(
            path, f"byte offset {exc.start} is not valid UTF-8 ({exc.reason})",
            "Re-save the file with the UTF-8 encoding (Save As, Encoding: UTF-8).",
            line=raw.count(b"\n", 0, exc.start) + 1,
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _parse_article(text: str, *, path: str, article_id: str) -> _Article:
    """Parse normalised article text (no BOM, newlines only) into an article."""
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        raise _error(path, "file is empty",
                     "Add a line like `date 2025-09-29`, a blank line and the article text.")
    first = i + 1
    headers: dict[str, str] = {}
    where: dict[str, int] = {}
    date: dt.date | None = None
    body: list[str] = []
    while i < len(lines):
        line = lines[i].strip()
        match = _COLON_HEADER_RE.match(line) or _SPACE_HEADER_RE.match(line)
        if match is None:
            break
        key, value = match[1].lower(), match[2].strip()
        if key in where:
            raise _error(path, f"the {key} header appears twice (lines {where[key]} and {i + 1})",
                         "Keep one of them.", line=i + 1)
        where[key] = i + 1
        i += 1
        if key == "date":
            value, *rest = value.split(None, 1) or [""]
            date = _parse_date(value, path=path, line=i)
            if rest:  # the seed's inline first paragraph, which ends the headers
                body.append(rest[0])
                break
        headers[key] = value
    if date is None:
        raise _error(path, "no date header",
                     "Expected a first line like `date 2025-09-29` (the first paragraph may "
                     "follow on the same line); add one at the top of the file.", line=first)
    paragraphs = _split_paragraphs(body + lines[i:])
    if not paragraphs:
        raise _error(path, "article has no body text after its header lines",
                     "Add the article's paragraphs after a blank line.")
    return _Article(
        article_id=article_id, path=path, origin=path, date=date, paragraphs=tuple(paragraphs),
        title=headers.get("title") or None, source=headers.get("source") or None,
        url=headers.get("url") or None, language=headers.get("language") or None,
    )


def _parse_date(value: str, *, path: str, line: int | None, row: str = "") -> dt.date:
    shown = f"{row}date {value!r}" if row else f"date {value!r}"
    if not _ISO_DATE_RE.match(value):
        raise _error(path, f"{shown} is not in YYYY-MM-DD form",
                     "Write it like 2025-09-29 (year-month-day).", line=line)
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise _error(path, f"{shown} does not exist in the calendar",
                     "Check the month (01-12) and the day of the month.", line=line) from None
    if not _MIN_DATE <= date <= _MAX_DATE:
        raise _error(path, f"{shown} is outside the supported years 1678-2261",
                     "Check the year.", line=line)
    return date


def _one_line(text: str) -> str:
    return " ".join(s for s in (line.strip() for line in _lines(text)) if s)


def _lines(text: str) -> list[str]:
    # str.splitlines() would also split on \x0b, \x1c, \u2028 ..., which the format does not.
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _split_paragraphs(lines: Iterable[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped:
            current.append(stripped)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _story_numbers(paragraphs: Sequence[str]) -> list[int]:
    openers = tuple(o.lower() for o in STORY_OPENERS)
    stories, story = [], 0
    for index, text in enumerate(paragraphs):
        lowered = text.lower()
        for opener in openers:
            after = lowered[len(opener):len(opener) + 1]
            # "In other newsrooms" is no opener: the phrase must end at a word boundary.
            if lowered.startswith(opener) and not (after.isalnum() and opener[-1].isalnum()):
                story += index > 0
                break
        stories.append(story)
    return stories


def _load_table(path: Path, reader: _Reader, columns: Mapping[str, str]) -> None:
    """Add a table's articles to the reader; raise CorpusError for a file-level problem."""
    suffix = path.suffix.lower()
    if suffix not in _TABLE_EXTS:
        raise _error(path, f"unsupported table type {suffix or '(none)'!r}",
                     "Tables must be .csv, .jsonl or .xlsx files.")
    bad_lines: list[CorpusError] = []
    if suffix == ".xlsx":
        fields, rows = _xlsx_rows(path, reader.max_bytes)
    elif suffix == ".csv":
        fields, rows = _csv_rows(_read_text(path, reader.max_bytes), path, reader.max_bytes)
    else:
        fields, rows, bad_lines = _jsonl_rows(_read_text(path, reader.max_bytes), path)
        if not rows and bad_lines:  # nothing but bad lines: they are the problem
            for err in bad_lines:
                reader.problem(err)
            return
    if not rows:
        raise _error(path, "table has no data rows", "Add one row per article.")
    resolved: dict[str, str | None] = {}
    for field in ("text", "date", "title", "source", "id", "url", "language"):
        wanted = columns.get(field, field)
        resolved[field] = _resolve_column(wanted, fields)
        # Optional columns are required too once the caller names them explicitly.
        if resolved[field] is None and (field in ("text", "date") or wanted != field):
            raise _error(path, f"missing required column {wanted!r} (columns found: "
                         f"{', '.join(fields) or 'none'})",
                         f"Rename the column, or pass {field}_col='...' to read_table.")
    # Bad JSONL lines are reported in file order among the rows; the other lines still load.
    pending = iter(bad_lines)
    bad = next(pending, None)
    for number, line, where, record in rows:
        while bad is not None and line is not None and bad.line is not None and bad.line < line:
            reader.problem(bad)
            bad = next(pending, None)
        try:
            reader.add(_row_article(path, number, line, where, record, resolved))
        except CorpusError as exc:
            reader.problem(exc)
    while bad is not None:
        reader.problem(bad)
        bad = next(pending, None)


# A row: (data row number, file line or None, where-text for messages, fields)
_Row = tuple[int, Union[int, None], str, dict[str, Any]]


def _csv_rows(text: str, path: Path, max_bytes: int) -> tuple[list[str], list[_Row]]:
    # The file is at most max_bytes, so no field can be longer; only ever raise the limit.
    limit = min(max_bytes, 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)
    rows: list[_Row] = []
    records = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(records, [])]
        line = records.line_num + 1
        for record in records:
            if any(field.strip() for field in record):
                n = len(rows) + 1
                rows.append((n, line, f"data row {n} (line {line})", dict(zip(header, record))))
            line = records.line_num + 1
    except csv.Error as exc:
        raise _error(path, f"is not valid CSV ({exc})", "Check quoting around that line.",
                     line=records.line_num) from None
    if not header:
        raise _error(path, "CSV file has no header row",
                     "The first line must name the columns, e.g. date,title,source,text.")
    return header, rows


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean",
               type(None): "null"}


def _jsonl_rows(text: str, path: Path) -> tuple[list[str], list[_Row], list[CorpusError]]:
    """Rows of a JSONL file, and a problem for each line that is no JSON object. Lines are
    independent, so a bad line costs its own row only."""
    rows: list[_Row] = []
    bad: list[CorpusError] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(_error(path, f"line {number} is not valid JSON ({exc.msg})",
                              "Each line must be one JSON object, e.g. "
                              '{"date": "2025-09-29", "text": "..."}.', line=number))
            continue
        except RecursionError:  # the json module parses nested arrays recursively
            bad.append(_error(path, f"line {number} nests JSON arrays or objects too deeply "
                              "to read", "Each line must be one flat JSON object, e.g. "
                              '{"date": "2025-09-29", "text": "..."}.', line=number))
            continue
        if not isinstance(record, dict):
            kind = _JSON_KINDS.get(type(record), type(record).__name__)
            bad.append(_error(path, f"line {number} is a JSON {kind}, not an object",
                              'Each line must be one JSON object, e.g. '
                              '{"date": ..., "text": ...}.', line=number))
            continue
        n = len(rows) + 1
        rows.append((n, number, f"data row {n} (line {number})", record))
    return list(dict.fromkeys(str(k) for *_, record in rows for k in record)), rows, bad


def _xlsx_rows(path: Path, max_bytes: int) -> tuple[list[str], list[_Row]]:
    _check_size(path, max_bytes)
    try:
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise _error(path, f"cannot be read as an Excel workbook ({type(exc).__name__})",
                     "Open it in Excel or LibreOffice and save it again as .xlsx.") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.astype(object).where(frame.notna(), None)
    return list(frame.columns), [
        (n, None, f"data row {n} (sheet row {n + 1})", record)
        for n, record in enumerate(frame.to_dict("records"), start=1)
    ]


def _resolve_column(wanted: str, fields: Sequence[str]) -> str | None:
    if wanted in fields:
        return wanted
    folded = [f for f in fields if f.lower() == wanted.lower()]
    return folded[0] if len(folded) == 1 else None


def _row_article(
    path: Path, number: int, line: int | None, where: str, record: Mapping[str, Any],
    resolved: Mapping[str, str | None],
) -> _Article:
    def cell(field: str) -> str | None:
        name = resolved[field]
        value = record.get(name) if name is not None else None
        if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
            return None
        if isinstance(value, (dt.date, pd.Timestamp)):
            return value.isoformat()
        text = str(value)
        lone = _SURROGATE_RE.search(text)
        if lone:  # JSON allows "\ud800"; it is no character and cannot be stored or written
            raise _error(path, f"{where}: column {name!r} holds the escape "
                         f"\\u{ord(lone[0]):04x}, half of a UTF-16 surrogate pair and no "
                         "character on its own (a string cut in the middle of an emoji?)",
                         "Write the character itself, both halves of its pair, or delete it.",
                         line=line)
        return text.strip() or None

    for field in ("text", "date"):
        if cell(field) is None:
            present = ", ".join(map(str, record)) or "none"
            raise _error(path, f"{where} has no {resolved[field] or field}",
                         f"Fill it in or drop the row (fields present: {present}).", line=line)
    date_text = cell("date") or ""
    match = _TABLE_DATE_RE.match(date_text)
    date = _parse_date(match[1] if match else date_text, path=str(path), line=line,
                       row=f"{where}: ")
    paragraphs = _split_paragraphs(_lines(cell("text") or ""))
    article_id = cell("id") or f"{_shown(path.stem)}-{number}"
    return _Article(
        article_id=article_id, path=_shown(str(path)), origin=f"{_shown(str(path))}, {where}",
        date=date,
        paragraphs=tuple(paragraphs), title=cell("title"), source=cell("source"),
        url=cell("url"), language=cell("language"),
    )


def _build_corpus(articles: Sequence[_Article], problems: Sequence[CorpusError]) -> Corpus:
    article_rows = [
        (a.article_id, a.path, a.date, a.title, a.source, a.url, a.language,
         len(a.paragraphs), sum(len(p.split()) for p in a.paragraphs))
        for a in articles
    ]
    frame = pd.DataFrame(article_rows, columns=list(_ARTICLE_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    for column in ("n_paragraphs", "n_words"):
        frame[column] = frame[column].astype("int64")
    paragraph_rows = [
        (a.article_id, index, story, text)
        for a in articles
        for index, (story, text) in enumerate(zip(_story_numbers(a.paragraphs), a.paragraphs))
    ]
    paras = pd.DataFrame(paragraph_rows, columns=list(_PARAGRAPH_COLUMNS))
    paras = paras.astype({"paragraph": "int64", "story": "int64"})
    issues = pd.DataFrame(
        [(e.path, e.line, e.problem, str(e)) for e in problems], columns=list(_PROBLEM_COLUMNS)
    ).astype({"line": "Int64"})
    return Corpus(articles=frame, paragraphs=paras, problems=issues)
