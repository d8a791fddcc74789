"""The engine's shortcuts give exactly what the plain numpy calls give."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.engagement_model import MEDIAN_SAMPLE_FROM, median
from analytics.engagement_outcome import _interpolated


@pytest.mark.parametrize("n", [1, 2, 3, 4, 101, MEDIAN_SAMPLE_FROM - 1, MEDIAN_SAMPLE_FROM, 50_001, 100_000])
def test_median_is_numpys_median(n):
    rng = np.random.default_rng(n)
    for values in (
        rng.standard_normal(n),
        rng.integers(0, 3, n).astype(float),  # ties everywhere
        np.sort(rng.standard_normal(n)),  # already ordered: a sample from the front would mislead
        np.abs(rng.standard_t(2, n)),  # heavy tails, as residuals' distances are
        np.concatenate([np.zeros(n - n // 2), np.full(n // 2, 5.0)]),  # two blocks: the middle falls between
    ):
        assert median(values) == np.median(values)


def test_filling_follower_gaps_is_numpys_interpolation_in_any_order():
    rng = np.random.default_rng(5)
    known_at = rng.uniform(0, 90, 5_000)
    known_at[:50] = known_at[50:100]  # posts published at the same moment
    known_values = rng.normal(9, 1, 5_000)
    at = rng.uniform(-5, 95, 2_000)
    order = np.argsort(known_at, kind="stable")
    assert np.array_equal(
        _interpolated(at, known_at, known_values), np.interp(at, known_at[order], known_values[order])
    )
