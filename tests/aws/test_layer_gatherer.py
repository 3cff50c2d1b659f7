"""The gatherer's release artefacts: a pure wheel and a reproducible docs tarball.

The wheel is built for real (pip, setuptools) and imported from its unpacked files in a
fresh interpreter, as the arm64 gatherer would after ``pip install``: no compiled
kernels, the same answers. The tarball is untarred the way cloud-init does and served.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from layers.build import PACKAGE_SUFFIXES, REPO, LayerBuildError
from layers.gatherer import (
    DOCS_TARBALL,
    FIXED_MTIME,
    build_docs,
    build_wheel,
    docs_tarball,
    main,
    served_pages,
)
from snakebatch.gatherer.pages import PAGES, DocPages
from tests.support import fixture_answers, serve_fixture


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp("build"))


def test_wheel_is_pure_and_ships_the_package_without_its_extensions(wheel):
    assert wheel.path.name == "snakebatch-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel.path) as archive:
        names = set(archive.namelist())
        info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        assert "Root-Is-Purelib: true" in archive.read(info).decode()
        metadata = Parser().parsestr(archive.read(info.replace("WHEEL", "METADATA")).decode())
    assert not [n for n in names if n.endswith((".so", ".pyx", ".c", ".pyc"))]
    shipped = {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "snakebatch").rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.name.endswith(PACKAGE_SUFFIXES)
        and p.suffix != ".pyx"
    }
    assert shipped and shipped <= names, sorted(shipped - names)
    assert {"server", "aws"} <= set(metadata.get_all("Provides-Extra"))


def test_wheel_serves_a_fixture_model_with_the_pure_python_kernels(wheel, tmp_path):
    root = tmp_path / "site"
    with zipfile.ZipFile(wheel.path) as archive:
        archive.extractall(root)
    env = {**os.environ, "PYTHONPATH": str(root)}
    served = serve_fixture([sys.executable], env, tmp_path, 20)
    assert served["package"].startswith(str(root))
    assert served["compiled"] is False
    assert {k: served[k] for k in ("predictions", "probabilities")} == fixture_answers(20)


def test_wheel_rebuilds_to_the_same_bytes_and_replaces_older_wheels(wheel, tmp_path):
    stale = tmp_path / "gatherer" / "snakebatch-0.0.9-py3-none-any.whl"
    stale.parent.mkdir()
    stale.write_bytes(b"an older build")
    again = build_wheel(tmp_path)
    assert again.sha256 == wheel.sha256
    assert sorted(p.name for p in stale.parent.glob("*.whl")) == [wheel.path.name]


def fake_project(root: Path, setup_py: str) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "snakebatch"\nversion = "0.0.1"\n'
    )
    (root / "README.md").write_text("fake\n")
    (root / "setup.py").write_text(setup_py)
    (root / "snakebatch").mkdir()
    (root / "snakebatch" / "__init__.py").write_text("")
    return root


def test_a_platform_specific_wheel_is_refused(tmp_path):
    repo = fake_project(
        tmp_path / "repo",
        "from setuptools import setup\nfrom setuptools.dist import Distribution\n"
        "class Binary(Distribution):\n    def has_ext_modules(self):\n        return True\n"
        "setup(distclass=Binary)\n",
    )
    with pytest.raises(LayerBuildError, match=r"expected one pure wheel .*linux"):
        build_wheel(tmp_path / "out", repo=repo)
    assert not list((tmp_path / "out" / "gatherer").glob("*.whl"))


def test_a_failing_build_and_a_wrong_folder_are_typed_errors(tmp_path):
    repo = fake_project(tmp_path / "repo", "raise SystemExit('setup.py is broken')\n")
    with pytest.raises(LayerBuildError, match="pip wheel failed"):
        build_wheel(tmp_path / "out", repo=repo)
    with pytest.raises(LayerBuildError, match=r"not the snakebatch project: missing \['pyproject"):
        build_wheel(tmp_path / "out", repo=tmp_path / "nowhere")


def test_docs_tarball_holds_the_served_pages_flat_with_fixed_metadata(tmp_path):
    docs = build_docs(tmp_path)
    assert docs.path == tmp_path / DOCS_TARBALL
    raw = docs.path.read_bytes()
    assert raw[3] & 0x08 == 0, "no file name in the gzip header"
    assert raw[4:8] == b"\0\0\0\0", "no time in the gzip header"
    expected = [f"{n}.md" for n in PAGES if (REPO / "docs" / f"{n}.md").is_file()]
    with tarfile.open(docs.path) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(expected)
    assert all(
        (m.mtime, m.mode, m.uid, m.gid, m.uname, m.gname, m.isfile())
        == (FIXED_MTIME, 0o644, 0, 0, "root", "root", True)
        for m in members
    )
    assert "internals.md" not in {m.name for m in members}
    served = tmp_path / "served"
    served.mkdir()
    subprocess.run(["tar", "-xzf", str(docs.path), "-C", str(served)], check=True)
    assert DocPages(served).available() == DocPages(REPO / "docs").available()
    for name in expected:
        assert (served / name).read_bytes() == (REPO / "docs" / name).read_bytes()


def test_same_docs_give_the_same_bytes_and_an_edit_changes_them(tmp_path):
    copy = tmp_path / "docs"
    shutil.copytree(REPO / "docs", copy)
    for path in copy.iterdir():
        os.utime(path, (1, 1))
        path.chmod(0o600)
    ours = docs_tarball(served_pages(copy), tmp_path / "a.tar.gz")
    repo = build_docs(tmp_path / "b")
    assert ours.sha256 == repo.sha256
    page = served_pages(copy)[0]
    page.write_text(page.read_text() + "\nOne more line.\n")
    assert docs_tarball(served_pages(copy), tmp_path / "c.tar.gz").sha256 != ours.sha256


def test_docs_inputs_that_cannot_make_a_tarball_are_typed_errors(tmp_path):
    with pytest.raises(LayerBuildError, match="does not exist"):
        served_pages(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "internals.md").write_text("# not served\n")
    with pytest.raises(LayerBuildError, match="none of the served pages"):
        served_pages(tmp_path / "empty")
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "paper.md").write_text(folder)
    with pytest.raises(LayerBuildError, match="share a file name"):
        docs_tarball([tmp_path / "x" / "paper.md", tmp_path / "y" / "paper.md"], tmp_path / "d")


def test_command_line_builds_both_into_out(tmp_path, capsys):
    assert main(["--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "snakebatch-0.1.0-py3-none-any.whl" in printed and "docs.tar.gz" in printed
    assert sorted(p.name for p in (tmp_path / "gatherer").iterdir()) == [
        "docs.tar.gz",
        "snakebatch-0.1.0-py3-none-any.whl",
    ]
