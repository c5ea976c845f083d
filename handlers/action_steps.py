"""Each step of an action as a person takes it, whichever door it came through: a command, a button
or a reaction. The domain decides; this module tells the people concerned (through the outbox),
keeps the action's card in the channel current, and builds the reply.
"""

from __future__ import annotations

from bot.attention import Dm, deliver_dm, deliver_dms
from bot.blocks import actions as blocks
from bot.cards import card, rewrite_card
from bot.render import Message, escape, notice
from handlers.base import Request
from models.actions import Action
from models.actions.queries import CARD_KIND, card_key, get_action
from models.actions.workflow import (
    Actor,
    claim_action,
    complete_action,
    decline_action,
    drop_action,
    return_to_pool,
    unblock_action,
)
from models.attention import wants
from models.communities import Community
from models.deliveries import enqueue
from models.links import link_to
from models.people import LEAD_ROLES, Person, is_community_lead, members_with_roles

# The offer to record a lesson, sent to an owner who closed their own action with a reaction: an answer to
# them, not an unasked-for message (models.attention.DM_KINDS does not count it).
ANSWER_KIND = "lesson_answer"


def actor_in(request: Request, community: Community) -> Actor:
    person = request.person()
    return Actor(person, is_community_lead(request.session, community=community, person=person,
                                           admin_ids=request.services.settings.admin_ids))


def load(request: Request, action_id: int) -> tuple[Action, Actor]:
    """The action a person is about to change, locked for the rest of the request, and who they are to it."""
    action = get_action(request.session, team_id=request.team_id, action_id=action_id, for_update=True)
    return action, actor_in(request, action.community)


def _epoch(request: Request) -> int:
    return int(request.now.timestamp())


def announce(request: Request, action: Action, *, thread_ts: str | None = None) -> None:
    """Post the action's card to its community's channel (in the source message's thread, if any)."""
    message = card(request.session, action, now=request.now, want_names=request.want_names)
    community = action.community
    enqueue(request.session, key=card_key(action.id), team_id=community.team_id, channel=community.channel_id,
            text=message.text, blocks=message.blocks, kind=CARD_KIND, community_id=community.id,
            thread_ts=thread_ts, now=request.now, link_to=link_to("action", action.id))


def refresh_card(request: Request, action: Action) -> None:
    """Show the action's new state on its card: rewrite it if still queued, else update it in Slack."""
    edit = rewrite_card(request.session, action, now=request.now, want_names=request.want_names)
    request.update_after_commit(edit)


def left_community(request: Request, community: Community, person: Person) -> None:
    """Someone left: what they owned goes back to the pool, its cards say so, and the leads are told, once."""
    returned = return_to_pool(request.session, community=community, person=person)
    if not returned:
        return
    for action in returned:
        refresh_card(request, action)
    message = blocks.returned_dm(community, person, returned)
    summary = blocks.returned_summary(community, person, returned)
    deliver_dms(request.session, [
        Dm(lead, "escalations", "pool_return", f"community:{community.id}:left:{person.id}:{_epoch(request)}:{lead.id}",
           message, summary, community.id)
        for lead in (m.person for m in members_with_roles(request.session, community=community, roles=LEAD_ROLES))
        if lead.id != person.id and not lead.is_bot and not lead.deleted
    ], now=request.now)


def _dm(request: Request, *, key: str, to: Person, message: Message, summary: str, kind: str,
        action: Action) -> None:
    """Another person's step told to `to`: an unasked-for DM, so it can be turned off (`/cop action dms off`;
    the card still shows it all) and counts against their weekly budget, past which it waits for their digest."""
    deliver_dm(request.session, person=to, kind="actions", delivery_kind=kind, key=key, message=message,
               summary=summary, community_id=action.community_id, now=request.now)


def tell_new_owner(request: Request, action: Action, *, by: Person) -> None:
    """A lead's assignment is told to the assignee; anyone else's naming asks them."""
    if action.proposed_owner is not None and action.proposed_at is not None:
        _dm(request, key=f"action:{action.id}:offer:{action.proposed_owner.id}:{int(action.proposed_at.timestamp())}",
            to=action.proposed_owner, message=blocks.offer_dm(action, asked_by=by),
            summary=blocks.offer_summary(action, asked_by=by), kind="action_offer", action=action)
    elif action.owner is not None and action.owner.id != by.id:
        _dm(request, key=f"action:{action.id}:assigned:{action.owner.id}:{_epoch(request)}", to=action.owner,
            message=blocks.assigned_dm(action, lead=by), summary=blocks.assigned_summary(action, lead=by),
            kind="action_assigned", action=action)


def offer_lesson(request: Request, action: Action, *, closed_by: Person, unblocked: bool, in_reply: bool) -> bool:
    """Offer the owner to record the lesson: in the reply when they closed it themselves, else by DM.

    Returns True when the offer belongs in the reply.
    """
    owner = action.owner
    if owner is None:
        return False
    if in_reply and owner.id == closed_by.id:
        return True
    step = "unblocked" if unblocked else "done"
    key = f"action:{action.id}:lesson:{step}:{_epoch(request)}"
    message = blocks.lesson_offer_dm(action, closed_by=closed_by, unblocked=unblocked)
    if owner.id == closed_by.id:
        # The owner's own reaction closed it: the offer answers what they did, so it is not held back or counted
        # (but its button still turns these off, and off they stay).
        if wants(owner, "actions"):
            enqueue(request.session, key=key, team_id=owner.team_id, channel=owner.user_id, text=message.text,
                    blocks=message.blocks, kind=ANSWER_KIND, community_id=action.community_id, now=request.now)
        return False
    _dm(request, key=key, to=owner, message=message, summary=blocks.lesson_offer_summary(action, unblocked=unblocked),
        kind="lesson_offer", action=action)
    return False


def claim(request: Request, action: Action, actor: Actor) -> Message:
    claim_action(request.session, action=action, actor=actor, now=request.now)
    refresh_card(request, action)
    return notice(f"Action #{action.id} is yours now: “{escape(action.title)}”. `/cop action done {action.id}` when it "
                  "is done.")


def complete(request: Request, action: Action, actor: Actor, *, via: str | None = None,
             in_reply: bool = True) -> Message:
    complete_action(request.session, action=action, actor=actor, now=request.now, via=via)
    refresh_card(request, action)
    offered = offer_lesson(request, action, closed_by=actor.person, unblocked=False, in_reply=in_reply)
    return blocks.done_reply(action, offer_lesson=offered)


def drop(request: Request, action: Action, actor: Actor) -> Message:
    drop_action(request.session, action=action, actor=actor, now=request.now)
    refresh_card(request, action)
    return notice(f"Dropped action #{action.id}: “{escape(action.title)}”.")


def decline(request: Request, action: Action, actor: Actor) -> Message:
    lead = decline_action(request.session, action=action, actor=actor)
    refresh_card(request, action)
    back = f"No problem: action #{action.id}, “{escape(action.title)}”, "
    if lead is None:
        return notice(back + "stays in the pool for someone with more room.")
    back += "is back in the pool for someone with more room"
    if lead.id == actor.person.id:
        return notice(back + ".")
    # Like a leaver's actions, an action back in the pool is news for the lead (`/cop action escalations`). A lead
    # who has since left Slack or been forgotten can be told nothing: the community's other leads are told instead.
    told = [lead] if not lead.deleted else [
        m.person for m in members_with_roles(request.session, community=action.community, roles=LEAD_ROLES)
        if m.person.id != actor.person.id and not m.person.is_bot and not m.person.deleted]
    epoch = _epoch(request)
    deliver_dms(request.session, [
        Dm(person, "escalations", "pool_return", f"action:{action.id}:declined:{actor.person.id}:{epoch}"
           + ("" if person is lead else f":{person.id}"),
           blocks.declined_dm(action, by=actor.person, assigner_gone=lead.deleted),
           blocks.declined_summary(action, by=actor.person), action.community_id)
        for person in told], now=request.now)
    if not lead.deleted:
        return notice(back + f", and {escape(lead.display_name or 'the lead who assigned it')} has been told.")
    if not told:
        return notice(back + "; the lead who assigned it is no longer here, and the community has no other lead to "
                      "tell.")
    return notice(back + "; the lead who assigned it is no longer here, so the community's "
                  + ("lead has" if len(told) == 1 else "leads have") + " been told.")


def unblock(request: Request, action: Action, actor: Actor) -> Message:
    unblock_action(request.session, action=action, actor=actor)
    refresh_card(request, action)
    offered = offer_lesson(request, action, closed_by=actor.person, unblocked=True, in_reply=True)
    return blocks.unblocked_reply(action, offer_lesson=offered)
