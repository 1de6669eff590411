"""REST faults injected on demand: rate limits, server errors and cut connections."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A fault ``status`` that answers nothing: the connection is cut, as by a network failure.
DROP = 0


@dataclass
class Fault:
    method: str | None
    pattern: re.Pattern[str]
    status: int
    retry_after: float
    times: int | None
    global_: bool
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.pattern.search(path) is not None


class FaultSet:
    """Faults checked before every REST request; each fires ``times`` times (None: forever)."""

    def __init__(self) -> None:
        self.active: list[Fault] = []
        self.fired: list[tuple[str, str, int]] = []

    def add(
        self,
        method: str | None = None,
        path: str = ".*",
        *,
        status: int = 429,
        retry_after: float = 0.1,
        times: int | None = 1,
        global_: bool = False,
    ) -> Fault:
        """``path`` is a regex searched in the API path, e.g. ``r"/channels/\\d+/messages$"``;
        ``status`` ``DROP`` cuts the connection instead of answering."""
        fault = Fault(method.upper() if method else None, re.compile(path), status,
                      retry_after, times, global_)
        self.active.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.active:
            if fault.matches(method, path):
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.active.remove(fault)
                self.fired.append((method, path, fault.status))
                return fault
        return None

    def clear(self) -> None:
        self.active.clear()
