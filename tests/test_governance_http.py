"""`/cop plan`, `/cop kpi`, `/cop budget` typed in Slack, with their permissions, and the budget's buttons."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from handlers.ids import ActionId, BlockId, ViewId
from models import BudgetLine, KpiRecord, KpiTarget, Objective
from models.governance.budget import RequestStatus
from tests.community import Typist, always_at_work, cop_fixture  # noqa: F401  (cop_fixture provides `cop`)
from tests.test_action_buttons_http import click, click_in_dm, press


def rows(bot, model) -> list:
    with bot.services.sessions() as session:
        return list(session.scalars(select(model).order_by(model.id)).unique())


def test_a_lead_plans_the_year_and_linked_actions_are_its_progress(bot, cop: Typist):
    assert "Objective *1* of the 2026 plan added" in cop("UBOB", 'plan add "Run two &lt;b&gt;game&lt;/b&gt; days"')
    cop("UBOB", 'plan add "Write the on-call guide"')
    cop("UBOB", 'action add "Book the room"')
    cop("UBOB", 'action add "Write the scenario"')
    assert "now counts towards objective *1*" in cop("UBOB", "plan link 1 1")
    cop("UBOB", "plan link 2 1")
    cop("UBOB", "action done 1")
    shown = cop("UDANA", "plan")
    assert "Run two &lt;b&gt;game&lt;/b&gt; days · 1 of 2 linked actions done (50%)" in shown
    assert "Write the on-call guide · no actions linked yet" in shown
    assert "marked done" in cop("UBOB", "plan done 1")
    assert "marked dropped" in cop("UBOB", "plan drop 2")
    assert [(o.number, o.status.value, o.text) for o in rows(bot, Objective)] == [
        (1, "done", "Run two <b>game</b> days"), (2, "dropped", "Write the on-call guide")]
    assert "*dropped*" in cop("UDANA", "plan 2026") and "No objectives yet" in cop("UDANA", "plan 2027")


@pytest.mark.parametrize("command", ['plan add "Take over"', "plan done 1", "plan drop 1", "plan link 1 1",
                                     "kpi set kudos 10", 'kpi add "Talks" 3', 'kpi record "Talks" 1',
                                     "budget request 100 Pizza", "budget spend 10 Pizza", "budget allocate 100",
                                     "budget currency GBP"])
def test_members_cannot_plan_set_targets_or_touch_the_budget(bot, cop: Typist, command):
    cop("UBOB", 'plan add "Ours"')
    said = cop("UDANA", command)
    assert "Only" in said
    assert len(rows(bot, Objective)) == 1 and rows(bot, KpiTarget) == [] and rows(bot, BudgetLine) == []


def test_plan_mistakes_are_specific(bot, cop: Typist):
    assert "no objective 4" in cop("UBOB", "plan done 4")
    assert "by its number" in cop("UBOB", "plan done two") and "/cop plan drop &lt;n&gt;" in cop("UBOB", "plan drop")
    cop("UBOB", 'plan add "Ours"')
    assert "has no action #9" in cop("UBOB", "plan link 9 1")
    assert "not a year" in cop("UDANA", "plan 26")


def test_kpis_show_targets_values_and_whether_they_are_on_track(bot, cop: Typist):
    assert "The 2026 target for *kudos* is now 2" in cop("UBOB", "kpi set kudos 2")
    cop("UBOB", "kpi set decisions 40")
    cop("UCHANDRA", "kudos <@UDANA|dana> for the runbook")
    cop("UBOB", 'kpi add "Talks given outside" 4')
    assert "Recorded 2 for “Talks given outside” (DevOpsDays &amp; more)" in cop(
        "UBOB", 'kpi record "Talks given outside" 2 DevOpsDays &amp; more')
    shown = cop("UDANA", "kpi")
    # 23 November: 89% of the year gone.
    assert "*kudos*: 1 of 2 · :red_circle: behind (by now: 1.79)" in shown
    assert "*decisions*: 0 of 40 · :red_circle: behind" in shown
    assert "“Talks given outside” (counted by hand): 2 of 4 · :red_circle: behind" in shown
    assert "*meetings-held*: 0 · no target" in shown
    assert [(r.amount, r.note) for r in rows(bot, KpiRecord)] == [(Decimal("2.00"), "DevOpsDays & more")]


def test_kpi_mistakes_list_the_metrics_or_say_what_is_wrong(bot, cop: Typist):
    said = cop("UBOB", "kpi set happiness 3")
    assert "no metric “happiness”" in said and "meetings-held, attendance" in said
    assert "/cop kpi set &lt;metric&gt; &lt;target&gt; [&lt;year&gt;]" in said
    assert "more than two decimals" in cop("UBOB", "kpi set kudos 1.005")
    assert "has no custom KPI “Talks”" in cop("UBOB", 'kpi record "Talks" 1')
    assert "built-in metric" in cop("UBOB", 'kpi add "kudos" 3')
    assert rows(bot, KpiTarget) == []


def test_a_budget_is_allocated_requested_approved_and_spent(bot, cop: Typist):
    assert "Budgets in this workspace is now in *GBP*" in cop("UALICE", "budget currency gbp")
    assert "GBP 5,000.00 allocated for 2026" in cop("UALICE", "budget allocate 5000")
    always_at_work(bot, "UALICE")  # not a test of working hours: the ask goes at once
    assert "goes to 1 overall lead" in cop("UBOB", "budget request 1200.50 Speaker &lt;travel&gt;")
    assert bot.slack.wait_for(lambda: bot.posts_in("UALICE"))
    [ask] = [m for m in bot.posts_in("UALICE") if "asks for" in m.text]
    assert "*GBP 1,200.50*" in str(ask.blocks) and "Speaker &lt;travel&gt;" in str(ask.blocks)
    answer = click_in_dm(bot, "UALICE", ask, ActionId.BUDGET_APPROVE)
    assert "*approved* by alice" in str(answer["blocks"])
    assert bot.slack.wait_for(lambda: any("approved your request #2" in str(m.blocks) for m in bot.posts_in("UBOB")))
    refused = cop("UBOB", "budget spend 1300 Flights")
    assert "more than remains approved for 2026: GBP 1,200.50" in refused
    assert "remains" in cop("UBOB", "budget spend 200.50 Train tickets")
    shown = cop("UCHANDRA", "budget")
    assert "Allocated *GBP 5,000.00*" in shown and "approved GBP 1,200.50" in shown and "spent GBP 200.50" in shown
    assert "remaining to spend *GBP 1,000.00*" in shown and "spent GBP 200.50 on Train tickets" in shown
    [_, request, spend] = rows(bot, BudgetLine)
    assert (request.status, request.amount, spend.amount) == (RequestStatus.APPROVED, Decimal("1200.50"),
                                                              Decimal("200.50"))


def test_a_decline_asks_why_and_the_requester_is_told(bot, cop: Typist):
    cop("UALICE", "stats")  # copbot learns that Alice administers the workspace
    always_at_work(bot, "UALICE")
    cop("UBOB", "budget request 300 Pizza")
    assert bot.slack.wait_for(lambda: bot.posts_in("UALICE"))
    [ask] = [m for m in bot.posts_in("UALICE") if "asks for" in m.text]
    press(bot, "UALICE", ask, ActionId.BUDGET_DECLINE)
    assert bot.slack.wait_for(lambda: bot.slack.calls_to("views.open"))
    view = bot.slack.calls_to("views.open")[0].args["view"]
    assert (view["callback_id"], view["private_metadata"]) == (ViewId.BUDGET_DECLINE, "1")
    submission = bot.requests.view_submission(
        user_id="UALICE", user_name="alice", callback_id=ViewId.BUDGET_DECLINE, private_metadata="1",
        values={BlockId.BUDGET_REASON: {ActionId.BUDGET_REASON: {"type": "plain_text_input",
                                                                 "value": "No <budget> left this quarter"}}})
    assert bot.post(submission)[0] == 200
    assert bot.slack.wait_for(lambda: any("declined your request #1" in str(m.blocks) for m in bot.posts_in("UBOB")))
    [told] = [m for m in bot.posts_in("UBOB") if "declined" in str(m.blocks)]
    assert "No &lt;budget&gt; left this quarter" in str(told.blocks)
    [line] = rows(bot, BudgetLine)
    assert (line.status, line.decline_reason) == (RequestStatus.DECLINED, "No <budget> left this quarter")
    assert "more than remains approved for 2026: EUR 0.00" in cop("UBOB", "budget spend 1 Pizza")


@pytest.mark.parametrize(("amount", "error"), [
    ("0", "must be more than 0"), ("-5", "is not an amount"), ("12.345", "more than two decimals"),
    ("١٢", "is not an amount"), ("12e3", "is not an amount"), ("1000000000000", "too large"),
])
def test_bad_amounts_are_refused_and_nothing_is_recorded(bot, cop: Typist, amount, error):
    said = cop("UALICE", f"budget allocate {amount}")
    assert error in said and "/cop budget allocate &lt;amount&gt; [&lt;year&gt;]" in said
    assert rows(bot, BudgetLine) == []


def test_a_member_cannot_press_approve(bot, cop: Typist):
    assert "no overall lead is known" in cop("UBOB", "budget request 300 Pizza")
    cop("UALICE", "stats")
    always_at_work(bot, "UALICE")
    assert "goes to 1 overall lead" in cop("UBOB", "budget request 300 Pizza")
    assert bot.slack.wait_for(lambda: bot.posts_in("UALICE"))
    [ask] = [m for m in bot.posts_in("UALICE") if "asks for" in m.text]
    assert "Only an overall CoP lead" in click(bot, "UDANA", ask, ActionId.BUDGET_APPROVE)
    assert [line.status for line in rows(bot, BudgetLine)] == [RequestStatus.PENDING] * 2


def test_an_overall_lead_named_in_copbot_is_asked_too(bot, cop: Typist):
    cop("UALICE", "role <@UDANA|dana> overall-lead")
    always_at_work(bot, "UALICE", "UDANA")
    assert "goes to 2 overall leads" in cop("UBOB", "budget request 300 Pizza")
    assert bot.slack.wait_for(lambda: [m for m in bot.posts_in("UDANA") if "asks for" in m.text])
    [ask] = [m for m in bot.posts_in("UDANA") if "asks for" in m.text]
    assert "*approved* by dana" in str(click_in_dm(bot, "UDANA", ask, ActionId.BUDGET_APPROVE)["blocks"])
    # Alice's copy of the ask still has its buttons: a second decision is refused, and no form opens.
    assert bot.slack.wait_for(lambda: [m for m in bot.posts_in("UALICE") if "asks for" in m.text])
    [alices] = [m for m in bot.posts_in("UALICE") if "asks for" in m.text]
    assert "Request #1 was already approved by dana" in click(bot, "UALICE", alices, ActionId.BUDGET_DECLINE)
    assert "already approved" in click(bot, "UALICE", alices, ActionId.BUDGET_APPROVE)
    assert bot.slack.calls_to("views.open") == []
    [line] = rows(bot, BudgetLine)
    assert (line.status, line.decline_reason) == (RequestStatus.APPROVED, None)
