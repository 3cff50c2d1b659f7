"""Which glibc (and architecture) a compiled module needs, read from its ELF headers.

A ``.so`` built on a newer distribution than Lambda's can import fine here and fail
in Lambda with ``version `GLIBC_2.38' not found``. The symbol versions it needs are
listed in the ELF ``.gnu.version_r`` section (what ``objdump -T`` prints), so the
layer build can refuse an incompatible module before it ships, as auditwheel does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

GLIBC = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$")
MACHINES = {"x86_64": "EM_X86_64", "arm64": "EM_AARCH64"}


class ElfCheckError(ValueError):
    """A compiled module cannot run on the target runtime."""


@dataclass(frozen=True)
class ElfNeeds:
    path: Path
    machine: str
    glibc: tuple[int, ...]  # the highest GLIBC_x.y version referenced, () if none
    libraries: tuple[str, ...]


def read_needs(path: Path) -> ElfNeeds:
    with path.open("rb") as handle:
        elf = ELFFile(handle)
        versions: list[tuple[int, ...]] = []
        libraries: list[str] = []
        for section in elf.iter_sections():
            if not isinstance(section, GNUVerNeedSection):
                continue
            for needed, aux in section.iter_versions():
                libraries.append(needed.name)
                for entry in aux:
                    match = GLIBC.match(entry.name)
                    if match:
                        versions.append(tuple(int(g) for g in match.groups() if g is not None))
        return ElfNeeds(path, elf["e_machine"], max(versions, default=()), tuple(libraries))


def check(path: Path, *, max_glibc: tuple[int, ...], architecture: str) -> ElfNeeds:
    """The module's needs, or ``ElfCheckError`` if the target runtime cannot load it."""
    if architecture not in MACHINES:
        raise ElfCheckError(f"unknown architecture {architecture!r}; expected {sorted(MACHINES)}")
    needs = read_needs(path)
    if needs.machine != MACHINES[architecture]:
        raise ElfCheckError(f"{path.name} is built for {needs.machine}, not {architecture}")
    if needs.glibc > max_glibc:
        have = ".".join(map(str, max_glibc))
        need = ".".join(map(str, needs.glibc))
        raise ElfCheckError(f"{path.name} needs GLIBC_{need}; the runtime provides {have}")
    return needs
