"""Processes to kill, for tests/test_chaos.py: `python -m tests.chaos_sender <database_url> <slack_api_url> [run]`.

Each is an outbox sender; with `run`, a whole `copbot scheduler` process: the scheduler and the sender, each
standing by for its own lock.

The process imports everything once, then forks a sender for each `fork` line read on stdin and writes back its
pid; a fork is ready in milliseconds, where a fresh interpreter would spend a second importing. It starts no
thread of its own, so a fork copies nothing half-held. Each sender stands by for the outbox's lock as
`copbot run` does, and writes `leader <pid> <unix time>` once it holds the lock and has taken over.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time

import scheduler.runner as runner
from bot.app import build_services
from bot.outbox import Limits
from bot.settings import load_settings
from scheduler.runner import SchedulerService, SenderService

STANDBY_RETRY = dt.timedelta(seconds=0.02)  # how often a standby tries for the lock: takeover in tens of ms


class ReportingSender(SenderService):
    def _take_up(self) -> None:
        super()._take_up()
        os.write(1, f"leader {os.getpid()} {time.time():.6f}\n".encode())


class ReportingScheduler(SchedulerService):
    def _take_up(self) -> None:
        super()._take_up()
        os.write(1, f"leader {os.getpid()} {time.time():.6f}\n".encode())


def sender(database_url: str, slack_api_url: str, mode: str) -> None:
    runner.STANDBY_RETRY = STANDBY_RETRY
    settings = load_settings(slack_bot_token="xoxb-chaos", slack_signing_secret="s" * 32, slack_api_url=slack_api_url,
                             database_url=database_url, _env_file=None)
    services = build_services(settings, limits=Limits.unpaced(in_flight=4))
    if mode != "run":
        ReportingSender(services).run_forever()
        return
    # As `copbot scheduler` does: the jobs, and the outbox's sender unless another process holds it.
    SenderService(services).start()
    ReportingScheduler(services).run_forever()


def main(database_url: str, slack_api_url: str, mode: str = "send") -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel as they are killed
    for line in sys.stdin:
        if line.strip() != "fork":
            continue
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                sender(database_url, slack_api_url, mode)
            finally:
                os._exit(1)
        os.write(1, f"forked {pid}\n".encode())


if __name__ == "__main__":
    main(*sys.argv[1:4])
