"""The engagement model: how good each weekday x hour is for one account, fitted to its posts.

Pure numpy, no Django. Input: the posts' outcomes (analytics/engagement_outcome.py). Output: a
`Fit`, log engagement per weekday x hour, cautious and optimistic. analytics/optimal_times.py
reads recommendations off it.

1. account level = median residual against the platform prior; residuals are winsorised at
   1.5 robust sds (MAD) and posts beyond 3 robust sds (viral hits, flops) are left out, so one
   outlier cannot decide the answer;
2. hour curve = Gaussian-process regression on the 24 hourly means with a periodic kernel (23
   and 0 are neighbours), centred on the platform prior: with few posts the prior stays in
   charge, with many the posts take over (the exact form of normal-normal shrinkage + smoothing).
   How far this account may stray from the prior (tau) is not fixed: the curves for a few
   values of tau are averaged, each weighted by how well it explains the account's posts;
3. weekday effect on what the hour curve leaves, shrunk harder; then a small hour x weekday
   interaction (smoothed across hours) shrunk harder still; two backfitting rounds;
4. young posts (a harvested reading before the post settled) read low: from the second round the
   gap between their residuals and settled posts' is measured and added back.

The prior is the platform's default hours as bumps, over a night trough.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engagement_outcome import DAYS, HOURS, Outcomes
from .platform_defaults import PlatformDefault

SIGMA0 = 0.9  # typical noise on the log scale; the small-sample fallback
SIGMA0_STRENGTH = 10.0  # posts' worth of belief in SIGMA0 before the account's own MAD takes over
SIGMA_FLOOR = 0.3
WINSOR_SD = 1.5  # Huber-like: engagement noise is heavy-tailed even without viral posts
# Further out than this, a post says more about its content than about its hour: leave it out
# rather than let it pull at 1.5 sds (3% viral posts cost ~0.02 regret at 40-120 posts offline).
REJECT_SD = 3.0

# sd of an account's hour curve around the prior, log units: some audiences follow the platform's
# rhythm closely, others barely. The answer averages over these, weighted by the evidence; a
# finer or wider grid made no difference offline, one value alone fits flat curves worse.
TAU_HOUR_GRID = (0.25, 0.4, 0.6)
TAU_DAY = 0.07  # weekday effects are smaller and noisier: shrink them harder
TAU_INTERACTION = 0.08  # an hour x weekday effect needs a lot of posts in that very slot
TAU_CAP = 1.0
HOUR_LENGTH = 3.0  # hours over which the curve stays correlated: audiences wake up gradually
BACKFIT_ROUNDS = 2
UNCERTAINTY_PENALTY = 0.5  # posterior sds subtracted before ranking hours
EXPLORE_SD = 1.0  # posterior sds added for an hour's upside (analytics/scheduling.py: worth trying)
LEVEL_SD = 1.0  # the account's own level is unknown a priori: let the data set it
YOUNG_SHIFT_POSTS = 3.0  # young posts' worth of belief in "young posts read no lower than settled ones"

# The prior: default hours are bumps on a log scale; the listed order is kept exactly.
PRIOR_PEAK = 0.12  # log units: default hours ~1.13x the quietest hour; a weak shape
PRIOR_SHOULDER = 0.07  # neighbours of default hours stay below every default hour
PRIOR_RANK_STEP = 0.01
PRIOR_KAPPA = 2.5  # von Mises concentration: bumps ~2-3 hours wide
PRIOR_NIGHT_DIP = 0.3  # log units at PRIOR_NIGHT_CENTRE: ~0.74x a daytime hour of the prior
PRIOR_NIGHT_CENTRE = 3.5
PRIOR_NIGHT_KAPPA = 2.5  # half depth about 3 hours either side: 0:30 and 6:30
PRIOR_DAY_PEAK = 0.10
PRIOR_DAY_RANK_STEP = 0.005

TOP_HOURS = 4

MEDIAN_SAMPLE_FROM = 20_000  # rows; below this np.partition on everything is as quick
MEDIAN_SAMPLE = 2_000  # confidence is about the hours a recommendation names


@dataclass(frozen=True)
class Fit:
    slots: np.ndarray  # (7, 24) log units, cautious: what ranks slots
    upside: np.ndarray  # (7, 24) log units, optimistic: what an hour with little data might be worth
    confidence: float  # 0..1: how much of the prior's uncertainty about the top hours the posts removed
    mean: np.ndarray  # (7, 24) log units, the posterior mean: neither cautious nor optimistic
    hour_covariance: np.ndarray  # (24, 24) posterior covariance of the hour curve: for posterior draws


# --- the prior -----------------------------------------------------------------------------


def circular_distance(a: np.ndarray, b: np.ndarray | int, period: int = HOURS) -> np.ndarray:
    gap = np.abs(np.asarray(a) - np.asarray(b)) % period
    return np.minimum(gap, period - gap)


def prior_hour_curve(default: PlatformDefault) -> np.ndarray:
    """The platform's hour curve in log units: default hours highest, in their listed order."""
    hours = np.arange(HOURS)
    bumps = np.zeros(HOURS)
    for rank, centre in enumerate(default.hours):
        angle = 2 * np.pi * (hours - centre) / HOURS
        bumps += (1.0 - 0.1 * rank) * np.exp(PRIOR_KAPPA * (np.cos(angle) - 1.0))
    curve = PRIOR_SHOULDER * bumps / bumps.max()
    # Every study finds the small hours quiet, whatever the platform: audiences sleep.
    night = 2 * np.pi * (hours - PRIOR_NIGHT_CENTRE) / HOURS
    curve -= PRIOR_NIGHT_DIP * np.exp(PRIOR_NIGHT_KAPPA * (np.cos(night) - 1.0))
    # Pin the default hours above every shoulder so the no-data answer is exactly the list.
    curve[list(default.hours)] = PRIOR_PEAK - PRIOR_RANK_STEP * np.arange(len(default.hours))
    return curve - curve.mean()


def prior_day_effect(default: PlatformDefault) -> np.ndarray:
    """Weekday offsets in log units; flat for platforms whose default is every day."""
    effect = np.zeros(DAYS)
    if len(default.days) < DAYS:
        effect[list(default.days)] = PRIOR_DAY_PEAK - PRIOR_DAY_RANK_STEP * np.arange(len(default.days))
    return effect - effect.mean()


def prior_slots(default: PlatformDefault) -> np.ndarray:
    """(7, 24) log units: what the platform's defaults alone say about each slot."""
    return prior_day_effect(default)[:, None] + prior_hour_curve(default)[None, :]


def _hour_kernel() -> np.ndarray:
    """Circular Gaussian kernel, bandwidth 1 hour, cut beyond 3 hours: pools the
    interaction's evidence across neighbouring hours of the same weekday."""
    distance = circular_distance(np.arange(HOURS)[:, None], np.arange(HOURS)[None, :])
    return np.where(distance <= 3, np.exp(-(distance**2) / 2.0), 0.0)


HOUR_KERNEL = _hour_kernel()


def _hour_covariance(length_hours: float) -> np.ndarray:
    """Matern-3/2 correlation between hours, by chord distance on the clock face.

    The chord makes 23 and 0 neighbours (and keeps the matrix positive definite). Matern 3/2
    rather than a squared exponential: the latter overshoots past a sharp peak, so a strong 23:00
    with no posts at 0:00 would make 0:00 look best.
    """
    angle = 2 * np.pi * (np.arange(HOURS)[:, None] - np.arange(HOURS)[None, :]) / HOURS
    chord = HOURS / np.pi * np.abs(np.sin(angle / 2))  # ~ hours apart, for nearby hours
    scaled = np.sqrt(3.0) * chord / length_hours
    return (1.0 + scaled) * np.exp(-scaled)


HOUR_SHAPES = np.asarray(TAU_HOUR_GRID)[:, None, None] ** 2 * _hour_covariance(HOUR_LENGTH)
_CENTRE = np.eye(HOURS) - 1.0 / HOURS
CENTRED_PRIOR_VARIANCE = np.diagonal(_CENTRE @ HOUR_SHAPES @ _CENTRE, axis1=1, axis2=2)


# --- the fit -------------------------------------------------------------------------------


def fit(posts: Outcomes, default: PlatformDefault) -> Fit:
    """Hour curve, weekday effect and a small interaction for this account, by backfitting."""
    hour, day, weight = posts.hour, posts.day, posts.weight
    prior_hour, prior_day = prior_hour_curve(default), prior_day_effect(default)
    deviation = posts.y - prior_hour[hour] - prior_day[day]
    level = median(deviation)
    outcome = posts.y - level
    counts = _Counts.of(hour, day, weight)
    cell = day * HOURS + hour  # a post's weekday x hour slot: one lookup in a (7, 24) table, not two

    hours = _HourCurve(prior_hour.copy(), data_share=np.zeros(HOURS), sd=np.zeros(HOURS), covariance=HOUR_SHAPES[0])
    day_effect = prior_day.copy()
    for round_ in range(BACKFIT_ROUNDS):  # hours given days, days given hours; re-robustify each round
        fitted = (day_effect[:, None] + hours.curve[None, :]).ravel().take(cell)
        clipped, sigma, dropped = _robust(outcome - fitted, hour, counts.posts)
        if round_ and posts.young is not None:  # once hours explain what they can, the rest of the gap is age
            outcome = outcome + _young_shift(clipped, posts.young, weight) * posts.young
            clipped, sigma, dropped = _robust(outcome - fitted, hour, counts.posts)
        kept_weight = weight.copy()
        kept_weight[dropped] = 0.0
        robust = fitted + clipped
        value = robust - day_effect[day]
        left = counts.posts - np.bincount(hour[dropped], minlength=HOURS) > 0
        hours = _hour_curve(
            np.bincount(hour, kept_weight * value, minlength=HOURS),
            np.where(left, _without(counts.hour_weights, hour, weight, dropped), 0.0),
            _without(counts.hour_weights_sq, hour, weight, dropped, squared=True),
            prior_hour,
            sigma,
        )
        value = robust - hours.curve[hour]
        day_sum = np.bincount(day, kept_weight * value, minlength=DAYS)
        # As for hours: a day whose posts were all dropped has no weight left, exactly (not a residue).
        days_left = counts.day_posts - np.bincount(day[dropped], minlength=DAYS) > 0
        day_weights = np.where(days_left, _without(counts.day_weights, day, weight, dropped), 0.0)
        day_weights_sq = _without(counts.day_weights_sq, day, weight, dropped, squared=True)
        # Each day's weighted sum around the prior, from the totals: no second pass over the posts.
        tau_day = _tau(day_sum - prior_day * day_weights, day_weights, day_weights_sq, sigma, TAU_DAY)
        day_effect = _shrunk(day_sum, day_weights, prior_day, sigma**2 / tau_day**2)

    # Interaction: what hour + day leave in each slot, smoothed across hours within the day.
    fitted = (day_effect[:, None] + hours.curve[None, :]).ravel().take(cell)
    leftover, sigma, dropped = _robust(outcome - fitted, hour, counts.posts)
    kept_weight = weight.copy()
    kept_weight[dropped] = 0.0
    cell_sum = np.bincount(cell, kept_weight * leftover, minlength=DAYS * HOURS).reshape(DAYS, HOURS) @ HOUR_KERNEL
    cell_weight = np.bincount(cell, kept_weight, minlength=DAYS * HOURS).reshape(DAYS, HOURS) @ HOUR_KERNEL
    interaction = _shrunk(cell_sum, cell_weight, np.zeros((DAYS, HOURS)), sigma**2 / TAU_INTERACTION**2)

    # Rank by a cautious estimate: an hour the posts barely cover must beat a well-covered one
    # by more than its extra uncertainty (no recommending an unposted hour on extrapolation alone).
    cautious = hours.curve - UNCERTAINTY_PENALTY * hours.sd
    slots = cautious[None, :] + day_effect[:, None] + interaction
    top = np.argsort(-slots.mean(axis=0), kind="stable")[:TOP_HOURS]
    upside = (hours.curve + EXPLORE_SD * hours.sd)[None, :] + day_effect[:, None] + interaction
    return Fit(
        slots=slots,
        upside=upside,
        confidence=float(hours.data_share[top].mean()),
        mean=hours.curve[None, :] + day_effect[:, None] + interaction,
        hour_covariance=hours.covariance,
    )


@dataclass(frozen=True)
class _Counts:
    """Per-hour and per-day totals over all posts, computed once and reused every round."""

    posts: np.ndarray
    hour_weights: np.ndarray
    hour_weights_sq: np.ndarray
    day_posts: np.ndarray
    day_weights: np.ndarray
    day_weights_sq: np.ndarray

    @classmethod
    def of(cls, hour: np.ndarray, day: np.ndarray, weight: np.ndarray) -> _Counts:
        return cls(
            posts=np.bincount(hour, minlength=HOURS),
            hour_weights=np.bincount(hour, weight, minlength=HOURS),
            hour_weights_sq=np.bincount(hour, weight**2, minlength=HOURS),
            day_posts=np.bincount(day, minlength=DAYS),
            day_weights=np.bincount(day, weight, minlength=DAYS),
            day_weights_sq=np.bincount(day, weight**2, minlength=DAYS),
        )


def _young_shift(residual: np.ndarray, young: np.ndarray, weight: np.ndarray) -> float:
    """How much lower young posts' readings sit than settled posts' (log units, never negative).

    A young post's counts are a reading taken before its engagement settled: cumulative, so only
    ever low. How low depends on the platform and the account, so it is measured here, on the
    posts the model has explained so far, and shrunk toward none when there are few young posts.
    """
    if young.all() or not young.any():
        return 0.0
    young_weight, settled_weight = weight[young], weight[~young]
    if young_weight.sum() <= 0 or settled_weight.sum() <= 0:
        return 0.0
    gap = np.average(residual[~young], weights=settled_weight) - np.average(residual[young], weights=young_weight)
    n_young = young_weight.sum() ** 2 / (young_weight**2).sum()
    return max(float(gap), 0.0) * n_young / (n_young + YOUNG_SHIFT_POSTS)


def _shrunk(sums: np.ndarray, weights: np.ndarray, prior: np.ndarray, strength: float) -> np.ndarray:
    """Normal-normal posterior mean: the data's mean pulled toward the prior by `strength` posts."""
    return (sums + strength * prior) / (weights + strength)


@dataclass(frozen=True)
class _HourCurve:
    curve: np.ndarray  # posterior mean, log units
    data_share: np.ndarray  # per hour, 0..1: how much of the prior's uncertainty the posts removed
    sd: np.ndarray  # posterior sd of the curve's shape, per hour
    covariance: np.ndarray  # (24, 24) posterior covariance of the curve, level included


def _hour_curve(
    sums: np.ndarray, weights: np.ndarray, weights_sq: np.ndarray, prior: np.ndarray, sigma: float
) -> _HourCurve:
    """Gaussian-process regression on the circle over the 24 hourly means (exact, not approximated).

    curve = platform prior + smooth deviation (sd tau, correlated over ~HOUR_LENGTH hours,
    wrapping at midnight) + the account's unknown level; each seen hour's mean has variance
    sigma^2 / n_eff. Few posts leave the prior in charge; many posts override it. Done for every
    tau in TAU_HOUR_GRID at once, then averaged by each tau's marginal likelihood.
    """
    seen = weights > 0
    gap = sums[seen] / weights[seen] - prior[seen]
    noise = np.diag(sigma**2 * weights_sq[seen] / weights[seen] ** 2)
    cross = HOUR_SHAPES[:, :, seen]
    covariance = cross[:, seen, :] + LEVEL_SD**2 + noise
    inverse = np.linalg.inv(covariance)
    log_det = np.linalg.slogdet(covariance)[1]
    alpha = inverse @ gap
    log_evidence = -0.5 * (alpha @ gap + log_det)
    belief = np.exp(log_evidence - log_evidence.max())
    belief /= belief.sum()
    curves = prior + ((cross + LEVEL_SD**2) @ alpha[:, :, None])[..., 0]
    posterior = HOUR_SHAPES - cross @ inverse @ np.swapaxes(cross, 1, 2)  # covariance of the shape part
    variance = np.maximum(np.diagonal(posterior, axis1=1, axis2=2), 0.0)
    # Confidence is about hours relative to each other (the level is not the question), so
    # compare the variance of each hour's deviation from the daily mean, after vs before.
    after = np.maximum(variance - 2.0 * posterior.mean(axis=2) + posterior.mean(axis=(1, 2))[:, None], 0.0)
    curve = belief @ curves
    spread = belief @ (variance + curves**2) - curve**2  # the mixture's variance: tau is uncertain too
    # Draws need the curve with the level in it: 40 posts at one hour pin that hour, not its shape alone.
    with_level = cross + LEVEL_SD**2
    joint = HOUR_SHAPES + LEVEL_SD**2 - with_level @ inverse @ np.swapaxes(with_level, 1, 2)
    moments = joint + curves[:, :, None] * curves[:, None, :]
    return _HourCurve(
        curve=curve,
        data_share=belief @ np.clip(1.0 - after / CENTRED_PRIOR_VARIANCE, 0.0, 1.0),
        sd=np.sqrt(np.maximum(spread, 0.0)),
        covariance=np.tensordot(belief, moments, axes=1) - np.outer(curve, curve),
    )


def _tau(sums: np.ndarray, w_sum: np.ndarray, w2_sum: np.ndarray, sigma: float, tau0: float) -> float:
    """Method-of-moments spread of group means around the prior, never below tau0.

    `sums`: each group's weighted sum of residuals from the prior; `w_sum`, `w2_sum`: its weights
    and squared weights (the outliers' left out).
    """
    seen = w_sum > 0
    mean = sums[seen] / w_sum[seen]
    n_eff = w_sum[seen] ** 2 / w2_sum[seen]
    excess = float(np.sum(n_eff * mean**2) - seen.sum() * sigma**2) / float(n_eff.sum())
    return float(np.clip(np.sqrt(max(excess, 0.0)), tau0, TAU_CAP))


def _robust(residual: np.ndarray, hour: np.ndarray, posts: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Residuals clipped at WINSOR_SD robust sds, the noise sd they carry, and the outliers' rows.

    An outlier is a post beyond REJECT_SD robust sds that most posts of its hour do not follow:
    when half an hour's posts (two at least) are that far out the same way, that is the hour.
    The sd is the root mean square of the clipped residuals kept (what actually enters the
    means), blended toward SIGMA0 for few posts, which say little about their own spread.
    """
    centre = median(residual)
    offset = residual - centre
    distance = np.abs(offset)
    mad_sigma = 1.4826 * median(distance)
    # A MAD from three posts is noise too: blend it toward SIGMA0 before using it as the cap.
    scale = max(_blended_sd(mad_sigma**2, residual.size), SIGMA_FLOOR)
    far = np.flatnonzero(distance > REJECT_SD * scale)
    far_hour, above = hour[far], offset[far] > 0
    together = np.where(
        above,
        np.bincount(far_hour[above], minlength=HOURS)[far_hour],
        np.bincount(far_hour[~above], minlength=HOURS)[far_hour],
    )
    dropped = far[(together < 2) | (2 * together < posts[far_hour])]
    clipped = np.clip(offset, -WINSOR_SD * scale, WINSOR_SD * scale)
    kept = residual.size - dropped.size  # never 0: the posts at the median are never far
    mean = (clipped.sum() - clipped[dropped].sum()) / kept
    spread = max(((clipped**2).sum() - (clipped[dropped] ** 2).sum()) / kept - mean**2, 0.0)
    return clipped + centre, max(_blended_sd(spread, kept), SIGMA_FLOOR), dropped


def median(values: np.ndarray) -> float:
    """np.median of finite values, exactly, in a fraction of its time on long arrays.

    np.median partitions the whole array (and once more to find NaNs). Here a sample's quantiles
    bracket the median; only the values between them are partitioned, once the counts confirm
    the two middle values lie inside; otherwise (rare) the whole array is partitioned.
    """
    n = values.size
    middle = [(n - 1) // 2, n // 2]
    if n < MEDIAN_SAMPLE_FROM:
        ordered = np.partition(values, middle)
    else:
        sample = np.sort(values[:: n // MEDIAN_SAMPLE])
        margin = int(3 * np.sqrt(sample.size)) + 1  # ~6 sds of a sample quantile's rank
        low = sample[max(sample.size // 2 - margin, 0)]
        high = sample[min(sample.size // 2 + margin, sample.size - 1)]
        below = int(np.count_nonzero(values < low))
        window = values[(values >= low) & (values <= high)]
        if below <= middle[0] and below + window.size > middle[1]:
            ordered = np.partition(window, [m - below for m in middle])
            middle = [m - below for m in middle]
        else:
            ordered = np.partition(values, middle)
    return float((ordered[middle[0]] + ordered[middle[1]]) / 2.0)


def _blended_sd(variance: float, n: int) -> float:
    return float(np.sqrt((n * variance + SIGMA0_STRENGTH * SIGMA0**2) / (n + SIGMA0_STRENGTH)))


def _without(
    totals: np.ndarray, groups: np.ndarray, values: np.ndarray, dropped: np.ndarray, *, squared: bool = False
) -> np.ndarray:
    """Per-group totals minus the dropped rows' share (cheaper than a new pass over all rows)."""
    removed = values[dropped] ** 2 if squared else values[dropped]
    return totals - np.bincount(groups[dropped], removed, minlength=totals.size)
