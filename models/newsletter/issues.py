"""A month's issue from draft to post: drafted (by the clock or on demand), edited, approved or skipped;
the workspace's newsletter channel; and which community is featured (an overall lead's choice, or the
rotation: the one featured longest ago, or never)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.orm import Session

from models.communities import Community
from models.deliveries import Delivery, DeliveryStatus
from models.errors import BadArgument, NotFound
from models.newsletter.content import Month, draft_content
from models.newsletter.model import MAX_INTRO, IssueStatus, NewsletterIssue, NewsletterSettings, Section
from models.people import Person
from models.upsert import insert_ignore


def settings_of(session: Session, *, team_id: str) -> NewsletterSettings | None:
    return session.get(NewsletterSettings, team_id)


def _settings(session: Session, *, team_id: str, by: Person, now: dt.datetime) -> NewsletterSettings:
    insert_ignore(session, NewsletterSettings, dict(team_id=team_id, updated_at=now), conflict="team_id")
    found = session.get_one(NewsletterSettings, team_id)
    session.refresh(found)
    found.updated_by_id, found.updated_at = by.id, now
    return found


def set_channel(session: Session, *, team_id: str, channel_id: str, by: Person, now: dt.datetime) -> None:
    _settings(session, team_id=team_id, by=by, now=now).channel_id = channel_id
    session.flush()


def set_feature(session: Session, *, team_id: str, community: Community, by: Person, now: dt.datetime) -> None:
    if community.archived_at is not None:
        raise BadArgument(f"*{community.name}* is archived: feature a live community.")
    _settings(session, team_id=team_id, by=by, now=now).feature_community_id = community.id
    session.flush()


def choose_feature(session: Session, *, team_id: str) -> Community | None:
    """The community the next issue features: the one chosen, if still live; otherwise the live community
    featured longest ago in a posted issue (never featured first, then the oldest community)."""
    chosen = settings_of(session, team_id=team_id)
    if chosen is not None and chosen.feature_community_id is not None:
        community = session.get(Community, chosen.feature_community_id)
        if community is not None and community.archived_at is None:
            return community
    last = (select(NewsletterIssue.featured_community_id.label("community_id"),
                   func.max(NewsletterIssue.month).label("month"))
            .where(NewsletterIssue.team_id == team_id, NewsletterIssue.status == IssueStatus.APPROVED)
            .group_by(NewsletterIssue.featured_community_id).subquery())
    return session.scalars(
        select(Community).outerjoin(last, last.c.community_id == Community.id)
        .where(Community.team_id == team_id, Community.archived_at.is_(None))
        .order_by(last.c.month.is_not(None), last.c.month, Community.created_at, Community.id).limit(1)).first()


def issue_of(session: Session, *, team_id: str, month: Month) -> NewsletterIssue | None:
    return session.scalars(select(NewsletterIssue).where(NewsletterIssue.team_id == team_id,
                                                         NewsletterIssue.month == month.key)).first()


def draft_issue(session: Session, *, team_id: str, month: Month, now: dt.datetime) -> tuple[NewsletterIssue, bool]:
    """Draft the month's issue from the records; a draft or a skipped issue is drafted afresh (its
    introduction and cuts kept), a posted one is refused. Returns the issue and whether it is new."""
    existing = issue_of(session, team_id=team_id, month=month)
    if existing is not None and existing.status == IssueStatus.APPROVED:
        raise BadArgument(f"The {month.label} newsletter was posted already; `/cop newsletter list` shows it.")
    feature = choose_feature(session, team_id=team_id)
    content = draft_content(session, team_id=team_id, month=month, feature=feature)
    values = dict(featured_community_id=feature.id if feature else None, content=content, drafted_at=now)
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.status, existing.decided_by_id, existing.decided_at = IssueStatus.DRAFT, None, None
        session.flush()
        return existing, False
    created = insert_ignore(session, NewsletterIssue, dict(team_id=team_id, month=month.key, status=IssueStatus.DRAFT,
                                                          intro="", cuts=[], **values), conflict=("team_id", "month"))
    issue = issue_of(session, team_id=team_id, month=month)
    assert issue is not None
    return issue, created


def get_issue(session: Session, *, team_id: str, issue_id: int) -> NewsletterIssue:
    issue = session.get(NewsletterIssue, issue_id)
    if issue is None or issue.team_id != team_id:
        raise NotFound("That newsletter is no longer there; `/cop newsletter list` shows the issues.")
    return issue


def draft_version(issue: NewsletterIssue) -> str:
    """Which drafting of the issue a draft message shows (a redraft reuses the issue): its buttons carry it."""
    return str(int(issue.drafted_at.timestamp() * 1_000_000))


def require_draft(issue: NewsletterIssue) -> None:
    if issue.status != IssueStatus.DRAFT:
        by = f" by {issue.decided_by.display_name or issue.decided_by.user_id}" if issue.decided_by else ""
        raise BadArgument(f"The {Month.from_key(issue.month).label} newsletter was already {issue.status.value}{by}.")


def approve(session: Session, *, issue: NewsletterIssue, by: Person, now: dt.datetime) -> str:
    """Approve a draft for posting; returns the channel it goes to. Refused without a newsletter channel."""
    require_draft(issue)
    found = settings_of(session, team_id=issue.team_id)
    if found is None or not found.channel_id:
        raise BadArgument("No newsletter channel is set, so there is nowhere to post it: an overall lead sets one "
                          "with `/cop newsletter channel #channel`, then press Approve again.")
    issue.status, issue.decided_by_id, issue.decided_at = IssueStatus.APPROVED, by.id, now
    issue.channel_id = found.channel_id
    if found.feature_community_id is not None and found.feature_community_id == issue.featured_community_id:
        found.feature_community_id = None  # the choice is used: the rotation takes over again
    session.flush()
    session.refresh(issue)
    return found.channel_id


def post_key(issue: NewsletterIssue) -> str:
    """The outbox key of an issue's post: one per issue, however many overall leads press Approve."""
    return f"newsletter:{issue.id}:post"


@dataclass(frozen=True)
class Refused:
    """An approved issue whose post failed for good, back to a draft: where it went and what Slack said."""

    issue: NewsletterIssue
    delivery_id: int
    channel_id: str
    error: str
    approved_by: str | None


def reopen_refused(session: Session) -> list[Refused]:
    """Approved issues whose post failed for good (the channel archived or deleted, copbot removed): each is a
    draft again, to be approved once there is a channel that works, and the newsletter channel, if the post
    went to it, is unset. The failed post keeps its row under another key, so the next approval posts afresh.
    One statement finds them, whatever the workspace."""
    key = literal("newsletter:") + cast(NewsletterIssue.id, String) + literal(":post")
    rows = session.execute(select(NewsletterIssue, Delivery.id, Delivery.channel, Delivery.last_error)
                           .join(Delivery, Delivery.key == key)
                           .where(NewsletterIssue.status == IssueStatus.APPROVED,
                                  Delivery.status == DeliveryStatus.FAILED)
                           .order_by(NewsletterIssue.id)).unique().all()
    refused = []
    for issue, delivery_id, channel_id, error in rows:
        by = issue.decided_by
        refused.append(Refused(issue, delivery_id, channel_id, error or "unknown_error",
                               (by.display_name or by.user_id) if by is not None else None))
        found = settings_of(session, team_id=issue.team_id)
        if found is not None and found.channel_id == channel_id:
            found.channel_id = None
        issue.status, issue.decided_by_id, issue.decided_at, issue.channel_id = IssueStatus.DRAFT, None, None, None
        session.get_one(Delivery, delivery_id).key = f"{post_key(issue)}:failed:{delivery_id}"
    session.flush()
    for found in refused:
        session.refresh(found.issue)
    return refused


def skip(session: Session, *, issue: NewsletterIssue, by: Person, now: dt.datetime) -> None:
    require_draft(issue)
    issue.status, issue.decided_by_id, issue.decided_at = IssueStatus.SKIPPED, by.id, now
    session.flush()
    session.refresh(issue)


def edit(session: Session, *, issue: NewsletterIssue, intro: str, cuts: Iterable[str]) -> None:
    """Set the introduction (as typed) and the sections left out."""
    require_draft(issue)
    intro = (intro or "").strip()
    if len(intro) > MAX_INTRO:
        raise BadArgument(f"The introduction is {len(intro)} characters long; keep it to {MAX_INTRO}.")
    known = {s.value for s in Section}
    unknown = [c for c in cuts if c not in known]
    if unknown:
        raise BadArgument(f"There is no section “{unknown[0]}” to leave out.")
    issue.intro = intro
    issue.cuts = [s.value for s in Section if s.value in set(cuts)]
    session.flush()


def past_issues(session: Session, *, team_id: str, limit: int = 24) -> tuple[list[NewsletterIssue], int]:
    """The workspace's issues, newest month first, and how many there are."""
    where = NewsletterIssue.team_id == team_id
    total = session.scalar(select(func.count()).select_from(NewsletterIssue).where(where)) or 0
    return list(session.scalars(select(NewsletterIssue).where(where)
                                .order_by(NewsletterIssue.month.desc()).limit(limit))), total
