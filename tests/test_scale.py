"""Tests for kit.scale: annotation on a local Dask cluster, Parquet out, read back."""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kit
from kit.annotate import TABLES, annotate
from kit.corpus import CorpusError, load_corpus
from kit.scale import METADATA, annotate_dask, read_annotations

REPO = Path(__file__).resolve().parents[1]
N_ARTICLES = 12


def _load_generate():
    # bench/ is not a package: load the corpus generator by path.
    spec = importlib.util.spec_from_file_location("kit_bench_generate",
                                                  REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _load_generate()


@pytest.fixture(scope="module")
def articles_dir(tmp_path_factory: pytest.TempPathFactory, codebook) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    generate.generate(N_ARTICLES, folder, seed=7, codebook=codebook)
    return folder


@pytest.fixture(scope="module")
def single(articles_dir: Path, blank_nlp, codebook):
    """The reference: annotate(load_corpus(paths)) in this process."""
    return annotate(load_corpus(articles_dir), nlp=blank_nlp, codebook=codebook, cache=False,
                    progress=False)


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None, host="127.0.0.1",
                                 silence_logs=logging.ERROR) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


# --------------------------------------------------------------------------- kit.scale


@pytest.mark.slow
@pytest.mark.parametrize("as_files", [False, True], ids=["folder", "file-list"])
def test_scale_dask_matches_single_process(client, articles_dir, single, codebook, tmp_path,
                                           as_files):
    paths = sorted(articles_dir.glob("*.txt")) if as_files else articles_dir
    out = annotate_dask(paths, client=client, out_dir=tmp_path / "out", codebook=codebook,
                        model="blank", partition_size=5)
    ann = read_annotations(out, codebook=codebook)
    # Same rows in the same order, same column types: partitions are read back in order.
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(ann, name), getattr(single, name), obj=name)
    assert len(ann.articles) == N_ARTICLES and len(ann.assignments)
    assert ann.threads == single.threads
    assert ann.pipeline == single.pipeline
    assert ann.focus == "THA"


@pytest.mark.slow
def test_scale_dask_matches_when_folders_are_not_in_id_order(client, articles_dir, codebook,
                                                           blank_nlp, tmp_path):
    # Partitions follow the order the folders are given; assignments are ordered by article id
    # in annotate's tables, and must be in the Dask ones too.
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for i, path in enumerate(sorted(articles_dir.glob("*.txt"))):
        (second if i < N_ARTICLES // 2 else first).joinpath(path.name).write_bytes(
            path.read_bytes())
    single = annotate(load_corpus([first, second]), nlp=blank_nlp, codebook=codebook,
                      cache=False)
    out = annotate_dask([first, second], client=client, out_dir=tmp_path / "out",
                        codebook=codebook, model="blank", partition_size=4)
    ann = read_annotations(out, codebook=codebook)
    assert ann.articles["path"].tolist() == single.articles["path"].tolist()
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(ann, name), getattr(single, name), obj=name)


@pytest.mark.slow
def test_scale_dask_writes_one_part_per_partition(client, articles_dir, codebook, tmp_path):
    out = annotate_dask(articles_dir, client=client, out_dir=tmp_path / "out",
                        codebook=codebook, model="blank", partition_size=5)
    for name in TABLES:
        parts = sorted(p.name for p in (out / f"{name}.parquet").iterdir())
        assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    # pandas reads a folder of parts as one table.
    assert len(pd.read_parquet(out / "articles.parquet")) == N_ARTICLES


@pytest.mark.slow
def test_scale_overwrite_removes_stale_parts(client, articles_dir, codebook, tmp_path):
    out = tmp_path / "out"
    annotate_dask(articles_dir, client=client, out_dir=out, codebook=codebook, model="blank",
                  partition_size=2)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        annotate_dask(articles_dir, client=client, out_dir=out, codebook=codebook,
                      model="blank", partition_size=6)
    annotate_dask(articles_dir, client=client, out_dir=out, codebook=codebook, model="blank",
                  partition_size=6, overwrite=True)
    assert len(list((out / "mentions.parquet").iterdir())) == 2
    assert len(read_annotations(out, codebook=codebook).articles) == N_ARTICLES


def test_scale_rejects_duplicate_article_ids(articles_dir, codebook, tmp_path):
    other = tmp_path / "copy"
    other.mkdir()
    first = min(articles_dir.glob("*.txt"))
    (other / first.name).write_bytes(first.read_bytes())
    with pytest.raises(ValueError, match=f"article id '{first.stem}' is used twice"):
        annotate_dask([articles_dir, other], client=None, out_dir=tmp_path / "out",
                      codebook=codebook)


@pytest.mark.parametrize("partition_size", [0, -3, 2.5])
def test_scale_rejects_bad_partition_size(articles_dir, codebook, tmp_path, partition_size):
    with pytest.raises(ValueError, match="partition_size must be a positive int"):
        annotate_dask(articles_dir, client=None, out_dir=tmp_path / "out", codebook=codebook,
                      partition_size=partition_size)


@pytest.mark.parametrize("problem", ["missing", "empty folder"])
def test_scale_rejects_what_load_corpus_rejects(tmp_path, codebook, problem):
    path = tmp_path / "nowhere"
    if problem == "empty folder":
        path.mkdir()
    with pytest.raises(CorpusError, match=str(path)):
        annotate_dask(path, client=None, out_dir=tmp_path / "out", codebook=codebook)


def test_scale_is_exposed_lazily_by_the_package():
    assert kit.annotate_dask is annotate_dask and kit.read_annotations is read_annotations


def test_scale_read_annotations_needs_metadata(tmp_path):
    with pytest.raises(FileNotFoundError, match=METADATA):
        read_annotations(tmp_path)


def test_scale_imports_without_dask():
    # Dask is an optional extra: importing kit.scale must work without it, and the error on
    # use must say what to install.
    code = (
        "import sys\n"
        "sys.modules['dask'] = None\n"
        "sys.modules['dask.bag'] = None\n"
        "import kit.scale\n"
        "try:\n"
        "    kit.scale.annotate_dask('x', client=None, out_dir='y')\n"
        "except ImportError as err:\n"
        "    print(err)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert 'pip install "kit[dask]"' in proc.stdout
