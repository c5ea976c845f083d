"""A community to act in: DevOps CoP set up, its people typing commands, and what they see."""

from __future__ import annotations

import json
import re
import secrets

import pytest
from sqlalchemy import select

from models import Action, Contribution, Person
from tests import factories
from tests.conftest import START, TEAM
from tests.test_http_app import setup_devops


def actions(bot) -> list[Action]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(Action).order_by(Action.id)).unique())


def owner_of(bot, action_id: int) -> str | None:
    with bot.services.sessions() as session:
        action = session.get(Action, action_id)
        return action.owner.user_id if action.owner else None


def credits(bot, kind: str) -> list[str]:
    with bot.services.sessions() as session:
        rows = session.execute(select(Person.user_id).join(Contribution, Contribution.person_id == Person.id)
                               .where(Contribution.kind == kind).order_by(Contribution.id))
        return [user for (user,) in rows]


# What Slack reads as markup in mrkdwn: mentions, channels, special mentions, dates and links.
_MARKUP = re.compile(r"<(?:[@#][UWCG][A-Z0-9]+(?:\|[^<>]*)?|!(?:date\^|here|channel|everyone)[^<>]*|"
                     r"(?:https?|mailto):[^<>]+)>")


def stray_markup(text: str) -> list[str]:
    """`<...>` sequences that are not markup copbot means: an unescaped `<id>` would vanish in Slack."""
    return re.findall(r"<[^<>]*>", _MARKUP.sub("", text))


def said(reply: dict) -> str:
    """A reply's blocks and text as one string, as people read them (no JSON escapes)."""
    return json.dumps(reply.get("blocks", []), ensure_ascii=False) + reply.get("text", "")


def cards(bot) -> list:
    return [m for m in bot.posts_in("CDEVOPS") if m.text.startswith("Action #")]


def always_at_work(bot, *users: str) -> None:
    """These people work at every hour, so DMs reach them at once (for tests that are not about hours)."""
    with bot.services.sessions.begin() as session:
        factories.around_the_clock(session, *users, team_id=TEAM, now=START)


def dms(bot, user: str) -> list:
    return bot.posts_in(user)


class Typist:
    """Types commands as each person and waits for each answer, counting replies per person."""

    def __init__(self, bot) -> None:
        self.bot = bot
        self.counts: dict[str, int] = {}

    def __call__(self, user: str, text: str, *, channel: str = "CDEVOPS", command: str = "/cop") -> str:
        if command == "/cop":
            self.bot.command(user, text, channel=channel)
        else:
            url = self.bot.slack.response_url(f"{user}-{secrets.token_hex(3)}", channel=channel, user=user)
            self.bot.post(self.bot.requests.slash_command(user_id=user, user_name=user.lower(), channel_id=channel,
                                                          channel_name=channel.lower(), text=text, response_url=url,
                                                          command=command))
        self.counts[user] = self.counts.get(user, 0) + 1
        return said(self.bot.wait_reply(user, self.counts[user]))


@pytest.fixture(name="cop")
def cop_fixture(bot) -> Typist:
    setup_devops(bot)  # Bob (New York) leads; Alice (a workspace admin, so an overall lead) and Chandra are members
    typist = Typist(bot)
    typist.counts["UBOB"] = 1
    # Dana (Berlin): a member with no say over others' actions. She turns the newcomer DMs off first,
    # so that her direct messages hold only what actions send her.
    typist("UDANA", "tips off", channel="CRANDOM")
    typist("UDANA", "join")
    return typist
