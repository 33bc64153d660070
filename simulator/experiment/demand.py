"""The user's demand, read from their own orders file: how many orders a day, when in the day, and what
they hold; and streams made from it, for days the file has (the sweep) or days still to come (the plan).

What the file gives:
- **Daily totals** by local day. Days the file covers only in part (its first and last) and holidays are
  kept out of what is learnt from them.
- **The intraday profile**: the share of a day's orders in each quarter hour of local time, per weekday
  when the file covers every weekday at least twice (else one profile for every day), from the last
  PROFILE_WEEKS weeks.
- **Weekday factors**: how much busier each weekday is than the average day.
- **Day-to-day variation** beyond Poisson noise: the coefficient of variation of the weekday-adjusted daily
  totals, and the part of it a Poisson process at that volume would not give (`Dispersion`). Real days
  vary more than a Poisson process does (weather, promotions, a match on TV); a plan that sees only
  Poisson noise is optimistic.
- **Baskets**: every order's items, quantities, prices and service, by the quarter hour of the week (or of
  the day) it was received in.

A stream made from it holds, for each local day, a number of orders (drawn by the caller: see
`replicate` and forecast.py), spread over the day's quarter hours by the profile (a multinomial draw, which
is what a Poisson process does given its total), at uniform moments within each quarter hour, each
carrying the basket of a file order from the same quarter hour of the week. So a stream holds no dish the
file does not, rejects nothing, and has the file's curve and mix. It is determined by its seed.

`replicate` makes the file's own days again (the sweep): each day's expected total is the file's level
times its weekday factor, times a day multiplier drawn from a lognormal with mean 1 and the measured
extra variance, then a Poisson count. So the replications' day-to-day variation is the file's: Poisson
when the file is Poisson, and as wide as the file's days when they vary more.

Quarter hours are UTC quarter hours labelled by the local time at their start: exactly the local quarter
hours in every zone whose offset is a multiple of 15 minutes (all of today's zones).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from common.localtime import EPOCH_DAY, EPOCH_WEEKDAY, LocalClock
from simulator.experiment.grid import IntervalGrid
from simulator.experiment.streams import Stream

QUARTER = 900  # seconds: the intraday profile is estimated per quarter hour of local time
QUARTERS_PER_DAY = 96
PROFILE_WEEKS = 6
"""The intraday profile and the weekday factors come from the last this many weeks of the file."""
WHOLE_DAY = 0.98
"""A day of the file counts as whole when it covers at least this share of its profile."""


def covers_every_weekday_twice(stream: Stream, zone: str) -> bool:
    """Whether the stream's local days include every weekday at least twice: then demand is per weekday."""
    if not stream.orders:
        return False
    clock = LocalClock(zone)
    first, last = (clock.local_seconds(int(t)) // 86400 for t in (stream.received[0], stream.received[-1]))
    return last - first + 1 >= 14


def midnight(day: int, zone: ZoneInfo) -> int:
    """Epoch seconds of the start of a local day (its first moment, when midnight itself is skipped)."""
    return int(datetime.combine(EPOCH_DAY + timedelta(days=day), time(), tzinfo=zone).timestamp())


def weekday_of(days: np.ndarray | int) -> np.ndarray:
    return (np.asarray(days) + EPOCH_WEEKDAY) % 7


def day_date(day: int) -> date:
    return EPOCH_DAY + timedelta(days=int(day))


@dataclass(frozen=True)
class Dispersion:
    """Day-to-day variation of the file's weekday-adjusted daily totals, beyond Poisson noise."""

    days: int
    """Whole days it was measured on (too few to measure: cv 0, Poisson alone is assumed)."""
    mean: float
    """Orders a day."""
    cv: float
    """Coefficient of variation of the weekday-adjusted totals."""

    @property
    def poisson_cv(self) -> float:
        return 1 / math.sqrt(self.mean) if self.mean > 0 else 0.0

    @property
    def sigma(self) -> float:
        """The lognormal day multiplier's sigma that adds the variance Poisson noise does not explain."""
        extra = self.cv**2 - self.poisson_cv**2
        return math.sqrt(math.log1p(extra)) if extra > 0 and self.cv > 0 else 0.0

    @property
    def index(self) -> float:
        """Variance over mean of the daily totals: 1 for a Poisson process."""
        return (self.cv / self.poisson_cv) ** 2 if self.poisson_cv else 1.0

    def describe(self) -> str:
        if self.cv == 0:
            return (
                f"Day-to-day variation: not measured on {self.days} whole day(s); Poisson noise alone is"
                " assumed (a plan from more days is safer)."
            )
        return (
            f"Day-to-day variation: the weekday-adjusted daily totals of {self.days} whole days vary with a"
            f" coefficient of variation of {self.cv:.1%} (with the weekday factors' degrees of freedom), where a"
            f" Poisson process at {self.mean:,.0f} orders a"
            f" day gives {self.poisson_cv:.1%} (over-dispersion: variance {self.index:,.1f} times the mean)."
        )


@dataclass(frozen=True, eq=False)
class DemandModel:
    source: Stream
    """The orders file, as read."""
    zone: str
    per_weekday: bool
    days: np.ndarray
    """Local days (since 1970-01-01) from the file's first receipt to its last."""
    totals: np.ndarray
    """Orders received on each of those days."""
    coverage: np.ndarray
    """The share of each day's profile that the file covers (1 for the days between its first and last)."""
    holidays: frozenset[int]
    """Local days kept out of the profile, the factors and the variation (named by the user)."""
    profile: np.ndarray
    """(7 or 1, 96): the share of a day's orders in each local quarter hour, per weekday or for every day."""
    weekday_factor: np.ndarray
    """(7,): each weekday's daily total over the average day's (all 1 when not per weekday)."""
    factor_days: np.ndarray
    """(7,): the whole days each weekday's factor was measured on: a mean of few days is itself uncertain."""
    dispersion: Dispersion
    orders_by_key: np.ndarray
    """The file's orders (indices), grouped by quarter hour of the week (or of the day): the baskets to draw from."""
    key_first: np.ndarray
    key_count: np.ndarray
    basket_key: np.ndarray
    """The key whose baskets an order at each key carries: its own, or, where the file has no order there, the
    same quarter hour of another day (then any)."""

    @classmethod
    def of(cls, source: Stream, zone: str, per_weekday: bool, holidays: Collection[int] = ()) -> DemandModel:
        clock = LocalClock(zone)
        keys_per_day = QUARTERS_PER_DAY * (7 if per_weekday else 1)
        order_keys = _keys(source.received, clock, per_weekday)
        counts = np.bincount(order_keys, minlength=keys_per_day)
        orders_by_key = np.argsort(order_keys, kind="stable")
        key_first = np.concatenate(([0], np.cumsum(counts)[:-1]))
        order_days = clock.days(source.received)
        if not source.orders:
            empty = np.zeros(0, dtype=np.int64)
            return cls(
                source,
                zone,
                per_weekday,
                empty,
                empty,
                np.zeros(0),
                frozenset(holidays),
                np.zeros((7 if per_weekday else 1, QUARTERS_PER_DAY)),
                np.ones(7),
                np.zeros(7, dtype=np.int64),
                Dispersion(0, 0.0, 0.0),
                orders_by_key,
                key_first,
                counts,
                np.arange(keys_per_day),
            )
        days = np.arange(order_days[0], order_days[-1] + 1)
        totals = np.bincount(order_days - days[0], minlength=len(days))
        holiday_days = frozenset(int(d) for d in holidays)
        ordinary = ~np.isin(days, list(holiday_days))
        recent = days > days[-1] - 7 * PROFILE_WEEKS
        interior = (days > days[0]) & (days < days[-1])
        first_guess = interior & recent & ordinary if (interior & recent & ordinary).any() else recent
        profile = _profile(source.received, order_days, clock, days[first_guess], per_weekday)
        coverage = np.ones(len(days))  # the first and last days: how much of their profile the file covers
        after = _covered(profile, days[0], source.received[0], clock, after=True)
        before = _covered(profile, days[-1], source.received[-1], clock, after=False)
        if len(days) == 1:
            coverage[0] = max(after + before - 1, 1e-9)
        else:
            coverage[0], coverage[-1] = after, before
        whole = (coverage >= WHOLE_DAY) & ordinary
        if (whole & recent).any():
            profile = _profile(source.received, order_days, clock, days[whole & recent], per_weekday)
        factor = _weekday_factors(days[whole & recent], totals[whole & recent]) if per_weekday else np.ones(7)
        factor_days = np.bincount(weekday_of(days[whole & recent]), minlength=7)
        made = cls(
            source,
            zone,
            per_weekday,
            days,
            totals,
            coverage,
            holiday_days,
            profile,
            factor,
            factor_days,
            Dispersion(0, 0.0, 0.0),
            orders_by_key,
            key_first,
            counts,
            _basket_keys(counts, per_weekday),
        )
        adjusted = made.adjusted()[1]
        fitted = 7 if per_weekday else 1  # the weekday factors (or the mean) were fitted to these same days
        measured = len(adjusted) >= fitted + 3 and adjusted.mean() > 0
        return replace(
            made,
            dispersion=Dispersion(
                len(adjusted),
                float(totals[made.whole_days].mean()) if made.whole_days.any() else 0.0,
                float(adjusted.std(ddof=fitted) / adjusted.mean()) if measured else 0.0,
            ),
        )

    @property
    def whole_days(self) -> np.ndarray:
        """Days the file covers whole and that are not holidays: those the level and the variation come from."""
        return (self.coverage >= WHOLE_DAY) & ~np.isin(self.days, list(self.holidays))

    def adjusted(self) -> tuple[np.ndarray, np.ndarray]:
        """(days, totals over their weekday's factor) of the whole days of open weekdays: the series the level,
        the variation and the forecast read. A weekday the kitchen is closed (factor 0) says nothing of them."""
        whole = self.whole_days
        factors = self.weekday_factor[weekday_of(self.days)]
        kept = whole & (factors > 0)
        return self.days[kept], self.totals[kept] / factors[kept]

    @property
    def level(self) -> float:
        """The average weekday-adjusted daily total of the whole days (of the part-covered ones, scaled up, when
        no day is whole)."""
        _, adjusted = self.adjusted()
        if not len(adjusted):
            return float(self.totals.sum() / max(self.coverage.sum(), 1e-9))
        return float(adjusted.mean())

    def interval_shares(self, day: int, grid: IntervalGrid) -> NDArray[np.float64]:
        """The share of the day's orders in each interval of a day of the grid."""
        shares: NDArray[np.float64] = self.day_profile(day).reshape(grid.per_day, grid.minutes // 15).sum(axis=1)
        return shares

    def day_profile(self, day: int) -> NDArray[np.float64]:
        """The day's row of the profile: the share of its orders in each local quarter hour."""
        row: NDArray[np.float64] = self.profile[int(weekday_of(day)) if self.per_weekday else 0]
        return row

    def expected_per_interval(self, days: np.ndarray, day_totals: np.ndarray, grid: IntervalGrid) -> np.ndarray:
        """Orders expected a day in each interval of the grid, on days with these expected totals: the mean over
        the days that have the interval (every day for a daily grid; its weekday's days for a weekly one)."""
        sums, seen = np.zeros(grid.size), np.zeros(grid.size)
        for day, total in zip(np.asarray(days).tolist(), np.asarray(day_totals, dtype=float).tolist(), strict=True):
            by_interval = self.interval_shares(day, grid) * total
            offset = int(weekday_of(day)) * grid.per_day if grid.per_weekday else 0
            sums[offset : offset + grid.per_day] += by_interval
            seen[offset : offset + grid.per_day] += 1
        return np.divide(sums, seen, out=np.zeros(grid.size), where=seen > 0)

    def expected_totals(self, days: NDArray[np.int64]) -> NDArray[np.float64]:
        """The file's level on these days, by weekday (the file's own average day, without a trend)."""
        totals: NDArray[np.float64] = self.level * self.weekday_factor[weekday_of(days)]
        return totals

    def replicate(self, seed: int, replication: int, scale: float, grid: IntervalGrid) -> Stream:
        """Replication number `replication` (2, 3, ...) of the file's own days, with the demand times `scale`
        and days that vary as much as the file's (see the module's docstring)."""
        rng = np.random.default_rng([seed, 0, 2, replication])  # tag 2: the file's days made again
        sigma = self.dispersion.sigma
        multipliers = rng.lognormal(-sigma * sigma / 2, sigma, len(self.days)) if sigma else np.ones(len(self.days))
        means = self.expected_totals(self.days) * self.coverage * multipliers * scale
        counts = rng.poisson(means)
        span = (int(self.source.received[0]), int(self.source.received[-1]))
        return self.stream(self.days, counts, rng, grid, f"replication {replication}", span)

    def stream(
        self,
        days: np.ndarray,
        counts: np.ndarray,
        rng: np.random.Generator,
        grid: IntervalGrid,
        name: str,
        span: tuple[int, int] | None = None,
    ) -> Stream:
        """`counts[i]` orders on local day `days[i]`, spread over its quarter hours by the profile (within
        `span`, epoch seconds, when given), each with a basket of the file from the same quarter hour."""
        zone = ZoneInfo(self.zone)
        clock = LocalClock(self.zone)
        moments, keys = [], []
        for day, count in zip(np.asarray(days).tolist(), np.asarray(counts).tolist(), strict=True):
            quarters = np.arange(midnight(day, zone), midnight(day + 1, zone), QUARTER, dtype=np.int64)
            if span is not None:
                quarters = quarters[(quarters + QUARTER > span[0]) & (quarters <= span[1])]
            quarter_keys = _keys(quarters, clock, self.per_weekday)
            weights = (
                self.profile[quarter_keys // QUARTERS_PER_DAY, quarter_keys % QUARTERS_PER_DAY]
                if self.per_weekday
                else self.profile[0, quarter_keys]
            )
            if count <= 0 or weights.sum() <= 0:
                continue
            per_quarter = rng.multinomial(int(count), weights / weights.sum())
            moments.append(np.repeat(quarters, per_quarter) + rng.integers(0, QUARTER, size=int(count)))
            keys.append(np.repeat(quarter_keys, per_quarter))
        moments_all = np.concatenate(moments) if moments else np.zeros(0, dtype=np.int64)
        keys_all = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
        if span is not None:
            inside = (moments_all >= span[0]) & (moments_all <= span[1])
            moments_all, keys_all = moments_all[inside], keys_all[inside]
        return self._with_baskets(moments_all, keys_all, rng, grid, clock, name)

    def _with_baskets(
        self,
        moments: np.ndarray,
        keys: np.ndarray,
        rng: np.random.Generator,
        grid: IntervalGrid,
        clock: LocalClock,
        name: str,
    ) -> Stream:
        total = len(moments)
        keys = self.basket_key[keys]
        picks = self.key_first[keys] + (rng.random(total) * self.key_count[keys]).astype(np.int64)
        chosen = self.orders_by_key[picks]
        in_time = np.argsort(moments, kind="stable")
        moments, chosen = moments[in_time], chosen[in_time]
        source = self.source
        sizes = np.diff(source.unit_offsets)[chosen]
        offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        units = np.repeat(source.unit_offsets[chosen] - offsets[:-1], sizes) + np.arange(offsets[-1])
        first = int(moments[0]) if total else None
        return replace(
            source,
            name=name,
            received=moments,
            intervals=grid.of(moments, clock),
            days=clock.days(moments),
            unit_offsets=offsets,
            cook_times=source.cook_times[units],
            dishes=None if source.dishes is None else source.dishes[units],
            sources=source.sources[chosen],
            first_receipt=first,
            last_receipt=int(moments[-1]) if total else None,
            discarded=0,
            rejected=0,
            first_rejection=None,
            cells=None,
        )


def _keys(epochs: np.ndarray, clock: LocalClock, per_weekday: bool) -> np.ndarray:
    local = np.asarray(epochs, dtype=np.int64) + clock.offsets(epochs)
    days, seconds = np.divmod(local, 86400)
    keys = seconds // QUARTER
    if per_weekday:
        keys = keys + ((days + EPOCH_WEEKDAY) % 7) * QUARTERS_PER_DAY
    return keys.astype(np.int64)


def _basket_keys(counts: np.ndarray, per_weekday: bool) -> np.ndarray:
    """Each key itself where the file has orders; else the same quarter hour on the nearest weekday that has
    some; else the nearest key that has any."""
    keys = np.arange(len(counts))
    found = np.flatnonzero(counts)
    if not len(found):
        return keys
    chosen = keys.copy()
    for key in np.flatnonzero(counts == 0).tolist():
        quarter = key % QUARTERS_PER_DAY
        same_quarter = [k for k in range(quarter, len(counts), QUARTERS_PER_DAY) if counts[k]] if per_weekday else []
        pool = np.array(same_quarter) if same_quarter else found
        chosen[key] = pool[np.argmin(np.abs(pool - key))]
    return chosen


def _profile(
    received: np.ndarray, order_days: np.ndarray, clock: LocalClock, days: np.ndarray, per_weekday: bool
) -> np.ndarray:
    """The share of a day's orders in each local quarter hour, from the orders of `days` (per weekday)."""
    on_days = np.isin(order_days, days)
    keys = _keys(received[on_days], clock, per_weekday)
    counts = np.bincount(keys, minlength=QUARTERS_PER_DAY * (7 if per_weekday else 1)).astype(float)
    counts = counts.reshape(-1, QUARTERS_PER_DAY)
    sums = counts.sum(axis=1, keepdims=True)
    if per_weekday and (sums == 0).any():  # a weekday with no orders kept: the other days' shape
        counts[sums[:, 0] == 0] = counts.sum(axis=0)
        sums = counts.sum(axis=1, keepdims=True)
    shares: NDArray[np.float64] = np.divide(counts, sums, out=np.zeros_like(counts), where=sums > 0)
    return shares


def _covered(profile: np.ndarray, day: int, moment: int, clock: LocalClock, after: bool) -> float:
    """The share of a day's profile from (or up to) a moment of it: how much of the day the file covers."""
    row = profile[int(weekday_of(day))] if len(profile) == 7 else profile[0]
    quarter = (clock.local_seconds(int(moment)) % 86400) // QUARTER
    return float(row[quarter:].sum() if after else row[: quarter + 1].sum())


def _weekday_factors(days: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Each weekday's mean total over the mean of the seven (1 for a weekday with no whole day)."""
    weekdays = weekday_of(days)
    sums, seen = np.bincount(weekdays, weights=totals, minlength=7), np.bincount(weekdays, minlength=7)
    means = np.divide(sums, seen, out=np.zeros(7), where=seen > 0)
    if not (seen > 0).any():
        return np.ones(7)
    average = means[seen > 0].mean()
    return np.where(seen > 0, means / average, 1.0) if average > 0 else np.ones(7)
