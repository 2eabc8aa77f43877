"""Atomic file writes shared by every module that writes files (internal).

A reader never sees a half-written file: data goes to a temporary file in the destination's
folder, which is then renamed over (or hard-linked to) the destination.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write"]


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *,
                 overwrite: bool = True) -> Path:
    """Write *data* (text is UTF-8 encoded) to *path* atomically and return the path.

    Args:
        path: Destination file; its folder must exist.
        data: The bytes, or text to encode as UTF-8.
        overwrite: Replace an existing file; when False, refuse if the file exists, even if it
            appears while writing.

    Raises:
        FileExistsError: If the file exists and *overwrite* is False.
    """
    dest = Path(path)
    if not overwrite and dest.exists():
        raise FileExistsError(f"{dest} already exists; pass overwrite=True to replace it")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); keep an existing file's mode, else 0644.
        os.chmod(tmp, dest.stat().st_mode & 0o7777 if dest.exists() else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, dest)
        else:
            try:
                # Unlike a rename, a hard link fails if the destination appeared meanwhile.
                os.link(tmp, dest)
            except FileExistsError:
                raise FileExistsError(
                    f"{dest} already exists; pass overwrite=True to replace it") from None
            except OSError:  # a file system without hard links
                os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest
