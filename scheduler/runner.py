"""APScheduler wiring: a few interval jobs with stable ids, run only by the lock holder."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler

from bot import metrics
from bot.db import unit_of_work
from bot.outbox import DispatchReport
from bot.polls import close_due_polls
from bot.services import Services
from bot.terms import send_tor_reviews
from models.workspaces import workspace_stopped
from scheduler import digests, governance, health, jobs, maturity, newsletter, outreach, profiles, scorecards, wins
from scheduler.follow_up import follow_up_actions
from scheduler.lock import OUTBOX_LOCK, SCHEDULER_LOCK, LeaderLock

logger = logging.getLogger(__name__)

JobFunction = Callable[..., int]


@dataclass(frozen=True)
class Job:
    id: str
    function: JobFunction
    every: dt.timedelta
    # Jobs that reach the overall leads get the ones named in the settings (COPBOT_ADMINS).
    needs_admin_ids: bool = False
    # Jobs that ask Slack something themselves (rather than queue messages) get the Web API client and the
    # session factory instead of a session, so that no Slack call is made inside a database transaction.
    asks_slack: bool = False


# Schedules are rows, not code: these jobs only scan for what is due, so running one late or
# twice is harmless, and a run missed while the bot was down is covered by the next.
JOBS: tuple[Job, ...] = (
    # First, so that a member enrolled at setup has their zone before anything is timed by it.
    Job("people.refresh_profiles", profiles.refresh_profiles, dt.timedelta(minutes=5), asks_slack=True),
    Job("reminders.send_due", jobs.send_due_reminders, dt.timedelta(minutes=1)),
    Job("meetings.close_overdue", jobs.close_overdue_meetings, dt.timedelta(minutes=5)),
    Job("standups.ask_due", jobs.ask_standups, dt.timedelta(minutes=1)),
    Job("standups.close_due", jobs.close_standups, dt.timedelta(minutes=1)),
    Job("polls.close_due", close_due_polls, dt.timedelta(minutes=1)),
    Job("maturity.close_due", maturity.close_due_assessments, dt.timedelta(minutes=5)),
    Job("tor.reviews", send_tor_reviews, dt.timedelta(hours=1)),
    Job("inbox.forget_finished", jobs.forget_finished_requests, dt.timedelta(hours=6)),
    Job("actions.follow_up", follow_up_actions, dt.timedelta(minutes=5), needs_admin_ids=True),
    # Before the digests, so that what goes over someone's budget at their 09:00 is in that 09:00 digest.
    Job("newcomers.check_in", outreach.send_checkins, dt.timedelta(minutes=15)),
    Job("nudges.send", outreach.send_nudges, dt.timedelta(minutes=15)),
    # Digests are due at a wall-clock minute (09:00 somewhere); a run every five minutes is near enough.
    Job("digests.post_channel", digests.post_channel_digests, dt.timedelta(minutes=5)),
    Job("digests.send_dms", digests.send_digest_dms, dt.timedelta(minutes=5)),
    Job("governance.ask_for_kpis", governance.ask_for_kpis, dt.timedelta(hours=1)),
    Job("wins.post_weekly", wins.post_weekly_wins, dt.timedelta(hours=1), needs_admin_ids=True),
    Job("scorecards.send_quarterly", scorecards.send_scorecards, dt.timedelta(hours=1)),
    Job("maturity.prompt_leads", maturity.prompt_leads, dt.timedelta(hours=1)),
    # Drafted from the start of the first working day of the month; a quarter of an hour late is near enough.
    Job("newsletter.draft", newsletter.draft_newsletters, dt.timedelta(minutes=15), needs_admin_ids=True),
    # Hourly, but it acts once a week: the first run of each week takes the snapshots and scans for fading.
    Job("health.weekly", health.weekly_health, dt.timedelta(hours=1), needs_admin_ids=True),
)
STANDBY_RETRY = dt.timedelta(seconds=15)


@dataclass
class TickReport:
    queued: dict[str, int]
    dispatched: DispatchReport


def run_job(services: Services, job: Job, *, now: dt.datetime) -> int:
    extra = {"admin_ids": services.settings.admin_ids} if job.needs_admin_ids else {}
    # Whether copbot was removed from the workspace (or its token revoked) is asked in the job's own
    # transaction: nothing is due there then, and one transaction a job costs half of two.
    with unit_of_work(services.sessions) as session:
        if workspace_stopped(session):
            return 0
        if not job.asks_slack:
            return job.function(session=session, now=now, **extra)
    # A job that asks Slack opens its own transactions around its calls, never holding one over them.
    return job.function(sessions=services.sessions, client=services.client, now=now, **extra)


def run_tick(services: Services, *, now: dt.datetime) -> TickReport:
    """Every job once at `now`, then send what they queued (what `copbot tick --at` does)."""
    queued = {job.id: run_job(services, job, now=now) for job in JOBS}
    return TickReport(queued=queued, dispatched=services.dispatcher.dispatch(now=now))


def _scheduled(services: Services, job: Job) -> Callable[[], None]:
    def run() -> None:
        now = services.clock.now()
        started = time.perf_counter()
        try:
            count = run_job(services, job, now=now)
            metrics.job_rows.labels(job.id).inc(count)
            if count:
                logger.info("%s queued %d", job.id, count)
                # The outbox's sender (in this process or another) sends them; the job never waits for Slack.
                services.dispatcher.nudge(now=now)
        except Exception:
            metrics.job_failures.labels(job.id).inc()
            logger.exception("job %s failed; it runs again at its next interval", job.id)
        finally:
            metrics.job_seconds.labels(job.id).observe(time.perf_counter() - started)

    return run


class Standby(ABC):
    """Stands by until it holds its lock, then does its duty; stands down if it loses the lock."""

    lock_name = ""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.lock = LeaderLock(services.engine, self.lock_name)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    @abstractmethod
    def active(self) -> bool:
        """Whether this process is doing the duty now."""

    @abstractmethod
    def _take_up(self) -> None:
        """Start the duty: the lock is ours."""

    @abstractmethod
    def _hand_over(self) -> None:
        """Stop the duty: the lock is lost or being released."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=f"copbot-{self.lock_name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._stand_down()

    def run_forever(self) -> None:
        self._loop()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception:
                # The database restarting or failing over must not end this thread for good.
                logger.exception("could not check %s; trying again shortly", self.lock_name)
                self._stand_down()
            self._stop.wait(STANDBY_RETRY.total_seconds())

    def _step(self) -> None:
        if not self.active:
            team = self.services.workspace.team_id(self.services.client)
            if team is None:
                logger.info("the workspace is not known yet (Slack did not answer auth.test); standing by")
                return
            # One duty per workspace: deployments for other workspaces on the same database have their own.
            self.lock.name = f"{self.lock_name}:{team}"
            if self.lock.acquire():
                logger.info("this process now holds %s", self.lock_name)
                metrics.leader.labels(self.lock_name, metrics.this_process()).set(1)
                self._take_up()
            else:
                logger.debug("another process holds %s; standing by", self.lock_name)
        elif not self.lock.alive():
            self._stand_down()

    def _stand_down(self) -> None:
        if self.active:
            self._hand_over()
        metrics.leader.labels(self.lock_name, metrics.this_process()).set(0)
        try:
            self.lock.release()
        except Exception:
            logger.warning("could not release %s cleanly; the server frees it with the connection", self.lock_name)


class SchedulerService(Standby):
    """The active scheduler: runs the jobs while it holds the scheduler lock."""

    lock_name = SCHEDULER_LOCK

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._scheduler: BackgroundScheduler | None = None

    @property
    def active(self) -> bool:
        return self._scheduler is not None

    def _take_up(self) -> None:
        scheduler = BackgroundScheduler(timezone=dt.UTC)
        defaults = dict(replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=None)
        for job in JOBS:
            scheduler.add_job(_scheduled(self.services, job), "interval", id=job.id,
                              seconds=job.every.total_seconds(), next_run_time=dt.datetime.now(dt.UTC), **defaults)
        scheduler.start()
        self._scheduler = scheduler

    def _hand_over(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None


class SenderService(Standby):
    """The active outbox sender: one per database, so that Slack's workspace-wide limit is kept by one pacer."""

    lock_name = OUTBOX_LOCK

    @property
    def active(self) -> bool:
        return self.services.dispatcher.running

    def _take_up(self) -> None:
        # Only the lock's holder sends: rows still claimed were being sent by one that is gone.
        self.services.dispatcher.reclaim(now=self.services.clock.now())
        self.services.dispatcher.start()

    def _hand_over(self) -> None:
        self.services.dispatcher.stop()



