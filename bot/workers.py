"""Work processes: requests' work, the outbox's sender and the scheduler, away from the door's process.

Python runs one thread of a process at a time. If the threads doing requests' work (building messages,
reading the records) lived in the process that answers Slack, every acknowledgement in a burst would
queue behind them for the interpreter. So `copbot run` answers Slack in its own process, which only
verifies, records and acknowledges, and hands each request's id to a work process. Each request goes to
the process its lane maps to, so one person's requests still run in order; the processes also stand by
for the outbox and the scheduler (one of them holds each lock). A work process that dies is started
again; the requests it was holding are still in the inbox, and a sweep finds them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queue_module
import signal
import threading
import zlib
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

from bot.settings import Settings

logger = logging.getLogger(__name__)

WORK_NICENESS = 10
WATCH_EVERY = 2.0  # seconds between checks that every work process is alive
PARENT_CHECK_EVERY = 1.0  # seconds between a work process's checks that the door's process is alive
STOP = None  # what a work process reads when it should finish and exit


def _work_process(settings: Settings, queue: Queue, index: int, scheduler: bool, ready: Any, parent: int,
                  door_busy: Any) -> None:
    """A work process's life: build its own connections, do what it is handed, stand by for its duties.

    `parent` is the door's process id, given rather than asked for: it may die while this one starts.
    """
    from bot import logs
    from bot.app import build_services, create_app
    from bot.inbox import DoorPressure
    from models.when import warm_up
    from scheduler.runner import SchedulerService, SenderService

    logs.configure(settings.log_level, settings.log_format)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the door's process decides when to stop, and says so
    # Work can wait a moment; an acknowledgement cannot. On a busy machine the kernel then gives the door's
    # process the CPU first, and this one what is left.
    os.nice(WORK_NICENESS)
    warm_up()  # the first person to type a time should not wait for the date parser to compile
    services = build_services(settings)
    services.inbox.pool.pressure = DoorPressure(door_busy)  # the door's moments, in memory both processes share
    # The same app as the door's: it names every listener, which is how a worker finds a request's handler.
    create_app(services)
    services.start_workers()
    duties = [SenderService(services)] + ([SchedulerService(services)] if scheduler else [])
    for duty in duties:
        duty.start()
    logger.info("work process %d ready", index)
    ready.set()
    try:
        while True:
            try:
                item = queue.get(timeout=PARENT_CHECK_EVERY)
            except queue_module.Empty:
                if os.getppid() != parent:
                    # The door's process is gone without saying so (killed): nothing more will come.
                    logger.warning("work process %d lost the process that answers Slack; stopping", index)
                    break
                continue
            if item is STOP:
                break
            lane, item_id = item
            services.inbox.pool.submit(lane, item_id)
    finally:
        for duty in duties:
            duty.stop()
        services.close()  # finishes what its workers are doing


class WorkProcesses:
    """Starts `count` work processes, hands them requests by lane, and starts again any that dies."""

    def __init__(self, settings: Settings, *, count: int, scheduler: bool = True) -> None:
        self.settings = settings
        self.count = max(1, count)
        self.scheduler = scheduler
        # Spawned, not forked: a fork would copy the door's threads, locks and connections half-way.
        self._context = multiprocessing.get_context("spawn")
        self._queues: list[Queue] = []
        self._processes: list[BaseProcess] = []
        self._ready: list[Any] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        # When the door last acknowledged something; work processes wait while it is recent (bot.inbox).
        self.door_busy = self._context.Value("d", 0.0, lock=False)
        self._watch: threading.Thread | None = None

    def start(self) -> None:
        for index in range(self.count):
            self._queues.append(self._context.Queue())
            self._ready.append(self._context.Event())
            self._processes.append(self._spawn(index))
        self._watch = threading.Thread(target=self._watch_loop, name="copbot-watch", daemon=True)
        self._watch.start()

    def _spawn(self, index: int) -> BaseProcess:
        process = self._context.Process(target=_work_process, name=f"copbot-work-{index}", daemon=True,
                                        args=(self.settings, self._queues[index], index, self.scheduler,
                                              self._ready[index], os.getpid(), self.door_busy))
        process.start()
        return process

    def submit(self, lane: str, item_id: int) -> None:
        """Hand a recorded request to the process for its lane (a put on a pipe; it never waits for the work)."""
        index = zlib.crc32(lane.encode()) % self.count
        with self._lock:
            queue = self._queues[index]
        queue.put_nowait((lane, item_id))

    def alive(self) -> int:
        return sum(process.is_alive() for process in self._processes)

    def stop(self, timeout: float = 20.0) -> None:
        """Ask every work process to finish what it has and exit; what it had not started stays in the inbox."""
        self._stopping.set()
        for queue, ready, process in zip(self._queues, self._ready, self._processes, strict=True):
            if ready.is_set():
                queue.put_nowait(STOP)
            else:
                process.terminate()  # still starting: it has nothing of its own to finish
        for process in self._processes:
            process.join(timeout=timeout / self.count)
            if process.is_alive():
                logger.warning("work process %s did not stop in time; stopping it", process.name)
                process.terminate()
                process.join(timeout=5)
        _forget_metrics(self._processes)

    def _watch_loop(self) -> None:
        while not self._stopping.wait(WATCH_EVERY):
            for index, process in enumerate(self._processes):
                if process.is_alive() or self._stopping.is_set():
                    continue
                logger.error("work process %s ended (exit code %s); starting it again", process.name,
                             process.exitcode)
                _forget_metrics([process])
                with self._lock:
                    # A queue whose reader died mid-read may be broken: the new process gets a new one. What
                    # was in the old one is still in the inbox, where a sweep finds it.
                    self._queues[index] = self._context.Queue()
                    self._ready[index] = self._context.Event()
                    self._processes[index] = self._spawn(index)


def _forget_metrics(processes: list[BaseProcess]) -> None:
    """A dead process's live gauges must not count any more (prometheus-client's multiprocess mode)."""
    from bot import metrics

    for process in processes:
        if process.pid is not None:
            metrics.process_ended(process.pid)
