"""A whole organisation of communities, generated row by row so that the scheduler's jobs can be measured on it.

`bench.generate` is the door; the modules here each fill a part of the records: people and memberships,
meetings, the action plan and what members keep and give, standups, and the outbox and its history.
"""
