"""incidents.metrics.stats: the honest figures computed by hand, and their properties (contract section 6)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.metrics import stats

# -- the median's 95% interval from order statistics ----------------------------------------------
# B ~ Binomial(n, 1/2); l = the largest k >= 1 with P(B <= k - 1) <= 0.025; interval [x(l), x(n - l + 1)].


def test_median_interval_n5_does_not_exist():
    # P(B <= 0) = 1/2^5 = 1/32 = 0.03125 > 0.025: not even k = 1 qualifies.
    assert stats.median_ci_rank(5) is None
    assert stats.median_ci([5, 1, 4, 2, 3]) == (None, None)


def test_median_interval_n6_is_min_to_max():
    # P(B <= 0) = 1/64 = 0.0156 <= 0.025; P(B <= 1) = (1 + 6)/64 = 0.109 > 0.025 -> l = 1
    # interval [x(1), x(6)]: the smallest and the largest value.
    assert stats.median_ci_rank(6) == 1
    assert stats.median_ci([30, 10, 60, 20, 50, 40]) == (10.0, 60.0)


def test_median_interval_n9():
    # P(B <= 1) = (1 + 9)/512 = 0.0195 <= 0.025; P(B <= 2) = (1 + 9 + 36)/512 = 0.0898 -> l = 2
    # interval [x(2), x(8)]
    values = [90, 10, 80, 20, 70, 30, 60, 40, 50]
    assert stats.median_ci_rank(9) == 2
    assert stats.median_ci(values) == (20.0, 80.0)


def test_median_interval_n20():
    # P(B <= 5) = (1 + 20 + 190 + 1140 + 4845 + 15504)/2^20 = 21700/1048576 = 0.0207 <= 0.025
    # P(B <= 6) = (21700 + 38760)/1048576 = 0.0577 > 0.025 -> l = 6; interval [x(6), x(15)]
    values = [float(v) for v in range(1, 21)][::-1]  # 20, 19, ..., 1
    assert stats.median_ci_rank(20) == 6
    assert stats.median_ci(values) == (6.0, 15.0)


def test_median_interval_rank_is_the_definition_for_every_n_up_to_400():
    # l by the letter: count the k >= 1 with P(B <= k - 1) <= 0.025 (the cdf grows with k)
    from scipy.stats import binom

    for n in range(1, 401):
        l = int(np.count_nonzero(binom.cdf(np.arange(n), n, 0.5) <= 0.025))
        assert stats.median_ci_rank(n) == (l if l >= 1 else None), n


def test_median_interval_leaves_missing_values_out():
    # NaN (an interval whose end is missing) is not a value: 6 values remain -> [x(1), x(6)]
    assert stats.median_ci([math.nan, 3, 1, 2, math.nan, 6, 5, 4]) == (1.0, 6.0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=0, max_size=80))
def test_median_interval_always_contains_the_median(values):
    low, high = stats.median_ci(values)
    if len(values) <= 5:
        assert (low, high) == (None, None)
    else:
        median = float(np.median(values))
        assert low <= median <= high
        assert low in values and high in values  # order statistics, not interpolated


# -- exact Poisson (Garwood) intervals --------------------------------------------------------------


def test_poisson_interval_k0():
    # low 0; high chi2.ppf(0.975, 2)/2: chi-square with 2 df is exponential with mean 2,
    # ppf(q) = -2 ln(1 - q), so high = -ln(0.025) = 3.68888
    assert stats.poisson_ci(0) == (0.0, pytest.approx(-math.log(0.025), rel=1e-12))


def test_poisson_interval_k1():
    # low chi2.ppf(0.025, 2)/2 = -ln(0.975) = 0.025318; high chi2.ppf(0.975, 4)/2 = 5.5716
    # (chi-square, 4 df: P(X <= x) = 1 - e^(-x/2) (1 + x/2); at x = 11.1433 that is 0.975)
    low, high = stats.poisson_ci(1)
    assert low == pytest.approx(-math.log(0.975), rel=1e-12)
    assert high == pytest.approx(5.5716, abs=1e-4)
    assert 1 - math.exp(-high) * (1 + high) == pytest.approx(0.975, abs=1e-12)


def test_poisson_interval_k10():
    # the tabulated exact interval for 10 events is 4.7954 - 18.3904
    low, high = stats.poisson_ci(10)
    assert (low, high) == (pytest.approx(4.7954, abs=1e-4), pytest.approx(18.3904, abs=1e-4))


def test_rate_per_week_divides_by_the_weeks_of_the_period():
    # 10 incidents in 2026-Q1 = 31 + 28 + 31 = 90 days = 90/7 weeks -> 10 * 7/90 = 0.7778 a week
    rate, low, high = stats.rate_per_week(10, 90)
    assert rate == pytest.approx(70 / 90)
    assert (low, high) == (pytest.approx(4.7954 * 7 / 90, abs=1e-4), pytest.approx(18.3904 * 7 / 90, abs=1e-4))


# -- comparison with the earlier group ---------------------------------------------------------------

EARLIER = [100, 110, 120, 130, 140, 150]


def test_verdict_better():
    # every new duration below every old one: U = 0, exact two-sided p = 2/C(12, 6) = 2/924 = 0.00216
    # ratio = median(12.5) / median(125) = 0.1 < 1 -> better
    out = stats.compare(EARLIER, [10, 11, 12, 13, 14, 15])
    assert out["mttr_change_p"] == pytest.approx(2 / 924)
    assert out["mttr_change_ratio"] == pytest.approx(12.5 / 125)
    assert out["mttr_trend"] == "better"


def test_verdict_worse():
    # the mirror image: U = 36, p = 2/924, ratio = 1250/125 = 10 > 1 -> worse
    out = stats.compare(EARLIER, [1000, 1100, 1200, 1300, 1400, 1500])
    assert out["mttr_change_p"] == pytest.approx(2 / 924)
    assert out["mttr_change_ratio"] == pytest.approx(10.0)
    assert out["mttr_trend"] == "worse"


def test_verdict_no_detectable_change():
    # interleaved samples: 105 < 110, 115 < 120, ... U = 15 of 36 possible; exact p = 0.6991 (>= 0.05)
    # even though the median moved by a ratio of 130/125 = 1.04
    out = stats.compare(EARLIER, [105, 115, 125, 135, 145, 155])
    assert out["mttr_change_ratio"] == pytest.approx(130 / 125)
    assert out["mttr_change_p"] == pytest.approx(0.6991, abs=1e-4)
    assert out["mttr_trend"] == "no detectable change"


def test_a_large_ratio_on_two_incidents_is_no_detectable_change():
    # 1 and 2 incidents: the exact test cannot go below p = 2/3; ratio 10 is noise
    out = stats.compare([10], [100, 100])
    assert out["mttr_change_ratio"] == 10.0 and out["mttr_change_p"] > 0.05
    assert out["mttr_trend"] == "no detectable change"
    assert out["mttr_detectable_ratio"] is None  # the earlier group has fewer than 2 values above 0


def test_detectable_ratio_by_hand():
    # ln values 0, 2 and 1, 3: each sample variance (n - 1 = 1) = ((-1)^2 + 1^2)/1 = 2;
    # pooled = (1 * 2 + 1 * 2)/(2 + 2 - 2) = 2, s = sqrt(2); sqrt(1/2 + 1/2) = 1
    # detectable = exp(2.80 * sqrt(2) * 1) = exp(3.9598) = 52.46
    out = stats.compare([math.exp(0), math.exp(2)], [math.exp(1), math.exp(3)])
    assert out["mttr_detectable_ratio"] == pytest.approx(math.exp(2.80 * math.sqrt(2)))


def test_detectable_ratio_ignores_zero_durations():
    # 0 has no logarithm: [0, 5] has one value above 0 -> null; [0, e^0, e^2] keeps e^0 and e^2
    assert stats.compare([0, 5], [1, 2, 3])["mttr_detectable_ratio"] is None
    s, n1, n2 = stats.pooled_log_sd(np.array([0.0, 1.0, math.exp(2)]), np.array([math.exp(1), math.exp(3)]))
    assert (s, n1, n2) == (pytest.approx(math.sqrt(2)), 2, 2)


def test_ratio_of_a_zero_median_is_null():
    out = stats.compare([0, 0, 0], [5, 6, 7])
    assert out["mttr_change_ratio"] is None and out["mttr_trend"] == "no detectable change"


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=0.01, max_value=5),
    st.integers(2, 500),
    st.integers(2, 500),
    st.integers(0, 500),
    st.integers(0, 500),
)
def test_more_data_never_widens_the_detectable_ratio(s, n1, n2, more1, more2):
    """ "The same spread" = the same pooled standard deviation s of ln(minutes): with s held fixed,
    adding incidents to either sample (n1 + more1, n2 + more2) never raises exp(2.80 s sqrt(1/n1 + 1/n2))."""
    before = stats.detectable_ratio(s, n1, n2)
    after = stats.detectable_ratio(s, n1 + more1, n2 + more2)
    assert after <= before
    assert after > 1.0  # any finite sample leaves some change undetectable


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(min_value=0.1, max_value=1e5), min_size=2, max_size=30),
    st.lists(st.floats(min_value=0.1, max_value=1e5), min_size=2, max_size=30),
    st.integers(2, 5),
)
def test_repeating_both_samples_keeps_s_close_and_narrows_the_detectable_ratio(a, b, times):
    """Sample-level form: repeating each sample k times keeps the spread of the log values (the same
    values in the same proportions; the pooled SD changes only through its n - 2 correction:
    k X/(k N - 2) <= X/(N - 2) for k >= 1, so it never grows) while the sizes grow k-fold."""
    a, b = np.array(a), np.array(b)
    s0, _, _ = stats.pooled_log_sd(a, b)
    s1, n1, n2 = stats.pooled_log_sd(np.tile(a, times), np.tile(b, times))
    if s0 is None or s0 == 0:
        return
    assert s1 <= s0 * (1 + 1e-9)
    assert stats.detectable_ratio(s1, n1, n2) <= stats.detectable_ratio(s0, len(a), len(b)) * (1 + 1e-9)


def test_the_special_functions_give_scipy_stats_figures_to_the_bit():
    """median_ci and poisson_ci avoid importing scipy.stats (a second per run); same numbers exactly."""
    from scipy.stats import binom, chi2

    binom_ppf, binom_cdf, chi2_ppf = stats._distributions()
    for n in [*range(1, 2001), 9999, 10000, 50001, 100000, 250000]:
        j = binom.ppf(stats.ALPHA / 2, n, 0.5)
        assert binom_ppf(stats.ALPHA / 2, n, 0.5) == j, n
        assert binom_cdf(int(j), n, 0.5) == binom.cdf(int(j), n, 0.5), n
    for df in range(1, 3002):
        for q in (stats.ALPHA / 2, 1 - stats.ALPHA / 2):
            assert chi2_ppf(q, df) == chi2.ppf(q, df), (q, df)
