"""The domain: tables and the rules over them. Knows nothing of Slack."""

from models.actions import Action, ActionStatus
from models.base import Base
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.deliveries import Delivery, DeliveryStatus
from models.events import ProcessedEvent
from models.knowledge import KnowledgeItem, KnowledgeKind
from models.meetings import Meeting
from models.people import Membership, Person, Role
from models.recognition.kudos import Kudos

__all__ = [
    "Action", "ActionStatus", "Base", "Community", "Contribution", "ContributionKind", "Delivery",
    "DeliveryStatus", "KnowledgeItem", "KnowledgeKind", "Kudos", "Meeting", "Membership", "Person",
    "ProcessedEvent", "Role",
]
