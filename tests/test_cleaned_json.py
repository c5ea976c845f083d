"""A body's control characters found in its JSON: the same body as walking every string of it gives."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.payloads import cleaned, cleaned_json

UNSEEN = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]
texts = st.text(alphabet=st.sampled_from([*UNSEEN, "\n", "\t", "\\", "u", "b", "f", "r", "0", "a", "é", "\u2028",
                                          "\U0001f389", '"', " "]), max_size=12)
bodies = st.recursive(st.dictionaries(texts, texts, max_size=3),
                      lambda inner: st.dictionaries(texts, st.one_of(texts, inner, st.lists(inner, max_size=2)),
                                                    max_size=3), max_leaves=6)


@pytest.mark.parametrize("character", UNSEEN)
def test_every_control_character_is_taken_out_wherever_it_is(character):
    body = {"text": f"a{character}b", f"k{character}": [{"v": character}], "n": 1}
    found, text = cleaned_json(body)
    assert found == {"text": "ab", "k": [{"v": ""}], "n": 1}
    assert json.loads(text) == found


def test_line_breaks_tabs_and_typed_backslashes_stay():
    body = {"text": "line\nnext\tcol \\u0000 \\b \\r é"}
    assert cleaned_json(body) == (body, json.dumps(body))


@settings(max_examples=300, deadline=None)
@given(bodies)
def test_the_same_as_walking_the_body(body):
    found, text = cleaned_json(body)
    assert found == cleaned(body)
    assert json.loads(text) == found
