"""How far a night's analysis has got, counted in audio seconds rather than calls.

Counting calls froze the bar for 33 s on one 10-minute call. Here a finished call counts its
length, and a call still in a worker counts what it has probably done by now: the time it has
been running times the speed seen so far (audio seconds per worker second), never more than
`IN_FLIGHT_CAP` of its expected length, so the bar moves while a long call is transcribed and
never has to go back. The numbers are pure (`AudioProgress.state()`); `progress_display`
draws them on stderr: a rich bar on a terminal, a plain line now and then otherwise.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Callable, Protocol, TextIO

IN_FLIGHT_CAP = 0.95       # a running call is credited at most this share of its length
FIRST_GUESS_SPEED = 8.0    # audio seconds per worker second before any call has finished
PLAIN_EVERY_S = 10.0       # plain lines: at most one per this many seconds when a call finished ...
PLAIN_QUIET_S = 60.0       # ... and one after this long without (a long call), and the last


@dataclass(frozen=True)
class ProgressState:
    """One reading: audio seconds credited out of the total, calls finished, elapsed and ETA."""

    done_s: float
    total_s: float
    calls_done: int
    calls_total: int
    elapsed_s: float
    eta_s: float | None           # None until something has been done

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_s / self.total_s) if self.total_s else 1.0


class AudioProgress:
    """The night's audio, credited as calls start and finish in the workers."""

    def __init__(self, expected_s: dict[str, float], workers: int, clock: Callable[[], float] = time.monotonic,
                 first_guess_speed: float = FIRST_GUESS_SPEED) -> None:
        self.expected_s = dict(expected_s)
        self.workers = max(1, workers)
        self.clock = clock
        self.started_at = clock()
        self._speed_guess = first_guess_speed
        self._running: dict[str, float] = {}      # call id -> when it went to a worker
        self._finished_s = 0.0                     # expected seconds of the finished calls
        self._timed_s = 0.0                        # audio seconds of the finished calls that were timed
        self._busy_s = 0.0                         # worker seconds those calls took
        self._done_calls = 0
        self._shown = 0.0                          # the bar never goes back

    @property
    def total_s(self) -> float:
        return sum(self.expected_s.values())

    def speed(self) -> float:
        """Audio seconds per worker second, from the finished calls (a guess before the first)."""
        return self._timed_s / self._busy_s if self._busy_s > 0 and self._timed_s > 0 else self._speed_guess

    def started(self, call_id: str) -> None:
        self._running[call_id] = self.clock()

    def finished(self, call_id: str, audio_s: float | None = None) -> None:
        """A call came back (analysed or failed): it counts its expected length from now on;
        `audio_s`, its decoded length, only teaches the speed."""
        began = self._running.pop(call_id, None)
        expected = self.expected_s.get(call_id, 0.0)
        self._finished_s += expected
        self._done_calls += 1
        if began is not None and (audio_s or expected) > 0:
            self._timed_s += audio_s or expected
            self._busy_s += max(1e-3, self.clock() - began)

    def state(self) -> ProgressState:
        now = self.clock()
        speed = self.speed()
        in_flight = sum(min(IN_FLIGHT_CAP * self.expected_s.get(c, 0.0), (now - began) * speed)
                        for c, began in self._running.items())
        done = min(self.total_s, max(self._shown, self._finished_s + in_flight))
        self._shown = done
        elapsed = now - self.started_at
        eta = (self.total_s - done) / (done / elapsed) if done > 0 and elapsed > 0 else None
        return ProgressState(done, self.total_s, self._done_calls, len(self.expected_s), elapsed, eta)


def clock(seconds: float | None) -> str:
    """h:mm:ss or m:ss, for elapsed time and ETA ("-:--" when not known yet)."""
    if seconds is None:
        return "-:--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def audio_amount(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def progress_line(state: ProgressState) -> str:
    """One plain line: what a log file gets instead of a bar."""
    return (f"analysing: {audio_amount(state.done_s)} of {audio_amount(state.total_s)} of audio "
            f"({100 * state.fraction:.0f}%), {state.calls_done}/{state.calls_total} calls, "
            f"elapsed {clock(state.elapsed_s)}, ETA {clock(state.eta_s)}")


class ProgressDisplay(Protocol):
    def update(self, state: ProgressState) -> None: ...

    def close(self, state: ProgressState) -> None: ...


class PlainLines:
    """Lines for a log file: the first; then one when a call finished, at most every `every_s`
    seconds; one after `quiet_s` seconds without (a long call is moving); and the last."""

    def __init__(self, stream: TextIO, every_s: float = PLAIN_EVERY_S, quiet_s: float = PLAIN_QUIET_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.every_s, self.quiet_s, self.clock = stream, every_s, quiet_s, clock
        self._last: float | None = None
        self._last_calls = -1

    def update(self, state: ProgressState) -> None:
        now = self.clock()
        since = None if self._last is None else now - self._last
        if since is None or since >= self.quiet_s or (state.calls_done != self._last_calls and since >= self.every_s):
            self._write(state, now)

    def close(self, state: ProgressState) -> None:
        if state.calls_done != self._last_calls:
            self._write(state, self.clock())

    def _write(self, state: ProgressState, now: float) -> None:
        print(progress_line(state), file=self.stream, flush=True)
        self._last, self._last_calls = now, state.calls_done


class RichBar:
    """A terminal bar on stderr: audio done out of the total, calls, elapsed and ETA."""

    def __init__(self, stream: TextIO, total_s: float, force_terminal: bool = False) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        self.progress = Progress(TextColumn("analysing"), BarColumn(), TextColumn("{task.fields[audio]}"),
                                 TextColumn("{task.fields[calls]}"), TextColumn("{task.fields[times]}"),
                                 console=Console(file=stream, force_terminal=force_terminal or None),
                                 transient=False, refresh_per_second=4)
        self.task = self.progress.add_task("analysing", total=max(total_s, 1e-9), audio="", calls="", times="")
        self.progress.start()

    def update(self, state: ProgressState) -> None:
        self.progress.update(self.task, completed=state.done_s,
                             audio=f"{audio_amount(state.done_s)} / {audio_amount(state.total_s)} audio",
                             calls=f"{state.calls_done}/{state.calls_total} calls",
                             times=f"elapsed {clock(state.elapsed_s)}  ETA {clock(state.eta_s)}")

    def close(self, state: ProgressState) -> None:
        self.update(state)
        self.progress.stop()


def progress_display(total_s: float, stream: TextIO | None = None, force_bar: bool = False) -> ProgressDisplay:
    """A bar when `stream` (stderr) is a terminal or `force_bar`, plain lines otherwise."""
    stream = stream or sys.stderr
    if force_bar or stream.isatty():
        return RichBar(stream, total_s, force_terminal=force_bar)
    return PlainLines(stream)
