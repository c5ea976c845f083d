"""Recognition: kudos, a person's portfolio of contributions, and the communities' league table."""
