"""Annotate past one machine: the same annotate step on a Dask cluster, Parquet out.

:func:`annotate_dask` splits the article files into partitions (a ``dask.bag`` of paths), and a
worker loads each partition with :func:`kit.corpus.load_corpus` and annotates it with
:func:`kit.annotate.annotate`, on a pipeline it loads once and keeps. Threads are assigned per
article, so a partition of whole articles gets the same threads as the full corpus. Each
partition writes one Parquet file per table; :func:`read_annotations` reads the folder back as
one :class:`~kit.annotate.Annotations`, identical to ``annotate(load_corpus(paths))``.

Any cluster works (``Client("tcp://scheduler:8786")``) as long as every worker can import
``kit`` and read the article files and ``out_dir`` at the same paths (a shared file system).
Dask is an optional extra (``pip install "kit[dask]"``); it is imported only when called.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kit._io import atomic_write

# Internal helpers shared with kit.annotate and kit.corpus: one definition of how a codebook
# argument is read, how a pipeline is cached per process, which files a folder holds and how a
# table is stored as Parquet.
from kit.annotate import (
    TABLES,
    Annotations,
    _load_codebook,
    _parquet_bytes,
    _pipeline,
    annotate,
)
from kit.codebook import Codebook
from kit.corpus import _ARTICLE_EXTS, _article_files, _error, load_corpus
from kit.pipeline import pipeline_name

__all__ = ["DEFAULT_PARTITION_SIZE", "METADATA", "annotate_dask", "read_annotations"]

#: Articles per partition (one task, one Parquet file per table).
DEFAULT_PARTITION_SIZE = 100
#: File in ``out_dir`` recording what produced the tables (pipeline, focus, codebook).
METADATA = "_kit.json"

_INSTALL_HINT = 'install the optional extra: pip install "kit[dask]" (dask[distributed])'
_CodebookArg = Codebook | str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None


def annotate_dask(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    client: Any,
    out_dir: str | os.PathLike[str],
    codebook: _CodebookArg = None,
    model: str | os.PathLike[str] | None = None,
    focus: str = "THA",
    partition_size: int = DEFAULT_PARTITION_SIZE,
    overwrite: bool = False,
) -> Path:
    """Annotate articles on a Dask cluster and write the tables as partitioned Parquet.

    Args:
        paths: Article files and folders (searched recursively for ``.txt``/``.md``, in the
            order :func:`kit.corpus.load_corpus` reads them), or tables (``.csv``, ``.jsonl``,
            ``.xlsx``: one partition each).
        client: A ``dask.distributed.Client`` (a ``LocalCluster`` or ``Client("tcp://...")``).
        out_dir: Folder for the tables, shared with the workers; created if missing.
        codebook: A :class:`~kit.codebook.Codebook`, or codebook files extending the bundled
            one (their paths must be readable by the workers).
        model: spaCy pipeline name or path, as in :func:`kit.pipeline.load_pipeline`; it must be
            installed on every worker. ``None`` uses ``KIT_SPACY_MODEL`` or the default.
        focus: ISO3 code of the focus country.
        partition_size: Articles per partition (one task each).
        overwrite: Replace tables already in *out_dir*; by default refuse.

    Returns:
        *out_dir*, holding ``<table>.parquet/part-00000.parquet``, ... for every table of
        :data:`kit.annotate.TABLES` and ``_kit.json`` (pipeline, focus, codebook fingerprint,
        counts). Read it with :func:`read_annotations`.

    Raises:
        ImportError: If dask is not installed.
        FileExistsError: If *out_dir* already holds tables and *overwrite* is False.
        ValueError: For an invalid *partition_size* or *focus*, or two articles with one id.
        kit.corpus.CorpusError: For a path that does not exist or a folder without articles.
    """
    try:
        import dask
        import dask.bag as db
    except ImportError as err:  # pragma: no cover - dask is a test dependency
        raise ImportError(f"kit.scale.annotate_dask needs dask: {_INSTALL_HINT}") from err
    if not isinstance(partition_size, int) or partition_size < 1:
        raise ValueError(f"partition_size must be a positive int, not {partition_size!r}")
    cb = codebook if isinstance(codebook, Codebook) else _load_codebook(codebook)
    focus = focus.upper()
    if focus not in cb.countries:
        raise ValueError(f"focus country {focus!r} is not an ISO3 code in the codebook "
                         f"(e.g. 'THA' for Thailand)")
    items = _expand(paths)
    out = Path(out_dir).resolve()
    _prepare(out, overwrite=overwrite)

    name = None if model is None else str(model)
    partitions = db.from_sequence(items, partition_size=partition_size).to_delayed()
    # Part files sort in partition order, which is the order load_corpus reads the articles.
    width = max(5, len(str(len(partitions) - 1)))
    tasks = [
        dask.delayed(_annotate_partition, pure=False)(
            part, name=f"part-{i:0{width}d}.parquet", out_dir=str(out), codebook=cb,
            model=name, focus=focus)
        for i, part in enumerate(partitions)
    ]
    results: list[dict[str, Any]] = client.gather(client.compute(tasks))

    names = sorted({r["pipeline"] for r in results})
    if len(names) > 1:
        raise RuntimeError(
            f"workers annotated {out} with different pipelines ({', '.join(names)}); install "
            f"the same spaCy model on every worker or pass model=..."
        )
    meta = {
        "pipeline": names[0] if names else "",
        "focus": focus,
        "codebook": cb.fingerprint,
        "partitions": len(results),
        "articles": sum(r["articles"] for r in results),
        "paragraphs": sum(r["paragraphs"] for r in results),
    }
    atomic_write(out / METADATA, json.dumps(meta, indent=2))
    return out


def read_annotations(out_dir: str | os.PathLike[str], *,
                     codebook: _CodebookArg = None) -> Annotations:
    """Read the tables :func:`annotate_dask` wrote as one :class:`~kit.annotate.Annotations`.

    Args:
        out_dir: The folder :func:`annotate_dask` returned.
        codebook: The codebook used to annotate (a loaded one, or files extending the bundled
            one); a warning says so when its fingerprint differs from the recorded one.

    Returns:
        The annotations, rows in article order; ``pipeline`` and ``focus`` as recorded.
    """
    out = Path(out_dir)
    meta_path = out / METADATA
    if not meta_path.exists():
        raise FileNotFoundError(
            f"{out}: no {METADATA}; it is written by kit.scale.annotate_dask at the end of a "
            f"run. Run it (again) with out_dir={str(out)!r}, or read tables written by "
            f"Annotations.to_dir with Annotations.from_dir"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    cb = codebook if isinstance(codebook, Codebook) else _load_codebook(codebook)
    if meta.get("codebook") and meta["codebook"] != cb.fingerprint:
        warnings.warn(
            f"{out} was annotated with another codebook (fingerprint {meta['codebook']}, this "
            f"one {cb.fingerprint}); actor and topic names in the tables follow the old one. "
            f"Annotate again to apply the new codebook.",
            RuntimeWarning,
            stacklevel=2,
        )
    ann = Annotations.from_dir(out, codebook=cb, focus=meta.get("focus", "THA"),
                               pipeline=meta.get("pipeline", ""))
    # Each partition's assignments come ordered by article id, as annotate orders them all.
    assignments = ann.assignments.sort_values(["article_id", "paragraph"], kind="stable")
    return dataclasses.replace(ann, assignments=assignments.reset_index(drop=True))


# --------------------------------------------------------------------------- worker side


def _annotate_partition(
    items: Sequence[tuple[str, str]], *, name: str, out_dir: str, codebook: Codebook,
    model: str | None, focus: str,
) -> dict[str, Any]:
    """Annotate one partition of ``(path as given, absolute path)`` items in a worker and
    write each table as ``out_dir/<table>.parquet/<name>``."""
    nlp = _pipeline(model, codebook, quiet=True)
    ann = annotate(load_corpus([absolute for _, absolute in items]), codebook=codebook, nlp=nlp,
                   focus=focus, cache=False, progress=False)
    tables = ann.tables()
    # Report paths as the user gave them, as load_corpus(paths) on the client would.
    given = {absolute: shown for shown, absolute in items}
    tables["articles"] = tables["articles"].assign(
        path=tables["articles"]["path"].map(lambda p: given.get(p, p)))
    out = Path(out_dir)
    for table, frame in tables.items():
        folder = out / f"{table}.parquet"
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / name, _parquet_bytes(table, frame))
    return {"pipeline": pipeline_name(nlp), "articles": len(tables["articles"]),
            "paragraphs": len(tables["paragraphs"])}


# --------------------------------------------------------------------------- client side


def _expand(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> list[tuple[str, str]]:
    """``(path as load_corpus shows it, absolute path)`` of every article file, in the order
    load_corpus reads them; a table stays one item."""
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not given:
        raise ValueError("annotate_dask got an empty list of paths; pass files or folders")
    files: list[Path] = []
    for entry in map(Path, given):
        if entry.is_dir():
            found = _article_files(entry)
            if not found:
                raise _error(entry, "folder has no .txt or .md article files", "Put articles "
                             "in it (hidden files and folders are skipped) or pass a table.")
            files += found
        elif entry.exists():
            files.append(entry)
        else:
            raise _error(entry, "path does not exist",
                         f"Check the spelling (relative paths start at {Path.cwd()}).")
    # Ids come from file names: two files of one name in different partitions would give two
    # articles one id, which load_corpus refuses within a partition but cannot see across them.
    stems: dict[str, Path] = {}
    for path in files:
        if path.suffix.lower() not in _ARTICLE_EXTS:
            continue
        if path.stem in stems:
            raise ValueError(
                f"article id {path.stem!r} is used twice: by {stems[path.stem]} and by "
                f"{path}. Article ids come from file names; rename one of them."
            )
        stems[path.stem] = path
    return [(str(path), str(path.resolve())) for path in files]


def _prepare(out: Path, *, overwrite: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    existing = [out / f"{name}.parquet" for name in TABLES if (out / f"{name}.parquet").exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{out} already holds annotation tables ({existing[0].name}, ...); pass "
            f"overwrite=True to replace them or choose another out_dir"
        )
    for path in existing:
        # Stale parts of an earlier, larger run would otherwise be read with the new ones.
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    (out / METADATA).unlink(missing_ok=True)
