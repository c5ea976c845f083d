"""The CPU one acknowledgement costs, in one process and without HTTP: copbot's door beside bare Bolt's.

Run: .venv/bin/python bench/ack_cpu.py [--db sqlite,postgresql] [--count 2000] [--rounds 3] [--profile KIND]

Throughput on a small machine is bounded by the CPU each acknowledgement takes, which the HTTP benchmark
(bench/ack.py) can only see through the noise of its clients and servers sharing the cores. Here each app's
WSGI callable is called directly, one signed request after another, exactly as waitress would call it:
copbot as `copbot run` serves it (the signature, the shape checks, Bolt, the durable insert; the work is
not done, only handed over), bare Bolt behind the same door with listeners that only acknowledge (as in
bench/ack.py). `time.process_time()` over thousands of requests gives the CPU per acknowledgement of this
process; on PostgreSQL, the CPU the database's own processes spent on them is read from /proc beside it.
The apps take turns, round after round, and the median round is shown: read the ratios, not the absolutes.
`--profile command` prints where copbot's time goes for that kind of request instead (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.ack import MEMBERS, kinds  # noqa: E402
from bench.app_process import bare_app  # noqa: E402
from bench.common import SlackProcess, fresh_database, machine  # noqa: E402
from bench.slack_process import TEAM  # noqa: E402
from bot.db import make_engine, make_session_factory  # noqa: E402
from bot.sandbox.requests import RequestFactory, SignedRequest  # noqa: E402
from bot.web import WebApp  # noqa: E402
from models import InboxItem  # noqa: E402

WARM_UP = 100
TICKS = os.sysconf("SC_CLK_TCK")


def environ(request: SignedRequest) -> dict[str, Any]:
    """The WSGI environ waitress would build for this request."""
    env: dict[str, Any] = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
                           "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_LENGTH": str(len(request.body)),
                           "wsgi.input": io.BytesIO(request.body)}
    for name, value in request.headers.items():
        if name.lower() == "content-type":
            env["CONTENT_TYPE"] = value
        else:
            env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


class Target:
    """One app's WSGI callable, and how to find the database processes that serve it."""

    def __init__(self, label: str, wsgi: WebApp, *, url: str | None = None, close: Callable[[], None] = lambda: None):
        self.label = label
        self.wsgi = wsgi
        self.url = url
        self.close = close
        self.rounds: dict[str, list[tuple[float, float]]] = {}

    def database_cpu(self) -> float:
        """Seconds of CPU spent so far by PostgreSQL's processes serving this app's database (0 on SQLite)."""
        if not self.url or not self.url.startswith("postgresql"):
            return 0.0
        name = self.url.rsplit("/", 1)[1].split("?")[0]
        total = 0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
                if not command.startswith(b"postgres: ") or f" {name} ".encode() not in command:
                    continue
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
        return total / TICKS

    def run(self, environs: list[dict[str, Any]], threads: int = 1) -> tuple[float, float]:
        """CPU seconds of this process and of the database's, for these requests (on `threads` at once)."""
        failed: list[str] = []

        def start_response(status: str, _headers: list) -> None:
            if not status.startswith("200"):
                failed.append(status)

        def serve(share: list[dict[str, Any]]) -> None:
            for env in share:
                for _ in self.wsgi(env, start_response):
                    pass

        database = self.database_cpu()
        started = time.process_time()
        if threads == 1:
            serve(environs)
        else:
            workers = [threading.Thread(target=serve, args=(environs[i::threads],)) for i in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        took = time.process_time() - started, self.database_cpu() - database
        if failed:
            raise AssertionError(f"{self.label} answered {failed[0]} ({len(failed)} times)")
        return took


def bare(secret: str, slack: SlackProcess) -> Target:
    door = make_session_factory(make_engine("sqlite://"))
    return Target("bare Bolt", WebApp(bare_app(secret=secret, slack_url=slack.base_url), door, signing_secret=secret))


def copbot(kind: str, secret: str, slack: SlackProcess) -> Target:
    """copbot's answering process as `copbot run` builds it; accepted requests are handed to nobody."""
    from bot.app import build_services, create_app
    from bot.settings import load_settings

    url, drop = fresh_database(kind)
    settings = load_settings(slack_bot_token="xoxb-bench", slack_signing_secret=secret, slack_api_url=slack.base_url,
                             database_url=url, _env_file=None)
    services = build_services(settings)
    app = create_app(services)
    services.inbox.hand_to(lambda lane, item_id: None)

    def close() -> None:
        with services.engine.connect() as connection:
            recorded = connection.scalar(select(func.count()).select_from(InboxItem.__table__))
        print(f"  ({recorded} requests recorded in copbot's inbox on {kind})")
        services.close()
        drop()

    return Target(f"copbot, {kind}", WebApp(app, services.inbox.door, signing_secret=secret), url=url, close=close)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--count", type=int, default=2000, help="requests of each kind per app and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="call the app from this many threads at once")
    parser.add_argument("--kinds", default="command,event,click")
    parser.add_argument("--profile", metavar="KIND", help="profile copbot's door on this kind of request instead")
    args = parser.parse_args()
    secret = secrets.token_hex(16)
    factory = RequestFactory(signing_secret=secret, team_id=TEAM)
    print(f"CPU per acknowledgement, in one process, without HTTP, {args.threads} thread(s); {machine()}")
    with SlackProcess(latency=0, users=MEMBERS, channels=1) as slack:
        makers = kinds(factory, slack)
        targets = [bare(secret, slack)] + [copbot(kind, secret, slack) for kind in args.db.split(",")]
        counter = 0

        def batch(kind: str, count: int) -> list[dict[str, Any]]:
            nonlocal counter
            counter += count
            return [environ(makers[kind](counter + i)) for i in range(count)]

        try:
            for target in targets:
                for kind in makers:
                    target.run(batch(kind, WARM_UP))
            if args.profile:
                profiler = cProfile.Profile(time.process_time)
                for target in targets[1:]:
                    environs = batch(args.profile, args.count)
                    profiler.enable()
                    target.run(environs)
                    profiler.disable()
                    print(f"\n{target.label}, {args.count} {args.profile}s")
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
                    profiler = cProfile.Profile(time.process_time)
                return 0
            for _ in range(args.rounds):
                for kind in args.kinds.split(","):
                    for target in targets:
                        target.rounds.setdefault(kind, []).append(target.run(batch(kind, args.count), args.threads))
        finally:
            for target in targets:
                target.close()
    print(f"\n  {'app':20} {'request':8} {'CPU µs/ack':>10} {'× bare':>7} {'database µs/ack':>15} {'rounds (µs)':>20}")
    floor = targets[0]
    for kind in args.kinds.split(","):
        base = statistics.median(cpu for cpu, _ in floor.rounds[kind]) / args.count * 1e6
        for target in targets:
            cpus = [cpu / args.count * 1e6 for cpu, _ in target.rounds[kind]]
            database = statistics.median(db for _, db in target.rounds[kind]) / args.count * 1e6
            own = statistics.median(cpus)
            print(f"  {target.label:20} {kind:8} {own:10.0f} {own / base:7.2f} {database:15.0f} "
                  f"{' '.join(f'{c:.0f}' for c in cpus):>20}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
