"""`/cop standup ...` and `/cop away`."""

from __future__ import annotations

from bot.blocks import standups as blocks
from bot.render import escape, notice
from bot.slack import permalink
from bot.standups import post_summary
from handlers.base import Request
from handlers.commands.parse import on_or_off, split_words
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import led_community, target_community
from handlers.meeting_steps import announce
from models.attention import set_wanted
from models.deliveries import sent_ts
from models.errors import BadArgument, NotFound
from models.links import link_to
from models.people import set_away, stale_member_ids
from models.standups.runs import close_run, open_sync_run, start_standup
from models.standups.settings import (
    describe_days,
    parse_clock,
    parse_days,
    set_questions,
    set_schedule,
    standup_for,
)
from models.when import WhenError, format_local, parse_until


def handle_standup_start(request: Request, args: str) -> None:
    community, person = led_community(request, doing="run its standups")
    run = start_standup(request.session, community=community, person=person, now=request.now)
    announce(request, community, run.thread_key,
             blocks.standup_thread(run.questions, started_by=person.user_id, run_id=run.id, closes_at=run.closes_at),
             link=link_to("standup_thread", run.id))
    request.reply(notice("Standup started: the questions are in the channel. `/cop standup end` posts the summary "
                         "(or it closes on its own when its window ends)."))


def handle_standup_end(request: Request, args: str) -> None:
    community, _ = led_community(request, doing="end its standups")
    run = open_sync_run(request.session, community=community)
    if run is None:
        raise NotFound("No standup is running here; `/cop standup` starts one.")
    run.thread_ts = run.thread_ts or sent_ts(request.session, key=run.thread_key)
    if run.thread_ts:
        run.permalink = permalink(request.workspace_url, community.channel_id, run.thread_ts)
    summary = close_run(request.session, run=run, now=request.now)
    post_summary(request.session, run=run, now=request.now, tell_leads=False)
    request.reply(blocks.ended_reply(summary))


def handle_standup_schedule(request: Request, args: str) -> None:
    community, person = led_community(request, doing="schedule its standups")
    standup = standup_for(request.session, community=community)
    if args.strip().lower() in ("off", "stop", "none"):
        set_schedule(request.session, standup=standup, days=None, at=None)
        request.reply(notice("No more standups by DM; `/cop standup` still runs one in the channel."))
        return
    days_text, _, time_text = args.strip().rpartition(" ")
    if not days_text:
        raise BadArgument("Say the days and the time, e.g. `mon,wed,fri 09:30`.")
    set_schedule(request.session, standup=standup, days=parse_days(days_text), at=parse_clock(time_text))
    # Each member is asked at their own 09:30, so their zone must be known before the first ask;
    # people enrolled with the channel have never been looked up.
    for user_id in stale_member_ids(request.session, community=community, now=request.now):
        request.person(user_id)
    when = f"{describe_days(standup.days)} at {standup.ask_time:%H:%M}"
    announce(request, community, f"standup:{standup.id}:scheduled:{standup.days}:{standup.ask_time:%H%M}",
             blocks.schedule_announcement(by=person.user_id, when=when))
    request.reply(notice(f"Asynchronous standup: {when} in each member's own time zone; members on leave "
                         "(`/cop away`) are not asked. `/cop standup schedule off` stops it."))


def handle_standup_questions(request: Request, args: str) -> None:
    if not args.strip():
        community = target_community(request)
        questions = standup_for(request.session, community=community).questions
        request.reply(notice("The standup asks:\n" + "\n".join(f"{n}. {escape(q)}"
                                                               for n, q in enumerate(questions, start=1))))
        return
    community, _ = led_community(request, doing="change its standup questions")
    questions = split_words(args)
    standup = set_questions(request.session, standup=standup_for(request.session, community=community),
                            questions=questions)
    request.reply(notice(f"From the next standup on, {len(standup.questions)} questions:\n"
                         + "\n".join(f"{n}. {escape(q)}" for n, q in enumerate(standup.questions, start=1))))


def handle_standup_dms(request: Request, args: str) -> None:
    on = on_or_off(args)
    set_wanted(request.person(), "standups", on)
    request.reply(notice("You'll be asked for standups by DM." if on else
                         "No more standup DMs: you won't be asked, nor counted as missing."))


def handle_away(request: Request, args: str) -> None:
    person = request.person()
    if args.strip().lower() in ("off", "back", "none"):
        set_away(person, until=None, now=request.now)
        request.reply(notice("Welcome back: you'll be asked for standups again."))
        return
    if not args.strip():
        raise BadArgument("Say until when, e.g. `/cop away dec 10`.")
    try:
        until = parse_until(args, tz=person.tz, now=request.now)
    except WhenError as error:
        raise BadArgument(str(error)) from None
    set_away(person, until=until, now=request.now)
    request.reply(notice(f"Away until {format_local(until, person.tz)}: you won't be asked for standups nor "
                         "counted as missing, and reminders and requests wait in your digest. It ends by itself; "
                         "`/cop away off` when you're back early."))


STANDUP = Topic("standup", aliases=("standups",), about=(
    "Leads run a standup in the channel now (answers in its thread: a line per question, `1.` `2.` `3.` on one "
    "line or more, or `Yesterday:` `Today:` `Blockers:`; or with the *Post my update* button), or schedule one: "
    "every member is then asked by DM at that time *in their own zone* on those days, and one summary is posted "
    "in the channel when the last of them has had four hours to answer. A blocker becomes a blocked action; "
    "answering again that nothing blocks you (\"none\", \"no\", \"nothing\") drops it. Who did not answer is told "
    "to the leads privately, never in the channel; members away (`/cop away`) are neither asked nor counted, and "
    "nor is anyone whose ask would have gone over their weekly DM budget (it waits for their digest instead)."),
    commands=(
    Command("standup start", handle_standup_start, who=Who.LEADS, bare=True,
            help="a standup in the channel now: answers in its thread or a form, one summary at the end",
            examples=("/cop standup",)),
    Command("standup end", handle_standup_end, who=Who.LEADS, help="close the running standup and post its summary",
            examples=("/cop standup end",)),
    Command("standup schedule", handle_standup_schedule, who=Who.LEADS, usage="<days> <HH:MM> | off",
            help="ask every member by DM at that time *in their own zone*",
            examples=("/cop standup schedule mon,wed,fri 09:30", "/cop standup schedule weekdays 9am")),
    Command("standup questions", handle_standup_questions, usage='["<question>" ...]',
            help="the standup's questions (leads change them)",
            examples=('/cop standup questions "What shipped?" "What is next?" "What is blocking you?"',)),
    Command("standup dms", handle_standup_dms, usage="on|off", help="be asked for standups by DM, or not",
            examples=("/cop standup dms off",)),
))
AWAY = Topic("away", about=(
    "On leave: until then you are not asked for standups, nor counted as missing, and nothing copbot would send you "
    "unasked reaches you: reminders and requests wait in your digest. It ends by itself; a day means to the end of "
    "that day, your time."), commands=(
    Command("away", handle_away, usage="<until> | off",
            help="on leave: not asked for standups nor counted as missing, and every unasked-for DM waits in your "
                 "digest until you are back",
            examples=("/cop away dec 24", "/cop away in 2 weeks", "/cop away off")),
))
