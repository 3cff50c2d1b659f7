"""Unit tests of the literal evaluator, one group per type of spec §2.4."""

from __future__ import annotations

import math

import pytest

from snakebatch.engine.literals import (
    LITERAL_TYPES,
    clause_holds,
    compile_clause,
    compile_condition,
    compile_literal,
    condition_holds,
    holds,
)

HEADER = ["y", "f", "g"]
NAN, INF = math.nan, math.inf


def both(kind: str, value, f) -> tuple[bool, bool]:
    """(negated=false, negated=true) results of a literal on ``{"f": f}``."""
    x = {"f": f}
    return holds([1, value, False, kind], x, HEADER), holds([1, value, True, kind], x, HEADER)


def test_all_29_types_are_known() -> None:
    assert len(LITERAL_TYPES) == 29 and len(set(LITERAL_TYPES)) == 29


@pytest.mark.parametrize("kind", LITERAL_TYPES)
def test_missing_key_is_false_both_ways_for_every_type(kind: str) -> None:
    values = {
        "LEV": ["a", 1.0], "JAC": ["a", 0.5], "SIM": ["a", 0.5], "PFX": ["a", 1], "SFX": ["a", 1],
        "CFC": [{"a": 1.0}, 0.5], "NZ": [0.0, 1.0, 0.0], "NRG": [0.0, 1.0],
    }  # fmt: skip
    value = values.get(kind, "a" if kind in ("T", "TEQ", "TSW", "TEW") else 1.0)
    for neg in (False, True):
        assert holds([1, value, neg, kind], {"g": "x"}, HEADER) is False


def test_unknown_type_is_false_both_ways() -> None:
    assert both("XYZ", 1.0, "anything") == (False, False)
    assert both("", 1.0, 3.0) == (False, False)


# -- text types on the raw value (§2.4 T, TN, TLN, TWS, TPS, TSS) ---------------------


def test_T_substring() -> None:
    assert both("T", "Mr", "Smith, Mr. John") == (True, False)
    assert both("T", "Mrs", "Smith, Mr. John") == (False, True)
    assert both("T", "", "") == (True, False)  # the empty token occurs everywhere
    assert both("T", "a", "") == (False, True)


def test_T_code_points_including_astral() -> None:
    assert both("T", "😀", "a😀b") == (True, False)
    assert both("T", "\ud83d", "a😀b") == (False, True)  # a lone surrogate is not inside


def test_T_on_non_string_uses_str() -> None:
    assert both("T", "5", 25.0) == (True, False)  # "25.0"
    assert both("T", ".0", 25.0) == (True, False)
    assert both("T", "True", True) == (True, False)
    assert both("T", "None", None) == (True, False)


def test_TN_length_in_code_points() -> None:
    assert both("TN", 3.5, "abc") == (True, False)
    assert both("TN", 3, "abc") == (False, True)  # 3 < 3 is false
    assert both("TN", 2.5, "😀😀😀") == (False, True)  # 3 code points, not 6 UTF-16 units
    assert both("TN", 0.5, "") == (True, False)
    assert both("TN", 4.5, 25.0) == (True, False)  # len("25.0") = 4


def test_TLN_distinct_characters() -> None:
    assert both("TLN", 2.5, "aab") == (True, False)
    assert both("TLN", 2, "aab") == (False, True)
    assert both("TLN", 0.5, "") == (True, False)


def test_split_counts() -> None:
    assert both("TWS", 3, "a b") == (True, False)  # 2 words
    assert both("TWS", 3, "a  b") == (False, True)  # consecutive spaces count: 3
    assert both("TWS", 1.5, "") == (True, False)  # "".split(" ") has 1 part
    assert both("TPS", 2.5, "a,b") == (True, False)
    assert both("TPS", 2.5, "a,,b") == (False, True)
    assert both("TSS", 2, "Mr.") == (False, True)
    assert both("TSS", 1.5, "no dot") == (True, False)


# -- numeric (§2.4 N, NZ, NL, NMG, NZR, NRG) ----------------------------------------------


def test_N_threshold_both_polarities() -> None:
    assert both("N", 15.5, 12.0) == (True, False)
    assert both("N", 15.5, 15.5) == (False, True)
    assert both("N", 15.5, 20) == (False, True)


def test_N_int_and_float_compare_exactly() -> None:
    big = 2**53 + 1
    assert both("N", float(2**53), big) == (False, True)  # exact: 2**53+1 ≥ 2**53
    assert both("N", big, float(2**53)) == (True, False)
    assert both("N", 1, True) == (False, True)  # bools are ints: True ≥ 1


def test_N_nan_is_false_both_ways_and_infinities_compare() -> None:
    assert both("N", 1.0, NAN) == (False, False)
    assert both("N", 1.0, INF) == (False, True)
    assert both("N", 1.0, -INF) == (True, False)
    assert both("N", INF, 1e308) == (True, False)


@pytest.mark.parametrize("kind", ["N", "NL", "NMG"])
@pytest.mark.parametrize("f", ["abc", "", None, [1], {"a": 1}])
def test_numeric_literal_on_non_number_is_false_both_ways(kind: str, f) -> None:
    assert both(kind, 1.0, f) == (False, False)


def test_NZ_zscore() -> None:
    assert both("NZ", [10.0, 2.0, 0.5], 10.5) == (True, False)  # z = 0.25
    assert both("NZ", [10.0, 2.0, 0.5], 11.0) == (False, True)  # z = 0.5
    assert both("NZ", [10.0, 2.0, 0.5], NAN) == (False, False)
    assert both("NZ", [10.0, 2.0, 0.5], "x") == (False, False)


def test_NZ_zero_sd_follows_ieee() -> None:
    assert both("NZ", [1.0, 0.0, 0.0], 2.0) == (False, True)  # +inf
    assert both("NZ", [1.0, 0.0, 0.0], 0.0) == (True, False)  # -inf
    assert both("NZ", [1.0, 0.0, 0.0], 1.0) == (False, False)  # 0/0 = NaN


def test_NL_signed_log() -> None:
    assert both("NL", math.log(11.0), 10.0) == (False, True)  # equal: not below
    assert both("NL", 0.5, 0.0) == (True, False)
    assert both("NL", -2.0, -10.0) == (True, False)  # -ln 11 < -2
    assert both("NL", 1.0, NAN) == (False, False)


def test_NMG_magnitude_python_form() -> None:
    assert both("NMG", 3, 1000.0) == (False, True)  # floor(log10(1000)) = 3
    assert both("NMG", 3, 999.0) == (True, False)
    assert both("NMG", 0.5, 0.0) == (True, False)  # mag(0) = 0
    assert both("NMG", -1.5, 0.01) == (True, False)  # floor(log10(0.01)) = -2
    assert both("NMG", 0, NAN) == (False, False)  # reference raises; here false both ways
    assert both("NMG", 400, INF) == (False, True)  # magnitude of infinity is +inf


def test_NZR_equals_zero() -> None:
    assert both("NZR", 0, 0.0) == (True, False)
    assert both("NZR", 0, -0.0) == (True, False)
    assert both("NZR", 0, False) == (True, False)
    assert both("NZR", 0, "0") == (False, True)  # a string is not the number 0
    assert both("NZR", 0, NAN) == (False, True)
    assert both("NZR", 0, 3.0) == (False, True)


def test_NRG_inverted_polarity_half_open() -> None:
    assert both("NRG", [1.0, 2.0], 1.5) == (False, True)  # inside
    assert both("NRG", [1.0, 2.0], 2.0) == (False, True)  # hi is inside
    assert both("NRG", [1.0, 2.0], 1.0) == (True, False)  # lo is outside
    assert both("NRG", [1.0, 2.0], NAN) == (True, False)  # NaN: "not inside"
    assert both("NRG", [1.0, 2.0], "x") == (False, False)


# -- str()-based measures (§2.4 ND, TUC, TDC, TSC, ENT, HEX, REP, TVR) --------------------


def test_ND_counts_digits_of_the_float_rendering() -> None:
    assert both("ND", 3, 25.0) == (False, True)  # "25.0": 3 digits
    assert both("ND", 3, 25) == (True, False)  # "25": 2 digits
    assert both("ND", 2, 1e-05) == (False, True)  # "1e-05": 3 digits
    assert both("ND", 1, "²") == (False, True)  # superscript two is a digit: 1 ≥ 1


def test_ND_scientific_rendering() -> None:
    assert both("ND", 3.5, 1e16) == (True, False)  # "1e+16" has 3 digits
    assert both("ND", 3, 1e16) == (False, True)


def test_char_class_counts() -> None:
    assert both("TUC", 2, "ABc") == (False, True)
    assert both("TUC", 1, "abc") == (True, False)
    assert both("TUC", 1, "Éa") == (False, True)  # unicode uppercase
    assert both("TDC", 2, "a1b2") == (False, True)
    assert both("TSC", 1, "a b") == (True, False)  # space is not special
    assert both("TSC", 2, "a-b!") == (False, True)
    assert both("TSC", 0.5, "") == (True, False)


def test_ENT_entropy() -> None:
    assert both("ENT", 1.0, "ab") == (False, True)  # exactly 1 bit
    assert both("ENT", 1.0001, "ab") == (True, False)
    assert both("ENT", 0.0001, "") == (True, False)
    assert both("ENT", 0.0, "aaaa") == (False, True)


def test_HEX_ratio() -> None:
    assert both("HEX", 1.0, "deadBEEF") == (False, True)
    assert both("HEX", 0.5, "xyz1") == (True, False)
    assert both("HEX", 0.0001, "") == (True, False)


def test_REP_repeat_period() -> None:
    assert both("REP", 1.0, "abab") == (False, True)
    assert both("REP", 0.0001, "abc") == (True, False)  # shorter than 4
    assert both("REP", 1.0, "abcd") == (True, False)


def test_TVR_vowel_ratio() -> None:
    assert both("TVR", 0.5, "ab") == (False, True)
    assert both("TVR", 0.1, "") == (True, False)
    assert both("TVR", 0.1, "xyz") == (True, False)


# -- reference-pair types (§2.4 LEV, JAC, SIM, PFX, SFX, CFC) --------------------------------


def test_LEV_reversed_polarity() -> None:
    assert both("LEV", ["kitten", 2.5], "sitting") == (True, False)  # distance 3 > 2.5
    assert both("LEV", ["kitten", 3.0], "sitting") == (False, True)
    assert both("LEV", ["", 0.5], "") == (False, True)
    assert both("LEV", ["abc", 2.5], 25.0) == (True, False)  # "25.0" vs "abc": 4


def test_LEV_bag_distance_above_256() -> None:
    a = "ab" * 150  # 300 characters
    b = "ba" * 150
    assert both("LEV", [b, 0.5], a) == (False, True)  # bag distance 0, not the DP's 2


def test_JAC_bigram_jaccard() -> None:
    assert both("JAC", ["ab", 0.5], "a") == (True, False)  # 0.0
    assert both("JAC", ["a", 1.0], "a") == (False, True)  # both short and equal: 1.0
    assert both("JAC", ["abc", 0.5], "abd") == (True, False)  # 1/3
    assert both("JAC", ["abc", 1 / 3], "abd") == (False, True)


def test_SIM_subsequence_score() -> None:
    assert both("SIM", ["ace", 1.0], "abcde") == (False, True)
    assert both("SIM", ["aec", 0.7], "abcde") == (True, False)  # 2/3
    assert both("SIM", ["", 0.5], "abc") == (True, False)  # empty reference: 0.0
    assert both("SIM", ["😀x", 1.0], "a😀bx") == (False, True)


def test_PFX_SFX_common_affixes() -> None:
    assert both("PFX", ["PC 17", 3.5], "PC 12") == (False, True)  # 4 ≥ 3.5
    assert both("PFX", ["PC 17", 4.5], "PC 12") == (True, False)
    assert both("SFX", ["abcz", 2.5], "xbcz") == (False, True)
    assert both("SFX", ["", 0.5], "abc") == (True, False)


def test_CFC_chi_square_reversed_polarity() -> None:
    ref = {"a": 0.5, "b": 0.5}
    assert both("CFC", [ref, 0.1], "ab") == (False, True)  # chi = 0: below
    assert both("CFC", [ref, 0.1], "zz") == (True, False)


# -- exact string tests (§2.4 TEQ, TSW, TEW) ------------------------------------------------


def test_TEQ_on_rendering() -> None:
    assert both("TEQ", "male", "male") == (True, False)
    assert both("TEQ", "25.0", 25.0) == (True, False)
    assert both("TEQ", "25", 25.0) == (False, True)
    assert both("TEQ", "", "") == (True, False)


def test_TSW_TEW() -> None:
    assert both("TSW", "PC", "PC 17611") == (True, False)
    assert both("TSW", "C", "PC 17611") == (False, True)
    assert both("TEW", "11", "PC 17611") == (True, False)
    assert both("TEW", "", "x") == (True, False)


# -- clauses and conditions (§2.1) ----------------------------------------------------------


def test_clause_is_or_and_empty_clause_is_false() -> None:
    x = {"f": 3.0, "g": "abc"}
    assert clause_holds([[1, 1.0, False, "N"], [2, "b", False, "T"]], x, HEADER) is True
    assert clause_holds([[1, 1.0, False, "N"], [2, "z", False, "T"]], x, HEADER) is False
    assert clause_holds([], x, HEADER) is False


def test_condition_is_and_and_empty_condition_matches() -> None:
    x = {"f": 3.0, "g": "abc"}
    assert condition_holds([[1, 5.0, False, "N"], [2, "b", False, "T"]], x, HEADER) is True
    assert condition_holds([[1, 5.0, False, "N"], [2, "z", False, "T"]], x, HEADER) is False
    assert condition_holds([], x, HEADER) is True


def test_negated_is_read_as_a_truth_value() -> None:
    x = {"f": 3.0}
    assert holds([1, 5.0, 1, "N"], x, HEADER) is False
    assert holds([1, 5.0, 0, "N"], x, HEADER) is True


def test_ints_beyond_the_double_range_never_raise() -> None:
    big = 10**400
    assert both("N", 1e308, big) == (False, True)
    assert both("N", math.inf, big) == (True, False)  # exact: 10**400 < inf
    assert both("NZ", [1.0, 1e308, 1e300], big) == (True, False)  # exact z = 1e92
    assert both("NZ", [1.0, 2.0, 0.5], -big) == (True, False)
    assert both("NZ", [1.0, 0.0, 0.5], big) == (False, True)  # sd 0: +inf
    assert both("NL", 921.0, big) == (False, True)  # ln(1e400 + 1) ≈ 921.03
    assert both("NL", 922.0, big) == (True, False)
    assert both("NL", -921.0, -big) == (True, False)
    assert both("NMG", 400, big) == (False, True)  # floor(log10(1e400)) = 400
    assert both("NMG", 400.5, -big) == (True, False)
    assert both("NRG", [0.0, 1e308], big) == (True, False)
    assert both("NZR", 0, big) == (False, True)


def test_non_finite_and_bool_values_under_text_measures_use_their_rendering() -> None:
    assert both("TEQ", "inf", INF) == (True, False)
    assert both("TEQ", "nan", NAN) == (True, False)
    assert both("TN", 4, -INF) == (False, True)  # "-inf" has 4 characters
    assert both("T", "nan", NAN) == (True, False)
    assert both("TUC", 1, True) == (False, True)  # "True": one uppercase
    assert both("TSW", "Tr", True) == (True, False)
    assert both("TEW", "0", 1e16) == (False, True)  # "1e+16"
    assert both("HEX", 1.0, 1e16) == (True, False)  # "+" is not a hex digit


def test_astral_characters_count_once() -> None:
    s = "a😀😀"
    assert both("TLN", 2, s) == (False, True)  # {a, 😀}
    assert both("TN", 3, s) == (False, True)
    assert both("PFX", ["a😀b", 2], s) == (False, True)
    assert both("SFX", ["x😀", 1], s) == (False, True)
    assert both("REP", 1.0, "😀a😀a") == (False, True)
    assert both("LEV", ["a😀", 0.5], "a😁") == (True, False)  # one substitution: 1 > 0.5


@pytest.mark.parametrize("kind", [*LITERAL_TYPES, "XYZ"])
def test_compiled_literal_equals_holds(kind: str) -> None:
    values = {
        "LEV": ["ab", 1.0], "JAC": ["ab", 0.5], "SIM": ["ab", 0.5], "PFX": ["ab", 1],
        "SFX": ["ab", 1], "CFC": [{"a": 1.0}, 0.5], "NZ": [0.0, 1.0, 0.0], "NRG": [0.0, 1.0],
    }  # fmt: skip
    value = values.get(kind, "a" if kind in ("T", "TEQ", "TSW", "TEW") else 1.5)
    samples = ["", "a", "ab c", "😀", 0.0, -0.0, 1.5, NAN, INF, -INF, 10**400, True, None, [1]]
    for neg in (False, True):
        lit = [1, value, neg, kind]
        run = compile_literal(lit, HEADER)
        assert run({"g": 1}) is False
        for f in samples:
            assert bool(run({"f": f})) == holds(lit, {"f": f}, HEADER), (lit, f)


@pytest.mark.parametrize("width", [0, 1, 2, 3])
def test_compiled_clauses_and_conditions_equal_the_scalar_forms(width: int) -> None:
    pool = [
        [1, 2.0, False, "N"], [2, "b", False, "T"], [1, 2.0, True, "N"],
        [2, "z", True, "T"], [1, 1.0, False, "XYZ"],
    ]  # fmt: skip
    rows = [{}, {"f": 1.0}, {"f": 3.0, "g": "abc"}, {"g": "z"}, {"f": NAN, "g": "b"}]
    for start in range(len(pool)):
        lits = [pool[(start + k) % len(pool)] for k in range(width)]
        clause, condition = compile_clause(lits, HEADER), compile_condition(lits, HEADER)
        for x in rows:
            assert bool(clause(x)) == clause_holds(lits, x, HEADER), (lits, x)
            assert bool(condition(x)) == condition_holds(lits, x, HEADER), (lits, x)
