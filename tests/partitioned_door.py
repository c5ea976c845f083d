"""The door on the far side of a network, for tests/test_partition.py: `python -m tests.partitioned_door <url>`.

It opens the door's engine as `copbot run` does, then records one request for each key read on stdin and
writes back one JSON line: the key, what came of it (`recorded`, `repeated`, or the error's class) and
how long the door took to say so.
"""

from __future__ import annotations

import json
import sys
import time

from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.db import make_engine, make_session_factory
from bot.inbox import Inbox
from models.inbox import Arrival

TEAM = "T0COP0001"


def main(database_url: str) -> None:
    clock = Clock()
    inbox = Inbox(door=make_engine(database_url, door=True),
                  sessions=make_session_factory(make_engine(database_url, connections=1)), clock=clock)
    inbox.hand_to(lambda _lane, _item: None)  # nobody works on them: the test looks only at what was recorded
    for line in sys.stdin:
        key = line.strip()
        arrival = Arrival(key=key, team_id=TEAM, kind="command", listener="handle_cop_command", lane="UALICE",
                          body={"text": key}, user_id="UALICE", channel_id="CDEVOPS", bot_user_id=None)
        started = time.monotonic()
        try:
            outcome = inbox.accept(arrival, now=clock.now()).value
        except SQLAlchemyError as error:
            outcome = type(error).__name__
        print(json.dumps({"key": key, "outcome": outcome, "seconds": time.monotonic() - started}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
