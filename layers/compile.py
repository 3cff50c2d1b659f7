"""Compile the package's Cython modules into a build directory, and nothing else.

Run as ``python -m layers.compile BUILD_LIB BUILD_TEMP`` from the repository root. It
drives setuptools' ``build_ext`` through a bare ``Distribution`` instead of
``setup.py``: the project metadata in pyproject.toml plays no part in compiling two
extension modules, and reading it ties the build to whichever ``packaging`` the venv
happens to hold (checkov pins an old one that setuptools ≥ 77 refuses). Unlike the
install hook, a compile error here fails the build: a layer must say what it ships.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Distribution


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m layers.compile BUILD_LIB BUILD_TEMP", file=sys.stderr)
        return 2
    sources = sorted(str(p) for p in Path("snakebatch").rglob("_*.pyx"))
    modules = cythonize(
        sources,
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False},
        quiet=True,
    )
    for module in modules:
        module.include_dirs.append(numpy.get_include())
    dist = Distribution(
        {
            "name": "snakebatch-layer",
            "ext_modules": modules,
            "script_args": ["build_ext", "--build-lib", argv[0], "--build-temp", argv[1]],
        }
    )
    dist.parse_command_line()
    dist.run_commands()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
