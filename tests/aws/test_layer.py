"""The engine layer: built in the test run, unpacked clean, imported with only its tree.

The import runs in a fresh interpreter with ``-S`` (no site-packages) and
``PYTHONPATH`` set to the unpacked ``python/`` directory only, as Lambda mounts a
layer under ``/opt/python``; it must serve a reference fixture model exactly as the
engine does here, with the compiled kernels and, once they are removed or broken, with
the pure-Python fallback.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from layers.build import (
    FIXED_TIME,
    MAX_UNZIPPED_BYTES,
    MAX_ZIPPED_BYTES,
    Artefact,
    LayerBuildError,
    Target,
    build_function,
    build_layer,
    check_host,
    check_size,
    deterministic_zip,
)
from layers.elfcheck import ElfCheckError, check, read_needs
from tests.support import fixture_answers, serve_fixture

KERNEL_GLOB = "python/snakebatch/engine/_kernels*.so"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    layer, needs = build_layer(out)
    function = build_function(out)
    return out, layer, needs, function


def _unpack(zip_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(dest)
    return dest


def _serve(layer_dir: Path, cwd: Path) -> dict:
    """A bare interpreter: no site-packages, no repo on the path, only the layer."""
    python = getattr(sys, "_base_executable", sys.executable)
    env = {"PYTHONPATH": str(layer_dir / "python"), "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return serve_fixture([python, "-S"], env, cwd, 40)


def test_layer_serves_a_fixture_model_from_a_clean_directory(built, tmp_path):
    _, layer, _, _ = built
    root = _unpack(layer.path, tmp_path / "opt")
    assert list(root.glob(KERNEL_GLOB)), "the compiled kernels are in the layer"
    assert (root / "python" / "numpy").is_dir()
    served = _serve(root, tmp_path)
    assert served["package"].startswith(str(root))
    assert served["compiled"] is True
    assert {k: served[k] for k in ("predictions", "probabilities")} == fixture_answers(40)


def test_layer_falls_back_to_pure_python_when_the_module_cannot_load(built, tmp_path):
    _, layer, _, _ = built
    root = _unpack(layer.path, tmp_path / "opt")
    for module in root.glob(KERNEL_GLOB):
        module.write_bytes(b"\x7fELF not really")  # an unloadable module, as a glibc clash is
    served = _serve(root, tmp_path)
    assert served["compiled"] is False
    assert {k: served[k] for k in ("predictions", "probabilities")} == fixture_answers(40)


def test_compiled_modules_fit_the_lambda_runtime(built):
    _, _, needs, _ = built
    target = Target.from_settings()
    assert target.max_glibc == (2, 26)  # python3.11 runs on Amazon Linux 2
    ours = [n for n in needs if "snakebatch" in n.path.parts]
    assert ours and all(n.machine == "EM_X86_64" for n in ours)
    assert all(n.glibc <= (2, 26) for n in needs)
    module = ours[0].path
    assert read_needs(module).glibc >= (2, 2)
    with pytest.raises(ElfCheckError, match="needs GLIBC_"):
        check(module, max_glibc=(2, 1), architecture="x86_64")
    with pytest.raises(ElfCheckError, match="not arm64"):
        check(module, max_glibc=(2, 34), architecture="arm64")


def test_zip_is_deterministic_and_function_zip_holds_the_handler(built, tmp_path):
    out, layer, _, function = built
    package = out / "layer" / "tree" / "python" / "snakebatch"
    once = deterministic_zip(package, tmp_path / "once.zip")
    (package / "settings.json").touch()  # a new mtime must not change a byte
    twice = deterministic_zip(package, tmp_path / "twice.zip")
    assert once.sha256 == twice.sha256 and once.entries > 50
    with zipfile.ZipFile(layer.path) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert all(i.date_time == FIXED_TIME for i in archive.infolist())
        assert all(n.startswith("python/") for n in names)
        assert not any(n.endswith(".pyc") for n in names)
        assert not any(n.endswith(".c") for n in names if n.startswith("python/snakebatch/"))
    with zipfile.ZipFile(function.path) as archive:
        assert archive.namelist() == ["functions/handler_snake.py", "functions/handler_sweep.py"]
    rebuilt = build_function(tmp_path / "f")
    assert rebuilt.sha256 == function.sha256


def test_layers_over_lambda_quotas_are_refused(built):
    _, layer, _, _ = built
    check_size(layer, 60 * 1024 * 1024)
    too_big = Artefact(layer.path, layer.sha256, MAX_ZIPPED_BYTES + 1, layer.entries)
    with pytest.raises(LayerBuildError, match="zipped"):
        check_size(too_big, 1)
    with pytest.raises(LayerBuildError, match="unzips"):
        check_size(layer, MAX_UNZIPPED_BYTES + 1)


def test_bad_targets_are_typed_errors():
    with pytest.raises(LayerBuildError, match="unknown runtime"):
        _ = Target("python2.7", "x86_64").max_glibc
    with pytest.raises(LayerBuildError, match=r"needs Python 3\.12"):
        check_host(Target("python3.12", "x86_64"))
    with pytest.raises(LayerBuildError, match="arm64"):
        check_host(Target("python3.11", "arm64"))
    assert Target("python3.12", "x86_64").platforms()[0] == "manylinux_2_34_x86_64"
    assert Target("python3.11", "x86_64").platforms()[-1] == "manylinux2014_x86_64"
