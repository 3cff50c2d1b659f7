"""Levenshtein: the bit-parallel implementation equals the textbook dynamic program."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from snakebatch.engine.measures import lev


def dp(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ch_a in enumerate(a, 1):
        current = [i]
        for j, ch_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ch_a != ch_b))
            )
        previous = current
    return previous[-1]


def test_known_distances() -> None:
    assert lev("kitten", "sitting") == 3
    assert lev("", "abc") == 3 and lev("abc", "") == 3
    assert lev("a😀b", "a😁b") == 1  # code points, not UTF-16 units
    assert lev("Frauenthal, Dr. Henry William", "Weir, Col. John") == dp(
        "Frauenthal, Dr. Henry William", "Weir, Col. John"
    )


def test_exact_up_to_256_then_bag_distance() -> None:
    a, b = "ab" * 128, "ba" * 128  # 256 each: still exact
    assert lev(a, b) == dp(a, b) == 2
    assert lev(a + "a", b + "b") == 2  # 257: bag distance (|a|-shared)+(|b|-shared)
    assert lev("x" * 64 + "y" * 64, "y" * 64 + "x" * 64) == dp(
        "x" * 64 + "y" * 64, "y" * 64 + "x" * 64
    )


small = st.text(alphabet="abcA😀 ", max_size=12)


@given(small, small)
def test_small_alphabet(a: str, b: str) -> None:
    assert lev(a, b) == dp(a, b)


@settings(max_examples=60)
@given(st.text(max_size=80), st.text(max_size=80))
def test_any_text(a: str, b: str) -> None:
    assert lev(a, b) == dp(a, b)


@settings(max_examples=20)
@given(st.text(alphabet="ab", min_size=60, max_size=256), st.text(alphabet="ab", max_size=256))
def test_long_words_across_word_boundaries(a: str, b: str) -> None:
    assert lev(a, b) == dp(a, b)
