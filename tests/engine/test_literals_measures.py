"""The character-class counts' ASCII fast path counts exactly what Python's predicates do."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from snakebatch.engine import measures as m


def slow(s: str) -> tuple[int, int, int]:
    return (
        sum(1 for c in s if c.isupper()),
        sum(1 for c in s if c.isdigit()),
        sum(1 for c in s if not c.isalnum() and not c.isspace()),
    )


def fast(s: str) -> tuple[int, int, int]:
    return m.upper_count(s), m.digit_count(s), m.special_count(s)


def test_every_ascii_character() -> None:
    for i in range(128):
        c = chr(i)
        assert fast(c) == slow(c), repr(c)
    everything = "".join(chr(i) for i in range(128))
    assert fast(everything) == slow(everything)


def test_known_values() -> None:
    assert fast("PC 17611") == (2, 5, 0)
    assert fast("Smith, Mr. John\x1c") == (3, 0, 2)  # \x1c is whitespace to Python
    assert fast("É²-½") == (1, 1, 1)  # non-ASCII takes the per-character path
    assert fast("") == (0, 0, 0)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_strings(s: str) -> None:
    assert fast(s) == slow(s)


@given(st.text())
def test_any_strings(s: str) -> None:
    assert fast(s) == slow(s)
