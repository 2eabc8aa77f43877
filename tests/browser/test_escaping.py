"""Markup in article text is shown as text by kit.views.show_article in JupyterLab, never run.

JupyterLab trusts the HTML outputs of a notebook run in the open session and runs their
scripts and event handlers, so only the kit's escaping stands between an article and the
page. A control cell proves that this page would run such a payload.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .helpers import (
    LabServer,
    PageRecorder,
    assert_no_js_errors,
    error_outputs,
    find_console,
    open_notebook,
    run_all,
    screenshot,
    write_notebook,
)

if TYPE_CHECKING:
    from playwright.sync_api import Dialog, Page

pytestmark = pytest.mark.browser

__all__: list[str] = []

MARKER = "KIT-XSS-MARKER"
CONTROL = "KIT-XSS-CONTROL"
_RUN = f"console.log('{MARKER}');document.title='{MARKER}';alert('{MARKER}')"
SCRIPT = f"<script>{_RUN}</script>"
IMG = f'<img src=x onerror="{_RUN}">'
LINK = f'<a href="javascript:{_RUN}">read more</a>'
SVG = f"<svg onload=\"{_RUN}\"></svg>"

# Headers and paragraphs of one article, payloads next to codebook matches (Thai, Japanese,
# Osaka, call centre scams) so that highlight marks are cut around and inside them.
ARTICLE = f"""date 2025-09-01
title Police talks {SCRIPT} in Osaka
source Wire {IMG}
url javascript:{_RUN}

Thai and Japanese police{SCRIPT} held talks on call centre scams in Osaka, {IMG} officials said.

Japan{IMG} and Thailand agreed to share data on call centre scams; see {LINK} or javascript:{_RUN} for more.

The Thai side{SVG} showed the literal tag <script> and an entity &lt;b&gt; in its slides.
"""

NOTEBOOK_CELLS = [
    (
        "import kit\nfrom kit import views\n"
        'ann = kit.annotate(kit.load_corpus("articles"), model="blank", cache=False)\n'
        'views.show_article(ann, "xss")'
    ),
    # Control: the same kind of payload, unescaped, must run in this page.
    "from IPython.display import HTML\n"
    f"HTML('<img src=\"data:image/png;base64,AAAA\" onerror=\"console.log(\\'{CONTROL}\\')\">')",
]


def test_escaping_article_markup_shows_as_text(
    page: Page, page_recorder: PageRecorder, jupyterlab_server: LabServer, lab_dir: Path
) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    (lab_dir / "articles").mkdir()
    (lab_dir / "articles" / "xss.txt").write_text(ARTICLE, encoding="utf-8")
    rel = write_notebook(lab_dir / "xss.ipynb", NOTEBOOK_CELLS).relative_to(jupyterlab_server.root_dir)
    open_notebook(page, jupyterlab_server, rel)
    run_all(page, jupyterlab_server, rel)
    view = page.locator(".jp-OutputArea-output .kit-view")
    view.wait_for()
    for _ in range(30):  # the control's image error, and any payload's, fire after render
        if find_console(page_recorder, CONTROL):
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)
    screenshot(page, "escaping_article")

    assert error_outputs(page) == 0
    assert find_console(page_recorder, CONTROL), "the control payload did not run: the test proves nothing"
    assert dialogs == []
    assert find_console(page_recorder, MARKER) == []
    assert MARKER not in page.title()
    # Nothing active came out of the article.
    for selector in ("script", "img", "svg", "a[href^='javascript' i]", "[onerror]", "[onload]"):
        assert view.locator(selector).count() == 0, selector
    assert view.locator("a").count() == 0  # the javascript: url is not made a link
    # The markup reads literally, in the title, the meta line and the paragraphs.
    text = view.inner_text()
    assert "<script>" in text
    assert f"Police talks {SCRIPT} in Osaka" in text
    assert f"Wire {IMG}" in text
    assert f"javascript:{_RUN}" in text
    assert LINK in text
    assert "<script> and an entity &lt;b&gt;" in text
    assert_no_js_errors(page_recorder)
