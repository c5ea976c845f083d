"""The monthly newsletter: drafted from the records across communities, approved by an overall lead, posted."""

from models.newsletter import issues
from models.newsletter.model import IssueStatus, NewsletterIssue, NewsletterSettings, Section

__all__ = ["issues", "IssueStatus", "NewsletterIssue", "NewsletterSettings", "Section"]
