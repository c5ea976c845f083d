"""`/cop poll "<question>" "<option>" ... [anonymous] [closes <when>]`: a vote in the channel."""

from __future__ import annotations

from bot.blocks import polls as blocks
from handlers.base import Request
from handlers.commands.parse import normalise, take_quoted
from handlers.commands.registry import Command, Topic
from handlers.commands.resolve import target_community
from models.deliveries import enqueue
from models.errors import BadArgument
from models.people import require_member_or_overall_lead
from models.polls import create_poll, tallies
from models.when import WhenError, parse_when


def handle_poll(request: Request, args: str) -> None:
    text = normalise(args)
    quoted: list[str] = []
    while text.startswith('"'):
        phrase, text = take_quoted(text, what="question and each option", example="Which day suits?")
        quoted.append(request.plain(phrase))
    if not quoted:
        raise BadArgument('Put the question and each option in double quotes, e.g. `"Which day?" "Tue" "Thu"`.')
    anonymous = False
    closes_text = ""
    word, _, rest = text.partition(" ")
    if word.lower() == "anonymous":
        anonymous, text = True, rest.strip()
        word, _, rest = text.partition(" ")
    if word.lower() == "closes":
        closes_text = rest.strip()
        if closes_text.lower().endswith(" anonymous"):
            anonymous, closes_text = True, closes_text[: -len(" anonymous")].strip()
        if not closes_text:
            raise BadArgument("Say when the poll closes, e.g. `closes friday 5pm`.")
    elif text:
        raise BadArgument(f"I didn't understand “{text[:60]}”: after the quoted options come `anonymous` and "
                          "`closes <when>`.")
    community = target_community(request)
    person = request.person()
    require_member_or_overall_lead(request.session, community=community, person=person,
                                   admin_ids=request.services.settings.admin_ids)
    try:
        closes_at = parse_when(closes_text, tz=person.tz, now=request.now) if closes_text else None
    except WhenError as error:
        raise BadArgument(str(error)) from None
    poll = create_poll(request.session, community=community, by=person, question=quoted[0], options=quoted[1:],
                       anonymous=anonymous, closes_at=closes_at, now=request.now)
    message = blocks.poll_message(poll, tallies(request.session, polls=[poll])[poll.id], now=request.now)
    enqueue(request.session, key=blocks.poll_key(poll.id), team_id=community.team_id, channel=community.channel_id,
            text=message.text, blocks=message.blocks, kind="poll", community_id=community.id, now=request.now)
    request.reply(blocks.poll_posted(poll))


POLL = Topic("poll", aliases=("polls", "vote"), about=(
    "Asks the community a question with a button per option (2 to 10, each up to 75 characters). Everyone has "
    "one vote and can change it until the poll closes (in a week unless you say); the counts show on the poll "
    "as votes come in, and stay once it closes. An open poll shows who chose what; an anonymous one says so on "
    "its face and never shows who voted what, nor keeps it in a form anyone can read once it has closed."),
    commands=(
    Command("poll", handle_poll, usage='"<question>" "<option>" "<option>" ... [anonymous] [closes <when>]',
            help="ask the channel a question with a button per option; one vote each, changeable until it "
                 "closes (a week unless `closes <when>`); `anonymous` hides who voted what",
            examples=('/cop poll "Which day for the retro?" "Tuesday" "Thursday"',
                      '/cop poll "Move the meeting online?" "Yes" "No" anonymous closes friday 5pm')),
))
