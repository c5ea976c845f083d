"""The programme across communities, for overall leads: the overview of every community (`programme`) and the
year's published ranking of the top-performing ones (`year_league`)."""

from models.programme.overview import FALLING, CommunityView, KpiTally, Programme, programme
from models.programme.year import CRITERIA, MIN_WEEKS, YearLeague, YearRow, parse_league_year, year_league

__all__ = ["CRITERIA", "FALLING", "MIN_WEEKS", "CommunityView", "KpiTally", "Programme", "YearLeague", "YearRow",
           "parse_league_year", "programme", "year_league"]
