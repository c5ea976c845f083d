"""The app factory: settings in, a Bolt app with every listener registered out."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltContext
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.db import make_engine, make_session_factory
from bot.inbox import Inbox
from bot.outbox import Dispatcher, Limits
from bot.services import Services
from bot.settings import Settings
from bot.slack import WorkspaceUrl, make_client
from handlers import register_all
from handlers.base import SERVICES_KEY, work_on

logger = logging.getLogger(__name__)


def build_services(settings: Settings, *, clock: Clock | None = None, limits: Limits | None = None,
                   inline: bool = False) -> Services:
    """Everything a process needs, not yet running: `start_workers()` on the services starts the workers.

    `inline` does each request's work, and sends what it queued, before the request is answered: the
    sandbox reads the outcome of each line that way. Deployments never use it.
    """
    clock = clock or Clock()
    # Room for every worker, the outbox's senders and a scheduler job; the door has its own connections.
    engine = make_engine(settings.database_url, connections=settings.copbot_workers + 8)
    sessions = make_session_factory(engine)
    door_engine = make_engine(settings.database_url, connections=settings.copbot_http_threads, door=True)
    client = make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    # One address per process, asked of Slack once, for links built by listeners and by the outbox alike.
    workspace_url = WorkspaceUrl()
    limits = limits or Limits(workspace_per_minute=settings.copbot_posts_per_minute)
    dispatcher = Dispatcher(sessions, client, limits=limits, workspace_url=workspace_url, clock=clock, inline=inline)
    inbox = Inbox(door=door_engine, sessions=sessions, clock=clock,
                  workers=settings.copbot_workers, inline=inline)
    services = Services(settings=settings, engine=engine, sessions=sessions, client=client, clock=clock,
                        dispatcher=dispatcher, inbox=inbox, workspace_url=workspace_url, door_engine=door_engine)
    inbox.bind(lambda item_id: work_on(services, item_id))
    return services


class StartupError(Exception):
    """Slack could not be reached or refused the token; the message says which, in one sentence."""


# What auth.test answers for a token Slack will not take: wrong, revoked (the app uninstalled), or its
# user deactivated.
TOKEN_REFUSED = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})


def create_app(services: Services) -> App:
    """A Bolt app on explicit settings; Bolt never reads the environment on its own here."""
    settings = services.settings
    try:
        return _create_app(services, settings)
    except (SlackApiError, OSError, BoltError) as error:
        raise StartupError(_startup_problem(error, settings)) from None


def _startup_problem(error: BaseException, settings: Settings) -> str:
    # Bolt's check of the token (auth.test) raises a BoltError from within its handling of Slack's answer.
    answer = error if isinstance(error, SlackApiError) else error.__context__
    if isinstance(answer, SlackApiError):
        code = str(answer.response.get("error") or "an error")
        if code in TOKEN_REFUSED:
            return (f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token again from your "
                    "app's 'OAuth & Permissions' page (reinstall the app first if it was removed).")
        return (f"Slack answered the token's check with {code}: try again in a moment, and check that "
                f"SLACK_API_URL ({settings.slack_api_url}) is Slack's Web API.")
    return (f"could not reach Slack at {settings.slack_api_url} ({_reason(error)}): check "
            "SLACK_API_URL and this machine's network.")


def _reason(error: BaseException) -> str:
    while getattr(error, "reason", None) is not None and isinstance(error.reason, BaseException):
        error = error.reason
    return str(getattr(error, "strerror", None) or error)[:120]


def _create_app(services: Services, settings: Settings) -> App:
    app = App(
        # The token travels inside `client` (built from settings); Bolt takes it from there.
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        client=services.client,
        # Each listener's acknowledgement runs in the request's own thread and is answered when it returns;
        # it only records the request, and the work is done by copbot's workers (handlers.base). Without
        # this, Bolt would run even the acknowledgement on its own pool of five threads and make the
        # request wait for one of them.
        process_before_response=True,
        # Identify ourselves once at start-up (auth.test) rather than on every request.
        token_verification_enabled=True,
    )

    @app.middleware
    def provide_services(context: BoltContext, next: Callable[[], None]) -> None:  # noqa: A002
        context[SERVICES_KEY] = services
        next()

    register_all(app)
    return app
