"""What every listener and job needs, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.inbox import Inbox
from bot.outbox import Dispatcher
from bot.settings import Settings
from bot.slack import Workspace


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    clock: Clock
    dispatcher: Dispatcher
    # Requests recorded at the door and the workers that do them; the door has connections of its own.
    inbox: Inbox
    workspace: Workspace = field(default_factory=Workspace)
    door_engine: Engine | None = None

    def start_workers(self) -> None:
        """Start the threads that do requests' work and look for stranded ones (not the outbox's sender)."""
        self.inbox.start()

    def close(self) -> None:
        """Stop this process's threads, finishing what they are doing, and close its connections."""
        self.inbox.stop()
        self.dispatcher.close()
        self.engine.dispose()
        if self.door_engine is not None:
            self.door_engine.dispose()
