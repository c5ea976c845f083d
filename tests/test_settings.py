"""Settings come from the environment or a .env file, and a mistake reads as one sentence naming the variable."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs
from bot.db import normalise_url
from bot.logs import RedactSecrets
from bot.settings import WHERE, SettingsError, load_settings

BOT_TOKEN = "xoxb-1111-2222-s3cr3tB0tT0ken"
SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
APP_TOKEN = "xapp-1-A0COP-3333-s3cr3tAppT0ken"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No copbot variable from the machine running the tests, and no .env in the working directory."""
    for name in WHERE:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def valid_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)


def error_of(**overrides: object) -> str:
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None, **overrides)
    return str(raised.value)


def test_valid_environment_is_read(valid_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("COPBOT_ADMINS", "UALICE, WBOB")
    settings = load_settings(_env_file=None)
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN
    assert settings.slack_signing_secret.get_secret_value() == SIGNING_SECRET
    assert settings.slack_app_token is None
    assert (settings.database_url, settings.port, settings.log_level) == ("sqlite:///elsewhere.db", 8080, "DEBUG")
    assert settings.admin_ids == {"UALICE", "WBOB"}
    assert settings.slack_api_url == "https://slack.com/api/"


def test_missing_bot_token_says_where_to_find_it(monkeypatch):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    message = error_of()
    assert "SLACK_BOT_TOKEN is not set" in message
    assert "OAuth & Permissions" in message
    assert ".env" in message
    assert "\n" not in message and "Traceback" not in message


def test_everything_missing_names_each_variable_once():
    message = error_of()
    assert message.count("SLACK_BOT_TOKEN") == 1
    assert message.count("SLACK_SIGNING_SECRET") == 1
    assert "Basic Information" in message
    assert "\n" not in message


def test_token_of_the_wrong_kind_is_named_without_being_shown(valid_env, monkeypatch):
    user_token = "xoxp-9999-8888-s3cr3tUserT0ken"
    monkeypatch.setenv("SLACK_BOT_TOKEN", user_token)
    message = error_of()
    assert message.startswith("SLACK_BOT_TOKEN ")
    assert "xoxb-" in message
    assert user_token not in message and "s3cr3t" not in message


def test_bad_port_is_named(valid_env, monkeypatch):
    for port in ("http", "0", "70000"):
        monkeypatch.setenv("PORT", port)
        message = error_of()
        assert message.startswith("PORT "), message
        assert "TCP port" in message


def test_bad_log_level_is_named(valid_env, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    message = error_of()
    assert message.startswith("LOG_LEVEL ")
    assert "DEBUG, INFO, WARNING, ERROR" in message


def test_empty_app_token_means_http_mode(valid_env, monkeypatch):
    monkeypatch.setenv("SLACK_APP_TOKEN", "")
    assert load_settings(_env_file=None).slack_app_token is None


def test_app_token_is_kept_when_given_and_refused_when_of_the_wrong_kind(valid_env, monkeypatch):
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    assert load_settings(_env_file=None).slack_app_token.get_secret_value() == APP_TOKEN
    monkeypatch.setenv("SLACK_APP_TOKEN", BOT_TOKEN)
    message = error_of()
    assert message.startswith("SLACK_APP_TOKEN ") and "xapp-" in message
    assert BOT_TOKEN not in message


def test_short_signing_secret_is_refused_without_being_shown(valid_env, monkeypatch):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "abc123")
    message = error_of()
    assert message.startswith("SLACK_SIGNING_SECRET ")
    assert "abc123" not in message


def test_dot_env_in_the_working_directory_is_read(tmp_path):
    (tmp_path / ".env").write_text(
        f"SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_SIGNING_SECRET={SIGNING_SECRET}\nPORT=3999\n"
        "DATABASE_URL=sqlite:///from-dotenv.db\nSOMETHING_ELSE=ignored\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN
    assert (settings.port, settings.database_url) == (3999, "sqlite:///from-dotenv.db")


def test_environment_wins_over_dot_env(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_SIGNING_SECRET={SIGNING_SECRET}\nPORT=3999\n",
                                   encoding="utf-8")
    monkeypatch.setenv("PORT", "4000")
    assert load_settings().port == 4000


def test_postgres_scheme_is_accepted_and_normalised(valid_env, monkeypatch):
    # Heroku and others hand out postgres://, which SQLAlchemy no longer accepts as is.
    monkeypatch.setenv("DATABASE_URL", "postgres://copbot:pw@db.internal:5432/copbot")
    settings = load_settings(_env_file=None)
    assert settings.database_url == "postgres://copbot:pw@db.internal:5432/copbot"
    assert normalise_url(settings.database_url) == "postgresql+psycopg://copbot:pw@db.internal:5432/copbot"


def test_unknown_database_is_refused(valid_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/copbot")
    assert error_of().startswith("DATABASE_URL ")


def test_api_url_gets_its_trailing_slash(valid_env, monkeypatch):
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:8123/api")
    assert load_settings(_env_file=None).slack_api_url == "http://127.0.0.1:8123/api/"


def test_admins_must_be_user_ids(valid_env, monkeypatch):
    monkeypatch.setenv("COPBOT_ADMINS", "UALICE,@bob")
    message = error_of()
    assert message.startswith("COPBOT_ADMINS ") and "'@bob'" in message


def test_secrets_never_show_in_repr_or_str(valid_env, monkeypatch):
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    settings = load_settings(_env_file=None)
    for shown in (repr(settings), str(settings), repr(settings.model_dump())):
        assert BOT_TOKEN not in shown
        assert SIGNING_SECRET not in shown
        assert APP_TOKEN not in shown


def test_secrets_never_show_in_an_error(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxp-not-an-app-token-s3cr3t")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "qz7k")
    monkeypatch.setenv("PORT", "s3cr3t-port")
    message = error_of()
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "PORT"):
        assert name in message
    assert "s3cr3t" not in message and "qz7k" not in message and BOT_TOKEN not in message


# --------------------------------------------------------------------- redaction in logs


def captured(name: str, handler: logging.StreamHandler) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of its own whose lines `handler` writes into a string."""
    stream = io.StringIO()
    handler.setStream(stream)
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.handlers.clear()
    logger.propagate = True


@pytest.fixture
def redacted_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    yield from captured("tests.redaction", handler)


def test_tokens_are_redacted_from_messages_and_arguments(redacted_log):
    logger, stream = redacted_log
    logger.warning("calling Slack with xoxb-123-abc")
    logger.info("bot %s and app %s; %d tries", "xoxb-123-abc", "xapp-1-XYZ", 3)
    logger.error("user token in a dict: %s", {"token": "xoxp-42-secret"})
    output = stream.getvalue()
    assert "xoxb-123-abc" not in output and "123-abc" not in output
    assert "xapp-1-XYZ" not in output and "1-XYZ" not in output
    assert "xoxp-42-secret" not in output
    lines = output.splitlines()
    assert lines[0] == "WARNING calling Slack with xoxb-[redacted]"
    assert lines[1] == "INFO bot xoxb-[redacted] and app xapp-[redacted]; 3 tries"
    assert lines[2] == "ERROR user token in a dict: {'token': 'xoxp-[redacted]'}"


def test_response_urls_are_redacted_as_the_credentials_they_are(redacted_log):
    logger, stream = redacted_log
    url = "https://hooks.slack.com/commands/T0COP0001/1234567890/AbCdEfGhIjKlMnOp"
    logger.info("A retry handler found: ConnectionErrorRetryHandler for POST %s - timed out", url)
    logger.info("clicked: https://hooks.slack.com/actions/T0COP0001/99/zz")
    output = stream.getvalue()
    assert "AbCdEfGhIjKlMnOp" not in output and "/99/zz" not in output
    assert output.splitlines()[0] == ("INFO A retry handler found: ConnectionErrorRetryHandler for POST "
                                      "https://hooks.slack.com/commands/[redacted] - timed out")


def test_lines_without_secrets_are_left_alone(redacted_log):
    logger, stream = redacted_log
    logger.info("sent %d of %d to %s", 2, 3, "CDEVOPS")
    logger.info("a word like xoxbox-y or taxapp-ly is not a token")
    assert stream.getvalue().splitlines() == [
        "INFO sent 2 of 3 to CDEVOPS",
        "INFO a word like xoxbox-y or taxapp-ly is not a token",
    ]


def test_redaction_also_covers_records_seen_by_caplog(caplog):
    logger = logging.getLogger("tests.redaction.caplog")
    caplog.handler.addFilter(RedactSecrets())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("token=%s", "xoxb-123-abc")
    assert caplog.messages == ["token=xoxb-[redacted]"]
    assert "xoxb-123-abc" not in caplog.text


def test_tokens_in_an_exception_are_redacted(redacted_log):
    logger, stream = redacted_log
    try:
        raise ValueError("Slack refused xoxb-123-abc")
    except ValueError:
        logger.exception("call failed")
    output = stream.getvalue()
    assert "call failed" in output
    assert "xoxb-123-abc" not in output


# --------------------------------------------------------------------- structured logs


def test_log_format_is_text_unless_json_is_asked_for(valid_env, monkeypatch):
    assert load_settings(_env_file=None).log_format == "text"
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert load_settings(_env_file=None).log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    assert "LOG_FORMAT" in error_of()


@pytest.fixture
def json_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    yield from captured("tests.json", logs.handler("json"))


def test_json_logs_are_one_object_a_line_with_the_request_and_no_secret(json_log):
    logger, stream = json_log
    logger.info("outside any request")
    with logs.request_context("command:1234.5678"):
        logger.warning("calling Slack with %s", "xoxb-123-abc")
        try:
            raise ValueError("Slack refused xoxb-123-abc\nsee https://hooks.slack.com/commands/T1/2/sEcReT")
        except ValueError:
            logger.exception("call failed")
    output = stream.getvalue()
    assert "123-abc" not in output and "sEcReT" not in output
    first, second, third = (json.loads(line) for line in output.splitlines())
    assert first["message"] == "outside any request" and "request_id" not in first
    assert (second["level"], second["logger"], second["request_id"]) == ("WARNING", "tests.json", "command:1234.5678")
    assert second["message"] == "calling Slack with xoxb-[redacted]"
    assert third["message"] == "call failed" and third["request_id"] == "command:1234.5678"
    assert "ValueError: Slack refused xoxb-[redacted]" in third["exception"]
    assert "https://hooks.slack.com/commands/[redacted]" in third["exception"]
    assert second["time"].endswith("+00:00")


def test_text_logs_name_the_request_too():
    stream = io.StringIO()
    handler = logs.handler("text")
    handler.setStream(stream)
    record = logging.LogRecord("tests.text", logging.INFO, __file__, 1, "done %s", ("xoxb-9-z",), None)
    with logs.request_context("event:Ev01"):
        handler.handle(record)
    assert stream.getvalue().rstrip().endswith("INFO tests.text: done xoxb-[redacted] [request event:Ev01]")
