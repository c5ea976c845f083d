"""The emulated Slack in a process of its own, as far away as the real one, for the benchmarks.

Run by the benchmarks, not by hand: `python bench/slack_process.py --latency 0.2 ...` prints the port it
serves on, then serves until killed. In its own process, its HTTP handling never competes with the app
under test for the interpreter, as Slack's servers never do.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sandbox.slack_emulator import PostLimits, SlackEmulator  # noqa: E402

TEAM = "T0BENCH01"
CHANNEL = "CBENCH{:04d}"
USER = "UBENCH{:05d}"


def emulator(*, latency: float, users: int, channels: int, limits: PostLimits | None) -> SlackEmulator:
    """A workspace of `users` people (USER ids, in London) and `channels` channels copbot is in, all members."""
    slack = SlackEmulator(team_id=TEAM, latency=latency, post_limits=limits)
    ids = [USER.format(i) for i in range(users)]
    for user_id in ids:
        slack.add_user(user_id, user_id.lower(), tz="Europe/London")
    for i in range(channels):
        slack.add_channel(CHANNEL.format(i), f"bench-{i}", creator=ids[0] if ids else slack.bot_user_id,
                          members=[slack.bot_user_id, *ids[:50]])
    return slack


def _limits(text: str) -> PostLimits | None:
    """`channel_per_second:channel_burst:workspace_per_minute:workspace_burst`, or `none`."""
    if text == "none":
        return None
    channel, channel_burst, workspace, workspace_burst = text.split(":")
    return PostLimits(float(channel), int(channel_burst), float(workspace), int(workspace_burst))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds before each answer")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--channels", type=int, default=2)
    parser.add_argument("--limits", default="none", help="chat.postMessage limits, e.g. 1:5:600:30, or none")
    args = parser.parse_args()
    # Slack's servers are not on this machine: the emulator's own CPU gets the lowest priority, so that it
    # takes as little as it can from the app under test (its 200 ms answers are sleeps, not work).
    os.nice(19)
    slack = emulator(latency=args.latency, users=args.users, channels=args.channels, limits=_limits(args.limits))
    slack.start()
    print(slack.port, flush=True)
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
