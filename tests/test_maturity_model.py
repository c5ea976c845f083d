"""The maturity model's text fits Slack's menus, and its medians and weakest dimension are what they say."""

from __future__ import annotations

from models.maturity import DIMENSIONS, STAGES, stage_name
from models.maturity.assessments import median_of, tally

OPTION_LIMIT = 75  # Slack's limit on a menu option's text and description


def test_every_stage_of_every_dimension_is_described_within_a_menu_line():
    assert len(STAGES) == 5 and len({d.key for d in DIMENSIONS}) == len(DIMENSIONS) == 6
    for dimension in DIMENSIONS:
        assert len(dimension.stages) == len(STAGES) and len(set(dimension.stages)) == len(STAGES)
        assert all(0 < len(said) <= OPTION_LIMIT for said in dimension.stages), dimension.key
        assert 2 <= len(dimension.practices) <= 3


def test_medians_fall_on_a_stage_or_halfway_between_two():
    assert median_of([2, 1, 1, 0, 0]) == 1.5 and stage_name(1.5) == "Founding to Developing"
    assert median_of([0, 1, 3, 0, 0]) == 3 and stage_name(3.0) == "Maturing"
    assert median_of([1, 0, 0, 0, 2]) == 5 and stage_name(5.0) == "Transforming"
    assert tally([[1, 2, 3, 4, 5, 1], [5, 4, 3, 2, 1, 1]])["purpose"] == [1, 0, 0, 0, 1]
