"""The app factory: settings in, a Bolt app with every listener registered out."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltContext
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.db import make_engine, make_session_factory
from bot.outbox import ChannelPacer, Dispatcher
from bot.services import Services
from bot.settings import Settings
from bot.slack import WorkspaceUrl, make_client
from handlers import register_all
from handlers.base import SERVICES_KEY

logger = logging.getLogger(__name__)


def build_services(settings: Settings, *, clock: Clock | None = None, pacer: ChannelPacer | None = None) -> Services:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    client = make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    # One address per process, asked of Slack once, for links built by listeners and by the outbox alike.
    workspace_url = WorkspaceUrl()
    return Services(settings=settings, engine=engine, sessions=sessions, client=client, clock=clock or Clock(),
                    dispatcher=Dispatcher(sessions, client, pacer=pacer, workspace_url=workspace_url),
                    workspace_url=workspace_url)


class StartupError(Exception):
    """Slack could not be reached or refused the token; the message says which, in one sentence."""


def create_app(services: Services, *, process_before_response: bool = False) -> App:
    """A Bolt app on explicit settings; Bolt never reads the environment on its own here."""
    settings = services.settings
    try:
        return _create_app(services, settings, process_before_response)
    except SlackApiError as error:
        code = error.response.get("error", "an error")
        raise StartupError(f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token again from "
                           "your app's 'OAuth & Permissions' page.") from None
    except (OSError, BoltError) as error:
        raise StartupError(f"could not reach Slack at {settings.slack_api_url} ({_reason(error)}): check "
                           "SLACK_API_URL and this machine's network.") from None


def _reason(error: BaseException) -> str:
    while getattr(error, "reason", None) is not None and isinstance(error.reason, BaseException):
        error = error.reason
    return str(getattr(error, "strerror", None) or error)[:120]


def _create_app(services: Services, settings: Settings, process_before_response: bool) -> App:
    app = App(
        # The token travels inside `client` (built from settings); Bolt takes it from there.
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        client=services.client,
        process_before_response=process_before_response,
        # Identify ourselves once at start-up (auth.test) rather than on every request.
        token_verification_enabled=True,
    )

    @app.middleware
    def provide_services(context: BoltContext, next: Callable[[], None]) -> None:  # noqa: A002
        context[SERVICES_KEY] = services
        next()

    register_all(app)
    return app
