"""The rules an employer rosters under (issue #28): breaks, when shifts may start, how many start at once, opening
hours with a least crew and paid time to open and close. Each is a constraint of the roster's integer program
(roster.py), not a patch on its answer; `without` gives the rules less one, to say what each costs.

Times are on the roster's grid, the plan's or a finer one (step_minutes): a break takes whole intervals of it (with
--interval 60, a 30-minute break takes the hour from the kitchen's crew, and 30 minutes from the pay; with
--shift-step 30 as well, the half hour), and starts are its intervals' starts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the simulator's requests carry rules: numpy is not imported for them
    from simulator.experiment.grid import IntervalGrid

DAY = 24 * 60


@dataclass(frozen=True)
class ShiftRules:
    break_minutes: int = 30
    """A break's length (0: no breaks)."""
    break_after_hours: float = 6.0
    """Shifts longer than this get one break."""
    break_paid: bool = False
    break_margin_hours: float = 2.0
    """The break starts at least this long after the shift starts, and ends at least this long before it ends: the
    window the solver places it in, where coverage holds while the others work."""
    start_every: int | None = None
    """Minutes between the clock times a shift may start at, from midnight (60: on the hour); None: every interval."""
    start_times: tuple[int, ...] = ()
    """Minutes of the day a shift may start at, when given (a list): they replace start_every."""
    max_starting: int | None = None
    """At most so many cooks start a shift at one time."""
    lengths: tuple[int, ...] = ()
    """The shift lengths allowed, in minutes (within --min-shift and --max-shift); (): every length between them."""
    opening: tuple[int, int] | None = None
    """(opens, closes), minutes of the day (closing at or before opening: past midnight); None: always open. No
    shift is worked while closed, but for the paid time to open and to close."""
    min_crew: int = 0
    """Cooks on shift at least while open, and for the paid time to open and close."""
    prep_minutes: int = 0
    """Paid time before opening, for preparation: the least crew works it."""
    clean_minutes: int = 0
    """Paid time after closing, for cleaning."""
    work_when_closed: bool = False
    """Shifts may be worked while closed (the least crew still holds only while open): the opening hours' rule
    taken away, to say what it costs (`without`)."""
    step_minutes: int | None = None
    """Minutes of the grid shifts start, end and take breaks on, when finer than the plan's intervals (15 with
    --interval 30: every quarter hour of an interval needs its cooks); None: the plan's intervals."""
    cooks_available: int | None = None
    """Named cooks: the week's shifts are given to Cook 1..N (named_cooks.py); None: shifts are counts of cooks."""
    max_week_hours: float = 40.0
    """With named cooks: the paid hours one cook works in a week at most."""
    min_rest_hours: float = 11.0
    """With named cooks: the hours between the end of one cook's shift and the start of their next, at least."""
    clock_skip_hours: float = 0.0
    """The hour the clocks skip in the week planned (named_cooks.for_week): shifts are wall-clock times, so a rest
    across the change needs that much more by the clock."""

    @property
    def rest_by_clock_hours(self) -> float:
        """The rest between one named cook's shifts, by the wall clock the shifts are written in."""
        return self.min_rest_hours + self.clock_skip_hours

    def grid_for(self, plan: IntervalGrid) -> IntervalGrid:
        """The grid a roster is solved on for a plan on `plan`: of step_minutes, when finer."""
        if self.step_minutes is None or self.step_minutes >= plan.minutes:
            return plan
        return replace(plan, minutes=self.step_minutes)

    def breaks_in(self, grid: IntervalGrid) -> int:
        """Intervals a break takes: its minutes, rounded up to whole intervals."""
        return -(-self.break_minutes // grid.minutes) if self.break_minutes else 0

    def break_offsets(self, length: int, grid: IntervalGrid) -> list[int | None]:
        """Where in a shift of `length` intervals its break may start (intervals after the shift's start); [None] for
        a shift too short for one."""
        taken = self.breaks_in(grid)
        if not taken or length * grid.minutes <= self.break_after_hours * 60:
            return [None]
        margin = -(-round(self.break_margin_hours * 60) // grid.minutes)
        offsets = list(range(margin, length - margin - taken + 1))
        if not offsets:  # a window too narrow for the shift: the break as near the middle as it goes
            offsets = [max(0, (length - taken) // 2)]
        return list(offsets)

    def unpaid(self, with_break: bool) -> int:
        """Minutes of a shift not paid: its break's, when unpaid."""
        return self.break_minutes if with_break and not self.break_paid else 0

    def may_last(self, length: int, grid: IntervalGrid) -> bool:
        """Whether a shift may last `length` intervals."""
        return not self.lengths or length * grid.minutes in self.lengths

    def may_start(self, interval: int, grid: IntervalGrid) -> bool:
        minute = grid.start_minute(interval)
        if self.start_times:
            return minute in self.start_times
        return self.start_every is None or minute % self.start_every == 0

    def open_mask(self, grid: IntervalGrid) -> list[str]:
        """Per interval: 'open', 'prep' or 'clean' (paid time before opening, after closing), or 'closed'."""
        if self.opening is None:
            return ["open"] * grid.size
        opens, closes = self.opening
        hours = (closes - opens) % DAY or DAY
        marks = []
        for interval in range(grid.size):
            since = (grid.start_minute(interval) - opens) % DAY
            if since < hours:
                marks.append("open")
            elif since >= DAY - self.prep_minutes:
                marks.append("prep")
            elif since < hours + self.clean_minutes:
                marks.append("clean")
            else:
                marks.append("closed")
        return marks

    def in_force(self) -> list[str]:
        """The names of the rules this roster is held to (as `without` takes them)."""
        names = []
        if self.break_minutes:
            names.append("breaks")
        if self.start_every is not None or self.start_times:
            names.append("start times")
        if self.max_starting is not None:
            names.append("starts at once")
        if self.lengths:
            names.append("shift lengths")
        if self.opening is not None and not self.work_when_closed:
            names.append("opening hours")
        if self.min_crew:
            names.append("least crew")
        if self.cooks_available is not None:
            names.append("named cooks")
        return names

    def without(self, name: str) -> ShiftRules:
        """These rules less the one named (in_force's names)."""
        return {
            "breaks": lambda: replace(self, break_minutes=0),
            "start times": lambda: replace(self, start_every=None, start_times=()),
            "starts at once": lambda: replace(self, max_starting=None),
            "shift lengths": lambda: replace(self, lengths=()),
            "opening hours": lambda: replace(self, work_when_closed=True, prep_minutes=0, clean_minutes=0),
            "least crew": lambda: replace(self, min_crew=0),
            "named cooks": lambda: replace(self, cooks_available=None),
        }[name]()

    def describe(self, name: str, grid: IntervalGrid) -> str:
        """A rule in words, for the summary."""
        clock = _clock
        if name == "breaks":
            paid = "paid" if self.break_paid else "unpaid"
            return f"a {self.break_minutes}-minute {paid} break in shifts over {self.break_after_hours:g} h"
        if name == "start times":
            if self.start_times:
                return "starts at " + ", ".join(clock(m) for m in self.start_times)
            return "starts on the hour" if self.start_every == 60 else f"starts every {self.start_every} min"
        if name == "starts at once":
            return f"at most {self.max_starting} cooks starting at once"
        if name == "shift lengths":
            hours = [f"{m / 60:g}" for m in self.lengths]
            return (
                f"shifts of {', '.join(hours[:-1])} or {hours[-1]} h" if len(hours) > 1 else f"shifts of {hours[0]} h"
            )
        if name == "opening hours":
            assert self.opening is not None
            return (
                f"open {clock(self.opening[0])}-{clock(self.opening[1])}"
                + (f", {self.prep_minutes} min to open" if self.prep_minutes else "")
                + (f", {self.clean_minutes} min to close" if self.clean_minutes else "")
            )
        if name == "named cooks":
            return (
                f"{self.cooks_available} named cooks, each at most {self.max_week_hours:g} h a week with"
                f" {self.min_rest_hours:g} h between shifts"
                + (f" ({self.rest_by_clock_hours:g} by the clock across its change)" if self.clock_skip_hours else "")
            )
        return f"at least {self.min_crew} cooks while open"


NO_RULES = ShiftRules(break_minutes=0)
"""Shifts as the roster had them before rules: any start, no break."""


def _clock(minute: int) -> str:
    return f"{minute // 60 % 24:02}:{minute % 60:02}"
