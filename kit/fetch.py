"""Download news article pages (or the items of an RSS/Atom feed) and save them as article files.

Each page goes through trafilatura for its main text, title, publication date and source, and is
written in the kit's article format (see :mod:`kit.corpus`). A page whose publication date cannot
be found is reported, never guessed: pass ``date=`` (``--date`` on the command line) to supply it.
"""

from __future__ import annotations

import datetime
import hashlib
import http.client
import re
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pandas as pd

from . import __version__
from .corpus import format_article, write_article

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchError",
    "FetchResult",
    "fetch_article",
    "fetch_urls",
    "summary_text",
]

DEFAULT_USER_AGENT = (
    f"kit-fetch/{__version__} (research kit comparing news coverage of security cooperation; "
    "fetches only the article pages and feeds its user lists)"
)

_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
     "text/xml"}
)
_ACCEPT = (
    "text/html,application/xhtml+xml;q=0.9,application/rss+xml;q=0.8,application/atom+xml;q=0.8,"
    "application/xml;q=0.5,text/xml;q=0.5"
)
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
_CHUNK_BYTES = 64 * 1024
_DATE_HINT = "no publication date found; pass --date YYYY-MM-DD"
_FEED_ROOT = re.compile(
    rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b", re.DOTALL
)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_SLUG_MAX = 80
_ATOM = "{http://www.w3.org/2005/Atom}"
_RSS1 = "{http://purl.org/rss/1.0/}"


class FetchError(RuntimeError):
    """A URL could not be turned into an article file; the message names the URL and the problem.

    Attributes:
        url: The URL that was requested.
        problem: What went wrong, without the URL (the ``problem`` column of :func:`fetch_urls`).
        title: The page title when the page was read but could not be used, else None.
    """

    def __init__(self, url: str, problem: str, *, title: str | None = None) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem
        self.title = title


@dataclass(frozen=True)
class FetchResult:
    """The outcome for one article URL (one row of :func:`fetch_urls`)."""

    url: str
    ok: bool
    path: Path | None
    title: str | None
    date: datetime.date | None
    problem: str | None


@dataclass(frozen=True)
class _Response:
    url: str  # after redirects
    content_type: str
    charset: str | None
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Redirects are followed by _download itself, so that it can detect loops and name them.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _Throttle:
    """Waits so that two requests to the same host are at least ``delay`` seconds apart."""

    def __init__(self, delay: float) -> None:
        self._delay = delay
        self._last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        if self._delay > 0 and host in self._last:
            remaining = self._last[host] + self._delay - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
        self._last[host] = time.monotonic()


@dataclass(frozen=True)
class _Settings:
    timeout: float
    max_bytes: int
    user_agent: str
    throttle: _Throttle
    date: datetime.date | None = None
    overwrite: bool = False


def fetch_urls(
    urls: Iterable[str],
    *,
    out_dir: Path | str,
    date: datetime.date | None = None,
    timeout: float = 15.0,
    max_bytes: int = 5_000_000,
    user_agent: str = DEFAULT_USER_AGENT,
    overwrite: bool = False,
    max_items: int = 50,
    delay: float = 1.0,
) -> pd.DataFrame:
    """Download article pages and write each as an article file in ``out_dir``.

    A URL that serves an RSS or Atom feed stands for its items: the first ``max_items`` item
    links are fetched in feed order. Failures never stop the run; they are reported per row.

    Args:
        urls: Article page or feed URLs (http or https); a single string is one URL.
        out_dir: Folder for the article files; created if missing. File names are a slug of the
            URL's host and path plus a short hash of the whole URL, so refetching a URL finds
            its earlier file.
        date: Publication date for pages that state none. A date found on the page wins.
        timeout: Seconds to wait for the connection and for each read.
        max_bytes: Largest response accepted; reading stops as soon as it is exceeded.
        user_agent: The User-Agent header sent with every request.
        overwrite: Replace existing article files instead of reporting them.
        max_items: Most items fetched from one feed.
        delay: Seconds between two requests to the same host.

    Returns:
        DataFrame, one row per article URL (a feed contributes one row per item fetched, or one
        row for itself when it fails). Columns: ``url`` (str), ``ok`` (bool), ``path`` (str of
        the article file, or None), ``title`` (str or None), ``date`` (datetime64, NaT when
        unknown), ``problem`` (str, or None when ``ok``). An existing file is not refetched:
        its row has ``ok`` False, its ``path`` and a problem starting with "exists:".
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    settings = _Settings(timeout, max_bytes, user_agent, _Throttle(delay), date, overwrite)
    results: list[FetchResult] = []
    for url in [urls] if isinstance(urls, str) else urls:  # one URL given bare is still one URL
        results += _fetch_one(url, out, settings, max_items=max_items)
    frame = pd.DataFrame(
        [{**asdict(r), "path": None if r.path is None else str(r.path)} for r in results],
        columns=["url", "ok", "path", "title", "date", "problem"],
        dtype=object,  # keeps None (not NaN) for missing path/title/problem under pandas 2 and 3
    )
    frame["ok"] = frame["ok"].astype(bool)
    frame["date"] = pd.to_datetime(frame["date"])
    frame.attrs["out_dir"] = str(out)
    return frame


def fetch_article(
    url: str,
    *,
    date: datetime.date | None = None,
    timeout: float = 15.0,
    max_bytes: int = 5_000_000,
    user_agent: str = DEFAULT_USER_AGENT,
) -> tuple[str, dict[str, Any]]:
    """Download one article page and return it in the kit's article format.

    Args:
        url: The article page (http or https). Feeds are refused: use :func:`fetch_urls`.
        date: Publication date for a page that states none. A date found on the page wins.
        timeout: Seconds to wait for the connection and for each read.
        max_bytes: Largest response accepted.
        user_agent: The User-Agent header sent with the request.

    Returns:
        The text of the article file, and its metadata: ``url`` (as requested), ``final_url``
        (after redirects), ``title``, ``date`` (datetime.date), ``date_source`` ("page" or
        "given"), ``source``, ``language`` and ``n_paragraphs``.

    Raises:
        FetchError: The page could not be downloaded or holds no usable article.
    """
    url = urldefrag(url.strip())[0]
    response = _download(url, _Settings(timeout, max_bytes, user_agent, _Throttle(0.0)))
    if _is_feed(response):
        raise FetchError(url, "this is a feed, not an article page; use fetch_urls for its items")
    return _article_from_response(url, response, date=date)


def summary_text(results: pd.DataFrame, *, out_dir: Path | str | None = None) -> str:
    """Summarise a :func:`fetch_urls` table in one line.

    Args:
        results: The table returned by :func:`fetch_urls`.
        out_dir: The folder to name; defaults to the one the table was written to.

    Returns:
        For example ``"Saved 3 of 5 URLs to DIR; failed: URL: PROBLEM; URL: PROBLEM"``.
    """
    folder = out_dir if out_dir is not None else results.attrs.get("out_dir")
    if folder is None:
        parents = {str(Path(p).parent) for p in results["path"].dropna()}
        folder = parents.pop() if len(parents) == 1 else "the output folder"
    n_ok, n_all = int(results["ok"].sum()), len(results)
    text = f"Saved {n_ok} of {n_all} URL{'' if n_all == 1 else 's'} to {folder}"
    failed = results.loc[~results["ok"].astype(bool)]
    if failed.empty:
        return text + "."
    problems = (f"{url}: {problem}" for url, problem in zip(failed["url"], failed["problem"]))
    return text + "; failed: " + "; ".join(problems)


def _fetch_one(
    url: str, out: Path, settings: _Settings, *, max_items: int | None
) -> list[FetchResult]:
    """Fetch ``url`` into ``out``; a feed (when ``max_items`` is not None) fetches its items."""
    url = urldefrag(url.strip())[0]
    path = out / _file_name(url)
    if path.exists() and not settings.overwrite:
        return [_exists(url, path)]  # checked before downloading: a rerun costs the server nothing
    try:
        response = _download(url, settings)
        if _is_feed(response):
            if max_items is None:
                raise FetchError(url, "feed item links to another feed, not to an article page")
            links = _feed_links(response)[:max_items]
            if not links:
                raise FetchError(url, "feed lists no item links")
            items = (_fetch_one(link, out, settings, max_items=None) for link in links)
            return [row for rows in items for row in rows]
        text, meta = _article_from_response(url, response, date=settings.date)
    except FetchError as err:
        return [FetchResult(url, False, None, err.title, None, err.problem)]
    try:
        write_article(path, text, overwrite=settings.overwrite)
    except FileExistsError:
        return [_exists(url, path)]
    except OSError as err:
        problem = f"could not write {path}: {err}"
        return [FetchResult(url, False, None, meta["title"], meta["date"], problem)]
    return [FetchResult(url, True, path, meta["title"], meta["date"], None)]


def _exists(url: str, path: Path) -> FetchResult:
    problem = f"exists: {path}; pass overwrite=True (--overwrite) to replace it"
    return FetchResult(url, False, path, None, None, problem)


def _file_name(url: str) -> str:
    """A stable file name: slug of host and path, then a hash of the whole URL (query included)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    slug = _SLUG_DROP.sub("-", f"{host}{parts.path}".lower()).strip("-")
    slug = slug[:_SLUG_MAX].rstrip("-") or "article"
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}.txt"


def _check_url(url: str) -> str | None:
    """The problem with fetching ``url``, or None when it is an http(s) URL with a host."""
    parts = urlsplit(url)
    if not parts.scheme:
        return "not an absolute URL; expected one starting with http:// or https://"
    if parts.scheme.lower() not in ("http", "https"):
        scheme = parts.scheme.lower()
        return f"unsupported URL scheme {scheme!r}; only http:// and https:// URLs can be fetched"
    if not parts.hostname:
        return "the URL has no host name"
    return None


def _download(url: str, settings: _Settings) -> _Response:
    """GET ``url``, following redirects, and return the body if it is an HTML page or a feed."""
    problem = _check_url(url)
    if problem:
        raise FetchError(url, problem)
    opener = urllib.request.build_opener(_NoRedirect)
    headers = {"User-Agent": settings.user_agent, "Accept": _ACCEPT, "Accept-Encoding": "identity"}
    chain = [url]
    settings.throttle.wait(url)
    for _ in range(_MAX_REDIRECTS + 1):
        current = chain[-1]
        try:
            request = urllib.request.Request(current, headers=headers)
            response = opener.open(request, timeout=settings.timeout)
        except urllib.error.HTTPError as err:
            with err:
                location = err.headers.get("Location") if err.code in _REDIRECT_CODES else None
                if not location:
                    reason = err.reason or http.client.responses.get(err.code, "")
                    raise FetchError(url, f"HTTP {err.code} {reason}".rstrip()) from None
            target = urldefrag(urljoin(current, location))[0]
            problem = _check_url(target)
            if problem:
                raise FetchError(url, f"redirected to {target}: {problem}") from None
            if target in chain:
                raise FetchError(url, "redirect loop: " + " -> ".join([*chain, target])) from None
            chain.append(target)
            continue
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as err:
            raise FetchError(url, _network_problem(err, settings.timeout)) from None
        with response:
            content_type = response.headers.get_content_type()
            if content_type not in _PAGE_TYPES | _FEED_TYPES:
                raise FetchError(url, f"not an HTML page (content-type {content_type})")
            body = _read_limited(url, response, settings)
            return _Response(current, content_type, response.headers.get_content_charset(), body)
    raise FetchError(url, f"too many redirects (more than {_MAX_REDIRECTS}): " + " -> ".join(chain))


def _read_limited(url: str, response: http.client.HTTPResponse, settings: _Settings) -> bytes:
    max_bytes = settings.max_bytes
    too_large = f"larger than {max_bytes} bytes; raise max_bytes to fetch it"
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise FetchError(url, too_large)
    chunks: list[bytes] = []
    total = 0
    try:
        # Never ask for more than one byte past the limit: an endless body costs max_bytes + 1.
        while chunk := response.read(min(_CHUNK_BYTES, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise FetchError(url, too_large)
    except (OSError, http.client.HTTPException) as err:
        raise FetchError(url, _network_problem(err, settings.timeout)) from None
    return b"".join(chunks)


def _network_problem(err: BaseException, timeout: float) -> str:
    reason: Any = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(reason, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused; is the server running and the port right?"
    if isinstance(reason, socket.gaierror):
        return "host name not found; check the URL or your network connection"
    if isinstance(reason, ssl.SSLError):
        return f"TLS/SSL error: {reason}"
    if isinstance(reason, http.client.HTTPException):
        return f"invalid HTTP response ({type(reason).__name__}: {reason})"
    if isinstance(reason, ValueError):
        return f"invalid URL ({reason})"
    return f"network error: {reason}"


def _is_feed(response: _Response) -> bool:
    """True for RSS/Atom, judged by the root element: servers often mislabel feeds and XHTML."""
    return _FEED_ROOT.match(response.body[:4096].lstrip(b"\xef\xbb\xbf")) is not None


def _feed_links(response: _Response) -> list[str]:
    """Item links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed: absolute, in feed order, no repeats."""
    # defusedxml refuses entity expansion and external DTDs: feeds come from untrusted servers.
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(response.body)
    except (ParseError, DefusedXmlException) as err:
        raise FetchError(response.url, f"not a well-formed feed ({err})") from None
    found: list[str] = []
    if root.tag == f"{_ATOM}feed":
        for entry in root.iter(f"{_ATOM}entry"):
            links = entry.findall(f"{_ATOM}link")
            chosen = [ln for ln in links if ln.get("rel", "alternate") == "alternate"] or links
            found += [ln.get("href", "") for ln in chosen[:1]]
    else:
        for item in [*root.iter("item"), *root.iter(f"{_RSS1}item")]:
            link = item.find("link")
            if link is None:
                link = item.find(f"{_RSS1}link")
            guid = item.find("guid")
            if link is not None and (link.text or "").strip():
                found.append(link.text or "")
            elif guid is not None and guid.get("isPermaLink", "true") == "true":
                found.append(guid.text or "")
    absolute = [urldefrag(urljoin(response.url, link.strip()))[0] for link in found if link.strip()]
    return [link for link in dict.fromkeys(absolute) if _check_url(link) is None]


def _article_from_response(
    url: str, response: _Response, *, date: datetime.date | None
) -> tuple[str, dict[str, Any]]:
    if response.content_type not in _PAGE_TYPES and not _looks_like_html(response.body):
        raise FetchError(url, f"not an HTML page (content-type {response.content_type})")
    html: str | bytes = response.body
    if response.charset:
        try:
            html = response.body.decode(response.charset, errors="replace")
        except LookupError:
            pass  # unknown charset name: let trafilatura detect the encoding from the bytes
    doc = _extract(html, url=response.url)
    title = ((doc.title or "").strip() or None) if doc is not None else None
    paragraphs = _paragraphs(doc.text or "", title) if doc is not None else []
    if not paragraphs:
        problem = "no article text found (the page may need JavaScript or a login)"
        raise FetchError(url, problem, title=title)
    found = datetime.date.fromisoformat(doc.date) if doc.date else None
    if found is None and date is None:
        raise FetchError(url, _DATE_HINT, title=title)
    host = (urlsplit(response.url).hostname or "").removeprefix("www.")
    source = (doc.sitename or "").strip() or host
    text_head = response.body[:8192].decode("ascii", errors="ignore")
    lang_match = _HTML_LANG.search(text_head)
    meta = {
        "url": url,
        "final_url": response.url,
        "title": title,
        "date": found or date,
        "date_source": "page" if found else "given",
        "source": source or None,
        "language": lang_match.group(1).lower() if lang_match else None,
        "n_paragraphs": len(paragraphs),
    }
    try:
        text = format_article(
            paragraphs,
            date=meta["date"],
            title=title,
            source=meta["source"],
            url=response.url,
            language=meta["language"],
        )
    except ValueError as err:
        raise FetchError(url, f"could not format the article: {err}", title=title) from None
    return text, meta


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf").lower()
    return b"<html" in head or b"<!doctype html" in head


def _extract(html: str | bytes, *, url: str) -> Any:
    # Imported here so that `import kit.fetch` stays quick for the command line.
    import trafilatura

    return trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        date_extraction_params=_date_params(),
    )


def _date_params() -> dict[str, Any]:
    """htmldate settings: the publication date from markup, the URL or timestamps, never a guess.

    trafilatura's default ``extensive_search=True`` falls back to any date in the running text or
    the copyright line ("on 14 March 2024", "Copyright 2019"), which would silently misdate an
    article; switched off, a page without a stated date yields None and is reported.
    """
    return {
        "original_date": True,  # the publication date, not the "updated" one
        "extensive_search": False,
        "outputformat": "%Y-%m-%d",
        # A day of slack: a page dated in Bangkok's today may be "tomorrow" than the user's clock.
        "max_date": (datetime.date.today() + datetime.timedelta(days=1)).isoformat(),
    }


def _paragraphs(text: str, title: str | None) -> list[str]:
    """trafilatura's text has one paragraph per line; a repeated headline on top is dropped."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and title and lines[0].casefold() == " ".join(title.split()).casefold():
        lines = lines[1:]
    return lines
