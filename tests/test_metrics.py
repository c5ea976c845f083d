"""GET /metrics tells an operator what copbot does: the outbox's traffic and backlog, each job's runs, and which
process holds each lock. Counters are process-wide, so each test reads how much they moved."""

from __future__ import annotations

import datetime as dt
import urllib.request

from prometheus_client import REGISTRY

from bot import metrics
from bot.db import unit_of_work
from models.deliveries import enqueue
from scheduler.runner import JOBS, SchedulerService, _scheduled
from tests.conftest import START, TEAM
from tests.test_scheduler_lock import eventually


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def put(services, key: str, *, not_before: dt.datetime | None = None) -> None:
    with unit_of_work(services.sessions) as session:
        enqueue(session, key=key, team_id=TEAM, channel="CDEVOPS", text=key, kind="test", now=START,
                not_before=not_before)


def test_the_outbox_counts_sent_retried_and_failed_by_error(services, slack):
    before = {name: sample(name, **labels) for name, labels in (
        ("copbot_outbox_sent_total", {}), ("copbot_outbox_retried_total", {"error": "internal_error"}),
        ("copbot_outbox_failed_total", {"error": "channel_not_found"}))}
    for key, failure in (("flaky", "internal_error"), ("gone", "channel_not_found"), ("fine", None)):
        put(services, key)
        if failure:
            slack.fail_next("chat.postMessage", error=failure)
        services.dispatcher.dispatch(now=START)
    moved = {name: sample(name, **labels) - before[name] for name, labels in (
        ("copbot_outbox_sent_total", {}), ("copbot_outbox_retried_total", {"error": "internal_error"}),
        ("copbot_outbox_failed_total", {"error": "channel_not_found"}))}
    assert moved == {"copbot_outbox_sent_total": 1.0, "copbot_outbox_retried_total": 1.0,
                     "copbot_outbox_failed_total": 1.0}


def test_the_outbox_backlog_is_counted_by_state(services, slack):
    for key in ("flaky", "gone", "due"):
        put(services, key)
    put(services, "later", not_before=START + dt.timedelta(hours=1))
    slack.fail_next("chat.postMessage", error="internal_error")
    slack.fail_next("chat.postMessage", error="channel_not_found")
    services.dispatcher.dispatch(now=START, limit=2)  # one channel's messages go in order: flaky, then gone
    backlog = services.dispatcher.count_backlog(now=START)
    # "flaky" waits for its next try, as "later" waits for its time.
    assert backlog == {"due": 1, "waiting": 2, "retrying": 1, "sending": 0, "failed": 1, "held": 0}
    assert sample("copbot_outbox_backlog", state="retrying") == 1
    assert sample("copbot_outbox_backlog", state="failed") == 1
    assert sample("copbot_outbox_due") == 1


def test_each_job_run_gives_its_duration_and_rows(services):
    job = next(job for job in JOBS if job.id == "reminders.send_due")
    runs = sample("copbot_job_seconds_count", job=job.id)
    rows = sample("copbot_job_rows_total", job=job.id)
    _scheduled(services, job)()
    assert sample("copbot_job_seconds_count", job=job.id) == runs + 1
    assert sample("copbot_job_rows_total", job=job.id) == rows  # nothing was due: no rows, but a run counted


def test_the_page_names_the_process_that_holds_the_scheduler_lock(bot, monkeypatch):
    import scheduler.runner as runner

    monkeypatch.setattr(runner, "STANDBY_RETRY", dt.timedelta(seconds=0.05))
    service = SchedulerService(bot.services)
    holder = f'copbot_leader{{lock="copbot.scheduler",process="{metrics.this_process()}"}}'
    try:
        service.start()
        assert eventually(lambda: service.active)
        with urllib.request.urlopen(bot.url + "/metrics", timeout=5) as response:
            assert f"{holder} 1.0" in response.read().decode()
    finally:
        service.stop()
    with urllib.request.urlopen(bot.url + "/metrics", timeout=5) as response:
        assert f"{holder} 0.0" in response.read().decode()


def test_the_page_is_read_again_when_another_process_is_midway_through_its_file(tmp_path, monkeypatch):
    """A work process creating or removing its figures' file while the page is read does not make it fail."""
    from prometheus_client import multiprocess

    from bot import metrics as module

    monkeypatch.setenv(module.MULTIPROCESS_DIR, str(tmp_path))
    collect = multiprocess.MultiProcessCollector.collect
    failures = iter([FileNotFoundError("removed meanwhile"), ValueError("half-written")])

    def flaky(self):  # noqa: ANN001, ANN202
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return collect(self)

    monkeypatch.setattr(multiprocess.MultiProcessCollector, "collect", flaky)
    body, content_type = module.exposition()
    assert content_type.startswith("text/plain") and next(failures, None) is None
    assert isinstance(body, bytes)
