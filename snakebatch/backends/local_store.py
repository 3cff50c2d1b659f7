"""The local object store: one file per key under a directory.

Writes go to a temporary file and are renamed into place, so a reader (another
worker process) never sees half an object — the same guarantee S3 gives.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from snakebatch.backends.base import BackendError, ObjectMissing, StoreFailed


class DirectoryStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise BackendError(f"invalid store key {key!r}: use a relative path without '..'")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectMissing(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def put_file(self, key: str, path: Path) -> None:
        """Copied by the kernel (``shutil.copyfile``), never through Python memory."""
        dest = self._path(key)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            _copy_atomically(Path(path), dest)
        except OSError as exc:
            raise StoreFailed(f"cannot store {key!r}: {_reason(exc)}") from exc

    def get_file(self, key: str, path: Path) -> None:
        source = self._path(key)
        if not source.is_file():
            raise ObjectMissing(key)
        try:
            _copy_atomically(source, Path(path))
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        except OSError as exc:
            raise StoreFailed(f"cannot fetch {key!r}: {_reason(exc)}") from exc


def _copy_atomically(source: Path, dest: Path) -> None:
    """Copy to a temporary sibling, then rename: ``dest`` is the whole file or absent."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _reason(exc: OSError) -> str:
    """The system's words for it, without the paths (they are this host's business)."""
    return exc.strerror or type(exc).__name__
