"""What copbot measures about itself, in Prometheus' terms, served at GET /metrics.

One registry per process (prometheus-client's default), so a process with a web server, workers, the
outbox sender and the scheduler reports all of them on one page. Labels are bounded sets (kinds of
request, outcomes, Slack error codes, job ids), never user ids or channels.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

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
work_queued = Gauge("copbot_work_queued", "Requests accepted by this process and waiting for a worker")
work_running = Gauge("copbot_work_running", "Requests being worked on in this process")
inbox_backlog = Gauge("copbot_inbox_backlog", "Unfinished requests in the inbox, every process's", ["status"])

outbox_sent = Counter("copbot_outbox_sent", "Messages the outbox delivered")
outbox_retried = Counter("copbot_outbox_retried", "Deliveries put back for another try, by Slack's error",
                         ["error"])
outbox_failed = Counter("copbot_outbox_failed", "Deliveries failed for good, by Slack's error", ["error"])
outbox_due = Gauge("copbot_outbox_due", "Deliveries due now and not yet sent, as the sender last counted")
outbox_in_flight = Gauge("copbot_outbox_in_flight", "Messages being posted to Slack right now")
outbox_paused = Gauge("copbot_outbox_paused_channels", "Channels Slack asked copbot to wait for (Retry-After)")

job_seconds = Histogram("copbot_job_seconds", "Duration of each scheduler job run", ["job"], buckets=WORK_BUCKETS)
job_rows = Counter("copbot_job_rows", "Messages or rows each scheduler job produced", ["job"])
job_failures = Counter("copbot_job_failures", "Scheduler job runs that raised", ["job"])
leader = Gauge("copbot_leader", "1 while this process holds the named lock (scheduler, outbox)", ["lock"])


def exposition() -> tuple[bytes, str]:
    """The metrics page and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
