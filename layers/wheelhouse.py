"""The gatherer's wheelhouse: every dependency as a wheel for its host, pinned by hash.

The gatherer runs in a private subnet that may have no route to PyPI, so cloud-init
installs with ``pip install --no-index --require-hashes -r requirements.txt`` from
``build/gatherer/wheelhouse.tar``, which this module writes: the wheels pip resolves
for the ``server`` and ``aws`` extras on linux aarch64 / CPython 3.11 (Graviton,
Amazon Linux 2023), and a ``requirements.txt`` with one ``name==version
--hash=sha256:...`` line per wheel. A wheel built for another platform or Python is
refused here, not at boot.

Downloading needs the package index, so it happens once per set of requirements: the
wheels are kept under ``build/cache/wheelhouse/<key>/``, keyed by the requirements and
the target, and a rebuild with the same inputs reads them from there.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from layers.build import REPO, Artefact, LayerBuildError

WHEELHOUSE_TARBALL = Path("gatherer") / "wheelhouse.tar"
REQUIREMENTS = "requirements.txt"
GATHERER_EXTRAS = ("server", "aws")
PYTHON_VERSION = "3.11"
#: Amazon Linux 2023 has glibc 2.34; every manylinux tag up to it installs there.
PLATFORMS = (
    *(f"manylinux_2_{m}_aarch64" for m in range(34, 16, -1)),
    "manylinux2014_aarch64",
)
CACHE = REPO / "build" / "cache" / "wheelhouse"
#: {dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl (PEP 427).
WHEEL_NAME = re.compile(
    r"^(?P<dist>[A-Za-z0-9_.]+)-(?P<version>[^-]+)(?:-\d[^-]*)?-(?P<tag>[^-]+-[^-]+-[^-]+)\.whl$"
)
#: Pure wheels, or CPython 3.11 / stable-ABI wheels for manylinux aarch64.
COMPATIBLE_TAG = re.compile(
    r"^(?:(?:py3|py2\.py3)-none-any|cp3\d*-(?:cp311|abi3)-(?:manylinux[a-z0-9_]*aarch64\.?)+)$"
)


def project_requirements(pyproject: Path, extras: Sequence[str] = GATHERER_EXTRAS) -> list[str]:
    """The project's dependencies plus those of ``extras``, in order, each once."""
    project = tomllib.loads(pyproject.read_text())["project"]
    optional = project.get("optional-dependencies", {})
    missing = [e for e in extras if e not in optional]
    if missing:
        raise LayerBuildError(f"{pyproject} has no extras {missing}")
    found = [*project.get("dependencies", []), *(r for e in extras for r in optional[e])]
    name = project["name"]
    return list(dict.fromkeys(r for r in found if not r.startswith(f"{name}[")))


def wheel_pin(wheel: Path) -> tuple[str, str]:
    """``(normalised name, 'name==version --hash=sha256:...')`` for one compatible wheel."""
    match = WHEEL_NAME.match(wheel.name)
    if not match:
        raise LayerBuildError(f"{wheel.name} is not a wheel file name")
    if not COMPATIBLE_TAG.match(match["tag"]):
        raise LayerBuildError(
            f"{wheel.name} is tagged {match['tag']}: not installable on linux aarch64 CPython 3.11"
        )
    name = re.sub(r"[-_.]+", "-", match["dist"]).lower()
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    return name, f"{name}=={match['version']} --hash=sha256:{digest}"


def pinned_requirements(wheels: Iterable[Path]) -> str:
    """requirements.txt for ``--require-hashes``: one pinned, hashed line per wheel."""
    pins: dict[str, str] = {}
    for wheel in sorted(wheels, key=lambda p: p.name):
        name, line = wheel_pin(wheel)
        if name in pins:
            raise LayerBuildError(f"two wheels of {name}: {pins[name]} and {line}")
        pins[name] = line
    if not pins:
        raise LayerBuildError("the wheelhouse has no wheels")
    return "".join(f"{pins[name]}\n" for name in sorted(pins))


def cache_key(requirements: Sequence[str]) -> str:
    """Same requirements and target → same folder of downloaded wheels."""
    spec = {"requirements": list(requirements), "python": PYTHON_VERSION, "platforms": PLATFORMS}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def download(requirements: Sequence[str], dest: Path) -> None:
    """``pip download`` of the requirements and everything they need, binary only."""
    platforms = [arg for tag in PLATFORMS for arg in ("--platform", tag)]
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            PYTHON_VERSION,
            *platforms,
            "--dest",
            str(dest),
            *requirements,
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    if pip.returncode != 0:
        raise LayerBuildError(f"pip download failed:\n{pip.stderr.strip()[-3000:]}")


def cached_wheels(requirements: Sequence[str], cache: Path = CACHE) -> Path:
    """The folder of wheels for ``requirements``, downloading them only the first time."""
    folder = cache / cache_key(requirements)
    if (folder / REQUIREMENTS).is_file():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wheelhouse-", dir=cache) as tmp:
        staging = Path(tmp) / "wheels"
        staging.mkdir()
        download(requirements, staging)
        (staging / REQUIREMENTS).write_text(pinned_requirements(staging.glob("*.whl")))
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    return folder


def wheelhouse_tarball(folder: Path, tar_path: Path) -> Artefact:
    """An uncompressed tar of the wheels and requirements.txt (wheels are zips already)."""
    from layers.gatherer import deterministic_tar

    wheels = sorted(folder.glob("*.whl"))
    requirements = pinned_requirements(wheels)
    if (folder / REQUIREMENTS).read_text() != requirements:
        raise LayerBuildError(f"{folder / REQUIREMENTS} does not pin the wheels beside it")
    tar_path.parent.mkdir(parents=True, exist_ok=True)
    tar_path.write_bytes(deterministic_tar([folder / REQUIREMENTS, *wheels]))
    return Artefact.of(tar_path, entries=len(wheels) + 1)


def build_wheelhouse(out: Path, *, repo: Path = REPO, cache: Path = CACHE) -> Artefact:
    requirements = project_requirements(repo / "pyproject.toml")
    return wheelhouse_tarball(cached_wheels(requirements, cache), out / WHEELHOUSE_TARBALL)
