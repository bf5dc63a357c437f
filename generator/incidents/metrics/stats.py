"""The statistics behind the honest figures (contract section 6): small, pure functions.

- `median_ci`: a 95% distribution-free confidence interval of the median from
  order statistics. With x(1) <= ... <= x(n) and B ~ Binomial(n, 1/2), l is
  the largest k >= 1 with P(B <= k - 1) <= 0.025 and the interval is
  [x(l), x(n - l + 1)]; there is none for n <= 5 (even k = 1 has
  P(B <= 0) = 1/2^n > 0.025).
- `poisson_ci`: the exact (Garwood) 95% interval of a Poisson count k:
  [chi2.ppf(0.025, 2k) / 2, chi2.ppf(0.975, 2k + 2) / 2], low end 0 for k = 0.
- `compare`: one sample of durations against an earlier one: the ratio of the
  medians, the two-sided Mann-Whitney U p-value (scipy's default method), the
  smallest ratio these sample sizes could show with 80% power at the 5% level
  (exp(2.80 * s * sqrt(1/n1 + 1/n2)), s the pooled standard deviation of
  ln(minutes) of the values above 0), and the verdict.

scipy is imported inside the functions: `validate` and `check` never load it.
`median_ci` and `poisson_ci` call the special functions that scipy.stats'
`binom` and `chi2` call (`_distributions`), without importing scipy.stats
itself, which costs about a second at every `metrics` start; the figures are
the same to the bit (tests/test_stats.py compares them with scipy.stats).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

ALPHA = 0.05
# z(1 - 0.05/2) + z(0.80) = 1.960 + 0.842: the contract's 2.80.
POWER_Z = 2.80

BETTER, WORSE, NO_CHANGE = "better", "worse", "no detectable change"


@lru_cache(maxsize=4096)
def median_ci_rank(n: int) -> int | None:
    """l: the largest k >= 1 with P(B <= k - 1) <= 0.025 for B ~ Binomial(n, 1/2); None when none (n <= 5)."""
    if n < 1:
        return None
    binom_ppf, binom_cdf, _ = _distributions()
    # P(B <= k - 1) grows with k. j = binom.ppf(0.025) is the smallest j with P(B <= j) >= 0.025, so
    # k - 1 = j - 1 qualifies, and j itself only when P(B <= j) is exactly 0.025.
    j = int(binom_ppf(ALPHA / 2, n, 0.5))
    l = j + 1 if binom_cdf(j, n, 0.5) <= ALPHA / 2 else j
    return l if l >= 1 else None


@lru_cache(maxsize=1)
def _distributions():
    """(binom ppf, binom cdf, chi2 ppf) for 0 < q < 1, n >= 1, 0 <= k < n, df > 0: the functions behind
    scipy.stats' `binom.ppf`, `binom.cdf` and `chi2.ppf` there, or those themselves when this scipy
    does not have them under these names."""
    try:
        from scipy.special import _ufuncs, gammaincinv

        ppf, cdf = _ufuncs._binom_ppf, _ufuncs._binom_cdf
        return ppf, (lambda k, n, p: cdf(math.floor(k), n, p)), (lambda q, df: 2 * gammaincinv(df / 2, q))
    except (ImportError, AttributeError):  # pragma: no cover - another scipy
        from scipy.stats import binom, chi2

        return binom.ppf, binom.cdf, chi2.ppf


def median_ci(values: Sequence[float] | np.ndarray) -> tuple[float | None, float | None]:
    """(x(l), x(n - l + 1)) of the values (NaN left out), or (None, None) when n <= 5."""
    arr = np.asarray(values, dtype="float64")
    arr = np.sort(arr[~np.isnan(arr)])
    l = median_ci_rank(len(arr))
    if l is None:
        return None, None
    return float(arr[l - 1]), float(arr[len(arr) - l])


def poisson_ci(k: int) -> tuple[float, float]:
    """The exact (Garwood) 95% interval of the mean of a Poisson count k."""
    chi2_ppf = _distributions()[2]
    low = 0.0 if k == 0 else float(chi2_ppf(ALPHA / 2, 2 * k) / 2)
    high = float(chi2_ppf(1 - ALPHA / 2, 2 * k + 2) / 2)
    return low, high


def rate_per_week(k: int, days: float) -> tuple[float, float, float]:
    """k events in `days` days: (rate per week, interval low, interval high)."""
    weeks = days / 7.0
    low, high = poisson_ci(k)
    return k / weeks, low / weeks, high / weeks


def _finite(values) -> np.ndarray:
    arr = np.asarray(values, dtype="float64")
    return arr[~np.isnan(arr)]


def pooled_log_sd(a: np.ndarray, b: np.ndarray) -> tuple[float | None, int, int]:
    """(s, n1, n2): the pooled SD of ln(x) over the values above 0 of both samples, and their counts.

    s**2 = ((n1 - 1) * var1 + (n2 - 1) * var2) / (n1 + n2 - 2), the variances
    with n - 1 in the denominator; s is None when either sample has fewer than
    2 values above 0.
    """
    la, lb = np.log(a[a > 0]), np.log(b[b > 0])
    n1, n2 = len(la), len(lb)
    if n1 < 2 or n2 < 2:
        return None, n1, n2
    pooled = ((n1 - 1) * la.var(ddof=1) + (n2 - 1) * lb.var(ddof=1)) / (n1 + n2 - 2)
    return math.sqrt(pooled), n1, n2


def detectable_ratio(s: float, n1: int, n2: int) -> float:
    """exp(2.80 * s * sqrt(1/n1 + 1/n2)): the smallest ratio of medians seen with 80% power at 5%."""
    return math.exp(POWER_Z * s * math.sqrt(1.0 / n1 + 1.0 / n2))


def verdict(ratio: float | None, p: float | None) -> str:
    if p is not None and ratio is not None and p < ALPHA:
        if ratio < 1:
            return BETTER
        if ratio > 1:
            return WORSE
    return NO_CHANGE


def _none_if_nan(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def compare(earlier, this) -> dict:
    """The contract's four comparison figures of `this` sample against `earlier` (both in minutes).

    Both samples must hold at least one value. The ratio is None when the
    earlier median is 0 (no ratio of a zero), the p-value None when scipy
    cannot give one (NaN).
    """
    from scipy.stats import mannwhitneyu

    a, b = _finite(earlier), _finite(this)
    if len(a) == 0 or len(b) == 0:
        raise ValueError("compare() needs at least one value in each sample")
    m_a, m_b = float(np.median(a)), float(np.median(b))
    ratio = m_b / m_a if m_a > 0 else None
    p = _none_if_nan(mannwhitneyu(a, b, alternative="two-sided").pvalue)
    s, n1, n2 = pooled_log_sd(a, b)
    detectable = detectable_ratio(s, n1, n2) if s is not None else None
    return {
        "mttr_change_ratio": ratio,
        "mttr_change_p": p,
        "mttr_detectable_ratio": detectable,
        "mttr_trend": verdict(ratio, p),
    }
