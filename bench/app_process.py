"""An app under test served over HTTP in a process of its own, for bench/ack.py.

`--app copbot` is copbot as `copbot run` serves it (waitress, the door, the workers, the outbox's sender);
`--app bare` is the floor: a Bolt app on the same server and threads whose listeners only acknowledge.
Prints the port, then serves until killed.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt import App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from bot.db import make_engine, make_session_factory  # noqa: E402
from bot.web import WebApp, make_server  # noqa: E402


def bare_app(*, secret: str, slack_url: str) -> App:
    """Bolt at its fastest: acknowledged in the request's own thread, nothing else done."""
    app = App(signing_secret=secret, client=WebClient(token="xoxb-bench", base_url=slack_url),
              process_before_response=True)
    app.command("/cop")(lambda ack: ack())
    app.event("reaction_added")(lambda ack: ack())
    app.action("action_claim")(lambda ack: ack())
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", choices=("copbot", "bare"), required=True)
    parser.add_argument("--db", default="sqlite://")
    parser.add_argument("--slack-url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--work-processes", type=int, default=1, help="as COPBOT_WORK_PROCESSES; 0: threads")
    parser.add_argument("--door-only", action="store_true", help="record and acknowledge, but do no work")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    workers = None
    if args.app == "bare":
        app = bare_app(secret=args.secret, slack_url=args.slack_url)
        door = make_session_factory(make_engine("sqlite://"))
    else:
        from bot.app import build_services, create_app
        from bot.settings import load_settings

        settings = load_settings(slack_bot_token="xoxb-bench", slack_signing_secret=args.secret,
                                 slack_api_url=args.slack_url, database_url=args.db, copbot_workers=args.workers,
                                 copbot_http_threads=args.threads, copbot_work_processes=args.work_processes,
                                 _env_file=None)
        services = build_services(settings)
        app = create_app(services)
        if args.door_only:
            pass
        elif args.work_processes:
            # As `copbot run` does: this process answers Slack, the work processes do the rest.
            from bot.inbox import DoorPressure
            from bot.workers import WorkProcesses

            workers = WorkProcesses(settings, count=args.work_processes)
            workers.start()
            services.inbox.hand_to(workers.submit)
            services.inbox.pool.pressure = DoorPressure(workers.door_busy)
        else:
            services.start_workers()
            services.dispatcher.start()
        door = services.inbox.door
    server = make_server(WebApp(app, door, signing_secret=args.secret), host="127.0.0.1", port=0, threads=args.threads)
    print(server.effective_port, flush=True)
    threading.Thread(target=server.run, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    if workers is not None:
        workers.stop()  # the work processes go with this one, not after it
    return 0


if __name__ == "__main__":
    sys.exit(main())
