"""Tests for kit.fetch, against a local HTTP server serving pages written for these tests."""

from __future__ import annotations

import datetime
import http.server
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from kit.corpus import load_corpus
from kit.fetch import DEFAULT_USER_AGENT, FetchError, fetch_article, fetch_urls, summary_text

WEB = Path(__file__).parent / "data" / "web"
SLOW_SECONDS = 2.0  # the server's delay on /slow; tests use a much shorter client timeout

ARTICLE_PARAGRAPHS = [
    "Thailand's Marine Police and the Japan Coast Guard agreed on Monday to hold their first joint "
    "search-and-rescue drill in the Gulf of Thailand early next year, officials in Bangkok said.",
    "The agreement followed two days of talks in Chonburi, where a visiting Japanese delegation "
    "toured patrol boats and a new maritime coordination centre that opened in March.",
    "Both sides said the drill would focus on rescuing fishing crews and on sharing radar data "
    "about vessels suspected of smuggling fuel and migrants across the gulf.",
    "A Japanese training team is expected to return in November to prepare the exercise, which "
    "organisers hope to repeat every year with other coastal states invited as observers.",
]
ITEM_TITLES = {
    1: "Thai and Malaysian police open a joint border office",
    2: "Vietnam and Thailand sign a rice research pact",
    3: "Cambodian and Thai officials review landmine clearance",
}
TOO_LARGE = "larger than 20000 bytes; raise max_bytes to fetch it"
ONLY_HTTP = "only http:// and https:// URLs can be fetched"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class LocalServer:
    base: str
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, User-Agent)


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "KitTestServer/1.0"

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        log: list[tuple[str, str]] = self.server.log  # type: ignore[attr-defined]
        log.append((self.path, self.headers.get("User-Agent", "")))
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        path = self.path
        page = WEB / path.removeprefix("/news/")
        try:
            if path.startswith("/news/long/"):
                self._send(200, "text/html; charset=utf-8", (WEB / "article.html").read_bytes())
            elif path.startswith("/news/") and page.is_file():
                self._send(200, "text/html; charset=utf-8", page.read_bytes())
            elif path == "/feeds/region.rss":
                self._send(200, "application/rss+xml", self._feed("feed.rss", base))
            elif path == "/feeds/region.atom":
                self._send(200, "application/atom+xml", self._feed("feed.atom", base))
            elif path == "/feeds/mislabelled":
                self._send(200, "text/html", self._feed("feed.rss", base))
            elif path == "/slow":
                time.sleep(SLOW_SECONDS)
                self._send(200, "text/html", (WEB / "article.html").read_bytes())
            elif path == "/big":
                body = b"<html><body>" + b"<p>padding</p>" * 10_000 + b"</body></html>"
                self._send(200, "text/html", body)
            elif path == "/big-stream":
                self._stream_without_length()
            elif path == "/image.png":
                self._send(200, "image/png", PNG_BYTES)
            elif path in ("/loop-a", "/loop-b"):
                self._redirect(302, "/loop-b" if path == "/loop-a" else "/loop-a")
            elif path == "/moved":
                self._redirect(301, "/news/article.html")
            elif path == "/to-file":
                self._redirect(302, "file:///etc/passwd")
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (timeout or size limit): expected in these tests

    def _feed(self, name: str, base: str) -> bytes:
        return (WEB / name).read_text(encoding="utf-8").replace("{{BASE}}", base).encode("utf-8")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stream_without_length(self) -> None:
        # HTTP/1.0 without Content-Length: the body ends when the connection closes, so only a
        # limit enforced while reading can stop it.
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body>")
        for _ in range(50):
            self.wfile.write(b"<p>" + b"x" * 4096 + b"</p>")


@pytest.fixture(scope="session")
def server() -> LocalServer:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True  # a sleeping /slow handler must not hold up teardown
    local = LocalServer(base=f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.log = local.requests  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield local
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def contacted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Hosts the code under test connected to; anything but 127.0.0.1 fails the test."""
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    hosts: list[str] = []
    real = socket.create_connection

    def guarded(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        hosts.append(address[0])
        if address[0] != "127.0.0.1":
            raise AssertionError(f"test tried to contact {address[0]}:{address[1]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return hosts


def _fetch(urls: list[str], out_dir: Path, **options: object) -> pd.DataFrame:
    return fetch_urls(urls, out_dir=out_dir, delay=0.0, **options)  # type: ignore[arg-type]


def test_fetch_article_written_file_loads_with_date_title_and_paragraphs(
    server: LocalServer, tmp_path: Path
) -> None:
    url = f"{server.base}/news/article.html"
    results = _fetch([url], tmp_path / "new" / "folder")

    assert results.to_dict("records") == [
        {
            "url": url,
            "ok": True,
            "path": results.loc[0, "path"],
            "title": "Thai and Japanese coast guards plan joint drills",
            "date": pd.Timestamp("2025-09-29"),
            "problem": None,
        }
    ]
    corpus = load_corpus(results.loc[0, "path"])
    article = corpus.articles.iloc[0]
    assert article["date"] == pd.Timestamp("2025-09-29")
    assert article["title"] == "Thai and Japanese coast guards plan joint drills"
    assert article["source"] == "Harbour Gazette"
    assert article["url"] == url
    # The headline, navigation and copyright footer are not body paragraphs.
    assert corpus.paragraphs["text"].tolist() == ARTICLE_PARAGRAPHS


def test_fetch_article_returns_text_and_metadata(server: LocalServer) -> None:
    text, meta = fetch_article(f"{server.base}/news/article.html")

    title = "Thai and Japanese coast guards plan joint drills"
    assert text.startswith(f"date: 2025-09-29\ntitle: {title}\n")
    assert meta["date"] == datetime.date(2025, 9, 29)
    assert meta["date_source"] == "page"
    assert meta["source"] == "Harbour Gazette"
    assert meta["language"] == "en"
    assert meta["n_paragraphs"] == 4


def test_fetch_table_columns_and_types(server: LocalServer, tmp_path: Path) -> None:
    results = _fetch([f"{server.base}/news/article.html", f"{server.base}/missing.html"], tmp_path)

    assert list(results.columns) == ["url", "ok", "path", "title", "date", "problem"]
    assert results["ok"].tolist() == [True, False]
    assert pd.api.types.is_datetime64_any_dtype(results["date"])
    assert pd.isna(results.loc[1, "date"]) and results.loc[1, "path"] is None


def test_fetch_single_url_string_is_one_url(server: LocalServer, tmp_path: Path) -> None:
    results = _fetch(f"{server.base}/news/article.html", tmp_path)  # type: ignore[arg-type]

    assert results["url"].tolist() == [f"{server.base}/news/article.html"]


def test_fetch_dateless_page_reported_with_date_hint(server: LocalServer, tmp_path: Path) -> None:
    url = f"{server.base}/news/nodate.html"
    results = _fetch([url], tmp_path)

    row = results.iloc[0]
    assert not row["ok"]
    assert row["problem"] == "no publication date found; pass --date YYYY-MM-DD"
    assert row["title"] == "Border markets reopen after floods"
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FetchError, match=f"^{url}: no publication date found"):
        fetch_article(url)


def test_fetch_dateless_page_written_with_given_date(server: LocalServer, tmp_path: Path) -> None:
    # The page mentions "14 March 2024" in its text and "Copyright 2019": neither may be taken
    # for the publication date.
    results = _fetch([f"{server.base}/news/nodate.html"], tmp_path, date=datetime.date(2024, 5, 1))

    assert results.loc[0, "ok"]
    corpus = load_corpus(results.loc[0, "path"])
    assert corpus.articles.loc[0, "date"] == pd.Timestamp("2024-05-01")
    assert corpus.paragraphs["text"].str.startswith("Traders at the border markets").iloc[0]
    _, meta = fetch_article(f"{server.base}/news/nodate.html", date=datetime.date(2024, 5, 1))
    assert meta["date_source"] == "given"


def test_fetch_page_date_wins_over_given_date(server: LocalServer) -> None:
    _, meta = fetch_article(f"{server.base}/news/article.html", date=datetime.date(2020, 1, 1))

    assert (meta["date"], meta["date_source"]) == (datetime.date(2025, 9, 29), "page")


@pytest.mark.parametrize(
    ("path", "options", "problem"),
    [
        ("/missing.html", {}, "HTTP 404 Not Found"),
        ("/slow", {"timeout": 0.5}, "timed out after 0.5 s"),
        ("/big", {"max_bytes": 20_000}, TOO_LARGE),
        ("/big-stream", {"max_bytes": 20_000}, TOO_LARGE),
        ("/image.png", {}, "not an HTML page (content-type image/png)"),
        ("/to-file", {}, "redirected to file:///etc/passwd: unsupported URL scheme 'file'"),
    ],
)
def test_fetch_failure_reported_with_problem(
    server: LocalServer, tmp_path: Path, path: str, options: dict[str, object], problem: str
) -> None:
    url = f"{server.base}{path}"
    started = time.monotonic()
    results = _fetch([url], tmp_path, **options)

    assert time.monotonic() - started < SLOW_SECONDS  # the timeout really cut the wait short
    row = results.iloc[0]
    assert (row["url"], row["ok"], row["path"]) == (url, False, None)
    assert row["problem"].startswith(problem)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FetchError) as caught:
        fetch_article(url, **options)  # type: ignore[arg-type]
    assert str(caught.value).startswith(f"{url}: {problem}")


def test_fetch_redirect_loop_names_the_chain(server: LocalServer, tmp_path: Path) -> None:
    results = _fetch([f"{server.base}/loop-a"], tmp_path)

    assert results.loc[0, "problem"] == (
        f"redirect loop: {server.base}/loop-a -> {server.base}/loop-b -> {server.base}/loop-a"
    )


def test_fetch_redirect_followed_and_final_url_kept(server: LocalServer, tmp_path: Path) -> None:
    results = _fetch([f"{server.base}/moved"], tmp_path)

    assert results.loc[0, "ok"]
    article = load_corpus(results.loc[0, "path"]).articles.iloc[0]
    assert article["url"] == f"{server.base}/news/article.html"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("file:///etc/passwd", f"unsupported URL scheme 'file'; {ONLY_HTTP}"),
        ("FTP://127.0.0.1/news.html", f"unsupported URL scheme 'ftp'; {ONLY_HTTP}"),
        (
            "127.0.0.1/news/article.html",
            "not an absolute URL; expected one starting with http:// or https://",
        ),
        ("http:///news/article.html", "the URL has no host name"),
    ],
)
def test_fetch_non_http_url_rejected_without_connecting(
    tmp_path: Path, contacted: list[str], url: str, problem: str
) -> None:
    results = _fetch([url], tmp_path)

    assert results.loc[0, "problem"] == problem
    assert contacted == []


def test_fetch_scripts_and_styles_never_reach_article_text(
    server: LocalServer, tmp_path: Path
) -> None:
    results = _fetch([f"{server.base}/news/scripts.html"], tmp_path)

    assert results.loc[0, "ok"], results.loc[0, "problem"]
    written = Path(results.loc[0, "path"]).read_text(encoding="utf-8")
    leaks = ("SECRET", "leak", "alert", "injected", "document.write", "console", "JavaScript")
    leaks += ("color", "display")
    assert [leak for leak in leaks if leak in written] == []
    paragraphs = load_corpus(results.loc[0, "path"]).paragraphs["text"].tolist()
    assert len(paragraphs) == 4
    assert paragraphs[1].startswith("Delegates said that requests for bank records")
    assert paragraphs[3].endswith("payments made with digital currencies.")


@pytest.mark.parametrize(
    ("path", "max_items", "items"),
    [
        ("/feeds/region.rss", 50, [1, 2, 3]),
        ("/feeds/region.rss", 2, [1, 2]),
        ("/feeds/region.atom", 50, [3, 2]),
        ("/feeds/mislabelled", 50, [1, 2, 3]),  # RSS served as text/html: known by its root element
    ],
)
def test_fetch_feed_expands_to_one_row_per_item(
    server: LocalServer,
    tmp_path: Path,
    contacted: list[str],
    path: str,
    max_items: int,
    items: list[int],
) -> None:
    results = _fetch([f"{server.base}{path}"], tmp_path, max_items=max_items)

    assert results["url"].tolist() == [f"{server.base}/news/item{i}.html" for i in items]
    assert results["ok"].all(), results["problem"].tolist()
    assert results["title"].tolist() == [ITEM_TITLES[i] for i in items]
    assert results["date"].tolist() == [pd.Timestamp(2025, 7, i) for i in items]
    corpus = load_corpus(tmp_path)
    assert sorted(corpus.articles["title"]) == sorted(ITEM_TITLES[i] for i in items)
    assert contacted and set(contacted) == {"127.0.0.1"}


def test_fetch_requests_carry_the_kit_user_agent(server: LocalServer, tmp_path: Path) -> None:
    before = len(server.requests)
    _fetch([f"{server.base}/feeds/region.rss"], tmp_path)

    sent = server.requests[before:]
    items = [f"/news/item{i}.html" for i in (1, 2, 3)]
    assert [path for path, _ in sent] == ["/feeds/region.rss", *items]
    assert {agent for _, agent in sent} == {DEFAULT_USER_AGENT}
    assert DEFAULT_USER_AGENT.startswith("kit-fetch/")


def test_fetch_delay_spaces_requests_to_one_host(server: LocalServer, tmp_path: Path) -> None:
    started = time.monotonic()
    fetch_urls([f"{server.base}/feeds/region.rss"], out_dir=tmp_path, delay=0.2)

    assert time.monotonic() - started >= 3 * 0.2  # feed + 3 items: three gaps


def test_fetch_refuses_feed_as_single_article(server: LocalServer) -> None:
    with pytest.raises(FetchError, match="this is a feed, not an article page; use fetch_urls"):
        fetch_article(f"{server.base}/feeds/region.rss")


def test_fetch_existing_file_kept_unless_overwrite(server: LocalServer, tmp_path: Path) -> None:
    url = f"{server.base}/news/article.html"
    path = Path(_fetch([url], tmp_path).loc[0, "path"])
    path.write_text("date: 2000-01-01\n\nEdited by hand.\n", encoding="utf-8")
    before = len(server.requests)

    again = _fetch([url], tmp_path)
    assert not again.loc[0, "ok"]
    hint = "pass overwrite=True (--overwrite) to replace it"
    assert again.loc[0, "problem"] == f"exists: {path}; {hint}"
    assert path.read_text(encoding="utf-8") == "date: 2000-01-01\n\nEdited by hand.\n"
    assert len(server.requests) == before  # an existing file costs the server nothing

    replaced = _fetch([url], tmp_path, overwrite=True)
    assert replaced.loc[0, "ok"] and Path(replaced.loc[0, "path"]) == path
    assert load_corpus(path).articles.loc[0, "date"] == pd.Timestamp("2025-09-29")


@pytest.mark.parametrize(
    "suffix",
    ["/news/article.html", "/news/long/" + "section-name/" * 10 + "story.html?id=42&ref=home"],
)
def test_fetch_file_name_is_stable_slug_of_url(
    server: LocalServer, tmp_path: Path, suffix: str
) -> None:
    url = f"{server.base}{suffix}"
    first = Path(_fetch([url], tmp_path / "a").loc[0, "path"])
    second = Path(_fetch([url], tmp_path / "b").loc[0, "path"])

    assert first.name == second.name
    assert first.name.startswith("127-0-0-1-news-") and first.suffix == ".txt"
    assert len(first.stem) <= 80 + 1 + 10
    assert set(first.stem) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


def test_fetch_summary_names_saved_count_and_failures(server: LocalServer, tmp_path: Path) -> None:
    paths = ("/news/article.html", "/missing.html", "/image.png")
    ok_url, missing, image = (f"{server.base}{path}" for path in paths)
    results = _fetch([ok_url, missing, image], tmp_path)

    assert summary_text(results) == (
        f"Saved 1 of 3 URLs to {tmp_path}; failed: {missing}: HTTP 404 Not Found; "
        f"{image}: not an HTML page (content-type image/png)"
    )
    assert summary_text(results.iloc[[0]], out_dir="articles") == "Saved 1 of 1 URL to articles."
