"""What copbot measures about itself, in Prometheus' terms, served at GET /metrics.

`copbot run` answers Slack in one process and works in others (bot.workers); it sets
PROMETHEUS_MULTIPROC_DIR before any of them starts, and prometheus-client's multiprocess mode then adds
up every process's figures on the one page the door serves. A lone process uses the default registry.
Labels are bounded sets (kinds of request, outcomes, Slack error codes, job ids), never user ids or channels.
"""

from __future__ import annotations

import os
import socket
import struct
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

# Slack gives 3 seconds; the buckets are fine below one and coarse above it.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)
WORK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)

requests = Counter("copbot_requests", "Requests from Slack by kind and what became of them at the door",
                   ["kind", "outcome"])
ack_seconds = Histogram("copbot_ack_seconds", "From a request's arrival in the listener to its acknowledgement",
                        ["kind"], buckets=ACK_BUCKETS)
work_seconds = Histogram("copbot_work_seconds", "From a request's acknowledgement to the end of its work",
                         ["kind"], buckets=WORK_BUCKETS)
work_outcomes = Counter("copbot_work", "Requests worked on, by kind and outcome", ["kind", "outcome"])
work_queued = Gauge("copbot_work_queued", "Requests handed to workers and waiting for one",
                    multiprocess_mode="livesum")
work_running = Gauge("copbot_work_running", "Requests being worked on", multiprocess_mode="livesum")
inbox_backlog = Gauge("copbot_inbox_backlog", "Unfinished requests in the inbox, as the last sweep counted",
                      ["status"], multiprocess_mode="livemax")

outbox_sent = Counter("copbot_outbox_sent", "Messages the outbox delivered")
outbox_retried = Counter("copbot_outbox_retried", "Deliveries put back for another try, by Slack's error",
                         ["error"])
outbox_found = Counter("copbot_outbox_found", "Deliveries whose post went unanswered, found in their channel "
                       "rather than posted again")
outbox_failed = Counter("copbot_outbox_failed", "Deliveries failed for good, by Slack's error", ["error"])
outbox_due = Gauge("copbot_outbox_due", "Deliveries due now and not yet sent, as the sender last counted",
                   multiprocess_mode="livemax")
outbox_backlog = Gauge("copbot_outbox_backlog", "Deliveries not sent, by state, as the sender last counted: due "
                       "now, waiting for their time, retrying after an error, being sent, failed for good, held back "
                       "(an archived channel, a deactivated person, copbot removed)",
                       ["state"], multiprocess_mode="livemax")
outbox_in_flight = Gauge("copbot_outbox_in_flight", "Messages being posted to Slack right now",
                         multiprocess_mode="livesum")
outbox_paused = Gauge("copbot_outbox_paused_channels", "Channels Slack asked copbot to wait for (Retry-After)",
                      multiprocess_mode="livesum")

job_seconds = Histogram("copbot_job_seconds", "Duration of each scheduler job run", ["job"], buckets=WORK_BUCKETS)
job_rows = Counter("copbot_job_rows", "Messages or rows each scheduler job produced", ["job"])
job_failures = Counter("copbot_job_failures", "Scheduler job runs that raised", ["job"])
leader = Gauge("copbot_leader", "1 while the process (host:pid) holds the named lock (scheduler, outbox)",
               ["lock", "process"], multiprocess_mode="livesum")


def this_process() -> str:
    """host:pid, the value of the `process` label: which of several processes holds a lock."""
    return f"{socket.gethostname()}:{os.getpid()}"


READ_ATTEMPTS = 5


def exposition() -> tuple[bytes, str]:
    """The metrics page and its content type: every process's figures when there are several."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
        # Another process may be creating, growing or (once dead) removing its file while the files are read;
        # what it left half-done is whole a moment later.
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                return generate_latest(registry), CONTENT_TYPE_LATEST
            except (OSError, ValueError, struct.error):
                if attempt == READ_ATTEMPTS:
                    raise
                time.sleep(0.01 * attempt)
    return generate_latest(), CONTENT_TYPE_LATEST


def process_ended(pid: int) -> None:
    """Drop a dead process's live gauges from the sums."""
    if os.environ.get(MULTIPROCESS_DIR):
        _multiprocess.mark_process_dead(pid)
