"""A proposed Terms of Reference in its channel, kept current as members answer; and the yearly review
reminder to the leads."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.attention import Dm, deliver_dms
from bot.blocks import terms as blocks
from bot.cards import CardEdit, show_current
from bot.render import Message
from models.attention import Outcome, handled_keys
from models.communities import Community
from models.deliveries import delivery_by_key, enqueue
from models.people import leads_by_community
from models.terms import TermsVersion, answer_counts, names_of, reviews_due


def _message(session: Session, community: Community, version: TermsVersion, now: dt.datetime) -> Message:
    agreed, objected = answer_counts(session, version=version)
    proposer = names_of(session, person_ids={version.proposed_by_id} if version.proposed_by_id else set())
    return blocks.proposal_message(community, version, agreed=agreed, objected=objected,
                                   proposer=proposer.get(version.proposed_by_id or 0, "A lead"), now=now)


def post_proposal(session: Session, *, community: Community, version: TermsVersion, now: dt.datetime) -> None:
    message = _message(session, community, version, now)
    enqueue(session, key=blocks.proposal_key(version.id), team_id=community.team_id, channel=community.channel_id,
            text=message.text, blocks=message.blocks, kind="tor", community_id=community.id, now=now)


def refresh_proposal(session: Session, *, community: Community, version: TermsVersion,
                     now: dt.datetime) -> CardEdit | None:
    """Show the answers so far (or the outcome); the chat.update to make, if the message was sent."""
    delivery = delivery_by_key(session, key=blocks.proposal_key(version.id))
    if delivery is None:
        return None
    return show_current(delivery, _message(session, community, version, now))


def send_tor_reviews(*, session: Session, now: dt.datetime) -> int:
    """Once a year after its Terms of Reference were ratified, each community's leads are asked to review
    them, by DM, once per lead and year (the key says which): a few statements whatever their number. A lead's
    own work: whatever their DM budget and switches, but in their working hours, and kept for their digest while
    they are away (`lead_work` in models.attention.DM_KINDS). Returns how many were queued."""
    due = reviews_due(session, now=now)
    if not due:
        return 0
    communities = {c.id: c for c in session.scalars(select(Community).where(
        Community.id.in_(sorted({version.community_id for version, _ in due}))))}
    leads = leads_by_community(session, communities)
    dms = []
    for version, year in due:
        community = communities[version.community_id]
        message, summary = blocks.review_dm(community, version), blocks.review_summary(community)
        dms += [Dm(lead, "lead_work", "tor_review", f"tor-review:{community.id}:{year}:{lead.id}", message, summary,
                   community.id) for lead in leads.get(community.id, [])]
    done = handled_keys(session, (dm.key for dm in dms))
    outcomes = deliver_dms(session, [dm for dm in dms if dm.key not in done], now=now)
    return sum(outcome is Outcome.SEND for outcome in outcomes)
