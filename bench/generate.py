"""Fill a database with a whole organisation of communities, as copbot would have left it just before `now`.

    .venv/bin/python bench/generate.py sqlite:////tmp/org.db --preset small --seed 1
    .venv/bin/python bench/generate.py postgresql+psycopg://postgres@127.0.0.1:5432/org --preset full

An empty database is migrated first. The same preset, counts, seed and instant give the same rows. The default
instant is a Monday 09:00 UTC: the London communities' digest slot and their readers' 09:00, working hours in
London, Berlin and Bengaluru, standups being asked around the world, and everything an earlier tick would
have done already in the outbox, so that every scheduler job has what it would really have to do then.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, inspect, select

from bench.org.context import Org
from bench.org.ledger import fill_ledger, finished_requests, top_up
from bench.org.maturity import write_assessments
from bench.org.meetings import plan_meetings
from bench.org.outbox import Outbox
from bench.org.outreach import plan_outreach, write_nudges
from bench.org.people import plan_people
from bench.org.programme import derive_programme, write_programme
from bench.org.scale import PRESETS, Scale, resolve_scale
from bench.org.standups import Standups
from bench.org.work import plan_work
from bench.org.writer import Writer, progress_bar
from bot.db import make_engine, normalise_url
from bot.migrate import upgrade
from models import Mention, Person

logger = logging.getLogger(__name__)

# A Monday; 09:00 UTC is 09:00 in London in November.
DEFAULT_NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Generated:
    scale: Scale
    seed: int
    now: dt.datetime
    rows: dict[str, int]  # table -> rows written
    seconds: float


def generate(url: str, *, preset: str = "small", seed: int = 1, now: dt.datetime = DEFAULT_NOW,
             progress: bool = False, **counts: int | None) -> Generated:
    """Migrate the empty database at `url` and fill it with the organisation of `preset` (with any of the
    counts `communities`, `people`, `contributions`, `actions`, `meetings` given instead)."""
    scale = resolve_scale(preset, **counts)
    url = normalise_url(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        if _has_rows(engine):
            raise ValueError("the database already holds an organisation; generate into an empty one")
        return _fill(engine, scale=scale, seed=seed, now=now, progress=progress)
    finally:
        engine.dispose()


def _has_rows(engine: Engine) -> bool:
    if not inspect(engine).has_table(Person.__tablename__):
        return False
    with engine.connect() as connection:
        return connection.scalar(select(Person.id).limit(1)) is not None


def _fill(engine: Engine, *, scale: Scale, seed: int, now: dt.datetime, progress: bool) -> Generated:
    started = time.perf_counter()
    writer = Writer(engine, progress_bar(progress))
    org = Org(scale=scale, seed=seed, now=now, writer=writer)
    org.outbox = Outbox(org)
    plan_people(org)
    plan_meetings(org)
    plan_work(org)
    standups = Standups(org)
    standups.plan()
    # Who is quiet, and who has contributed since joining, depend on the whole ledger: it comes before
    # the nudges and check-ins that it decides.
    fill_ledger(org, reserve=standups.reserve)
    nudges = plan_outreach(org)
    writer.stage("the week's direct messages")
    org.outbox.settle()
    top_up(org)
    standups.write()
    write_nudges(org, nudges)
    writer.insert(Mention, org.mentions)
    org.outbox.write()
    write_assessments(org)
    write_programme(org)
    finished_requests(org)
    writer.finish(then=lambda: derive_programme(engine, org))
    if writer.contributions != scale.contributions:
        raise AssertionError(f"{writer.contributions} contributions written, {scale.contributions} asked")
    return Generated(scale=scale, seed=seed, now=org.now, rows=dict(writer.counts),
                     seconds=time.perf_counter() - started)


def _instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="an empty database: sqlite:///path or postgresql+psycopg://...")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--now", type=_instant, default=DEFAULT_NOW, help="ISO instant, UTC unless it says")
    for name in ("communities", "people", "contributions", "actions", "meetings"):
        parser.add_argument(f"--{name}", type=int, help=f"instead of the preset's {name}")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # each migration step says nothing worth reading here
    counts = {name: getattr(args, name) for name in ("communities", "people", "contributions", "actions", "meetings")}
    done = generate(args.url, preset=args.preset, seed=args.seed, now=args.now, progress=not args.quiet, **counts)
    logger.info("generated in %.1f s at %s:", done.seconds, done.now.isoformat())
    for table, rows in sorted(done.rows.items()):
        logger.info("  %-20s %10d", table, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
