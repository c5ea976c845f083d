"""The programme's records: membership history, the year's KPI targets, the newsletter's and the wins' settings, and
what the weekly and hourly programme jobs made before `now` (health snapshots of past weeks, wins recorded and
posted), made by those jobs' own set-based functions so that they are what copbot would have made."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from bench.org.context import TEAM_ID, WEEK, Org
from models.governance.kpis import KpiTarget
from models.health.snapshots import CHART_WEEKS, take_snapshots, week_of
from models.membership_periods import MembershipPeriod
from models.newsletter.model import NewsletterSettings
from models.wins.model import Win, WinsChannel
from models.wins.scan import collect_wins
from models.wins.weekly import FRIDAY, POST_FROM, post_key, this_week

# (metric, lowest and highest target): some met already by the busier communities, most not yet.
TARGETS = (("meetings-held", 20, 80), ("actions-closed", 50, 600), ("kudos", 50, 400),
           ("active-members", 10, 150), ("knowledge-items", 10, 60))
WINS_ZONE = "Europe/London"


def write_programme(org: Org) -> None:
    """Rows written like the rest of the organisation: in bulk, with the ids given here."""
    org.writer.stage("programme")
    # One period per membership, from its join to its leave: the history a membership written directly lacks.
    org.writer.insert(MembershipPeriod, (
        dict(id=org.writer.next_id("membership_periods"), community_id=m.community.id, person_id=m.person.id,
             started_at=m.joined_at, ended_at=None if m.row["active"] else m.row["left_at"]) for m in org.members))
    rng = random.Random(org.scale.communities * 7 + 1)  # a source of its own: the rest stays as it was per seed
    targets = []
    for community in org.communities:
        if rng.random() >= 0.7:
            continue
        year = org.now.astimezone(ZoneInfo(community.tz)).year
        for name, low, high in rng.sample(TARGETS, rng.randint(1, 3)):
            targets.append(dict(id=org.writer.next_id("kpi_targets"), community_id=community.id, year=year, name=name,
                                custom=False, target=Decimal(rng.randint(low, high)),
                                set_by_id=community.founder().person.id,
                                set_at=dt.datetime(year, 1, 15, tzinfo=dt.UTC)))
    org.writer.insert(KpiTarget, targets)
    channel = org.communities[0].channel  # the programme's wins are posted in its first community's channel
    org.writer.insert(NewsletterSettings, [dict(team_id=TEAM_ID, channel_id=channel, feature_community_id=None,
                                                updated_by_id=1, updated_at=org.now - dt.timedelta(days=90))])
    org.writer.insert(WinsChannel, [dict(team_id=TEAM_ID, channel_id=channel, timezone=WINS_ZONE, set_by_id=1,
                                         set_at=org.now - dt.timedelta(days=120), last_week=None, broken=None)])


def derive_programme(engine: Engine, org: Org) -> None:
    """What the weekly health job and the hourly wins job did before `now`, by their own functions: a snapshot of
    every community each week since copbot has watched it (the first run of each week, Monday 00:00 UTC, this week's
    included), and the wins recorded by last Friday's post (posted then) and since (waiting for the next)."""
    org.writer.stage("health snapshots and wins")
    with Session(engine) as session:
        this_monday = dt.datetime.combine(week_of(org.now), dt.time(), dt.UTC)
        for weeks in range(CHART_WEEKS - 1, -1, -1):
            take_snapshots(session, now=this_monday - weeks * WEEK)
        session.commit()
        channel = session.get(WinsChannel, TEAM_ID)
        assert channel is not None
        local = org.now.astimezone(channel.zone)
        friday = local - dt.timedelta(days=(local.weekday() - FRIDAY) % 7 or 7)
        posted_at = dt.datetime.combine(friday.date(), POST_FROM, channel.zone).astimezone(dt.UTC)
        collect_wins(session, now=posted_at)
        week = this_week(posted_at, channel)
        session.execute(update(Win).where(Win.post_key.is_(None))
                        .values(post_key=f"{post_key(TEAM_ID, week)}:{int(channel.set_at.timestamp())}",
                                posted_at=posted_at))
        channel.last_week = week
        collect_wins(session, now=org.now - dt.timedelta(hours=1))
        session.commit()
