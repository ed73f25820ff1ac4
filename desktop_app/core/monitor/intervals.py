"""Confidence intervals for proportions, their differences and their ratios (pure functions, no numpy).

All take counts, not rates, so small groups keep their honest width. z defaults to the two-sided 95%
normal quantile. References:

- Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
  JASA 22:209-212. Worked values: Newcombe (1998a), Stat Med 17:857-872, Table I (81/263 -> 0.2553-0.3662).
- Newcombe, R. G. (1998b). Interval estimation for the difference between independent proportions:
  comparison of eleven methods. Stat Med 17:873-890, method 10 (hybrid score); Table II worked examples
  (56/70 - 48/80 -> 0.0524 to 0.3339).
- Katz, D., Baptista, J., Azen, S. P., Pike, M. C. (1978). Obtaining confidence intervals for the risk
  ratio in cohort studies. Biometrics 34:469-474 (log method).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # two-sided 95% standard normal quantile


@dataclass(frozen=True)
class Interval:
    """A point estimate with its interval and the method's name (None bounds: not defined here)."""

    estimate: float | None
    low: float | None
    high: float | None
    method: str

    def to_dict(self) -> dict[str, float | str | None]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "method": self.method}


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval for successes/n (Wilson 1927); estimate None and bounds None when n == 0."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes}/{n}")
    if n == 0:
        return Interval(None, None, None, "wilson")
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # Clamp the rounding noise at the edges (0/n gives low 0 exactly, n/n gives high 1 exactly).
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), "wilson")


def newcombe_difference(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> Interval:
    """Newcombe's hybrid score interval (1998b, method 10) for p1 - p2 = k1/n1 - k2/n2.

    Combines the two Wilson intervals (l1, u1), (l2, u2):
    low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    """
    a, b = wilson(k1, n1, z), wilson(k2, n2, z)
    if a.estimate is None or b.estimate is None:
        return Interval(None, None, None, "newcombe-hybrid-score")
    assert a.low is not None and a.high is not None and b.low is not None and b.high is not None
    p1, p2 = a.estimate, b.estimate
    d = p1 - p2
    delta = math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2)
    eps = math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2)
    return Interval(d, max(-1.0, d - delta), min(1.0, d + eps), "newcombe-hybrid-score")


def katz_ratio(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> Interval:
    """Katz log interval (Katz et al. 1978) for the ratio (k1/n1) / (k2/n2).

    exp(ln(RR) +- z * sqrt(1/k1 - 1/n1 + 1/k2 - 1/n2)). The log method is undefined when either count
    is 0: the estimate is still given where it exists (0 when k1 == 0), the bounds are None.
    """
    if n1 <= 0 or n2 <= 0:
        return Interval(None, None, None, "katz-log")
    if k2 == 0:
        return Interval(None, None, None, "katz-log")
    ratio = (k1 / n1) / (k2 / n2)
    if k1 == 0:
        return Interval(ratio, None, None, "katz-log")
    se = math.sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2)
    log_rr = math.log(ratio)
    return Interval(ratio, math.exp(log_rr - z * se), math.exp(log_rr + z * se), "katz-log")


def welch_mean_difference(mean1: float, var1: float, n1: int, mean2: float, var2: float, n2: int,
                          z: float = Z95) -> Interval:
    """Normal-approximation interval for mean1 - mean2 with unequal variances (sample variances given).

    Used for the confidence gap between groups (mean top-1 scores); needs n >= 2 in both groups.
    """
    if n1 < 2 or n2 < 2:
        d = mean1 - mean2 if n1 and n2 else None
        return Interval(d, None, None, "welch-normal")
    d = mean1 - mean2
    se = math.sqrt(max(var1, 0.0) / n1 + max(var2, 0.0) / n2)
    return Interval(d, d - z * se, d + z * se, "welch-normal")
