"""The app factory: settings in, a Bolt app with every listener registered out."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.middleware import Middleware
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.db import make_engine, make_session_factory
from bot.inbox import Inbox
from bot.lifecycle import TOKEN_REFUSED, resume_sends
from bot.outbox import Dispatcher, Limits
from bot.services import Services
from bot.settings import Settings
from bot.slack import Workspace, make_client
from handlers import register_all
from handlers.base import SERVICES_KEY, work_on
from models.scope import scope_sessions

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
    client = make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    # One identity per process, asked of Slack once: the workspace whose rows this process alone may read
    # and send for (deployments for other workspaces may share the database), and its address for links.
    workspace = Workspace()
    sessions = scope_sessions(make_session_factory(engine), lambda: workspace.team_id(client))
    door_engine = make_engine(settings.database_url, connections=settings.copbot_http_threads, door=True)
    limits = limits or Limits(workspace_per_minute=settings.copbot_posts_per_minute)
    dispatcher = Dispatcher(sessions, client, limits=limits, workspace_url=workspace, clock=clock, inline=inline)
    inbox = Inbox(door=door_engine, sessions=sessions, clock=clock,
                  workers=settings.copbot_workers, inline=inline)
    services = Services(settings=settings, engine=engine, sessions=sessions, client=client, clock=clock,
                        dispatcher=dispatcher, inbox=inbox, workspace=workspace, door_engine=door_engine)
    inbox.bind(lambda item_id: work_on(services, item_id))
    return services


class ForeignTeams:
    """Requests for other workspaces, logged once per workspace: a flood of them must not flood the log."""

    def __init__(self, most: int = 1000) -> None:
        self._seen: set[str] = set()
        self._most = most
        self._lock = threading.Lock()

    def note(self, team_id: str) -> None:
        with self._lock:
            if team_id in self._seen or len(self._seen) >= self._most:
                return
            self._seen.add(team_id)
        logger.warning("ignoring requests for workspace %s: this deployment serves only its own", team_id[:20])


class _ThisWorkspace(Middleware):
    """Gives listeners the services, and acknowledges without acting on requests for another workspace."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.foreign = ForeignTeams()

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002
        services = self.services
        context = req.context
        context[SERVICES_KEY] = services
        # Bolt's team_id is the workspace a request is *for* (an event's authorization, a form's installing
        # team, a command's team), not the team of the person acting: someone from another workspace in a
        # shared channel of this one acts in this workspace, and is served.
        ours = services.workspace.team_id(services.client)
        if ours and context.team_id and context.team_id != ours:
            self.foreign.note(context.team_id)
            return BoltResponse(status=200, body="")  # acknowledged, so Slack does not retry; never acted on
        next()
        return resp


class StartupError(Exception):
    """Slack could not be reached or refused the token; the message says which, in one sentence."""




def create_app(services: Services) -> App:
    """A Bolt app on explicit settings; Bolt never reads the environment on its own here."""
    settings = services.settings
    try:
        app = _create_app(services, settings)
    except (SlackApiError, OSError, BoltError) as error:
        raise StartupError(_startup_problem(error, settings)) from None
    # Slack took the token: a workspace stopped by an uninstall or a revoked token is served again.
    resume_sends(services.sessions, services.client, services.workspace)
    return app


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

    # One middleware object rather than decorated functions: Bolt calls it directly, where it builds every
    # function middleware's arguments by name on each request.
    app.middleware(_ThisWorkspace(services))
    register_all(app)
    return app
