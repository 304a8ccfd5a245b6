"""One line per stage of a run, so the minutes before the first call are not silent.

`callqa run` writes them on stderr with the seconds since the command started (what the issue
could not see: 17-19 s of a run with nothing to do was imports and a temporary Prefect server);
inside a Prefect flow run they go to its log instead.
"""

from __future__ import annotations

import time
from typing import Callable, TextIO

Say = Callable[[str], None]


def quiet(message: str) -> None:
    """A stage line nobody reads (tests, a library caller)."""


class StageLines:
    """`say("hashing 13 files")` -> `callqa run [  0.4 s] hashing 13 files` on `stream`."""

    def __init__(self, stream: TextIO, prefix: str = "callqa run", clock: Callable[[], float] = time.perf_counter,
                 started: float | None = None) -> None:
        self.stream, self.prefix, self.clock = stream, prefix, clock
        self.started = clock() if started is None else started

    def __call__(self, message: str) -> None:
        print(f"{self.prefix} [{self.clock() - self.started:6.1f} s] {message}", file=self.stream, flush=True)
