"""What the benchmarks share: fresh databases, an emulated Slack in its own process, percentiles."""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("COPBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def fresh_database(kind: str) -> tuple[str, Callable[[], None]]:
    """A migrated, empty database (a SQLite file, or a PostgreSQL database of its own) and how to drop it."""
    from bot.migrate import upgrade

    if kind == "sqlite":
        folder = tempfile.mkdtemp()
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        return url, lambda: None
    name = f"copbot_bench_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    upgrade(url)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


class SlackProcess:
    """bench/slack_process.py running beside the benchmark: an emulated Slack as far away as the real one."""

    def __init__(self, *, latency: float, users: int = 10, channels: int = 2, limits: str = "none") -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "slack_process.py"), "--latency", str(latency), "--users",
             str(users), "--channels", str(channels), "--limits", limits],
            stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())
        self.base_url = f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, tag: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{tag}"

    def stats(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_emulator/stats", timeout=30) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def __enter__(self) -> SlackProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no samples."""
    if not samples:
        return 0.0
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


def machine() -> str:
    """The machine the figures were taken on, in one line."""
    cores = os.cpu_count()
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0.0
    return f"{cores} cores, {memory:.0f} GiB, Python {sys.version.split()[0]}"
