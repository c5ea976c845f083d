"""The outbox against Slack's real ceiling: an emulated Slack 200 ms away that enforces the per-channel and
workspace limits on chat.postMessage with 429s. Run: .venv/bin/python bench/outbox.py [--quick]

Figures: messages delivered per second beside what the limits allow (the floor: nothing can go faster),
how many posts Slack refused (429), and how many messages were lost or sent twice (both must be 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from bench.common import SlackProcess, fresh_database, machine  # noqa: E402
from bench.slack_process import CHANNEL, TEAM, USER  # noqa: E402
from bot.app import build_services  # noqa: E402
from bot.outbox import Limits  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from models import Delivery, DeliveryStatus  # noqa: E402
from models.deliveries import enqueue_many  # noqa: E402

SECTION = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Weekly digest* " + "x" * 400}}]


@dataclass(frozen=True)
class Scenario:
    name: str
    dms: int
    channels: int
    busy: int  # messages queued for one busy channel, besides the one-per-channel ones
    slack_per_minute: float  # the emulated workspace limit
    copbot_per_minute: float  # the pace copbot keeps


def run(kind: str, scenario: Scenario, *, latency: float) -> dict[str, float]:
    url, drop = fresh_database(kind)
    limits = f"1:5:{scenario.slack_per_minute:g}:30"
    with SlackProcess(latency=latency, users=scenario.dms, channels=scenario.channels, limits=limits) as slack:
        settings = load_settings(slack_bot_token="xoxb-bench", slack_signing_secret=secrets.token_hex(16),
                                 slack_api_url=slack.base_url, database_url=url, _env_file=None)
        services = build_services(settings, limits=Limits(channel_per_second=1.0, channel_burst=3,
                                                          workspace_per_minute=scenario.copbot_per_minute,
                                                          workspace_burst=20, in_flight=8))
        now = services.clock.now()
        rows = [dict(key=f"dm:{i}", team_id=TEAM, channel=USER.format(i), text=f"digest for {i}", kind="digest_dm",
                     blocks=SECTION, now=now) for i in range(scenario.dms)]
        rows += [dict(key=f"channel:{i}", team_id=TEAM, channel=CHANNEL.format(i), text=f"digest of {i}",
                      kind="digest", blocks=SECTION, now=now) for i in range(scenario.channels)]
        rows += [dict(key=f"card:{i}", team_id=TEAM, channel=CHANNEL.format(0), text=f"card {i}", kind="action_card",
                      now=now) for i in range(scenario.busy)]
        with services.sessions.begin() as session:
            enqueue_many(session, rows)
        total = len(rows)
        start = time.monotonic()
        started_at = dt.datetime.now(dt.UTC)
        services.dispatcher.start()
        while True:
            with services.sessions() as session:
                left = session.scalar(select(func.count()).select_from(Delivery).where(
                    Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])))
            if not left or time.monotonic() - start > 1800:
                break
            time.sleep(0.25)
        elapsed = time.monotonic() - start
        services.close()
        with services.sessions() as session:
            sent = session.scalar(select(func.count()).select_from(Delivery).where(
                Delivery.status == DeliveryStatus.SENT)) or 0
            others_done = session.scalar(select(func.max(Delivery.sent_at)).where(Delivery.kind != "action_card"))
        stats = slack.stats()
    drop()
    # The floor: the fastest the emulated Slack's limits allow, its bursts spent first. The workspace's rate
    # bounds everything; the busy channel's one a second bounds its own messages.
    fastest = max((total - 30) / (scenario.slack_per_minute / 60), scenario.busy + 1 - 5, 0)
    return {"total": total, "sent": sent, "lost": total - sent, "doubled": stats["doubled"],
            "throttled": stats["throttled"], "seconds": elapsed, "per_second": sent / elapsed,
            "limit_per_second": scenario.slack_per_minute / 60, "of_allowed": fastest / elapsed,
            "fastest": fastest,
            "others_seconds": (others_done - started_at).total_seconds() if others_done else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the messages and a faster workspace limit")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    scenarios = [
        Scenario("Monday morning: 2,000 digest DMs and 200 channel digests", 2000 // scale, 200 // scale, 0,
                 600, 600),
        Scenario("one busy channel: 150 action cards, beside 200 channels and 300 DMs", 300 // scale, 200 // scale,
                 150 // scale, 600, 600),
        Scenario("copbot set 1.5x faster than Slack allows: Retry-After does the pacing", 1000 // scale,
                 100 // scale, 0, 600, 900),
    ]
    print(f"outbox to an emulated Slack {args.latency * 1000:.0f} ms away, limits 1/s per channel (burst 5) and "
          f"the workspace's per minute; {machine()}")
    for kind in args.db.split(","):
        for scenario in scenarios:
            r = run(kind, scenario, latency=args.latency)
            print(f"  {kind:10} {scenario.name}")
            print(f"             {r['sent']:.0f}/{r['total']:.0f} sent in {r['seconds']:.1f} s "
                  f"(the limits allow {r['fastest']:.1f} s at best: {r['of_allowed']:.0%}); {r['per_second']:.2f}/s "
                  f"against a workspace limit of {r['limit_per_second']:.2f}/s; "
                  f"{r['throttled']:.0f} posts refused (429), "
                  f"{r['lost']:.0f} lost, {r['doubled']:.0f} sent twice; all but the busy channel done after "
                  f"{r['others_seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
