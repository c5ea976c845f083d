"""The `copbot` command: run, scheduler, tick, migrate, sandbox."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading

from bot.settings import Settings, SettingsError, load_settings

logger = logging.getLogger(__name__)


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 instant, e.g. 2026-12-01T09:00:00Z") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no zone: add Z or an offset such as +01:00")
    return value.astimezone(dt.UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copbot", description="A Slack bot for communities of practice.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="migrate the database, then serve Slack (Socket Mode or HTTP)")
    run.add_argument("--no-scheduler", action="store_true",
                     help="serve requests only; run `copbot scheduler` elsewhere")
    commands.add_parser("scheduler", help="run the scheduler alone (one is active at a time)")
    tick = commands.add_parser("tick", help="run every scheduled job once as if it were --at, send, and exit")
    tick.add_argument("--at", type=_instant, default=None, help="ISO 8601 instant (default: now)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    sandbox = commands.add_parser("sandbox", help="try copbot in the terminal against an emulated workspace")
    sandbox.add_argument("--script", help="run the lines of this file instead of reading the keyboard")
    sandbox.add_argument("--db", help="database URL (default: a fresh temporary SQLite file)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        from bot.sandbox.session import run_sandbox

        return run_sandbox(script=args.script, database_url=args.db)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"copbot: {error}", file=sys.stderr)
        return 2
    from bot import logs

    logs.configure(settings.log_level, settings.log_format)
    try:
        return COMMANDS[args.command](settings, args)
    except KeyboardInterrupt:
        return 130


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.migrate import upgrade

    upgrade(settings.database_url)
    logger.info("database is up to date")
    return 0


def _tick(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_services
    from bot.clock import Clock
    from scheduler.runner import run_tick

    now = args.at or dt.datetime.now(dt.UTC)
    services = build_services(settings, clock=Clock(now))
    report = run_tick(services, now=now)
    queued = ", ".join(f"{job}={n}" for job, n in report.queued.items())
    sent = report.dispatched
    print(f"tick at {now.isoformat()}: queued {queued}; "
          f"sent {sent.sent}, retrying {sent.retried}, failed {sent.failed}")
    return 0 if not sent.failed else 1


def _wait_for_signal() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()


def _scheduler(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.app import build_services
    from bot.lifecycle import resume_sends
    from bot.migrate import upgrade
    from scheduler.runner import SchedulerService, SenderService

    upgrade(settings.database_url)
    services = build_services(settings)
    resume_sends(services.sessions, services.client, services.workspace)  # only if Slack takes the token
    # This process sends what its jobs queue, unless another process already holds the outbox.
    duties = [SchedulerService(services), SenderService(services)]
    for duty in duties:
        duty.start()
    _wait_for_signal()
    for duty in duties:
        duty.stop()
    services.close()
    return 0


class _Shutdown(Exception):
    """Raised in the main thread by SIGTERM, so the server loop unwinds and the finally blocks run."""


def _stop_serving(*_: object) -> None:
    raise _Shutdown


def _run(settings: Settings, args: argparse.Namespace) -> int:
    processes = settings.copbot_work_processes
    metrics_dir = None
    if processes and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Before anything imports prometheus-client: every process then writes its figures where the
        # door's /metrics adds them up.
        metrics_dir = tempfile.mkdtemp(prefix="copbot-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        return _serve(settings, args, processes)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _serve(settings: Settings, args: argparse.Namespace, processes: int) -> int:
    from bot.app import StartupError, build_services, create_app
    from bot.inbox import DoorPressure
    from bot.migrate import upgrade
    from bot.workers import WorkProcesses
    from models.when import warm_up
    from scheduler.runner import SchedulerService, SenderService, Standby

    upgrade(settings.database_url)
    services = build_services(settings)
    try:
        app = create_app(services)
    except StartupError as error:
        print(f"copbot: {error}", file=sys.stderr)
        return 2
    workers: WorkProcesses | None = None
    duties: list[Standby] = []
    if processes:
        # This process only answers Slack; the work, the outbox and the scheduler are the work processes'.
        workers = WorkProcesses(settings, count=processes, scheduler=not args.no_scheduler)
        workers.start()
        services.inbox.hand_to(workers.submit)
        services.inbox.pool.pressure = DoorPressure(workers.door_busy)
    else:
        warm_up()  # the first person to type a time should not wait for the date parser to compile
        services.start_workers()
        # Every process stands by to send the outbox; one at a time does, so one pacer keeps Slack's limits.
        duties = [SenderService(services)] + ([] if args.no_scheduler else [SchedulerService(services)])
    for duty in duties:
        duty.start()
    try:
        from bot.web import WebApp, make_server

        web = WebApp(app, services.inbox.door, signing_secret=settings.slack_signing_secret.get_secret_value())
        server = make_server(web, port=settings.port, threads=settings.copbot_http_threads)
        signal.signal(signal.SIGTERM, _stop_serving)
        if settings.slack_app_token is not None:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            # The HTTP server still answers /healthz for the container's health check.
            threading.Thread(target=server.run, name="copbot-http", daemon=True).start()  # ends with the process
            logger.info("connecting to Slack in Socket Mode; health check on port %s", settings.port)
            SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        else:
            logger.info("serving Slack at http://0.0.0.0:%s/slack/events", settings.port)
            server.run()
    except _Shutdown:
        logger.info("stopping")
    finally:
        for duty in duties:
            duty.stop()
        if workers is not None:
            workers.stop()
        # Requests already accepted are finished; any still queued stay in the inbox for another process.
        services.close()
    return 0


COMMANDS = {"run": _run, "scheduler": _scheduler, "tick": _tick, "migrate": _migrate}

if __name__ == "__main__":
    sys.exit(main())
