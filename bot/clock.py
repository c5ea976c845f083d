"""The time, injectable: the sandbox and `copbot tick --at` move it, production reads the system."""

from __future__ import annotations

import datetime as dt
import threading


class Clock:
    """System time, unless frozen at an instant (sandbox, tests, `copbot tick`)."""

    def __init__(self, frozen_at: dt.datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen_at = frozen_at

    def now(self) -> dt.datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
        return dt.datetime.now(dt.UTC)

    def set(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        with self._lock:
            self._frozen_at = instant.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        with self._lock:
            base = self._frozen_at or dt.datetime.now(dt.UTC)
            self._frozen_at = base + delta
            return self._frozen_at

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None
