"""What every listener and job needs, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.outbox import Dispatcher
from bot.settings import Settings
from bot.slack import WorkspaceUrl


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    clock: Clock
    dispatcher: Dispatcher
    workspace_url: WorkspaceUrl = field(default_factory=WorkspaceUrl)
