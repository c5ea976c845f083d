"""Configuration, read from the environment (and an optional `.env`), never from code."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"

# Where a person finds each value; used to turn a validation error into one clear sentence.
WHERE = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-...) on your Slack app's 'OAuth & Permissions' page",
    "SLACK_SIGNING_SECRET": "the Signing Secret on your Slack app's 'Basic Information' page",
    "SLACK_APP_TOKEN": "an app-level token (xapp-...) with connections:write, under 'Basic Information' "
    "> 'App-Level Tokens'; leave it unset to serve HTTP instead of Socket Mode",
    "SLACK_API_URL": "the Web API base URL, e.g. https://slack.com/api/ (the default)",
    "DATABASE_URL": "a SQLAlchemy URL such as sqlite:///copbot.db or postgresql://user@host/dbname",
    "PORT": "the TCP port for the HTTP server, e.g. 3000",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "LOG_FORMAT": "text (lines for people) or json (one JSON object a line, for a log collector)",
    "COPBOT_ADMINS": "a comma-separated list of Slack user ids (U...) who are overall CoP leads",
    "COPBOT_WORKERS": "the number of worker threads doing requests' work, e.g. 16 (see the README's sizing table)",
    "COPBOT_HTTP_THREADS": "the number of threads answering HTTP requests, e.g. 16",
    "COPBOT_WORK_PROCESSES": "the number of work processes beside the one answering Slack, e.g. 1 (0: work in it)",
    "COPBOT_POSTS_PER_MINUTE": "how many messages a minute copbot may post to the whole workspace, e.g. 300",
}


class Settings(BaseSettings):
    """Everything copbot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr
    slack_signing_secret: SecretStr
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_DEFAULT
    database_url: str = "sqlite:///copbot.db"
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    # Overall CoP leads besides the workspace's own admins and owners.
    copbot_admins: str = ""
    # Threads doing requests' work (and database connections for them); acknowledgements never wait for them.
    copbot_workers: int = Field(default=16, ge=1, le=256)
    # Threads answering Slack's HTTP requests: each only verifies, records and acknowledges.
    copbot_http_threads: int = Field(default=16, ge=1, le=256)
    # Processes doing the work (each with COPBOT_WORKERS threads), so that it never competes with the
    # acknowledgements for the interpreter; 0 does the work in the process that answers Slack.
    copbot_work_processes: int = Field(default=1, ge=0, le=64)
    # Slack allows "several hundred" posts a minute to a workspace; copbot stays at this pace.
    copbot_posts_per_minute: float = Field(default=300.0, gt=0, le=10_000)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            return None
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_signing_secret")
    @classmethod
    def _secret(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value().strip()) < 8:
            raise ValueError("is too short to be a signing secret")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres://")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @field_validator("copbot_admins")
    @classmethod
    def _admins(cls, value: str) -> str:
        for uid in filter(None, (p.strip() for p in value.split(","))):
            if not uid.startswith(("U", "W")):
                raise ValueError(f"{uid!r} is not a Slack user id (U... or W...)")
        return value

    @cached_property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.copbot_admins.split(",") if p.strip())


class SettingsError(Exception):
    """Configuration is missing or malformed; the message is one sentence for the operator."""


def explain(error: ValidationError) -> str:
    """Turn pydantic's report into sentences naming the variable and where to find its value."""
    sentences = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "configuration"
        where = WHERE.get(name, "")
        if item["type"] == "missing":
            sentences.append(f"{name} is not set: put {where} in the environment or in a .env file.")
        else:
            reason = item["msg"].removeprefix("Value error, ")
            sentences.append(f"{name} {reason}: set it to {where}.")
    return " ".join(sentences)


def load_settings(**overrides: object) -> Settings:
    """Read settings, raising SettingsError with a readable sentence instead of a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(explain(error)) from None
