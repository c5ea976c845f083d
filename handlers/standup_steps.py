"""A standup update as a person gives it, in the thread or through the form: stored, and its blocker's card
posted where the standup is held."""

from __future__ import annotations

from bot.blocks.standups import update_in_thread
from handlers import action_steps as steps
from handlers.base import Request
from models.deliveries import enqueue
from models.links import link_to
from models.people import Person
from models.standups import StandupAnswer, StandupRun
from models.standups.runs import record_answer, thread_of_run


def record_update(request: Request, *, run: StandupRun, person: Person, answers: list[str], permalink: str | None,
                  add: bool) -> StandupAnswer:
    """Store the update; a blocker new in it becomes a blocked action whose card joins the standup, and one
    it says is gone is dropped, its card showing so."""
    actor = steps.actor_in(request, run.standup.community)
    answered = record_answer(request.session, run=run, person=person, answers=answers, now=request.now,
                             permalink=permalink, add=add, is_lead=actor.is_lead)
    if answered.new_blocker is not None:
        steps.announce(request, answered.new_blocker, thread_ts=thread_of_run(request.session, run=run))
    if answered.cleared_blocker is not None:
        steps.refresh_card(request, answered.cleared_blocker)
    return answered.answer


def post_form_update(request: Request, *, run: StandupRun, row: StandupAnswer) -> None:
    """An update given through the form goes into the standup's thread, as if typed there, and links to it.

    A standup held by DM has no thread: its updates are linked to the summary when that is posted.
    """
    thread_ts = thread_of_run(request.session, run=run)
    if thread_ts is None or row.answered_at is None:
        return
    community = run.standup.community
    message = update_in_thread(row.person.user_id, run.questions, row.answers or [],
                               blocked=row.blocker_action_id is not None)
    enqueue(request.session, key=f"standup:{run.id}:update:{row.id}:{int(row.answered_at.timestamp())}",
            team_id=community.team_id, channel=community.channel_id, text=message.text, blocks=message.blocks,
            kind="standup_update", community_id=community.id, thread_ts=thread_ts, now=request.now,
            link_to=link_to("standup_answer", row.id))
