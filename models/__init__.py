"""The domain: tables and the rules over them. Knows nothing of Slack."""

from models.actions import Action, ActionStatus
from models.attention import HeldNotice
from models.base import Base
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.deliveries import Delivery, DeliveryStatus
from models.governance.budget import BudgetCurrency, BudgetLine
from models.governance.kpis import KpiRecord, KpiTarget
from models.governance.plan import Objective
from models.health import FadingEpisode, HealthSnapshot
from models.inbox import InboxItem, InboxStatus
from models.knowledge import KnowledgeHelp, KnowledgeItem, KnowledgeKind
from models.maturity import MaturityAnswer, MaturityAssessment
from models.meetings import Meeting
from models.mentions import Mention, MentionSource
from models.newsletter import NewsletterIssue, NewsletterSettings
from models.nudges import Nudge
from models.people import Membership, Person, Role
from models.polls import Poll, PollVote
from models.questions import Question
from models.recognition.kudos import Kudos
from models.standups import Standup, StandupAnswer, StandupRun
from models.terms import TermsAnswer, TermsEdit, TermsOfReference, TermsVersion
from models.wins import Win, WinsChannel

__all__ = [
    "Action", "ActionStatus", "Base", "BudgetCurrency", "BudgetLine", "KpiRecord", "KpiTarget", "Objective",
    "Community", "Contribution", "ContributionKind", "Delivery",
    "DeliveryStatus", "FadingEpisode", "HealthSnapshot", "HeldNotice", "InboxItem", "InboxStatus", "KnowledgeHelp",
    "KnowledgeItem", "KnowledgeKind", "Kudos", "MaturityAnswer", "MaturityAssessment", "Meeting", "Membership",
    "Mention", "MentionSource", "NewsletterIssue", "NewsletterSettings", "Nudge", "Person", "Poll", "PollVote",
    "Question", "Role", "Standup", "StandupAnswer", "StandupRun", "TermsAnswer", "TermsEdit", "TermsOfReference",
    "TermsVersion", "Win", "WinsChannel",
]
