"""A person's own settings (`/cop nudges|lurker|tips|digest dm|hours|dm-budget`) and the Terms of Reference."""

from __future__ import annotations

import datetime as dt

import pytest

from models import TermsOfReference
from tests.test_http_app import blocks_text, setup_devops
from tests.test_welcome_http import person_row


def test_switches_change_the_person_and_say_how_to_undo(bot):
    steps = [
        ("nudges off", "no more a friendly nudge", "`/cop nudges on` brings it back", ("nudges_enabled", False)),
        ("nudges on", "You'll get a friendly nudge", "`/cop nudges off`", ("nudges_enabled", True)),
        ("lurker on", "Happy lurking", "`/cop lurker off`", ("lurker", True)),
        ("digest dm on", "09:00 your time", "`/cop digest dm off`", ("digest_dm", True)),
        ("tips off", "no more welcome and check-in", "`/cop tips on`", ("newcomer_dms", False)),
    ]
    for n, (text, said, hint, (field, value)) in enumerate(steps, start=1):
        bot.command("UCHANDRA", text, channel="CRANDOM")
        reply = blocks_text(bot.wait_reply("UCHANDRA", n))
        assert said in reply and hint in reply, (text, reply)
        assert getattr(person_row(bot, "UCHANDRA"), field) is value, text


def test_working_hours_are_read_in_the_persons_zone_and_shown_back(bot):
    bot.command("UCHANDRA", "hours 8am-4pm mon-thu", channel="CRANDOM")
    assert "08:00–16:00 Mon–Thu (Asia/Kolkata)" in blocks_text(bot.wait_reply("UCHANDRA"))
    chandra = person_row(bot, "UCHANDRA")
    assert (chandra.work_start, chandra.work_end, chandra.work_days) == (dt.time(8), dt.time(16), "1234")
    bot.command("UCHANDRA", "hours", channel="CRANDOM")
    assert "08:00–16:00 Mon–Thu" in blocks_text(bot.wait_reply("UCHANDRA", 2))


@pytest.mark.parametrize(("text", "error"), [
    ("nudges maybe", "Say `on` or `off`"),
    ("hours 17:00-09:00", "end after they start"),
    ("dm-budget lots", "number of messages"),
    ("dm-budget 99", "between 0 and 20"),
    ("digest weekly", "I don't know `/cop digest weekly`"),
    ("intro", "what you work on"),
])
def test_bad_settings_are_explained_and_change_nothing(bot, text, error):
    bot.command("UCHANDRA", "hours", channel="CRANDOM")  # known to copbot before the mistake
    bot.wait_reply("UCHANDRA")
    bot.command("UCHANDRA", text, channel="CRANDOM")
    reply = blocks_text(bot.wait_reply("UCHANDRA", 2))
    assert error in reply and "Usage" in reply
    chandra = person_row(bot, "UCHANDRA")
    assert (chandra.nudges_enabled, chandra.dm_budget, chandra.work_start) == (True, 5, dt.time(9))


def test_dm_budget_shows_what_was_used(bot):
    bot.command("UCHANDRA", "dm-budget 2", channel="CRANDOM")
    assert "At most *2* unasked-for messages a week" in blocks_text(bot.wait_reply("UCHANDRA"))
    assert "0 in the last seven days" in blocks_text(bot.replies_to("UCHANDRA")[0])
    assert person_row(bot, "UCHANDRA").dm_budget == 2


def test_terms_of_reference_set_by_leads_shown_to_anyone(bot):
    setup_devops(bot)  # Bob leads
    bot.command("UCHANDRA", "tor")
    assert "has no Terms of Reference yet" in blocks_text(bot.wait_reply("UCHANDRA"))
    bot.command("UCHANDRA", "tor set purpose Hijacked")
    assert "Only a lead or secretary of *DevOps CoP* can edit its draft Terms of Reference" in blocks_text(
        bot.wait_reply("UCHANDRA", 2))
    bot.command("UBOB", "tor set purpose Share what we learn <https://evil.example|here>")
    bot.wait_reply("UBOB", 2)
    bot.command("UBOB", "tor set cadence Monthly, first Tuesday")
    bot.wait_reply("UBOB", 3)
    for n, typed in enumerate(("tor propose", "tor ratify"), start=4):
        bot.command("UBOB", typed)
        bot.wait_reply("UBOB", n)
    bot.command("UCHANDRA", "tor show")
    shown = blocks_text(bot.wait_reply("UCHANDRA", 3))
    assert "*Why we exist:* Share what we learn here (https://evil.example)" in shown
    assert "*How often we meet:* Monthly, first Tuesday" in shown
    assert shown.index("Why we exist") < shown.index("How often we meet")
    bot.command("UBOB", "tor set mission Everything")
    assert "no field “mission”" in blocks_text(bot.wait_reply("UBOB", 6))
    bot.command("UBOB", "tor set cadence")
    assert "How often we meet" not in blocks_text(bot.wait_reply("UBOB", 7))  # the new draft's


def test_terms_of_reference_and_intros_are_stored_as_typed_and_escaped_once_where_shown(bot):
    setup_devops(bot)
    # Slack delivers "R&D <3" escaped; it is kept as it was typed, like decisions and actions.
    bot.command("UBOB", "tor set purpose R&amp;D &lt;3 ops")
    shown = blocks_text(bot.wait_reply("UBOB", 2))
    assert "*Why we exist:* R&amp;D &lt;3 ops" in shown and "&amp;amp;" not in shown
    bot.command("UCHANDRA", "intro CI &amp; CD")
    bot.wait_reply("UCHANDRA")
    for n, typed in enumerate(("tor propose", "tor ratify"), start=3):
        bot.command("UBOB", typed)
        bot.wait_reply("UBOB", n)
    with bot.services.sessions() as session:
        assert session.get(TermsOfReference, 1).purpose == "R&D <3 ops"
    assert person_row(bot, "UCHANDRA").interests == "CI & CD"
