"""A Gaussian-process oracle for the optimal-times benchmark: how low can regret go on this data?

`bench/optimal_times_eval.py` scores the engine against synthetic users. This script scores, on
the very same users (same seeds, same draw order, so rows compare user for user), an ORACLE that
knows everything the generator knows except the user's own curve:

* The prior. The mean vector and the 168 x 168 covariance matrix of the log curve
  (7 weekdays x 24 hours) that `true_curve` draws, estimated by Monte Carlo over 200,000 draws
  of the scenario's own generator (one prior per platform for `aligned`, where the platform's
  default hours move the bumps; one shared prior otherwise, as the platform plays no part).
* The observations. For every post: its weekday and hour, the true follower count at the time
  of posting (even when the History hides it), and whether it went viral (viral posts are
  dropped). The generator hands them over beside the History it builds
  (`simulate_user_posts`), from the very same draws.
  y = log((likes + comments + shares + saves + 0.5) / (0.97 * 0.03 * followers)) is then an
  observation of truth[weekday, hour] whose mean is right up to a Poisson bias of order
  1 / count (the four Poisson rates sum to 0.97 of `expected`; the content term has mean zero),
  treated as Gaussian with variance
      content variance  = t_scale^2 * df / (df - 2) + lognormal_sd^2, the exact variance of the
                          content term: 0.09 * 2 + 0.16 = 0.34 for t(4) x 0.3 (all scenarios but
                          `noisy`); 0.36 * 3 + 0.16 = 1.24 for `noisy`'s t(3) x 0.6 (finite: only
                          the fourth moment of t(3) is infinite; its robust sd is ~0.8)
    + Poisson variance  ~ 1 / (0.97 * 0.03 * followers * exp(prior mean of the cell)).
  With the true second moments the Gaussian posterior mean is the best LINEAR predictor of the
  curve whatever the noise's true (heavy-tailed) shape. Pass a fourth argument to replace the
  content variance (e.g. 0.64, the robust variance, for `noisy`); the results barely move.
* The choice. The Gaussian posterior of the 168 cells (standard GP / Kalman update), then the
  hour maximising the posterior expectation of what `regret()` scores, the weekday mean of
  exp(truth[:, h]), using E[exp(x)] = exp(mean + var / 2) per cell.

Columns printed beside the engine and the naive method:
    oracle      the choice above
    post-mean   the same posterior, but the hour maximising the weekday mean of exp(posterior mean)
    clairvoyant the oracle shown the noise-free cell value truth[weekday, hour] for every cell it
                has a (non-viral) post in: what is lost to the fact that it only tries a few
                hours, as opposed to content noise
The ± is the standard error of the oracle's mean regret over users.

Run: .venv/bin/python bench/optimal_times_oracle.py [users_per_size] [seed] [variant] [content_var]
     (defaults 1000, 20261125, base). About half a minute for base at 1000 users; `aligned`
     takes a couple of minutes more, as it builds one prior per platform.
"""

from __future__ import annotations

import sys
import time
from functools import cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from optimal_times_eval import (  # noqa: E402
    COUNT_SHARES,
    ENGAGEMENT_RATE,
    SCENARIOS,
    SIZES,
    WINDOW_DAYS,
    Scenario,
    command_line,
    naive_best_hour,
    regret,
    simulate_user_posts,
    true_curve,
)

from analytics.optimal_times import PLATFORMS, History, recommend  # noqa: E402

DAYS, HOURS = 7, 24
CELLS = DAYS * HOURS
PRIOR_DRAWS = 200_000
PRIOR_SEED = 7_700_001  # independent of the evaluation seeds: the prior is the generator's, not the users'
# likes + comments + shares + saves are Poisson counts summing to this share of the expected interactions.
INTERACTION_SHARE = sum(COUNT_SHARES.values())


# --- what the oracle knows: the prior --------------------------------------------------------------


@cache
def curve_prior(scenario: Scenario, platform: str) -> tuple[np.ndarray, np.ndarray]:
    """Monte-Carlo mean (168,) and covariance (168, 168) of true_curve's flattened weekday x hour log curve."""
    rng = np.random.default_rng([PRIOR_SEED, PLATFORMS.index(platform)])
    total = np.zeros(CELLS)
    outer = np.zeros((CELLS, CELLS))
    chunk = 10_000
    for _ in range(PRIOR_DRAWS // chunk):
        draws = np.stack([true_curve(rng, scenario, platform).ravel() for _ in range(chunk)])
        total += draws.sum(axis=0)
        outer += draws.T @ draws
    mean = total / PRIOR_DRAWS
    cov = outer / PRIOR_DRAWS - np.outer(mean, mean)
    return mean, (cov + cov.T) / 2


def prior_for(scenario: Scenario, platform: str) -> tuple[np.ndarray, np.ndarray]:
    # Only the aligned share reads the platform's default hours; otherwise every platform has the same prior.
    return curve_prior(scenario, platform if scenario.aligned_share else PLATFORMS[0])


def content_variance(scenario: Scenario) -> float:
    """Exact variance of the log-scale content term: t_scale * Student-t(df) + normal(lognormal_sd)."""
    if scenario.content_t_df <= 2:
        raise ValueError("Student-t with df <= 2 has no variance: pass a content variance explicitly")
    t_variance = scenario.content_t_df / (scenario.content_t_df - 2)
    return scenario.content_t_scale**2 * t_variance + scenario.content_lognormal_sd**2


# --- the Gaussian posterior and the choice of hour --------------------------------------------------


def gaussian_posterior(
    mean: np.ndarray, cov: np.ndarray, cells: np.ndarray, y: np.ndarray, noise_var: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and marginal variances of the 168 cells given y[i] = curve[cells[i]] + noise."""
    if cells.size == 0:
        return mean, np.diag(cov).copy()
    cross = cov[:, cells]  # (168, n): covariance of every cell with each observation
    gram = cov[np.ix_(cells, cells)] + np.diag(noise_var)
    weights = np.linalg.solve(gram, cross.T)  # (n, 168): the Kalman gain, transposed; n <= 120 posts
    post_mean = mean + weights.T @ (y - mean[cells])
    post_var = np.diag(cov) - np.einsum("cn,nc->c", cross, weights)
    return post_mean, np.maximum(post_var, 0.0)


def best_hour_expected(post_mean: np.ndarray, post_var: np.ndarray) -> int:
    """Hour maximising E[weekday mean of exp(curve)] under the Gaussian posterior (what regret() scores)."""
    value = np.exp(post_mean + post_var / 2).reshape(DAYS, HOURS).mean(axis=0)
    return int(np.argmax(value))


def best_hour_plug_in(post_mean: np.ndarray) -> int:
    """Hour maximising the weekday mean of exp(posterior mean): ignores how unsure each cell is."""
    return int(np.argmax(np.exp(post_mean).reshape(DAYS, HOURS).mean(axis=0)))


def oracle_choices(
    truth: np.ndarray,
    history: History,
    followers: np.ndarray,
    viral: np.ndarray,
    prior: tuple[np.ndarray, np.ndarray],
    content_var: float,
) -> tuple[int, int, int]:
    """Hours picked by the oracle, its posterior-mean-only variant and its clairvoyant-data variant."""
    mean, cov = prior
    keep = ~viral
    cells = (history.weekday * HOURS + history.hour)[keep]
    interactions = (history.likes + history.comments + history.shares + history.saves)[keep]
    scale = INTERACTION_SHARE * ENGAGEMENT_RATE * followers[keep]
    y = np.log((interactions + 0.5) / scale)
    # Poisson part of the noise of log(count): ~1 / expected count, taken at the prior mean of the cell
    # (not at the observed count, which would down-weight the unlucky posts and bias the estimate up).
    noise_var = content_var + 1.0 / (scale * np.exp(mean[cells]))
    post_mean, post_var = gaussian_posterior(mean, cov, cells, y, noise_var)
    oracle = best_hour_expected(post_mean, post_var)
    plug_in = best_hour_plug_in(post_mean)

    # Clairvoyant data: the exact cell value for every visited cell (a tiny jitter keeps the solve stable).
    seen = np.unique(cells)
    exact_mean, exact_var = gaussian_posterior(mean, cov, seen, truth.ravel()[seen], np.full(seen.size, 1e-9))
    clairvoyant = best_hour_expected(exact_mean, exact_var)
    return oracle, plug_in, clairvoyant


# --- the benchmark ----------------------------------------------------------------------------------


def evaluate_oracle(users: int, seed: int, scenario: Scenario, content_var: float) -> list[dict[str, float]]:
    """evaluate()'s loop, same rng sequence, with the oracle's three picks scored beside the engine's."""
    rows = []
    for size in SIZES:
        rng = np.random.default_rng([seed, size])
        scores = {name: [] for name in ("engine", "naive", "oracle", "post_mean", "clairvoyant")}
        for _ in range(users):
            platform = PLATFORMS[rng.integers(len(PLATFORMS))]
            truth = true_curve(rng, scenario, platform)
            posts = simulate_user_posts(rng, truth, size, scenario)
            engine = recommend(platform, posts.history, window_days=WINDOW_DAYS).best_hours[0]
            naive = naive_best_hour(posts.history, posts.engagement, platform)
            oracle, plug_in, clairvoyant = oracle_choices(
                truth, posts.history, posts.true_followers, posts.viral, prior_for(scenario, platform), content_var
            )
            for name, hour in zip(scores, (engine, naive, oracle, plug_in, clairvoyant), strict=True):
                scores[name].append(regret(truth, hour))
        row = {name: float(np.mean(values)) for name, values in scores.items()}
        row["size"] = size
        row["oracle_se"] = float(np.std(scores["oracle"], ddof=1) / np.sqrt(users))
        rows.append(row)
    return rows


def main() -> None:
    users, seed, variant = command_line()
    scenario = SCENARIOS[variant]
    content_var = float(sys.argv[4]) if len(sys.argv) > 4 else content_variance(scenario)

    started = time.perf_counter()
    print(f"scenario: {variant}; {users} users per size, seed {seed}; regret 0 = best hour, 1 = random hour")
    print(
        f"oracle: GP with the generator's Monte-Carlo prior ({PRIOR_DRAWS:,} draws), true followers, "
        f"viral posts dropped, content variance {content_var:.3f} (sd {np.sqrt(content_var):.3f}) + Poisson"
    )
    header = (
        f"{'posts':>5} | {'engine':>6} | {'naive':>6} | {'oracle':>13} | {'post-mean':>9} | "
        f"{'clairvoyant':>11} | {'oracle/naive':>12} | {'engine/naive':>12}"
    )
    print(header)
    print("-" * len(header))
    for row in evaluate_oracle(users, seed, scenario, content_var):
        oracle = f"{row['oracle']:.3f} ± {row['oracle_se']:.3f}"
        print(
            f"{row['size']:>5} | {row['engine']:>6.3f} | {row['naive']:>6.3f} | {oracle:>13} | "
            f"{row['post_mean']:>9.3f} | {row['clairvoyant']:>11.3f} | "
            f"{row['oracle'] / row['naive']:>12.2f} | {row['engine'] / row['naive']:>12.2f}"
        )
    print("targets: ratio <= 0.60 at 15 posts, <= 0.40 at 40, regret <= 0.15 at 120")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
