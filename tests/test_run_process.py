"""`copbot run` as an operator starts it: a real process that migrates, serves HTTP, and starts the work
process that does the work, sends the outbox and schedules.

SQLite only: the process needs a database of its own, and the PostgreSQL path is the same code
exercised by every other test.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from bot.sandbox.requests import RequestFactory
from bot.sandbox.slack_emulator import SlackEmulator
from tests.slack_spec.validate import check_call


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def emulator():
    with SlackEmulator(team_id="T0COP0001", validator=check_call) as slack:
        slack.add_user("UBOB", "bob", tz="America/New_York")
        slack.add_channel("CDEVOPS", "devops", creator="UBOB", members=["U0COPBOT", "UBOB"])
        yield slack
    assert slack.violations == []


@pytest.mark.long
def test_copbot_run_migrates_serves_health_and_signed_commands(tmp_path: Path, emulator: SlackEmulator):
    port = free_port()
    secret = secrets.token_hex(16)
    database = tmp_path / "copbot.db"
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": "xoxb-process-test", "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": emulator.base_url, "DATABASE_URL": f"sqlite:///{database}", "PORT": str(port),
    }
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    health = json.loads(response.read())
                    break
            except OSError:
                time.sleep(0.2)
        assert health == {"ok": True, "database": "ok"}, process.stdout.read() if process.poll() else "no answer"
        assert "communities" in inspect(create_engine(f"sqlite:///{database}")).get_table_names()

        requests = RequestFactory(signing_secret=secret, team_id="T0COP0001")
        command = requests.slash_command(user_id="UBOB", user_name="bob", channel_id="CDEVOPS", channel_name="devops",
                                         text="help", response_url=emulator.response_url("bob-1", user="UBOB"))
        http = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=command.body,
                                      headers=command.headers, method="POST")
        with urllib.request.urlopen(http, timeout=5) as response:
            assert response.status == 200
        assert emulator.wait_for(lambda: emulator.responses, timeout=10)
        assert "/cop setup" in json.dumps(emulator.responses[0]["blocks"])
        # The work was done by a work process; the page served by the door adds up both processes' figures.
        done = 'copbot_work_total{kind="command",outcome="done"} 1.0'
        page = ""
        for _ in range(50):  # the work process counts its work just after sending the reply
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                page = response.read().decode()
            if done in page:
                break
            time.sleep(0.1)
        assert done in page
        assert 'copbot_requests_total{kind="command",outcome="recorded"} 1.0' in page
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=45)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert "xoxb-process-test" not in output, "the token must never be logged"
    assert "Traceback" not in output


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


@pytest.mark.long
def test_work_processes_do_not_outlive_a_killed_copbot_run(tmp_path: Path, emulator: SlackEmulator):
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "SLACK_BOT_TOKEN": "xoxb-process-test",
        "SLACK_SIGNING_SECRET": secrets.token_hex(16), "SLACK_API_URL": emulator.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'copbot.db'}", "PORT": str(free_port()),
    }
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while len(spawned := children(process.pid)) < 2 and time.monotonic() < deadline:  # the work process and
            time.sleep(0.2)                                                              # multiprocessing's tracker
        assert len(spawned) >= 2, "no work process was started"
        time.sleep(1)
    finally:
        process.kill()  # no chance to say goodbye
        process.wait(timeout=10)
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in spawned) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in spawned if Path(f"/proc/{pid}").exists()], "a work process outlived its parent"
