"""The door's side of the inbox: record a request and hand it to a worker; pick up what was stranded.

A listener's acknowledgement leaves from the request's own thread once the request is recorded
(models.inbox); the work is done here, on a fixed number of worker threads, never on the thread that
answers Slack. What waits for a worker waits in memory and in the table, so a process that dies with a
queue loses nothing: another process's sweep finds the rows nobody finished and works on them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from enum import Enum
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import metrics, recording
from bot.clock import Clock
from bot.db import unit_of_work
from models.inbox import STRANDED_AFTER, Arrival, backlog, stranded

logger = logging.getLogger(__name__)

SWEEP_EVERY = 5.0  # seconds between looks for stranded requests
# Above this many waiting requests the workers are not keeping up: said in the log, every so often.
BACKLOG_WARNING = 200
BACKLOG_WARNING_EVERY = 30.0  # seconds


class DoorPressure:
    """Whether the door is answering a burst right now, so that work can wait for it to pass.

    The work runs at a lower CPU priority than the door, but the database it talks to does not: during a
    burst, a worker starting a request takes the database's time from the acknowledgements. So the door
    notes each acknowledgement's moment, and a worker about to start waits while the door is busy, at most
    MAX_YIELD seconds each time: a burst is acknowledged first, and its work follows it, never starved.
    Across processes the moment lives in shared memory (`multiprocessing.Value`), in one a plain float.
    """

    BUSY_FOR = 0.005  # seconds after an acknowledgement during which the door counts as busy
    MAX_YIELD = 0.25  # the longest a worker waits for the door before starting anyway

    def __init__(self, shared: Any = None) -> None:
        self._shared = shared
        self._last = 0.0

    @property
    def shared(self) -> Any:
        return self._shared

    def note(self) -> None:
        if self._shared is not None:
            self._shared.value = time.monotonic()
        else:
            self._last = time.monotonic()

    def _since(self) -> float:
        last = self._shared.value if self._shared is not None else self._last
        return time.monotonic() - last

    def yield_to_door(self) -> None:
        deadline = time.monotonic() + self.MAX_YIELD
        while self._since() < self.BUSY_FOR and time.monotonic() < deadline:
            time.sleep(self.BUSY_FOR)


class LanePool:
    """Work on a fixed number of threads; items that share a lane run one at a time, in order.

    A lane is one person (their commands and clicks) or one conversation: what someone did second is
    never done before what they did first, while different people's requests run side by side.
    """

    def __init__(self, run: Callable[[int], None], *, workers: int, name: str = "copbot-work",
                 pressure: DoorPressure | None = None) -> None:
        self._run = run
        self.pressure = pressure or DoorPressure()
        self._workers = max(1, workers)
        self._name = name
        self._lanes: dict[str, deque[int]] = {}
        self._ready: deque[str] = deque()
        self._busy: set[str] = set()
        self._queued = 0
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self._warned_at = 0.0

    @property
    def queued(self) -> int:
        return self._queued

    @property
    def running(self) -> int:
        return len(self._busy)

    def start(self) -> None:
        with self._cond:
            if self._threads:
                return
            self._stopping = False
            self._threads = [threading.Thread(target=self._loop, name=f"{self._name}-{i}", daemon=True)
                             for i in range(self._workers)]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is running and stop; what is still queued stays in the inbox for the next process."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self._threads = []

    def submit(self, lane: str, item: int) -> None:
        with self._cond:
            waiting = self._lanes.setdefault(lane, deque())
            waiting.append(item)
            self._queued += 1
            if lane not in self._busy and len(waiting) == 1:
                self._ready.append(lane)
            self._cond.notify()
            queued = self._queued
        metrics.work_queued.set(queued)
        if queued > BACKLOG_WARNING and time.monotonic() - self._warned_at > BACKLOG_WARNING_EVERY:
            self._warned_at = time.monotonic()
            logger.warning("%d requests wait for one of the %d workers; they are done in turn, none is dropped",
                           queued, self._workers)

    def wait_idle(self, timeout: float) -> bool:
        """Whether everything submitted has been worked on within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queued or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._ready and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                lane = self._ready.popleft()
                item = self._lanes[lane].popleft()
                self._busy.add(lane)
                self._queued -= 1
                metrics.work_queued.set(self._queued)
                metrics.work_running.set(len(self._busy))
            try:
                self.pressure.yield_to_door()
                self._run(item)
            except Exception:  # the runner reports its own failures; this keeps the thread alive
                logger.exception("a worker failed outside its request's handling")
            finally:
                with self._cond:
                    self._busy.discard(lane)
                    if self._lanes.get(lane):
                        self._ready.append(lane)
                    else:
                        self._lanes.pop(lane, None)
                    metrics.work_running.set(len(self._busy))
                    self._cond.notify_all()


class Accepted(Enum):
    RECORDED = "recorded"   # new, and handed to a worker
    REPEATED = "repeated"   # its key was taken: a retried event or a replayed request


class Inbox:
    """Records requests on the door's own connections and has workers do them.

    `inline` does the work in the caller's thread before `accept` returns (the sandbox, and tests that
    look at the outcome as soon as a request is answered).
    """

    def __init__(self, *, door: Engine, sessions: sessionmaker[Session], clock: Clock,
                 workers: int = 16, inline: bool = False) -> None:
        self.door_engine = door
        # For the health check: the door's connections answer at once or fail at once.
        self.door = sessionmaker(door)
        # Requests that arrive together are recorded in one statement and one commit.
        self._group = recording.GroupCommit()
        self.sessions = sessions
        self.clock = clock
        self.inline = inline
        self._work: Callable[[int], None] | None = None
        self.pool = LanePool(self._do, workers=workers)
        # Where accepted requests go: this process's own workers, or work processes (bot.workers).
        self._hand_over: Callable[[str, int], None] = self.pool.submit
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    def bind(self, work: Callable[[int], None]) -> None:
        """What working on a request means (handlers.base): claim it, run its listener, finish it."""
        self._work = work

    def hand_to(self, target: Callable[[str, int], None]) -> None:
        """Give accepted requests (lane, id) to `target` instead of this process's workers."""
        self._hand_over = target

    def accept(self, arrival: Arrival, *, now: dt.datetime, body: str | None = None) -> Accepted:
        """Record the request durably, then have it worked on; raises if the database cannot record it.

        `body` is the arrival's body already serialised as JSON, if the caller has it.
        """
        self.pool.pressure.note()
        item_id = self._record(arrival, now, body)
        if item_id is None:
            return Accepted.REPEATED
        if self.inline:
            self._do(item_id)
        else:
            self._hand_over(arrival.lane, item_id)
        return Accepted.RECORDED

    def _record(self, arrival: Arrival, now: dt.datetime, body: str | None) -> int | None:
        engine = self.door_engine
        return self._group.record(engine, recording.row(engine.dialect, arrival, now=now, body=body))

    def start(self) -> None:
        self.pool.start()
        self._stop.clear()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="copbot-inbox-sweep", daemon=True)
        self._sweeper.start()

    def stop(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=10)
            self._sweeper = None
        self.pool.stop()

    def wait_idle(self, timeout: float = 15.0) -> bool:
        return self.pool.wait_idle(timeout)

    def sweep(self, *, now: dt.datetime) -> int:
        """Hand stranded requests (accepted by a process that died, or whose worker died, or waiting longer
        than they should behind a backlog) to the workers again.

        They go where new requests go (this process's workers or the work processes), never to the door's
        own threads behind its back. One still queued is then queued twice; the second copy finds it done
        and costs a claim that changes nothing.
        """
        with unit_of_work(self.sessions) as session:
            found = stranded(session, now=now)
            counts = backlog(session)
        for status, count in counts.items():
            metrics.inbox_backlog.labels(status).set(count)
        if found:
            logger.warning("%d request(s) accepted more than %d s ago are not finished (the oldest: %s); "
                           "handed to the workers again", len(found), STRANDED_AFTER.seconds, found[0][0])
        for item_id, lane in found:
            if self.inline:
                self._do(item_id)
            else:
                self._hand_over(lane, item_id)
        return len(found)

    def _do(self, item_id: int) -> None:
        if self._work is None:
            raise RuntimeError("the inbox has no work bound to it")
        self._work(item_id)

    def _sweep_loop(self) -> None:
        while not self._stop.wait(SWEEP_EVERY):
            try:
                self.sweep(now=self.clock.now())
            except Exception as error:  # the database may be away; the next sweep tries again
                logger.warning("could not look for unfinished requests (%s)", type(error).__name__)
