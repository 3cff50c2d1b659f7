"""Files that are either whole or absent.

Worker processes, gatherer threads and other instances read what another one writes;
writing to a temporary sibling and renaming it into place means a reader never sees
half a file — the guarantee S3 gives for objects.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """``path.write_bytes(data)`` with the whole-or-absent guarantee."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_atomically(source: Path, dest: Path) -> None:
    """Copied by the kernel (``shutil.copyfile``), never through Python memory."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
