"""Build hook for the optional Cython accelerators.

Every ``snakebatch/**/_*.pyx`` becomes an extension module. A failed compile must
not break the install: the engine falls back to its pure-Python evaluator, which is
the single source of truth the compiled code is tested against.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    def build_extension(self, ext) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # any compiler failure means "pure Python"
            print(f"warning: could not build {ext.name} ({exc}); using pure Python")


def ext_modules() -> list:
    sources = sorted(str(p) for p in Path("snakebatch").rglob("_*.pyx"))
    if not sources:
        return []
    import numpy
    from Cython.Build import cythonize

    modules = cythonize(
        sources,
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False},
        quiet=True,
    )
    for module in modules:
        module.include_dirs.append(numpy.get_include())
    return modules


setup(ext_modules=ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
