"""Who a record mentions, and the "Mentioned you" part of each reader's own copy of the digest."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import event, select

from bot.blocks.digest import Copy, digest_message
from models import ActionStatus, Delivery, Mention, MentionSource, Person, Role
from models.digests import build_digest
from models.digests.period import week_ending
from models.meetings import MeetingNote
from models.mentions import record_mentions
from scheduler.digests import send_digest_dms
from scheduler.runner import run_tick
from tests import factories
from tests.conftest import START, TEAM
from tests.test_http_app import blocks_text, setup_devops
from tests.test_meeting_loop_http import say_in_thread, start_kick_off, wait_posted

UTC = dt.UTC
# Monday 22 March 2027, 09:00 in London: the community's slot, and 09:00 or just past for readers further east.
MONDAY = dt.datetime(2027, 3, 22, 9, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)


@pytest.fixture
def place(session):
    """A London community: Alice leads; Bob and Dana are members; nobody has been mentioned yet."""
    made = factories.community(session, team_id=TEAM, now=MONDAY - 5 * WEEK)
    for user, role in (("UALICE", Role.LEAD), ("UBOB", Role.MEMBER), ("UDANA", Role.MEMBER)):
        factories.member(session, made, user, joined=MONDAY - 5 * WEEK, role=role)
    session.commit()
    return made


def who(session, user_id: str) -> Person:
    return factories.person(session, user_id, team_id=TEAM, now=MONDAY)


def mention(session, place, source: MentionSource, record_id: int, *, of: str, by: str, text: str,
            at: dt.datetime, link: str | None = None) -> int:
    return record_mentions(session, community_id=place.id, source=source, record_id=record_id,
                           mentioned=[who(session, of)], by=who(session, by), text=text, now=at, permalink=link)


def section(digest, key: str = "mentioned_you"):
    return next((s for s in digest.sections if s.key == key), None)


def text_of(message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False) + message.text


def test_a_record_mentions_each_person_once_and_never_its_writer_or_a_bot(session, place):
    alice, bob, dana = who(session, "UALICE"), who(session, "UBOB"), who(session, "UDANA")
    helper = factories.person(session, "UHELPER", team_id=TEAM, now=MONDAY, is_bot=True)
    counts = [record_mentions(session, community_id=place.id, source=MentionSource.DECISION, record_id=7,
                              mentioned=[bob, dana, alice, helper, dana], by=alice, text="Adopt  trunk\nbased",
                              now=MONDAY - DAY) for _ in range(2)]  # the second time: Slack delivered it again
    assert counts == [2, 0]
    rows = session.scalars(select(Mention).order_by(Mention.person_id)).all()
    assert [(m.person_id, m.by_id, m.text) for m in rows] == [(bob.id, alice.id, "Adopt trunk based"),
                                                              (dana.id, alice.id, "Adopt trunk based")]
    # The same person in another record is another mention.
    assert mention(session, place, MentionSource.KUDOS, 7, of="UBOB", by="UALICE", text="x", at=MONDAY) == 1


def test_a_readers_copy_lists_the_weeks_mentions_of_them_newest_first(session, place):
    link = "https://copbot.slack.com/archives/CDEVOPS/p1"
    mention(session, place, MentionSource.DECISION, 1, of="UDANA", by="UALICE", text="Dana owns the rollout",
            at=MONDAY - 3 * DAY, link=link)
    mention(session, place, MentionSource.MEETING_NOTE, 2, of="UDANA", by="UBOB", text="Dana knows the vault",
            at=MONDAY - 2 * DAY)
    mention(session, place, MentionSource.KUDOS, 3, of="UDANA", by="UALICE", text="for the runbook",
            at=MONDAY - DAY)
    mention(session, place, MentionSource.KNOWLEDGE, 4, of="UDANA", by="UBOB", text="Last month's tip",
            at=MONDAY - WEEK - DAY)  # before the week
    mention(session, place, MentionSource.ACTION, 5, of="UBOB", by="UALICE", text="Bob's, not Dana's",
            at=MONDAY - DAY)
    session.commit()
    period = week_ending(MONDAY, "Europe/Berlin")
    dana = build_digest(session, community=place, period=period, reader=who(session, "UDANA"))
    part = section(dana)
    assert [(i.text, i.note, i.link) for i in part.items] == [
        ("for the runbook", "kudos by Alice Archer", None),
        ("Dana knows the vault", "a meeting note by Bob Baker", None),
        ("Dana owns the rollout", "a decision by Alice Archer", link),
    ]
    rendered = text_of(digest_message(dana, Copy.DM))
    assert f"<{link}|Dana owns the rollout>" in rendered and "Last month's tip" not in rendered
    alice = build_digest(session, community=place, period=period, reader=who(session, "UALICE"))
    assert section(alice) is None
    channel = build_digest(session, community=place, period=period)
    assert section(channel) is None and "Mentioned you" not in text_of(digest_message(channel, Copy.CHANNEL))


def test_an_open_action_the_reader_owns_is_in_their_actions_not_again_in_mentions(session, place):
    dana = who(session, "UDANA")
    owned = factories.action(session, place, "Rotate the secrets", created=MONDAY - DAY, owner=dana)
    asked = factories.action(session, place, "Review the runbook", created=MONDAY - DAY)
    for action in (owned, asked):
        mention(session, place, MentionSource.ACTION, action.id, of="UDANA", by="UALICE", text=action.title,
                at=MONDAY - DAY)
    session.commit()
    period = week_ending(MONDAY, "Europe/Berlin")
    digest = build_digest(session, community=place, period=period, reader=dana)
    assert [i.text for i in section(digest, "your_actions").items] == ["Rotate the secrets"]
    assert [(i.text, i.ref) for i in section(digest).items] == [("Review the runbook", f"#{asked.id}")]
    owned.status, owned.closed_at = ActionStatus.DONE, MONDAY - DAY / 2  # done: no longer among her actions
    session.commit()
    digest = build_digest(session, community=place, period=period, reader=dana)
    assert sorted(i.text for i in section(digest).items) == ["Review the runbook", "Rotate the secrets"]


def test_mentioned_text_is_escaped_and_names_ping_nobody(session, place):
    mention(session, place, MentionSource.AGENDA_ITEM, 1, of="UDANA", by="UBOB",
            text="Ask @Dana & <!channel> about <@UEVE> <https://evil.example|here>", at=MONDAY - DAY)
    session.commit()
    digest = build_digest(session, community=place, period=week_ending(MONDAY, "Europe/Berlin"),
                          reader=who(session, "UDANA"))
    [block] = [b for b in digest_message(digest, Copy.DM).blocks if "Mentioned you" in json.dumps(b)]
    shown = block["text"]["text"]
    assert "Ask @Dana &amp; &lt;!channel&gt; about &lt;@UEVE&gt; &lt;https://evil.example|here&gt;" in shown
    assert "<@" not in shown and "<!" not in shown.replace("<!date^", "")
    assert "an agenda item by Bob Baker" in shown


def test_many_mentions_are_cut_with_and_n_more(session, place):
    for n in range(14):
        mention(session, place, MentionSource.DECISION, n + 1, of="UDANA", by="UBOB", text=f"Decision {n:02d}",
                at=MONDAY - DAY + n * dt.timedelta(minutes=1))
    session.commit()
    digest = build_digest(session, community=place, period=week_ending(MONDAY, "Europe/Berlin"),
                          reader=who(session, "UDANA"))
    part = section(digest)
    assert (len(part.items), part.total, part.more) == (10, 14, 4)
    assert part.items[0].text == "Decision 13"  # the newest
    [block] = [b for b in digest_message(digest, Copy.DM).blocks if "Mentioned you" in json.dumps(b)]
    assert block["text"]["text"].endswith("…and 4 more")


def test_the_dm_job_reads_every_readers_mentions_in_one_statement_per_week_reported(session, place):
    """Readers in three zones (three weeks ending at three 09:00s) of two communities: three statements."""
    other = factories.community(session, team_id=TEAM, channel_id="CRANDOM", name="Random", now=MONDAY - 5 * WEEK)
    for user in ("UALICE", "UDANA", "UCHANDRA"):
        factories.member(session, place, user, joined=MONDAY - 5 * WEEK, digest_dm=True)
        factories.member(session, other, user, joined=MONDAY - 5 * WEEK)
    mention(session, place, MentionSource.KUDOS, 1, of="UDANA", by="UALICE", text="for the vault", at=MONDAY - DAY)
    mention(session, other, MentionSource.DECISION, 2, of="UCHANDRA", by="UDANA", text="Chandra hosts",
            at=MONDAY - DAY)
    mention(session, other, MentionSource.DECISION, 3, of="UALICE", by="UDANA", text="Too old for Alice",
            at=MONDAY - WEEK - DAY)
    session.commit()
    statements: list[str] = []

    def count(_conn, _cursor, statement: str, *_) -> None:  # noqa: ANN001
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        queued = send_digest_dms(session=session, now=MONDAY)  # 09:00 London, 10:00 Berlin, 14:30 Bengaluru
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert queued == 6
    assert len([s for s in statements if "FROM mentions" in s]) == 3
    sent = {d.key.rsplit(":", 1)[1] + ":" + str(d.community_id): json.dumps(d.blocks)
            for d in factories.deliveries(session, kind="digest_dm")}
    assert "for the vault" in sent[f"UDANA:{place.id}"] and "Chandra hosts" in sent[f"UCHANDRA:{other.id}"]
    for key, text in sent.items():
        if key not in (f"UDANA:{place.id}", f"UCHANDRA:{other.id}"):
            assert "Mentioned you" not in text, key


# ----------------------------------------------------------------------------- through Slack


@pytest.fixture
def cop(settled_bot):
    """#devops set up by Bob (New York, lead); Alice, Chandra and Dana are members; later that day,
    so that the week of each digest on the next Monday, the channel's and each reader's, includes it."""
    setup_devops(settled_bot)
    settled_bot.command("UDANA", "join")
    settled_bot.services.clock.set(START + dt.timedelta(hours=7))
    return settled_bot


def type_(bot, user: str, text: str) -> str:
    n = len(bot.replies_to(user)) + 1
    bot.command(user, text)
    return blocks_text(bot.wait_reply(user, n))


def digests_to(bot, user: str) -> list[str]:
    return [json.dumps(m.blocks, ensure_ascii=False) for m in bot.slack.messages_in(user)
            if m.text.startswith(("Weekly digest", "A quiet week"))]


def mentioned_part(digest: str) -> str:
    """The "Mentioned you" block of a rendered digest, or "" when it has none."""
    for block in json.loads(digest):
        if "*Mentioned you*" in json.dumps(block, ensure_ascii=False):
            return block["text"]["text"]
    return ""


def mentions(bot) -> set[tuple[str, str, str]]:
    with bot.services.sessions() as session:
        rows = session.execute(select(Mention.source, Person.user_id, Mention.text)
                               .join(Person, Person.id == Mention.person_id))
        return {(source.value, user, text) for source, user, text in rows}


def test_what_members_type_about_someone_reaches_only_that_persons_digest(cop):
    type_(cop, "UALICE", "decision Ship the spot fleet; <@UDANA|dana> runs the rollout")
    type_(cop, "UALICE", "kudos <@UCHANDRA|chandra> for pairing with <@UDANA|dana> on <!channel> things")
    type_(cop, "UBOB", 'action add "Review the runbook with <@UDANA|dana>" <@UCHANDRA|chandra>')
    type_(cop, "UDANA", "decision Note to self: <@UDANA|dana> books the room")
    assert mentions(cop) == {
        ("decision", "UDANA", "Ship the spot fleet; @dana runs the rollout"),
        ("kudos", "UCHANDRA", "for pairing with @dana on @channel things"),
        ("kudos", "UDANA", "for pairing with @dana on @channel things"),
        ("action", "UDANA", "Review the runbook with @dana"),
        ("action", "UCHANDRA", "Review the runbook with @dana"),  # hers, so shown under her actions instead
    }
    with cop.services.sessions() as session:  # each leads to what copbot posted for it, once that was sent
        found = session.scalars(select(Mention)).all()
        posted = {d.link_to: d.sent_ts for d in session.scalars(select(Delivery)) if d.link_to and d.sent_ts}
        links = {m.source.value: m.permalink for m in found}
        for m in found:
            ts = posted[f"{m.source.value}:{m.record_id}"].replace(".", "")
            assert m.permalink == f"https://copbot-sandbox.slack.com/archives/CDEVOPS/p{ts}"
    for user in ("UALICE", "UCHANDRA", "UDANA"):
        assert "by direct message" in type_(cop, user, "digest dm on")
    # Monday 30 November, 09:00 UTC: 09:00 in London, past 09:00 in Berlin and Bengaluru.
    run_tick(cop.services, now=dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    dana, chandra, alice = (mentioned_part(digests_to(cop, u)[0]) for u in ("UDANA", "UCHANDRA", "UALICE"))
    assert f"<{links['decision']}|Ship the spot fleet; @dana runs the rollout>" in dana
    assert "a decision by alice" in dana and f"<{links['kudos']}|for pairing" in dana
    assert "for pairing with @dana on @channel things" in dana and "Review the runbook with @dana" in dana
    assert "for pairing with" in chandra and "Review the runbook" not in chandra
    assert "Review the runbook" in digests_to(cop, "UCHANDRA")[0]  # under "Your open actions"
    assert alice == "" and "Note to self" in digests_to(cop, "UALICE")[0]  # in Decisions, for everyone
    assert "<@" not in dana + chandra
    run_tick(cop.services, now=dt.datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # the channel's slot in New York
    [channel] = [m for m in cop.posts_in("CDEVOPS") if m.text.startswith("Weekly digest")]
    assert "Mentioned you" not in json.dumps(channel.blocks) and "Your open actions" not in json.dumps(channel.blocks)
    run_tick(cop.services, now=dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # a week on: last week's news
    assert len(digests_to(cop, "UDANA")) == 2 and mentioned_part(digests_to(cop, "UDANA")[1]) == ""


def test_meeting_thread_lines_mention_once_however_often_slack_delivers_them(cop):
    thread = start_kick_off(cop)
    lines = ("info: <@UDANA> knows how the vault is set up", "action: Draft the vault guide <@UDANA> <@UALICE>")
    for n, line in enumerate(lines):
        ts = cop.slack.post_as_user("UCHANDRA", "CDEVOPS", line, thread_ts=thread)
        message = cop.requests.message(user="UCHANDRA", channel="CDEVOPS", text=line, ts=ts, thread_ts=thread)
        for retry in (None, 1, 2):
            status, _ = cop.post(cop.requests.event(message, event_id=f"EvMENTION{n}", retry_num=retry))
            assert status == 200
    with cop.services.sessions() as session:
        assert len(session.scalars(select(MeetingNote)).all()) == 1
        assert len(session.scalars(select(Mention)).all()) == 3, mentions(cop)
    assert mentions(cop) == {("meeting_note", "UDANA", "@dana knows how the vault is set up"),
                             ("action", "UDANA", "Draft the vault guide"),
                             ("action", "UALICE", "Draft the vault guide")}
    dana = type_(cop, "UDANA", "digest preview")
    assert "Mentioned you" in dana and "knows how the vault is set up" in dana
    assert f"?thread_ts={thread}&cid=CDEVOPS|@dana knows how the vault is set up>" in dana  # its link
    assert "Draft the vault guide" in dana.split("Mentioned you")[1]  # Chandra only asked her to take it
    with cop.services.sessions() as session:
        action_id = session.scalars(select(Mention.record_id).where(Mention.source == MentionSource.ACTION)).first()
    assert "yours" in type_(cop, "UDANA", f"action claim {action_id}").lower()
    dana = type_(cop, "UDANA", "digest preview")
    assert "Draft the vault guide" not in dana.split("Mentioned you")[1]  # hers now: under "Your open actions"
    assert "Draft the vault guide" in dana.split("Your open actions")[1].split("Mentioned you")[0]
    alice = type_(cop, "UALICE", "digest preview")
    assert "Mentioned you" in alice and "Draft the vault guide" in alice


def test_a_standup_update_mentioning_someone_is_in_their_digest_once(cop):
    assert "Standup started" in type_(cop, "UBOB", "standup")
    [opening] = wait_posted(cop, "CDEVOPS", "Standup: answer in this thread")
    say_in_thread(cop, "UCHANDRA", "1. Paired with <@UDANA> on the vault\n2. The dashboards", opening.ts)
    say_in_thread(cop, "UCHANDRA", "and thanks again <@UDANA>, also <@UCHANDRA> (me)", opening.ts)
    assert mentions(cop) == {("standup_answer", "UDANA", "1. Paired with @dana on the vault 2. The dashboards")}
    assert "Paired with @dana on the vault" in type_(cop, "UDANA", "digest preview").split("Mentioned you")[1]


def test_a_message_made_a_record_by_reaction_mentions_whom_it_named_until_taken_back(cop):
    ts = cop.slack.post_as_user("UBOB", "CDEVOPS", "Tip: ask <@UDANA> before touching the vault")
    react = cop.requests.reaction(user="UALICE", reaction="pushpin", channel="CDEVOPS", ts=ts, item_user="UBOB")
    cop.post(cop.requests.event(react))
    assert mentions(cop) == {("knowledge", "UDANA", "Tip: ask @dana before touching the vault")}
    with cop.services.sessions() as session:
        [row] = session.scalars(select(Mention)).all()
        assert row.by.user_id == "UBOB" and row.permalink.endswith(f"/p{ts.replace('.', '')}")
    cop.post(cop.requests.event(cop.requests.reaction(user="UALICE", reaction="pushpin", channel="CDEVOPS", ts=ts,
                                                      item_user="UBOB", removed=True)))
    assert mentions(cop) == set()
    ts = cop.slack.post_as_user("UCHANDRA", "CDEVOPS", "Someone should pair with <@UBOB> on the CI bill")
    cop.post(cop.requests.event(cop.requests.reaction(user="UCHANDRA", reaction="ballot_box_with_check",
                                                      channel="CDEVOPS", ts=ts, item_user="UCHANDRA")))
    assert mentions(cop) == {("action", "UBOB", "Someone should pair with @bob on the CI bill")}


def test_an_agenda_item_about_someone_is_in_their_digest(cop):
    type_(cop, "UALICE", "agenda add Hear from <@UDANA|dana> about the vault")
    type_(cop, "UDANA", "digest dm on")
    run_tick(cop.services, now=dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    with cop.services.sessions() as session:
        [dm] = session.scalars(select(Delivery).where(Delivery.kind == "digest_dm")).all()
    assert "Hear from @dana about the vault" in mentioned_part(json.dumps(dm.blocks))
    assert "an agenda item by alice" in mentioned_part(json.dumps(dm.blocks))


def test_the_home_tab_shows_the_weeks_mentions_with_their_community(cop):
    type_(cop, "UALICE", "decision <@UDANA|dana> hosts the January kick-off")
    for user in ("UDANA", "UBOB"):
        status, _ = cop.post(cop.requests.event(cop.requests.app_home_opened(user=user)))
        assert status == 200
    dana = json.dumps(cop.slack.home_view("UDANA")["blocks"], ensure_ascii=False)
    assert "Mentioned you this week" in dana
    assert "|@dana hosts the January kick-off>" in dana and "a decision by alice in DevOps CoP" in dana
    assert "Mentioned you" not in json.dumps(cop.slack.home_view("UBOB")["blocks"])
    cop.services.clock.set(START + 8 * DAY)  # a week on
    cop.post(cop.requests.event(cop.requests.app_home_opened(user="UDANA")))
    assert "Mentioned you" not in json.dumps(cop.slack.home_view("UDANA")["blocks"])
