"""Knowledge: tips, guidelines, lessons learned and links, with tags, searchable and reviewed by SMEs."""

from models.knowledge.helped import KnowledgeHelp
from models.knowledge.model import KnowledgeItem, KnowledgeKind

__all__ = ["KnowledgeHelp", "KnowledgeItem", "KnowledgeKind"]
