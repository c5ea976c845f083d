"""`/cop maturity`: a lead opens a self-assessment, members answer in a form (once each, changeable), and only
aggregates come out, once it closes and only from three answers, with the trend across assessments."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs

from sqlalchemy import select, text

from bot.blocks.maturity import stage_block_id
from bot.db import unit_of_work
from handlers.base import request_key, work_on
from handlers.ids import ActionId, ViewId
from models import InboxItem, MaturityAnswer, MaturityAssessment, Person
from models.inbox import Arrival, record
from models.maturity import DIMENSIONS, STAGES
from scheduler.maturity import close_due_assessments
from tests.community import cop_fixture  # noqa: F401  (cop_fixture provides `cop`)
from tests.conftest import START
from tests.test_action_buttons_http import click, press
from tests.test_meeting_form_http import ephemerals

TITLE = "Maturity self-assessment of DevOps CoP"


def posts(bot, count: int = 1) -> list:
    assert bot.slack.wait_for(lambda: len([m for m in bot.posts_in("CDEVOPS") if m.text.startswith(TITLE)]) >= count)
    return [m for m in bot.posts_in("CDEVOPS") if m.text.startswith(TITLE)]


def opened_form(bot, user: str, post) -> dict:
    """Press Answer as `user`; returns the form copbot opened."""
    opened = len(bot.slack.calls_to("views.open"))
    press(bot, user, post, ActionId.MATURITY_ANSWER)
    assert bot.slack.wait_for(lambda: len(bot.slack.calls_to("views.open")) > opened)
    return bot.slack.calls_to("views.open")[-1].args["view"]


def submit(bot, user: str, view: dict, stages: list[int | None]) -> dict:
    """Send the form with a stage per dimension (None: left unchosen); returns Slack's answer (empty: closed)."""
    values = {}
    for dimension, stage in zip(DIMENSIONS, stages, strict=True):
        chosen = None if stage is None else {"text": {"type": "plain_text", "text": STAGES[stage - 1]},
                                             "value": str(stage)}
        values[stage_block_id(dimension.key)] = {ActionId.MATURITY_STAGE: {"type": "static_select",
                                                                           "selected_option": chosen}}
    request = bot.requests.view_submission(user_id=user, user_name=user.lower(), callback_id=view["callback_id"],
                                           values=values, private_metadata=view["private_metadata"],
                                           blocks=view["blocks"])
    status, body = bot.post(request)
    assert status == 200
    return json.loads(body) if body else {}


def confirmations(bot, user: str) -> list:
    """What copbot told `user` after a form: in the channel, or in their DM when the channel cannot show it."""
    return ephemerals(bot, user) + bot.posts_in(user)


def answer(bot, user: str, post, stages: list[int]) -> str:
    """Answer through the form and wait for the confirmation; returns it."""
    before = len(confirmations(bot, user))
    assert submit(bot, user, opened_form(bot, user, post), stages) == {}
    assert bot.slack.wait_for(lambda: len(confirmations(bot, user)) > before)
    message = confirmations(bot, user)[-1]
    return json.dumps(message.blocks, ensure_ascii=False)


def assessments(bot) -> list[MaturityAssessment]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(MaturityAssessment).order_by(MaturityAssessment.id)))


def close_at(bot, at: dt.datetime) -> int:
    with bot.services.sessions() as session, session.begin():
        closed = close_due_assessments(session=session, now=at)
    bot.services.clock.set(at)
    bot.services.dispatcher.nudge(now=at)
    return closed


def test_only_leads_open_one_at_a_time_for_fourteen_days_unless_said(bot, cop):
    assert "Only a lead of *DevOps CoP* can open a maturity self-assessment" in cop("UCHANDRA", "maturity start")
    assert "from 1 to 60" in cop("UBOB", "maturity start 61")
    assert "from 1 to 60" in cop("UBOB", "maturity start soon")
    assert assessments(bot) == []
    assert "No assessment has been run yet" in cop("UCHANDRA", "maturity")
    assert "is in the channel" in cop("UBOB", "maturity start")
    [opened] = assessments(bot)
    assert opened.closes_at == START + dt.timedelta(days=14) and opened.secret is not None
    said = cop("UBOB", "maturity start 5")
    assert "already open" in said and "/cop maturity start" in said
    [post] = posts(bot)
    body = json.dumps(post.blocks, ensure_ascii=False)
    assert "How mature is DevOps CoP?" in body and "0 members have answered" in body
    assert ActionId.MATURITY_ANSWER in body and "no one's answers are ever shown" in body
    assert "An assessment is open: 0 members have answered" in cop("UCHANDRA", "maturity")
    assert "not a member of *DevOps CoP*" in cop("UEVE", "maturity")


def test_a_lead_turns_the_twice_yearly_reminder_off_and_on(bot, cop):
    assert "no more a reminder twice a year" in cop("UBOB", "maturity dms off")
    with bot.services.sessions() as session:
        assert session.scalars(select(Person.maturity_dms).where(Person.user_id == "UBOB")).one() is False
    assert "/cop maturity dms off` turns it off again" in cop("UBOB", "maturity dms on")
    assert "Say `on` or `off`" in cop("UBOB", "maturity dms maybe")


def test_members_answer_in_the_form_once_each_and_can_change_it_and_others_are_refused(bot, cop):
    cop("UBOB", "maturity start 3")
    [post] = posts(bot)
    view = opened_form(bot, "UCHANDRA", post)
    assert view["callback_id"] == ViewId.MATURITY_ANSWER
    selects = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["label"]["text"] for b in selects] == [d.name for d in DIMENSIONS]
    options = selects[0]["element"]["options"]
    assert [o["text"]["text"] for o in options] == list(STAGES)
    assert options[0]["description"]["text"] == DIMENSIONS[0].stages[0]
    # A stage left unchosen is refused on the form itself, and nothing is recorded.
    refused = submit(bot, "UCHANDRA", view, [3, 3, None, 3, 3, 3])
    assert refused["response_action"] == "errors"
    assert list(refused["errors"]) == [stage_block_id("participation")]
    assert "Thank you: your answers are in" in answer(bot, "UCHANDRA", post, [5, 5, 5, 5, 5, 5])
    assert "replace your earlier ones" in answer(bot, "UCHANDRA", post, [2, 2, 3, 4, 5, 2])
    with bot.services.sessions() as session:
        [row] = session.scalars(select(MaturityAnswer)).all()
    assert row.stages == [2, 2, 3, 4, 5, 2]
    assert bot.slack.wait_for(lambda: "1 member has answered" in json.dumps(
        bot.slack.calls_to("chat.update")[-1].args["blocks"] if bot.slack.calls_to("chat.update") else ""))
    # Someone not in the community is refused at the button, and at the form were they to send one.
    assert "Join *DevOps CoP* first" in click(bot, "UEVE", post, ActionId.MATURITY_ANSWER)
    refused = submit(bot, "UEVE", view, [1, 1, 1, 1, 1, 1])
    assert "Join DevOps CoP first" in json.dumps(refused["errors"])
    assert "An assessment is open: 1 member has answered" in cop("UDANA", "maturity")
    # While it is open, no one sees any counts: `/cop maturity results` waits for the close.
    shown = cop("UBOB", "maturity results")
    assert "*Results*" not in shown and "Sustaining" not in shown and "No results yet" in shown


def test_fewer_than_three_answers_show_no_results_even_when_closed(bot, cop):
    cop("UBOB", "maturity start 2")
    [post] = posts(bot)
    answer(bot, "UCHANDRA", post, [1, 2, 3, 4, 5, 1])
    answer(bot, "UDANA", post, [1, 2, 3, 4, 5, 1])
    closes = START + dt.timedelta(days=2)
    assert close_at(bot, closes - dt.timedelta(minutes=1)) == 0
    assert close_at(bot, closes) == 1
    assert close_at(bot, closes + dt.timedelta(minutes=5)) == 0
    [closed] = assessments(bot)
    assert (closed.answered, closed.counts, closed.secret, closed.closed_at) == (2, None, None, closes)
    assert bot.slack.wait_for(lambda: "fewer than 3" in json.dumps(bot.slack.calls_to("chat.update")[-1].args))
    final = bot.slack.calls_to("chat.update")[-1].args
    assert final["ts"] == post.ts and ActionId.MATURITY_ANSWER not in json.dumps(final["blocks"])
    said = cop("UCHANDRA", "maturity results")
    assert "2 answers: fewer than 3, so no results are shown" in said and "Founding" not in said
    assert "has closed" in click(bot, "UDANA", post, ActionId.MATURITY_ANSWER, value="1")


def test_results_are_medians_and_counts_per_dimension_with_practices_for_the_weakest(bot, cop):
    cop("UBOB", "maturity start 7")
    [post] = posts(bot)
    answer(bot, "UBOB", post, [1, 2, 3, 4, 5, 1])
    answer(bot, "UCHANDRA", post, [5, 5, 5, 5, 5, 5])
    answer(bot, "UCHANDRA", post, [2, 2, 3, 4, 5, 2])  # changed: only the last answers count
    answer(bot, "UDANA", post, [3, 1, 3, 5, 4, 2])
    answer(bot, "UALICE", post, [1, 2, 2, 4, 1, 1])
    close_at(bot, START + dt.timedelta(days=7))
    [closed] = assessments(bot)
    assert closed.answered == 4
    assert closed.counts == {"purpose": [2, 1, 1, 0, 0], "leadership": [1, 3, 0, 0, 0],
                             "participation": [0, 1, 3, 0, 0], "knowledge": [0, 0, 0, 3, 1],
                             "value": [1, 0, 0, 1, 2], "rhythm": [2, 2, 0, 0, 0]}
    said = cop("UDANA", "maturity results")
    assert "*Purpose and plan*: Founding to Developing\\nFounding 2 · Developing 1 · Maturing 1" in said
    assert "*Leadership and roles*: Developing" in said and "*Participation*: Maturing" in said
    assert "*Knowledge products*: Sustaining" in said
    assert "*Value to the organisation*: Sustaining to Transforming" in said
    # Purpose and rhythm share the lowest median; rhythm's mean is lower, so it is the weakest.
    assert "*Weakest: Rhythm* (Founding to Developing)" in said
    assert "Schedule a recurring meeting" in said and "Trend" not in said
    assert bot.slack.wait_for(lambda: "*Weakest: Rhythm*" in json.dumps(
        bot.slack.calls_to("chat.update")[-1].args["blocks"], ensure_ascii=False))
    assert "Weakest: Rhythm" in cop("UCHANDRA", "maturity")  # the state, with none open, is the last results


def test_the_trend_shows_across_assessments(bot, cop):
    cop("UBOB", "maturity start 1")
    [first] = posts(bot)
    for user in ("UBOB", "UCHANDRA", "UDANA"):
        answer(bot, user, first, [1, 1, 1, 1, 1, 1])
    close_at(bot, START + dt.timedelta(days=1))
    bot.services.clock.set(START + dt.timedelta(days=200))
    cop("UBOB", "maturity start 1")
    second = posts(bot, 2)[1]
    for user in ("UBOB", "UCHANDRA", "UDANA"):
        answer(bot, user, second, [2, 1, 1, 1, 1, 3])
    close_at(bot, START + dt.timedelta(days=201))
    said = cop("UCHANDRA", "maturity results")
    assert "*Trend* (Nov 2026 → Jun 2027)" in said
    assert ":arrow_up: *Purpose and plan*: Founding → Developing" in said
    assert "= *Participation*: Founding → Founding" in said and ":arrow_up: *Rhythm*: Founding → Maturing" in said
    assert "*Weakest: Leadership and roles*" in said


def test_no_ones_answers_can_be_read_back_anywhere_not_even_in_an_export(bot, cop):
    cop("UBOB", "maturity start 1")
    [post] = posts(bot)
    for user, stages in (("UBOB", [1, 2, 3, 4, 5, 1]), ("UCHANDRA", [2, 3, 4, 5, 1, 2]),
                         ("UDANA", [3, 4, 5, 1, 2, 3])):
        answer(bot, user, post, stages)
    with bot.services.sessions() as session:
        stored = json.dumps([list(row) for row in session.execute(text("SELECT * FROM maturity_answers"))],
                            default=str)
    assert len(stored) > 10 and not any(u in stored for u in ("UBOB", "UCHANDRA", "UDANA", "chandra", "Chandra"))
    # Nor does the request log keep what each submitted form chose, only that it came.
    with bot.services.sessions() as session:
        forms = [item.body for item in session.scalars(select(InboxItem).where(InboxItem.kind == "view"))]
    assert len(forms) == 3 and all(form["view"]["state"] == {"values": {}} for form in forms)
    assert "selected_option" not in json.dumps(forms)
    close_at(bot, START + dt.timedelta(days=1))
    with bot.services.sessions() as session:
        assert session.scalars(select(MaturityAnswer)).all() == []  # once counted, the answers are gone
        [row] = session.execute(text("SELECT * FROM maturity_assessments")).mappings().all()
    assert row["secret"] is None and row["answered"] == 3
    # Every export, the community's and each member's own, holds nothing of the assessment.
    for user in ("UBOB", "UCHANDRA"):
        cop(user, "export json")
        dm = "D" + user[1:]
        assert bot.slack.wait_for(lambda dm=dm: bot.slack.shared_files(dm))
        document = bot.slack.shared_files(dm)[0].content.decode()
        assert "maturity_a" not in document and "voter_key" not in document and "stages" not in document
    assert "Sustaining" not in json.dumps([m.blocks for m in bot.posts_in("DCHANDRA")])


def test_days_and_buttons_take_ascii_digits_only(bot, cop, caplog):
    # `isdigit()` takes `²`, which `int()` refuses: the usage, not "something went wrong".
    for word in ("²", "①", "𝟗"):
        said = cop("UBOB", f"maturity start {word}")
        assert "from 1 to 60" in said and "went wrong" not in said
    assert assessments(bot) == []
    cop("UBOB", "maturity start")
    [post] = posts(bot)
    said = click(bot, "UCHANDRA", post, ActionId.MATURITY_ANSWER, value="²")
    assert "no longer points at an assessment" in said
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_form_refused_after_its_checks_leaves_no_choices_in_the_request_log(bot, cop):
    cop("UBOB", "maturity start 1")
    [post] = posts(bot)
    view = opened_form(bot, "UCHANDRA", post)
    values = {stage_block_id(d.key): {ActionId.MATURITY_STAGE: {"type": "static_select", "selected_option": {
        "text": {"type": "plain_text", "text": STAGES[1]}, "value": "2"}}} for d in DIMENSIONS}
    signed = bot.requests.view_submission(user_id="UCHANDRA", user_name="uchandra", callback_id=view["callback_id"],
                                          values=values, private_metadata=view["private_metadata"])
    body = json.loads(parse_qs(signed.text)["payload"][0])
    # Accepted at the door while open; the assessment closes before a worker takes the form up.
    with unit_of_work(bot.services.sessions) as session:
        item_id = record(session, Arrival(key=request_key(body, "view"), team_id=body["team"]["id"], kind="view",
                                          listener="handle_maturity_answer_submission", lane="UCHANDRA", body=body,
                                          user_id="UCHANDRA", channel_id=None, bot_user_id="U0COPBOT"), now=START)
    close_at(bot, START + dt.timedelta(days=1))
    work_on(bot.services, item_id)
    assert bot.slack.wait_for(lambda: any("closed while you were answering" in m.text
                                          for m in bot.posts_in("UCHANDRA")))
    with bot.services.sessions() as session:
        item = session.get_one(InboxItem, item_id)
        assert session.scalars(select(MaturityAnswer)).all() == []
    assert item.finished_at is not None and item.body["view"]["state"] == {"values": {}}
    assert "selected_option" not in json.dumps(item.body)
