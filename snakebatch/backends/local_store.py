"""The local object store: one file per key under a directory.

Writes go to a temporary file and are renamed into place, so a reader (another
worker process) never sees half an object — the same guarantee S3 gives.
"""

from __future__ import annotations

from pathlib import Path

from snakebatch.atomic_files import copy_atomically, write_atomically
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
        write_atomically(path, data)

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
            copy_atomically(Path(path), dest)
        except OSError as exc:
            raise StoreFailed(f"cannot store {key!r}: {_reason(exc)}") from exc

    def get_file(self, key: str, path: Path) -> None:
        source = self._path(key)
        if not source.is_file():
            raise ObjectMissing(key)
        try:
            copy_atomically(source, Path(path))
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        except OSError as exc:
            raise StoreFailed(f"cannot fetch {key!r}: {_reason(exc)}") from exc


def _reason(exc: OSError) -> str:
    """The system's words for it, without the paths (they are this host's business)."""
    return exc.strerror or type(exc).__name__
