"""The gatherer's wheelhouse, offline: which wheels are accepted, how each is pinned by
hash, the cache that spares a download, and the byte-stable tarball cloud-init untars.
(The download itself is ``pip download``; ``python -m layers.build`` runs it once.)"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from layers.build import REPO, LayerBuildError
from layers.wheelhouse import (
    REQUIREMENTS,
    cache_key,
    cached_wheels,
    pinned_requirements,
    project_requirements,
    wheel_pin,
    wheelhouse_tarball,
)

ACCEPTED = [
    "numpy-2.4.6-cp311-cp311-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl",
    "uvloop-0.23.0-cp311-cp311-manylinux2014_aarch64.manylinux_2_17_aarch64.whl",
    "cryptography-44.0.0-cp39-abi3-manylinux_2_28_aarch64.whl",
    "six-1.17.0-py2.py3-none-any.whl",
    "Markdown_It_Py-4.3.0-py3-none-any.whl",
]
REFUSED = [
    "numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.whl",
    "numpy-2.4.6-cp312-cp312-manylinux_2_27_aarch64.whl",
    "uvloop-0.23.0-cp311-cp311-macosx_11_0_arm64.whl",
    "pywin-1.0-cp311-cp311-win_arm64.whl",
    "musl-1.0-cp311-cp311-musllinux_1_2_aarch64.whl",
]


def wheel(folder: Path, name: str, body: bytes | None = None) -> Path:
    path = folder / name
    path.write_bytes(body if body is not None else name.encode())
    return path


@pytest.mark.parametrize("name", ACCEPTED)
def test_aarch64_cp311_and_pure_wheels_are_pinned_by_their_hash(tmp_path, name) -> None:
    path = wheel(tmp_path, name)
    dist, line = wheel_pin(path)
    version = name.split("-")[1]
    assert line == f"{dist}=={version} --hash=sha256:{hashlib.sha256(name.encode()).hexdigest()}"
    assert dist == dist.lower() and "_" not in dist


@pytest.mark.parametrize("name", REFUSED)
def test_wheels_for_another_platform_or_python_are_refused_by_name(tmp_path, name) -> None:
    with pytest.raises(LayerBuildError, match=r"not installable on linux aarch64 CPython 3\.11"):
        wheel_pin(wheel(tmp_path, name))


def test_requirements_are_sorted_one_line_per_wheel(tmp_path) -> None:
    paths = [wheel(tmp_path, n) for n in ACCEPTED]
    text = pinned_requirements(reversed(paths))
    names = [line.split("==")[0] for line in text.splitlines()]
    assert names == sorted(["numpy", "uvloop", "cryptography", "six", "markdown-it-py"])
    assert all(" --hash=sha256:" in line for line in text.splitlines())


def test_two_versions_of_one_dependency_or_none_at_all_are_errors(tmp_path) -> None:
    a = wheel(tmp_path, "six-1.16.0-py2.py3-none-any.whl")
    b = wheel(tmp_path, "six-1.17.0-py2.py3-none-any.whl")
    with pytest.raises(LayerBuildError, match="two wheels of six"):
        pinned_requirements([a, b])
    with pytest.raises(LayerBuildError, match="no wheels"):
        pinned_requirements([])
    with pytest.raises(LayerBuildError, match="not a wheel file name"):
        wheel_pin(wheel(tmp_path, "README.txt"))


def test_the_gatherer_needs_the_server_and_aws_extras_but_not_itself() -> None:
    requirements = project_requirements(REPO / "pyproject.toml")
    assert requirements[:3] == ["numpy>=1.26", "typer>=0.12", "rich>=13"]
    assert "starlette>=0.37" in requirements and "gunicorn>=22" in requirements
    assert requirements.count("boto3>=1.34") == 1
    assert not any(r.startswith("snakebatch") or r.startswith("pytest") for r in requirements)


def test_an_unknown_extra_is_an_error(tmp_path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = []\n')
    with pytest.raises(LayerBuildError, match=r"no extras \['server', 'aws'\]"):
        project_requirements(pyproject)


def test_a_cached_wheelhouse_is_reused_without_downloading(tmp_path) -> None:
    """A filled cache folder is returned as is: ``pip`` is never asked (no network here)."""
    requirements = ["six>=1"]
    folder = tmp_path / "cache" / cache_key(requirements)
    folder.mkdir(parents=True)
    pinned = [wheel(folder, "six-1.17.0-py2.py3-none-any.whl")]
    (folder / REQUIREMENTS).write_text(pinned_requirements(pinned))
    assert cached_wheels(requirements, tmp_path / "cache") == folder
    assert cache_key(requirements) != cache_key(["six>=2"])


def test_tarball_is_byte_stable_and_refuses_a_stale_requirements_file(tmp_path) -> None:
    folder = tmp_path / "wheels"
    folder.mkdir()
    paths = [wheel(folder, n) for n in ACCEPTED]
    (folder / REQUIREMENTS).write_text(pinned_requirements(paths))
    first = wheelhouse_tarball(folder, tmp_path / "a" / "wheelhouse.tar")
    second = wheelhouse_tarball(folder, tmp_path / "b" / "wheelhouse.tar")
    assert first.sha256 == second.sha256 and first.entries == len(ACCEPTED) + 1
    with tarfile.open(fileobj=io.BytesIO(first.path.read_bytes())) as tar:
        members = tar.getmembers()
        assert sorted(m.name for m in members) == sorted([REQUIREMENTS, *ACCEPTED])
        assert {(m.mtime, m.uid, m.mode) for m in members} == {(315532800, 0, 0o644)}
        assert tar.extractfile(REQUIREMENTS).read().decode() == pinned_requirements(paths)
    wheel(folder, ACCEPTED[0], b"rebuilt with other bytes")
    with pytest.raises(LayerBuildError, match="does not pin the wheels beside it"):
        wheelhouse_tarball(folder, tmp_path / "c" / "wheelhouse.tar")
