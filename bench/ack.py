"""How fast copbot acknowledges, beside a bare Bolt app on the same server: the floor nothing beats.

Run: .venv/bin/python bench/ack.py [--quick] [--db sqlite,postgresql] [--latency 0,0.2]

Each app runs in its own process (waitress, 16 threads), the emulated Slack in another (answering every
Web API call and response_url post after `--latency` seconds), the load from this one: signed requests,
each unique, from 1, 10 and 50 clients at once on keep-alive connections. For each kind of request (a
slash command, an event, a button click) it prints the acknowledgement's p50/p95/p99 and requests per
second, copbot's ratio to the bare app, and for copbot how long after the last acknowledgement the work
was all done; then a burst of 100 commands at once, and each server's memory.
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.common import SlackProcess, fresh_database, machine, percentile  # noqa: E402
from bench.slack_process import CHANNEL, TEAM, USER  # noqa: E402
from bot.db import make_engine, make_session_factory  # noqa: E402
from bot.sandbox.requests import RequestFactory, SignedRequest  # noqa: E402
from models import Action, Community, InboxItem, InboxStatus  # noqa: E402

MEMBERS = 50
ACK_DEADLINE = 3.0  # Slack's


class AppProcess:
    def __init__(self, app: str, *, slack: SlackProcess, secret: str, db: str = "sqlite://",
                 extra: tuple[str, ...] = ()) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "app_process.py"), "--app", app, "--db", db, "--slack-url",
             slack.base_url, "--secret", secret, *extra], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def rss_mib(self) -> tuple[float, float]:
        """Resident memory of the process that answers, and of the processes it started (the work process)."""
        def rss(pid: int) -> float:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
            return 0.0

        children = {int(c) for task in Path(f"/proc/{self.process.pid}/task").iterdir()
                    for c in (task / "children").read_text().split()}
        return rss(self.process.pid), sum(rss(c) for c in children)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


@dataclass
class Result:
    latencies: list[float]
    failures: int
    seconds: float

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(sorted(self.latencies), q) * 1000


def fire(port: int, requests: list[SignedRequest], clients: int) -> Result:
    """Send every request, `clients` at a time, each client on its own keep-alive connection."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    queue = list(reversed(requests))

    def client() -> None:
        nonlocal failures
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                request = queue.pop()
            start = time.perf_counter()
            try:
                connection.request("POST", "/slack/events", body=request.body, headers=request.headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                if not ok or took > ACK_DEADLINE:
                    failures += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(latencies, failures, time.perf_counter() - start)


def kinds(factory: RequestFactory, slack: SlackProcess) -> dict[str, Callable[[int], SignedRequest]]:
    """How to make the n-th request of each kind: every one unique, as Slack's are."""
    def command(n: int) -> SignedRequest:
        user = USER.format(n % MEMBERS)
        return factory.slash_command(user_id=user, user_name=user.lower(), channel_id=CHANNEL.format(0),
                                     channel_name="bench-0", text="action list",
                                     response_url=slack.response_url(f"c{n}"))

    def event(n: int) -> SignedRequest:
        reaction = factory.reaction(user=USER.format(n % MEMBERS), reaction="tada", channel=CHANNEL.format(0),
                                    ts=f"1795000000.{n:06d}", item_user=USER.format((n + 1) % MEMBERS))
        return factory.event(reaction)

    def click(n: int) -> SignedRequest:
        return factory.block_action(user_id=USER.format(n % MEMBERS), action_id="action_claim", value="1",
                                    channel_id=CHANNEL.format(0), message_ts="1795000000.000001",
                                    response_url=slack.response_url(f"b{n}"))

    return {"command": command, "event": event, "click": click}


def wait_drained(url: str, timeout: float = 600) -> float:
    """Seconds until every request in the inbox is finished."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    start = time.monotonic()
    try:
        while time.monotonic() - start < timeout:
            with sessions() as session:
                left = session.scalar(select(func.count()).select_from(InboxItem).where(
                    InboxItem.status.in_([InboxStatus.PENDING, InboxStatus.WORKING])))
            if not left:
                break
            time.sleep(0.05)
        return time.monotonic() - start
    finally:
        engine.dispose()


def prepare_copbot(url: str, factory: RequestFactory, slack: SlackProcess, port: int) -> None:
    """A community in the benchmark's channel, with one action to click on."""
    owner = USER.format(0)
    for text in ("setup Bench CoP", 'action add "Benchmark the door"'):
        fire(port, [factory.slash_command(user_id=owner, user_name=owner.lower(), channel_id=CHANNEL.format(0),
                                          channel_name="bench-0", text=text,
                                          response_url=slack.response_url(secrets.token_hex(4)))], 1)
        wait_drained(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Community)) == 1, "the community was not set up"
        assert session.scalar(select(func.count()).select_from(Action)) == 1, "the action was not added"
    engine.dispose()


def run_app(label: str, app: str, db_kind: str | None, *, latency: float, levels: list[int],
            per_client: int) -> dict:
    secret = secrets.token_hex(16)
    url, drop = fresh_database(db_kind) if db_kind else ("sqlite://", lambda: None)
    results: dict = {"label": label, "levels": {}}
    with SlackProcess(latency=latency, users=MEMBERS, channels=1) as slack:
        server = AppProcess(app, slack=slack, secret=secret, db=url)
        factory = RequestFactory(signing_secret=secret, team_id=TEAM)
        makers = kinds(factory, slack)
        try:
            if app == "copbot":
                prepare_copbot(url, factory, slack, server.port)
            counter = 0
            for kind, make in makers.items():
                for clients in levels:
                    count = max(50, clients * per_client)
                    requests = [make(counter + i) for i in range(count)]
                    counter += count
                    fire(server.port, requests[:5], 5)  # warm the connections and caches
                    result = fire(server.port, requests[5:], clients)
                    drained = wait_drained(url) if app == "copbot" else 0.0
                    results["levels"][(kind, clients)] = (result, drained)
            burst = [makers["command"](counter + i) for i in range(100)]
            results["burst"] = fire(server.port, burst, 100)
            if app == "copbot":
                wait_drained(url)
            results["rss"] = server.rss_mib()
            results["slack"] = slack.stats()
        finally:
            server.stop()
    drop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests per client")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--latency", default="0,0.2")
    args = parser.parse_args()
    levels = [1, 10, 50]
    per_client = 5 if args.quick else 20
    print(f"acknowledgements, copbot beside a bare Bolt app on the same server; {machine()}")
    for latency in (float(x) for x in args.latency.split(",")):
        runs = [run_app("bare Bolt", "bare", None, latency=latency, levels=levels, per_client=per_client)]
        runs += [run_app(f"copbot {kind}", "copbot", kind, latency=latency, levels=levels, per_client=per_client)
                 for kind in args.db.split(",")]
        floor = runs[0]
        print(f"\nSlack answering in {latency * 1000:.0f} ms")
        print(f"  {'app':18} {'request':8} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7} "
              f"{'failed':>6} {'p99 x':>6} {'req/s x':>7} {'work done +s':>12}")
        for run in runs:
            for (kind, clients), (result, drained) in run["levels"].items():
                base, _ = floor["levels"][(kind, clients)]
                print(f"  {run['label']:18} {kind:8} {clients:7} {result.p(50):8.1f} {result.p(95):8.1f} "
                      f"{result.p(99):8.1f} {result.per_second:7.0f} {result.failures:6} "
                      f"{result.p(99) / max(base.p(99), 1e-9):6.2f} {result.per_second / base.per_second:7.2f} "
                      f"{drained:12.1f}")
        for run in runs:
            burst = run["burst"]
            print(f"  {run['label']:18} burst of 100 commands at once: {burst.failures} failed (non-200 or over 3 s), "
                  f"p99 {burst.p(99):.0f} ms; memory {run['rss'][0]:.0f} MiB answering, {run['rss'][1]:.0f} MiB in "
                  f"the processes it started; Slack saw "
                  f"{json.dumps(run['slack']['calls'], sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
