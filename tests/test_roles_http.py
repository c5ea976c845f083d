"""`/cop role`, `/cop capacity` and `/cop expertise`: who leads, who knows what, who has room."""

from __future__ import annotations

from sqlalchemy import select

from models import Membership, Person, Role
from tests.community import Typist, cop_fixture  # noqa: F401  (cop_fixture provides `cop`)


def roles(bot) -> dict[str, Role]:
    with bot.services.sessions() as session:
        return {m.person.user_id: m.role for m in session.scalars(select(Membership))}


def test_a_lead_names_roles_and_everyone_sees_them(bot, cop: Typist):
    assert "is now *sme*" in cop("UBOB", "role <@UCHANDRA|chandra> SME")
    assert "is now *co-lead*" in cop("UBOB", "role <@UDANA|dana> co-lead")
    assert roles(bot)["UCHANDRA"] == Role.SME and roles(bot)["UDANA"] == Role.CO_LEAD
    listed = cop("UALICE", "role")
    assert "*Leads:* bob" in listed and "*Co-leads:* dana" in listed and "*Subject-matter experts:* chandra" in listed
    assert "<@" not in listed


def test_only_leads_name_roles_and_the_community_keeps_a_lead(bot, cop: Typist):
    assert "Only a lead of *DevOps CoP* can name" in cop("UCHANDRA", "role <@UCHANDRA|chandra> lead")
    assert "needs a lead" in cop("UBOB", "role <@UBOB|bob> member")
    cop("UBOB", "role <@UDANA|dana> lead")
    assert "is now *member*" in cop("UDANA", "role <@UBOB|bob> member")
    assert roles(bot)["UBOB"] == Role.MEMBER and roles(bot)["UDANA"] == Role.LEAD


def test_bad_role_commands(bot, cop: Typist):
    for text, expected in [
        ("role <@UCHANDRA|chandra> boss", "Name one of the roles"),
        ("role sme", "Mention the one person"),
        ("role <@UEVE|eve> sme", "must join"),
        ("role <@UHELPER|deploybot> sme", "Bots don't take roles"),
    ]:
        reply = cop("UBOB", text)
        assert expected in reply, (text, reply)
    assert roles(bot)["UCHANDRA"] == Role.MEMBER


def test_capacity_is_shown_and_set_per_community(bot, cop: Typist):
    assert "up to *3* open actions" in cop("UCHANDRA", "capacity")
    cop("UCHANDRA", 'action add "Mine" <@UCHANDRA|chandra>')
    assert "up to *1* open actions at a time in *DevOps CoP* from now on; you have 1 open now" in cop(
        "UCHANDRA", "capacity 1")
    assert "not taking on new actions" in cop("UCHANDRA", "capacity 0")
    for text, expected in [("capacity lots", "Say how many"), ("capacity 21", "0 to 20")]:
        assert expected in cop("UCHANDRA", text)
    with bot.services.sessions() as session:
        assert [m.capacity for m in session.scalars(select(Membership)) if m.person.user_id == "UCHANDRA"] == [0]
    assert "Join *DevOps CoP* first" in cop("UEVE", "capacity 2")


def test_expertise_is_personal_and_normalised(bot, cop: Typist):
    assert "no expertise declared" in cop("UCHANDRA", "expertise")
    assert "`#terraform` `#ci`" in cop("UCHANDRA", "expertise #Terraform #CI #terraform")
    assert "`#kubernetes` `#helm`" in cop("UCHANDRA", "expertise kubernetes, helm")
    assert "not a tag" in cop("UCHANDRA", "expertise #" + "k" * 40)
    with bot.services.sessions() as session:
        chandra = session.scalars(select(Person).where(Person.user_id == "UCHANDRA")).one()
        assert chandra.expertise == ["kubernetes", "helm"]
    cop("UCHANDRA", "expertise clear")
    with bot.services.sessions() as session:
        assert session.scalars(select(Person.expertise).where(Person.user_id == "UCHANDRA")).one() == []


def test_secretaries_and_the_core_team_are_roles_a_lead_names(bot, cop: Typist):
    assert "is now *secretary*" in cop("UBOB", "role <@UDANA|dana> secretary")
    assert "is now *core*" in cop("UBOB", "role <@UCHANDRA|chandra> core")
    assert roles(bot)["UDANA"] == Role.SECRETARY and roles(bot)["UCHANDRA"] == Role.CORE
    listed = cop("UALICE", "role")
    assert "*Secretaries:* dana" in listed and "*Core team:* chandra" in listed
    # A secretary drafts; naming roles stays with the leads.
    assert "Only a lead of *DevOps CoP* can name" in cop("UDANA", "role <@UCHANDRA|chandra> member")


def test_an_overall_lead_names_another_who_then_acts_as_one(bot, cop: Typist):
    # Dana is neither a workspace admin nor in COPBOT_ADMINS: she cannot set up a channel she did not create.
    assert "Only the channel's creator or an overall CoP lead" in cop("UDANA", "setup Random", channel="CRANDOM")
    assert "Only an overall lead can name another" in cop("UBOB", "role <@UDANA|dana> overall-lead")
    assert "is now an *overall lead*" in cop("UALICE", "role <@UDANA|dana> overall-lead")
    with bot.services.sessions() as session:
        assert session.scalars(select(Person.overall_lead).where(Person.user_id == "UDANA")).one() is True
    # Now she leads every community here: she may name roles in Bob's, and set up a channel.
    assert "is now *sme*" in cop("UDANA", "role <@UCHANDRA|chandra> sme")
    assert "is set up" in cop("UDANA", "setup Random", channel="CRANDOM")
    assert "Bots don't take roles" in cop("UDANA", "role <@UHELPER|deploybot> overall-lead")


def test_a_secretary_ends_a_meeting_and_so_records_its_minutes(bot, cop: Typist):
    cop("UBOB", "role <@UDANA|dana> secretary")
    cop("UBOB", "meeting start")
    assert "Only a lead or secretary of *DevOps CoP* can end its meetings" in cop("UCHANDRA", "meeting end")
    assert "its minutes are posted in the channel" in cop("UDANA", "meeting end")
