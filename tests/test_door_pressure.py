"""Work waits while the door answers a burst, in another process too, and never longer than its limit."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from bot.inbox import DoorPressure, LanePool


@pytest.fixture
def roomy(monkeypatch):  # noqa: ANN001, ANN201
    # Wider than in service, so that a busy test machine's late wake-ups cannot end a burst early.
    monkeypatch.setattr(DoorPressure, "BUSY_FOR", 0.05)
    monkeypatch.setattr(DoorPressure, "MAX_YIELD", 0.4)


def _burst(door: DoorPressure, stop: threading.Event) -> threading.Thread:
    def acknowledge() -> None:
        while not stop.is_set():
            door.note()
            time.sleep(0.002)

    thread = threading.Thread(target=acknowledge, daemon=True)
    thread.start()
    return thread


def _yield_in_a_work_process(shared, answer) -> None:  # noqa: ANN001
    DoorPressure.BUSY_FOR, DoorPressure.MAX_YIELD = 0.05, 0.4
    started = time.monotonic()
    DoorPressure(shared).yield_to_door()
    answer.put(time.monotonic() - started)


def test_work_waits_for_a_burst_at_the_door_but_not_for_ever(roomy):
    shared = multiprocessing.get_context("spawn").Value("d", 0.0, lock=False)
    door, work = DoorPressure(shared), DoorPressure(shared)
    started = time.monotonic()
    work.yield_to_door()
    assert time.monotonic() - started < 0.04  # a quiet door: work starts at once
    stop = threading.Event()
    burst = _burst(door, stop)
    try:
        started = time.monotonic()
        work.yield_to_door()
        assert time.monotonic() - started >= 0.39  # the whole limit, as the burst went on all along
    finally:
        stop.set()
        burst.join()
    time.sleep(0.06)
    started = time.monotonic()
    work.yield_to_door()
    assert time.monotonic() - started < 0.04  # the burst is over


def test_a_work_process_sees_the_doors_burst():
    context = multiprocessing.get_context("spawn")  # as bot.workers starts work processes
    shared, answer = context.Value("d", 0.0, lock=False), context.Queue()
    stop = threading.Event()
    burst = _burst(DoorPressure(shared), stop)
    try:
        process = context.Process(target=_yield_in_a_work_process, args=(shared, answer))
        process.start()
        waited = answer.get(timeout=60)
        process.join(10)
    finally:
        stop.set()
        burst.join()
    assert waited >= 0.39


def test_a_worker_yields_before_each_request_it_starts(roomy):
    done: list[float] = []
    pool = LanePool(lambda item: done.append(time.monotonic()), workers=1)
    stop = threading.Event()
    burst = _burst(pool.pressure, stop)
    pool.start()
    try:
        started = time.monotonic()
        pool.submit("UALICE", 1)
        assert pool.wait_idle(5)
        assert done[0] - started >= 0.39
    finally:
        stop.set()
        burst.join()
        pool.stop()
