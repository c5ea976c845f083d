"""People, communities and memberships: who works where, in which zone and hours, and how active each is."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

from bench.org.context import DAY, TEAM_ID, ZONES, CommunityPlan, MemberPlan, Org, PersonPlan
from models import Community, Membership, Person, Role, TermsOfReference
from models.communities import DEFAULT_REMINDER_OFFSETS
from models.hours import WorkingHours

TOPICS = (
    "DevOps", "User Research", "Service Design", "Data Engineering", "Accessibility", "Security", "Frontend",
    "Product Management", "Agile Delivery", "Cloud Platforms", "Machine Learning", "Content Design", "Testing",
    "Site Reliability", "Architecture", "Open Source", "Performance Analysis", "Interaction Design", "APIs",
    "Mobile", "Data Science", "Technical Writing", "Observability", "Kubernetes", "Python", "Java", "Go",
    "Databases", "Delivery Management", "Business Analysis", "Cyber Resilience", "Green Software", "Inclusion",
    "Mentoring", "Incident Response", "FinOps", "Identity", "Privacy", "Search", "Design Systems",
)
REGIONS = ("", " North", " South", " EMEA", " Americas", " APAC", " East", " West")
# Tags that go with a topic's actions, knowledge and expertise.
TAGS = ("ci", "terraform", "onboarding", "docs", "metrics", "testing", "security", "design", "research", "budget",
        "tooling", "hiring", "training", "roadmap", "incident", "review")
FIRST = ("Alice", "Bob", "Chandra", "Dana", "Eve", "Farah", "Gustavo", "Hana", "Ivan", "Jia", "Kofi", "Lena", "Mateo",
         "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Sami", "Tomas", "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zane",
         "Aarav", "Beatriz", "Chloe", "Diego", "Emeka", "Fatima", "Georg", "Ines", "Jamal", "Keiko", "Liam", "Mei")
LAST = ("Archer", "Baker", "Rao", "Vogel", "Evans", "Khan", "Silva", "Tanaka", "Petrov", "Chen", "Mensah", "Berg",
        "Garcia", "Haddad", "Novak", "Iyer", "Murphy", "Costa", "Okafor", "Larsen", "Nair", "Schmidt", "Wong",
        "Dubois", "Ali", "Brown", "Kowalski", "Moreau", "Singh", "Jensen", "Fischer", "Ito")
INTERESTS = ("pipelines and release tooling", "interviewing users", "writing docs people read", "terraform modules",
             "accessibility audits", "incident reviews", "metrics and dashboards", "testing strategy",
             "onboarding newcomers", "security reviews", "design critique", "budget and roadmap")
# (start, end, ISO weekdays): most keep the default; some start early, late, or work part of the week.
HOURS = ((dt.time(9), dt.time(17), "12345", 70), (dt.time(8), dt.time(16), "12345", 10),
         (dt.time(10), dt.time(18), "12345", 8), (dt.time(7, 30), dt.time(15, 30), "12345", 5),
         (dt.time(9), dt.time(17), "1234", 4), (dt.time(9), dt.time(13), "12345", 3))
# Digest slots other than Monday 09:00, which most communities keep.
OTHER_SLOTS = ((4, dt.time(16, 30)), (3, dt.time(8)), (0, dt.time(10)), (2, dt.time(12)))
OVERALL_LEADS = 3
NEWCOMER_WINDOW = dt.timedelta(days=14)


def plan_people(org: Org) -> None:
    """Every person, community and membership, written before anything that names them."""
    org.writer.stage("people and communities")
    _people(org)
    _communities(org)
    _memberships(org)
    org.writer.insert(Community, (c.row for c in org.communities))
    org.writer.insert(Person, (p.row for p in org.people))
    org.writer.insert(Membership, (m.row for m in org.members))
    org.writer.insert(TermsOfReference, _terms(org))


def _zone(org: Org, n: int) -> str:
    # The first of each kind are spread over every zone, so that even a tiny organisation has them all.
    if n < len(ZONES):
        return ZONES[n][0]
    return org.rng.choices([z for z, _ in ZONES], weights=[w for _, w in ZONES])[0]


def _people(org: Org) -> None:
    rng, now = org.rng, org.now
    bots = max(1, org.scale.people // 400)
    for n in range(org.scale.people):
        is_bot = n >= org.scale.people - bots
        tz = _zone(org, n)
        start, end, days, _ = rng.choices(HOURS, weights=[h[3] for h in HOURS])[0]
        created = now - dt.timedelta(days=rng.uniform(30, 1000))
        # Someone enrolled with a channel at set-up who has not acted since has no profile yet.
        profiled = is_bot or rng.random() > 0.01
        deleted = not is_bot and n >= OVERALL_LEADS and rng.random() < 0.005
        away = rng.random() < 0.02 and not is_bot
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}" if not is_bot else f"{rng.choice(TOPICS)} Bot"
        row = dict(
            id=n + 1, team_id=TEAM_ID, user_id=f"U{n + 1:08d}", display_name=name if profiled else "", tz=tz if profiled
            else "UTC", is_bot=is_bot, is_admin=n < OVERALL_LEADS, is_guest=not is_bot and rng.random() < 0.02,
            deleted=deleted, profile_fetched_at=now - dt.timedelta(hours=rng.uniform(0, 20)) if profiled else None,
            # Preferences are set by people who have used copbot, so never by someone it has not met.
            nudges_enabled=rng.random() > 0.05, digest_dm=profiled and rng.random() < 0.25,
            lurker=profiled and rng.random() < 0.08,
            work_start=start, work_end=end, work_days=days,
            away_until=now + dt.timedelta(days=rng.randint(1, 10)) if away else None,
            meeting_dms=rng.random() > 0.07, standup_dms=rng.random() > 0.07, created_at=created,
            dm_budget=rng.choices((5, 3, 10, 0, 20), weights=(80, 8, 8, 2, 2))[0],
            newcomer_dms=rng.random() > 0.05,
            interests=rng.choice(INTERESTS) if rng.random() < 0.3 else None,
            action_dms=rng.random() > 0.05, escalation_dms=rng.random() > 0.03,
            expertise=sorted(rng.sample(TAGS, rng.randint(1, 3))) if rng.random() < 0.25 else [],
            leaderboard_opt_out=rng.random() < 0.03,
        )
        org.people.append(PersonPlan(row, WorkingHours(row["tz"], start, end, days)))


def _communities(org: Org) -> None:
    rng, now = org.rng, org.now
    names = (f"{topic}{region} CoP" for region in REGIONS for topic in TOPICS)
    names = itertools.chain(names, (f"Community {n}" for n in itertools.count(1)))
    for n in range(org.scale.communities):
        name = next(names)
        slot = (0, dt.time(9)) if n < len(ZONES) or rng.random() < 0.85 else rng.choice(OTHER_SLOTS)
        offsets = list(DEFAULT_REMINDER_OFFSETS) if rng.random() < 0.9 else [24 * 60, 60, 15]
        lead_days, overall_days = (3, 7) if rng.random() < 0.85 else (2, 5)
        row = dict(id=n + 1, team_id=TEAM_ID, channel_id=f"C{n + 1:08d}", name=name, timezone=_zone(org, n),
                   digest_weekday=slot[0], digest_time=slot[1], reminder_offsets=offsets,
                   quiet_after_days=rng.choices((21, 14, 30), weights=(85, 8, 7))[0], nudge_every_days=14,
                   reaction_map={}, blocker_lead_days=lead_days, blocker_overall_days=overall_days,
                   created_by="", created_at=now - dt.timedelta(days=rng.uniform(120, 900)))
        org.communities.append(CommunityPlan(row, topic=name.split(" CoP")[0]))


def _memberships(org: Org) -> None:
    rng = org.rng
    communities = org.communities
    # Some communities draw many more people than others, and people lean to those in their own zone.
    popularity = [1.0 / (rank + 3) ** 0.7 for rank in range(len(communities))]
    rng.shuffle(popularity)
    cumulative: dict[str, list[float]] = {}
    for tz, _ in ZONES + (("UTC", 0),):
        weights = [w * (2.0 if c.tz == tz else 1.0) for w, c in zip(popularity, communities, strict=True)]
        cumulative[tz] = list(itertools.accumulate(weights))
    chosen: dict[int, list[PersonPlan]] = defaultdict(list)
    humans = [p for p in org.people if not p.row["is_bot"]]
    for person in humans:
        k = min(len(communities), rng.choices((1, 2, 3), weights=(45, 35, 20))[0])
        picked: set[int] = set()
        while len(picked) < k:
            picked.add(rng.choices(range(len(communities)), cum_weights=cumulative[person.tz])[0])
        for index in sorted(picked):
            chosen[index].append(person)
    able = [p for p in humans if not p.row["deleted"] and p.row["profile_fetched_at"] is not None]
    for index, community in enumerate(communities):
        here = chosen[index]
        while len(here) < 3:  # a community has a lead and someone to lead
            extra = rng.choice(able)
            if extra not in here:
                here.append(extra)
        _join(org, community, here)
    for member in org.members:
        member.person.members.append(member)
        member.community.members.append(member)


def _join(org: Org, community: CommunityPlan, people: list[PersonPlan]) -> None:
    rng, now = org.rng, org.now
    eligible = [p for p in people if not p.row["deleted"] and not p.row["is_guest"]
                and p.row["profile_fetched_at"] is not None] or people
    lead = rng.choice(eligible)
    community.row["created_by"] = lead.user_id
    others = [p for p in people if p is not lead]
    rng.shuffle(others)
    co_leads = 2 if len(people) > 150 else 1 if len(people) > 30 else 0
    smes = max(1, len(people) // 25)
    for n, person in enumerate([lead, *others]):
        if n == 0:
            role = Role.LEAD
        elif person.row["is_guest"]:
            role = Role.GUEST
        elif n <= co_leads:
            role = Role.CO_LEAD
        elif n <= co_leads + smes:
            role = Role.SME
        else:
            role = Role.MEMBER
        newcomer = n > 0 and rng.random() < 0.015
        if n == 0:
            joined = community.created_at
        elif newcomer:
            joined = now - dt.timedelta(seconds=rng.randint(3600, int(NEWCOMER_WINDOW.total_seconds())))
        else:
            joined = org.between(community.created_at + DAY, now - NEWCOMER_WINDOW)
        active, left_at = True, None
        if person.row["deleted"] or (n > 0 and not newcomer and rng.random() < 0.04):
            active, left_at = False, org.between(joined + DAY, now - DAY)
        member = MemberPlan(
            dict(id=org.writer.next_id("memberships"), community_id=community.id, person_id=person.id, role=role,
                 active=active, joined_at=joined, left_at=left_at,
                 capacity=rng.choices((3, 0, 5), weights=(85, 5, 10))[0]),
            person, community, active_until=left_at or now, weight=_weight(org, role))
        _activity(org, member, newcomer)
        org.members.append(member)


def _weight(org: Org, role: Role) -> float:
    factor = {Role.LEAD: 4.0, Role.CO_LEAD: 3.0, Role.SME: 2.0, Role.MEMBER: 1.0, Role.GUEST: 0.5}[role]
    return org.rng.lognormvariate(0, 1.2) * factor


def _activity(org: Org, member: MemberPlan, newcomer: bool) -> None:
    """Until when the member takes part: leads always; a newcomer half the time; otherwise most, while some
    (and most happy lurkers) went quiet weeks or months ago, or never said a word."""
    rng, now = org.rng, org.now
    if member.role is Role.LEAD:
        return
    person = member.person
    if newcomer:
        quiet = rng.random() < 0.5
        member.active_until = member.joined_at - dt.timedelta(seconds=1) if quiet else now
        return
    if rng.random() < (0.8 if person.row["lurker"] else 0.3):
        member.active_until = min(member.active_until, now - dt.timedelta(days=rng.uniform(22, 240)))
        if member.active_until < member.joined_at:
            member.active_until = member.joined_at - dt.timedelta(seconds=1)


def _terms(org: Org) -> list[dict]:
    rows = []
    for community in org.communities:
        if org.rng.random() < 0.8:
            lead = next(m for m in community.members if m.role is Role.LEAD)
            rows.append(dict(community_id=community.id, purpose=f"Share what works in {community.topic}.",
                             scope=f"{community.topic} across every team.",
                             members="Practitioners, and anyone curious.",
                             cadence="Weekly, and a monthly show and tell.",
                             updated_by_id=lead.person.id, updated_at=community.created_at + DAY))
    return rows
