"""Every scheduler job, and the whole tick, on a generated organisation at three scales, on SQLite and PostgreSQL.

    .venv/bin/python bench/jobs.py            # small and medium, both databases
    .venv/bin/python bench/jobs.py --full     # and the full organisation (200 communities, 2 million contributions)

For each job in scheduler/runner.py's JOBS, called as `run_job` calls it, at the generator's instant (a Monday
09:00 UTC): the SQL statements it ran, the messages it queued (its return value), the rows it added to the
outbox and the held notices, and its wall time; then the tick (every job in order, as `run_tick` runs them,
without the outbox dispatch) on a fresh copy. Beside them, the floor: one aggregate over the contributions
table on the same database. Generated organisations are kept in a temporary folder (SQLite) or in databases
named after their preset and seed (PostgreSQL), and each measurement runs on a copy of one.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import logging
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, create_engine, delete, event, func, select, text
from sqlalchemy.orm import Session

from bench.generate import DEFAULT_NOW, generate
from bench.org.context import TEAM_ID
from bot.app import build_services
from bot.clock import Clock
from bot.outbox import Limits
from bot.sandbox.slack_emulator import SlackEmulator
from bot.services import Services
from bot.settings import load_settings
from models import Contribution, Delivery, HeldNotice, Membership
from models.health.snapshots import HealthSnapshot, week_of
from scheduler.profiles import unprofiled_members
from scheduler.runner import JOBS, Job, run_job

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("COPBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CACHE = Path(tempfile.gettempdir()) / "copbot-bench"
FLOOR_SQL = select(Contribution.community_id, func.count()).group_by(Contribution.community_id)
TICK = "tick (every job, no dispatch)"
WEEKLY = "health.weekly"
WEEKLY_RUN = "health.weekly, its weekly run"


@dataclass(frozen=True)
class Measured:
    database: str
    preset: str
    members: int
    job: str
    statements: int
    queued: int
    added: int  # rows added to the outbox and to the held notices
    ms: float
    floor_ms: float


def fingerprint() -> str:
    """What the cached organisations were made by: the generator's code and the migrations."""
    digest = hashlib.sha256()
    sources = sorted((ROOT / "bench" / "org").glob("*.py")) + [ROOT / "bench" / "generate.py"]
    sources += sorted((ROOT / "migrations" / "versions").glob("*.py"))
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


# ---------------------------------------------------------------------- the cached organisations


class Store:
    """Generated organisations, each made once per preset and seed, and throw-away copies of them."""

    def __init__(self, kind: str, *, seed: int, progress: bool, given: dict[str, str] | None = None) -> None:
        self.kind, self.seed, self.progress = kind, seed, progress
        self.tag = fingerprint()
        # Organisations generated already (preset -> PostgreSQL database), used as they are.
        self.given = given or {}

    def _name(self, preset: str) -> str:
        return f"copbot_org_{preset}_{self.seed}_{self.tag}"

    def ensure(self, preset: str) -> str:
        return self._ensure_sqlite(preset) if self.kind == "sqlite" else self._ensure_postgresql(preset)

    def _ensure_sqlite(self, preset: str) -> str:
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"{self._name(preset)}.db"
        if not path.exists():
            partial = path.with_suffix(".partial")
            for leftover in CACHE.glob(partial.name + "*"):
                leftover.unlink()
            logger.info("generating %s on SQLite into %s", preset, path)
            done = generate(f"sqlite:///{partial}", preset=preset, seed=self.seed, now=DEFAULT_NOW,
                            progress=self.progress)
            logger.info("generated %s on SQLite in %.0f s", preset, done.seconds)
            _checkpoint(f"sqlite:///{partial}")
            os.replace(partial, path)
        return str(path)

    def _ensure_postgresql(self, preset: str) -> str:
        if preset in self.given:
            return self.given[preset]
        name = self._name(preset)
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
                if not exists:
                    partial = f"{name}_partial"
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)'))
                    connection.execute(text(f'CREATE DATABASE "{partial}"'))
                    logger.info("generating %s on PostgreSQL into %s", preset, name)
                    done = generate(_pg_url(partial), preset=preset, seed=self.seed, now=DEFAULT_NOW,
                                    progress=self.progress)
                    logger.info("generated %s on PostgreSQL in %.0f s", preset, done.seconds)
                    connection.execute(text(f'ALTER DATABASE "{partial}" RENAME TO "{name}"'))
        finally:
            admin.dispose()
        return name

    @contextlib.contextmanager
    def copy(self, preset: str) -> Iterator[str]:
        """A URL to a copy of the preset's organisation, gone afterwards."""
        source = self.ensure(preset)
        if self.kind == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="copbot-bench-"))
            shutil.copy(source, folder / "org.db")
            try:
                yield f"sqlite:///{folder / 'org.db'}"
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            return
        work = f"copbot_work_{secrets.token_hex(4)}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{work}" TEMPLATE "{source}"'))
            yield _pg_url(work)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)'))
            admin.dispose()


def _pg_url(database: str) -> str:
    return create_engine(PG_ADMIN).url.set(database=database).render_as_string(hide_password=False)


def _checkpoint(url: str) -> None:
    """Fold SQLite's write-ahead log into the file, so that copying the one file copies everything."""
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


# ---------------------------------------------------------------------- measuring


class Counter:
    """SQL statements run through an engine while counting is on (as bench/run.py counts them)."""

    def __init__(self, engine: Engine) -> None:
        self.statements = 0
        self.on = False
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_: object) -> None:
        self.statements += self.on

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        self.statements, self.on = 0, True
        try:
            yield
        finally:
            self.on = False


def _outbox_rows(services: Services) -> int:
    with services.sessions() as session:
        return sum(session.scalar(select(func.count()).select_from(model)) or 0 for model in (Delivery, HeldNotice))


@contextlib.contextmanager
def _services(url: str) -> Iterator[Services]:
    """The app's services on `url`, with an emulated Slack that knows the people the profile job will look up."""
    with SlackEmulator(team_id=TEAM_ID) as slack:
        engine = create_engine(url)
        with Session(engine) as session:
            for _team, user_id in unprofiled_members(session, limit=100_000):
                slack.add_user(user_id, user_id.lower(), real_name=f"Person {user_id}", tz="Europe/Berlin")
        engine.dispose()
        settings = load_settings(slack_bot_token="xoxb-bench", slack_signing_secret=secrets.token_hex(16),
                                 slack_api_url=slack.base_url, database_url=url, _env_file=None)
        services = build_services(settings, clock=Clock(DEFAULT_NOW), limits=Limits.unpaced())
        try:
            yield services
        finally:
            services.close()


def _floor(services: Services) -> float:
    """One aggregate over the whole ledger: the median of three, the first having warmed the cache."""
    samples = []
    with services.engine.connect() as connection:
        for _ in range(3):
            start = time.perf_counter()
            connection.execute(FLOOR_SQL).all()
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _members(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Membership).where(Membership.active.is_(True))) or 0


def _run(services: Services, counter: Counter, jobs: tuple[Job, ...]) -> tuple[int, int, int, float]:
    before = _outbox_rows(services)
    queued = 0
    with counter.counting():
        start = time.perf_counter()
        for job in jobs:
            queued += run_job(services, job, now=DEFAULT_NOW)
        ms = (time.perf_counter() - start) * 1000
    return counter.statements, queued, _outbox_rows(services) - before, ms


def measure(store: Store, preset: str) -> list[Measured]:
    results: list[Measured] = []
    with store.copy(preset) as url, _services(url) as services:
        counter = Counter(services.engine)
        floor, members = _floor(services), _members(services)
        for job in JOBS:
            statements, queued, added, ms = _run(services, counter, (job,))
            results.append(Measured(store.kind, preset, members, job.id, statements, queued, added, ms, floor))
            logger.info("  %-10s %-7s %-26s %6d statements %6d queued %9.1f ms", store.kind, preset, job.id,
                        statements, queued, ms)
        # At the instant the week's snapshots are taken already (Monday 00:00): the run that takes them, and scans
        # for fading over the weeks before, measured as it would be with them not yet taken.
        weekly = next(job for job in JOBS if job.id == WEEKLY)
        with services.sessions() as session, session.begin():
            session.execute(delete(HealthSnapshot).where(HealthSnapshot.week == week_of(DEFAULT_NOW)))
        statements, queued, added, ms = _run(services, counter, (weekly,))
        results.append(Measured(store.kind, preset, members, WEEKLY_RUN, statements, queued, added, ms, floor))
        logger.info("  %-10s %-7s %-26s %6d statements %6d queued %9.1f ms", store.kind, preset, WEEKLY_RUN,
                    statements, queued, ms)
    with store.copy(preset) as url, _services(url) as services:
        counter = Counter(services.engine)
        floor = _floor(services)
        statements, queued, added, ms = _run(services, counter, JOBS)
        results.append(Measured(store.kind, preset, members, TICK, statements, queued, added, ms, floor))
        logger.info("  %-10s %-7s %-26s %6d statements %6d queued %9.1f ms", store.kind, preset, TICK, statements,
                    queued, ms)
    return results


def table(results: list[Measured]) -> str:
    lines = ["| database | preset | active members | job | SQL statements | queued | rows added | time (ms) | "
             "floor (ms) |", "|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.database} | {r.preset} | {r.members:,} | `{r.job}` | {r.statements:,} | {r.queued:,} | "
                     f"{r.added:,} | {r.ms:,.0f} | {r.floor_ms:,.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also the full organisation (slow to generate once)")
    parser.add_argument("--presets", help="comma-separated presets instead (e.g. tiny)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet", action="store_true", help="no progress bar while generating")
    parser.add_argument("--generated", action="append", default=[], metavar="PRESET=DATABASE",
                        help="a PostgreSQL database holding that preset's organisation already (used as it is)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # The jobs log what they queue, and migrations each step: the table says what matters.
    for noisy in ("scheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    presets = args.presets.split(",") if args.presets else ["small", "medium"] + (["full"] if args.full else [])
    results: list[Measured] = []
    for kind in args.databases.split(","):
        given = dict(item.split("=", 1) for item in args.generated)
        store = Store(kind, seed=args.seed, progress=not args.quiet, given=given)
        for preset in presets:
            results += measure(store, preset)
    print(f"\nat {DEFAULT_NOW:%a %Y-%m-%d %H:%M} UTC, seed {args.seed}, {dt.datetime.now():%Y-%m-%d}\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
