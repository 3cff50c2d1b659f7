"""Reproducible build of the gatherer's release artefacts Terraform uploads.

``python -m layers.gatherer`` (and ``python -m layers.build``, which builds everything) writes

* ``build/gatherer/snakebatch-<version>-py3-none-any.whl`` — the package the gatherer's
  cloud-init installs with its ``server,aws`` extras;
* ``build/gatherer/docs.tar.gz`` — the pages the gatherer serves (``docs/<page>.md`` for
  each page of ``snakebatch.gatherer.pages.PAGES`` the repository has), flat, because
  cloud-init untars it into ``SNAKEBATCH_DOCS_DIR``.

The wheel is pure Python on purpose. The gatherer runs on arm64 (Graviton) and does not
train, so the Cython kernels would buy it nothing, while a wheel built here would carry
x86_64 modules. ``setup.py`` cythonizes every ``_*.pyx`` it finds and has no switch to
skip them, so the wheel is built from a staged copy of the sources without them; the
engine then uses its pure-Python kernels, which are what the compiled ones are tested
against. The wheel's name is checked: a platform tag fails the build.

Same sources → same bytes: the wheel gets ``SOURCE_DATE_EPOCH`` and fixed file modes
(setuptools sorts entries itself); the tarball has sorted entries, a fixed mtime, root
ownership, mode 0644 and a gzip header without a name or a time. Terraform keys the
uploads by content, so only a real change rolls the gatherer.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from layers.build import REPO, Artefact, LayerBuildError, output_parser
from snakebatch.gatherer.pages import PAGES

GATHERER_DIR = Path("gatherer")
DOCS_TARBALL = GATHERER_DIR / "docs.tar.gz"
#: 1980-01-01T00:00:00Z, the time the layer zips carry (zip cannot go earlier).
FIXED_MTIME = 315532800
#: What setuptools needs to build the wheel; the package itself is staged separately.
PROJECT_FILES = ("pyproject.toml", "setup.py", "README.md")
PURE_WHEEL = re.compile(r"^snakebatch-[0-9][^-]*-py3-none-any\.whl$")


def stage_sources(repo: Path, dest: Path) -> None:
    """The project without compiled-extension sources, build output or caches."""
    missing = [name for name in PROJECT_FILES if not (repo / name).is_file()]
    if missing or not (repo / "snakebatch").is_dir():
        raise LayerBuildError(
            f"{repo} is not the snakebatch project: missing {missing or 'snakebatch/'}"
        )
    for name in PROJECT_FILES:
        shutil.copyfile(repo / name, dest / name)
    for path in sorted((repo / "snakebatch").rglob("*")):
        rel = path.relative_to(repo)
        if path.is_dir() or "__pycache__" in rel.parts:
            continue
        if path.suffix in {".pyx", ".so", ".c", ".pyc"}:
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        target.chmod(0o644)


def build_wheel(out: Path, *, repo: Path = REPO) -> Artefact:
    """``pip wheel --no-deps`` of the staged sources into ``out/gatherer/``.

    Earlier wheels there are removed first: the envs pick the one wheel in the folder.
    """
    dest = out / GATHERER_DIR
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="snakebatch-wheel-") as tmp:
        stage, wheels = Path(tmp) / "src", Path(tmp) / "wheels"
        stage.mkdir()
        stage_sources(repo, stage)
        env = {
            **os.environ,
            "SOURCE_DATE_EPOCH": str(FIXED_MTIME),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(setuptools_vendor()), os.environ.get("PYTHONPATH")) if p
            ),
        }
        pip = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-index",
                "--no-build-isolation",
                "--disable-pip-version-check",
                "--wheel-dir",
                str(wheels),
                str(stage),
            ],
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if pip.returncode != 0:
            raise LayerBuildError(f"pip wheel failed:\n{pip.stderr.strip()[-3000:]}")
        built = sorted(p.name for p in wheels.glob("*.whl"))
        if len(built) != 1 or not PURE_WHEEL.match(built[0]):
            raise LayerBuildError(
                f"expected one pure wheel snakebatch-<version>-py3-none-any.whl, pip built {built}"
            )
        for old in dest.glob("snakebatch-*.whl"):
            old.unlink()
        wheel = dest / built[0]
        shutil.copyfile(wheels / built[0], wheel)
    return Artefact.of(wheel, entries=_wheel_entries(wheel))


def setuptools_vendor() -> Path:
    """setuptools' own bundled dependencies, to be found before the venv's.

    setuptools >= 77 needs ``packaging`` >= 24.2 to read the project's license
    expression, and checkov pins an older one into the dev venv; setuptools only appends
    its bundled copy to ``sys.path``, so the build backend is given it first.
    """
    spec = importlib.util.find_spec("setuptools")
    if spec is None or not spec.submodule_search_locations:
        raise LayerBuildError("setuptools is not installed; the wheel cannot be built")
    return Path(next(iter(spec.submodule_search_locations))) / "_vendor"


def _wheel_entries(wheel: Path) -> int:
    with zipfile.ZipFile(wheel) as archive:
        return len(archive.namelist())


def served_pages(docs: Path, pages: Iterable[str] = PAGES) -> list[Path]:
    """The docs the gatherer serves that exist, in page order; none is an error."""
    names = list(pages)
    if not docs.is_dir():
        raise LayerBuildError(f"docs folder {docs} does not exist")
    found = [docs / f"{name}.md" for name in names if (docs / f"{name}.md").is_file()]
    if not found:
        raise LayerBuildError(f"none of the served pages {names} is in {docs}")
    return found


def deterministic_tar(files: Iterable[Path]) -> bytes:
    """An uncompressed tar of ``files`` at its top level: sorted, fixed mtime, owner, mode."""
    members = sorted(files, key=lambda p: p.name)
    names = [p.name for p in members]
    if len(set(names)) != len(names):
        raise LayerBuildError(f"two files share a file name: {names}")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in members:
            data = path.read_bytes()
            info = tarfile.TarInfo(path.name)
            info.size = len(data)
            info.mtime = FIXED_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def docs_tarball(files: Iterable[Path], tar_path: Path) -> Artefact:
    """A gzipped tar of ``files`` at its top level, identical for identical contents."""
    members = list(files)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(deterministic_tar(members))
    tar_path.parent.mkdir(parents=True, exist_ok=True)
    tar_path.write_bytes(buffer.getvalue())
    return Artefact.of(tar_path, entries=len(members))


def build_docs(out: Path, *, docs: Path = REPO / "docs") -> Artefact:
    return docs_tarball(served_pages(docs), out / DOCS_TARBALL)


def build_gatherer(out: Path, *, repo: Path = REPO) -> tuple[Artefact, Artefact]:
    """The wheel and the docs tarball, in ``out/gatherer/``."""
    return build_wheel(out, repo=repo), build_docs(out, docs=repo / "docs")


def main(argv: list[str] | None = None) -> int:
    args = output_parser("python -m layers.gatherer", __doc__.splitlines()[0]).parse_args(argv)
    try:
        artefacts = build_gatherer(args.out)
    except (LayerBuildError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for art in artefacts:
        print(art.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
