"""Every store the local mesh can run on honours the same file contract as ``put``/``get``."""

from __future__ import annotations

import pytest

from snakebatch.backends.base import ObjectMissing
from snakebatch.backends.local_store import DirectoryStore
from tests.inline_backend import MemoryStore


@pytest.fixture(params=["memory", "directory"])
def store(request, tmp_path):
    return MemoryStore() if request.param == "memory" else DirectoryStore(tmp_path / "store")


def test_file_round_trip_matches_bytes_round_trip(store, tmp_path):
    src = tmp_path / "src.csv"
    src.write_bytes(b"y,x\n1,2\n" * 1000)
    store.put_file("uploads/up_1/data.csv", src)
    assert store.get("uploads/up_1/data.csv") == src.read_bytes()
    store.put("uploads/up_1/meta.json", b"{}")
    dest = tmp_path / "dest.json"
    store.get_file("uploads/up_1/meta.json", dest)
    assert dest.read_bytes() == b"{}"


def test_missing_key_writes_nothing(store, tmp_path):
    dest = tmp_path / "never"
    with pytest.raises(ObjectMissing):
        store.get_file("uploads/none/data.csv", dest)
    assert not dest.exists()
