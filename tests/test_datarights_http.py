"""`/cop export` and `/cop forget-me`, through Slack as it sends them, on both databases."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

from sqlalchemy import String, Text, cast, func, select
from sqlalchemy.types import JSON

from models import Action, Contribution, Person
from models.base import Base
from models.datarights import FORMER_MEMBER
from tests.community import cop_fixture  # noqa: F401 (the `cop` fixture)
from tests.test_action_buttons_http import click, press, responses_to


def _records(cop) -> None:
    cop("UBOB", 'meeting schedule "Monthly sync" tomorrow 3pm')
    cop("UCHANDRA", "meeting rsvp 1 yes")
    cop("UCHANDRA", 'action add "Write the runbook" <@UCHANDRA|chandra>')
    cop("UBOB", 'action add "Fix the pipeline" <@UBOB|bob>')
    cop("UCHANDRA", "kudos <@UBOB|bob> for the pipeline review")
    cop("UBOB", "kudos <@UCHANDRA|chandra> for the runbook draft")
    cop("UBOB", "decision We keep Terraform")
    cop("UCHANDRA", "kb add tip Pin your provider versions #terraform")
    cop("UCHANDRA", "agenda add Runbook review")


def _file(bot, user: str) -> bytes:
    dm = "D" + user[1:]
    assert bot.slack.wait_for(lambda: bot.slack.shared_files(dm)), "no file was shared in the DM"
    [shared] = bot.slack.shared_files(dm)
    assert shared.content is not None
    return shared.content


def _person_id(bot, user: str) -> int:
    with bot.services.sessions() as session:
        return session.scalars(select(Person.id).where(Person.user_id == user)).one()


def test_a_lead_exports_every_kind_of_the_community_records_as_json(bot, cop):
    _records(cop)
    said = cop("UBOB", "export json")
    assert "DevOps CoP" in said and "sent" in said
    document = json.loads(_file(bot, "UBOB"))
    for kind in ("community", "memberships", "people", "meetings", "meeting_occurrences", "rsvps", "actions",
                 "kudos", "decisions", "knowledge_items", "contributions", "agenda_items"):
        assert document[kind], f"no {kind} in the export"
    assert {"standup_answers", "meeting_notes", "attendances", "terms_of_reference"} <= set(document)
    assert {a["title"] for a in document["actions"]} == {"Write the runbook", "Fix the pipeline"}
    [call] = bot.slack.calls_to("files.completeUploadExternal")
    assert call.args["channel_id"] == "DBOB"


def test_a_member_exports_only_their_own_records_as_csv(bot, cop):
    _records(cop)
    said = cop("UCHANDRA", "export csv")
    assert "your own records" in said
    archive = zipfile.ZipFile(io.BytesIO(_file(bot, "UCHANDRA")))
    tables = {name[:-4]: list(csv.DictReader(io.TextIOWrapper(archive.open(name), encoding="utf-8")))
              for name in archive.namelist()}
    me, bob = _person_id(bot, "UCHANDRA"), _person_id(bot, "UBOB")
    [profile] = tables["profile"]
    assert profile["user_id"] == "UCHANDRA"
    assert [a["title"] for a in tables["actions"]] == ["Write the runbook"]
    assert {k["reason"] for k in tables["kudos"]} == {"for the pipeline review", "for the runbook draft"}
    assert tables["contributions"] and all(int(c["person_id"]) == me for c in tables["contributions"])
    assert tables["rsvps"] and tables["knowledge_items"] and tables["agenda_items"]
    assert "decisions" in tables and tables["decisions"] == []  # Bob's decision is not hers
    assert all(int(m["person_id"]) == me for m in tables["memberships"])
    assert "Fix the pipeline" not in json.dumps(tables) and str(bob) not in {m["person_id"] for m in
                                                                          tables["memberships"]}


def test_an_unknown_format_is_refused_with_the_usage(bot, cop):
    said = cop("UCHANDRA", "export xml")
    assert "not `xml`" in said and "/cop export [json | csv]" in said
    assert not bot.slack.calls_to("files.getUploadURLExternal")


def _text_holding(bot, needles: list[str]) -> list[str]:
    """Every (table.column) whose text holds one of the needles, case-insensitively."""
    found = []
    with bot.services.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text | JSON):
                    continue
                text = func.lower(cast(column, Text))
                for needle in needles:
                    if session.scalars(select(func.count()).select_from(table)
                                       .where(text.contains(needle.lower(), autoescape=True))).one():
                        found.append(f"{table.name}.{column.name} holds {needle!r}")
    return found


def test_forget_me_erases_the_person_and_keeps_the_community_whole(bot, cop):
    _records(cop)
    with bot.services.sessions() as session:
        name = session.scalars(select(Person.display_name).where(Person.user_id == "UCHANDRA")).one()
        contributions = session.scalars(select(func.count()).select_from(Contribution)).one()
    assert name and _text_holding(bot, ["UCHANDRA", name])  # she is in the records before
    board_before = cop("UBOB", "leaderboard month")
    said = cop("UCHANDRA", "forget-me")
    assert "Forget you?" in said
    question = bot.replies_to("UCHANDRA")[-1]
    button = question["blocks"][-1]["elements"][0]
    assert button["action_id"] == "forget_me_confirm" and button["value"] == "UCHANDRA"

    message = _Message(channel="CDEVOPS", ts="")
    refused = click(bot, "UDANA", message, "forget_me_confirm", value="UCHANDRA")
    assert "Only the person who asked" in refused
    assert _person_id(bot, "UCHANDRA")

    tag = press(bot, "UCHANDRA", message, "forget_me_confirm", value="UCHANDRA")
    assert bot.slack.wait_for(lambda: responses_to(bot, tag))
    bot.settle()
    assert "you are forgotten" in json.dumps(responses_to(bot, tag))
    assert _text_holding(bot, ["UCHANDRA", name]) == []
    with bot.services.sessions() as session:
        assert session.scalars(select(func.count()).select_from(Contribution)).one() == contributions
        runbook = session.scalars(select(Action).where(Action.title == "Write the runbook")).one()
        assert runbook.owner_id is None  # back to the pool
        tombstone = session.get(Person, runbook.creator_id)
        assert tombstone.display_name == FORMER_MEMBER and tombstone.deleted and not tombstone.user_id.startswith("U")
        assert tombstone.interests is None and tombstone.expertise == [] and tombstone.tz == "UTC"
    board_after = cop("UBOB", "leaderboard month")
    # Her contributions still count for the community; she is no longer a member, nor named.
    assert _totals(board_after) == _totals(board_before) == ["10 contributions"]
    assert "chandra" in board_before and "chandra" not in board_after
    # Coming back, she is someone new.
    cop("UCHANDRA", "join")
    with bot.services.sessions() as session:
        assert session.scalars(select(Person.id).where(Person.user_id == "UCHANDRA")).one() != tombstone.id


class _Message:
    def __init__(self, *, channel: str, ts: str) -> None:
        self.channel, self.ts, self.ephemeral_to = channel, ts, "UCHANDRA"


def _totals(board: str) -> list[str]:
    """The community's contributions on the leaderboard."""
    return re.findall(r"\d+ contributions", board)
