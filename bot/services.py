"""What every listener and job needs, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.outbox import Dispatcher
from bot.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    clock: Clock
    dispatcher: Dispatcher
