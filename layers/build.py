"""Reproducible build of the Lambda artefacts Terraform publishes.

``python -m layers.build`` writes

* ``build/layer/snakebatch-layer.zip`` — the engine layer: a ``python/`` tree with
  ``snakebatch`` (its compiled Cython modules built for the runtime and architecture
  in ``settings.json``) and its runtime dependency numpy as manylinux wheels;
* ``build/lambda/function.zip`` — ``functions/handler_snake.py`` (the shards) and
  ``functions/handler_sweep.py`` (the provisioned-concurrency sweeper), so the handler
  strings are ``functions/handler_snake.handler`` as in the repository (the Python
  runtime imports ``functions.handler_snake`` as a namespace package).
* ``build/gatherer/`` — the gatherer's pure wheel and docs tarball (``layers.gatherer``)
  and its hash-pinned wheelhouse of dependencies (``layers.wheelhouse``), which
  Terraform uploads to the job bucket for the gatherer's cloud-init.

Same sources → same bytes: entries sorted, timestamps fixed, permissions fixed, no
``.pyc``, the C compiled without debug info or build paths. boto3 is not bundled:
every Lambda Python runtime ships it.

Each compiled module is checked against the runtime before it ships: its ELF machine
must match the architecture and the glibc symbol versions it needs must not exceed
what the runtime's OS provides (python3.11 runs on Amazon Linux 2, glibc 2.26;
python3.12+ on Amazon Linux 2023, glibc 2.34). Dependencies are resolved for the same
manylinux ceiling, so pip picks a numpy whose wheel loads there. If the compiled
engine modules still cannot load, the engine falls back to its pure-Python kernels.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from layers.elfcheck import ElfNeeds, check
from snakebatch.settings import defaults

REPO = Path(__file__).resolve().parent.parent
RUNTIME_GLIBC = {
    "python3.10": (2, 26),
    "python3.11": (2, 26),
    "python3.12": (2, 34),
    "python3.13": (2, 34),
}
PIP_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}
#: The layer's runtime dependencies, pinned: the newest numpy with wheels for glibc 2.17+.
LAYER_REQUIREMENTS = ("numpy==2.2.6",)
PACKAGE_SUFFIXES = (".py", ".json", ".md", ".html", ".css", ".js", ".typed", ".pyx")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
#: Lambda's quotas: a zip uploaded directly (as Terraform's ``filename`` does) and the
#: unzipped size of a function with all its layers.
MAX_ZIPPED_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
LAYER_ZIP = Path("layer") / "snakebatch-layer.zip"
FUNCTION_ZIP = Path("lambda") / "function.zip"
#: The shards' handler and the provisioned-concurrency sweeper's; both use the layer.
FUNCTION_HANDLERS = ("handler_snake.py", "handler_sweep.py")


class LayerBuildError(RuntimeError):
    """The artefacts cannot be built for the requested runtime."""


@dataclass(frozen=True)
class Target:
    runtime: str
    architecture: str

    @classmethod
    def from_settings(cls) -> Target:
        d = defaults()
        return cls(d["lambda_runtime"], d["lambda_architecture"])

    @property
    def max_glibc(self) -> tuple[int, int]:
        if self.runtime not in RUNTIME_GLIBC:
            raise LayerBuildError(
                f"unknown runtime {self.runtime!r}; known: {sorted(RUNTIME_GLIBC)}"
            )
        return RUNTIME_GLIBC[self.runtime]

    @property
    def python_version(self) -> str:
        return self.runtime.removeprefix("python")

    def platforms(self) -> list[str]:
        """Every manylinux tag the runtime accepts, newest first."""
        arch = PIP_ARCH[self.architecture]
        major, minor = self.max_glibc
        tags = [f"manylinux_{major}_{m}_{arch}" for m in range(minor, 16, -1)]
        return [*tags, f"manylinux2014_{arch}"]


@dataclass(frozen=True)
class Artefact:
    path: Path
    sha256: str
    size: int
    entries: int

    @classmethod
    def of(cls, path: Path, *, entries: int) -> Artefact:
        """A built file with its digest and size, read back from disk as it was written."""
        data = path.read_bytes()
        return cls(path, hashlib.sha256(data).hexdigest(), len(data), entries)

    def summary(self) -> str:
        return f"{self.path}  {self.size:,} bytes  {self.entries} files  sha256 {self.sha256}"


def output_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The command line every build entry point shares: where to write."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--out", type=Path, default=REPO / "build", help="output directory (default: build/)"
    )
    return parser


def check_host(target: Target) -> None:
    """Extensions are built with this interpreter, so it must be the runtime's."""
    host = f"{sys.version_info.major}.{sys.version_info.minor}"
    if host != target.python_version:
        raise LayerBuildError(
            f"building for {target.runtime} needs Python {target.python_version}, not {host}"
        )
    machine = os.uname().machine
    if machine != PIP_ARCH.get(target.architecture):
        raise LayerBuildError(f"building for {target.architecture} on a {machine} host")


def compile_extensions(repo: Path, work: Path) -> list[Path]:
    """Compile every ``_*.pyx`` into ``work/lib``; returns the built modules."""
    lib = work / "lib"
    shutil.rmtree(work, ignore_errors=True)
    env = dict(os.environ)
    env["CFLAGS"] = f"-g0 -ffile-prefix-map={repo}=. -ffile-prefix-map={work}=."
    subprocess.run(
        [sys.executable, "-m", "layers.compile", str(lib), str(work / "tmp")],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )
    return sorted(lib.rglob("*.so"))


def copy_package(repo: Path, extensions: list[Path], lib: Path, dest: Path) -> None:
    """The package's sources and data (no caches, no C), then the fresh extensions."""
    source = repo / "snakebatch"
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(repo)
        if path.is_dir() or "__pycache__" in rel.parts or not path.name.endswith(PACKAGE_SUFFIXES):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    for module in extensions:
        target = dest / module.relative_to(lib)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(module, target)


def install_dependencies(target: Target, dest: Path, requirements: tuple[str, ...]) -> None:
    platforms = [arg for tag in target.platforms() for arg in ("--platform", tag)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "--no-deps",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            target.python_version,
            *platforms,
            "--target",
            str(dest),
            *requirements,
        ],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(dest / "bin", ignore_errors=True)
    for cache in sorted(dest.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)  # bytecode depends on the build; the runtime compiles its own


def check_modules(root: Path, target: Target) -> list[ElfNeeds]:
    return [
        check(p, max_glibc=target.max_glibc, architecture=target.architecture)
        for p in sorted(root.rglob("*.so"))
    ]


def deterministic_zip(root: Path, zip_path: Path) -> Artefact:
    """Zip ``root``'s files in sorted order with fixed times and modes."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(
        (p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).as_posix()
    )
    tmp = zip_path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=FIXED_TIME)
            executable = path.stat().st_mode & stat.S_IXUSR
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    os.replace(tmp, zip_path)
    return Artefact.of(zip_path, entries=len(files))


def build_layer(
    out: Path,
    *,
    target: Target | None = None,
    repo: Path = REPO,
    requirements: tuple[str, ...] = LAYER_REQUIREMENTS,
) -> tuple[Artefact, list[ElfNeeds]]:
    target = target or Target.from_settings()
    target.max_glibc  # noqa: B018  (validates the runtime before any work)
    check_host(target)
    work = out / "layer" / "work"
    tree = out / "layer" / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    extensions = compile_extensions(repo, work)
    python = tree / "python"
    copy_package(repo, extensions, work / "lib", python)
    install_dependencies(target, python, requirements)
    needs = check_modules(python, target)
    artefact = deterministic_zip(tree, out / LAYER_ZIP)
    check_size(artefact, sum(p.stat().st_size for p in tree.rglob("*") if p.is_file()))
    return artefact, needs


def check_size(artefact: Artefact, unzipped: int) -> None:
    """Refuse a layer Lambda would refuse, here rather than at deploy time."""
    if artefact.size > MAX_ZIPPED_BYTES:
        raise LayerBuildError(
            f"{artefact.path.name} is {artefact.size:,} bytes zipped; direct upload allows {MAX_ZIPPED_BYTES:,}"
        )
    if unzipped > MAX_UNZIPPED_BYTES:
        raise LayerBuildError(
            f"{artefact.path.name} unzips to {unzipped:,} bytes; Lambda allows {MAX_UNZIPPED_BYTES:,}"
        )


def build_function(out: Path, *, repo: Path = REPO) -> Artefact:
    tree = out / "lambda" / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    (tree / "functions").mkdir()
    for handler in FUNCTION_HANDLERS:
        shutil.copyfile(repo / "functions" / handler, tree / "functions" / handler)
    return deterministic_zip(tree, out / FUNCTION_ZIP)


def main(argv: list[str] | None = None) -> int:
    args = output_parser("python -m layers.build", __doc__.splitlines()[0]).parse_args(argv)
    from layers.gatherer import build_gatherer  # imports this module: resolved at run time
    from layers.wheelhouse import build_wheelhouse

    try:
        layer, needs = build_layer(args.out)
        function = build_function(args.out)
        wheel, docs = build_gatherer(args.out)
        wheelhouse = build_wheelhouse(args.out)
    except (LayerBuildError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(
            f"error: {exc.cmd[:4]} failed:\n{exc.stderr.decode(errors='replace')}", file=sys.stderr
        )
        return 2
    target = Target.from_settings()
    for art in (layer, function, wheel, docs, wheelhouse):
        print(art.summary())
    worst = max((n.glibc for n in needs), default=())
    print(
        f"{len(needs)} compiled modules for {target.runtime}/{target.architecture}; "
        f"highest glibc needed {'.'.join(map(str, worst)) or 'none'} "
        f"(runtime provides {'.'.join(map(str, target.max_glibc))})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
