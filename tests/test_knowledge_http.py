"""`/cop kb`: knowledge kept by kind and tags, found by ranked search, and reviewed into guidelines by SMEs."""

from __future__ import annotations

import json

from sqlalchemy import select

from models import KnowledgeItem, KnowledgeKind
from tests.community import Typist, cop_fixture, credits  # noqa: F401  (cop_fixture provides `cop`)


def items(bot) -> list[KnowledgeItem]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(KnowledgeItem).order_by(KnowledgeItem.id)).unique())


def test_a_member_adds_a_tip_with_tags(bot, cop: Typist):
    reply = cop("UCHANDRA", "kb add Run terraform plan in CI on every PR. It catches drift early. #Terraform #ci")
    assert "Saved as :bulb: tip `#1`: *Run terraform plan in CI on every PR.* `#terraform` `#ci`" in reply
    assert reply.count(":bulb:") == 1  # the kind is said once
    [item] = items(bot)
    assert (item.kind, item.title, item.tags) == (KnowledgeKind.TIP, "Run terraform plan in CI on every PR.",
                                                  ["terraform", "ci"])
    assert item.body == "Run terraform plan in CI on every PR. It catches drift early."
    assert credits(bot, "knowledge_item") == ["UCHANDRA"]


def test_links_lessons_and_kinds(bot, cop: Typist):
    cop("UCHANDRA", "kb add <https://sre.google/books/>")
    cop("UCHANDRA", "kb add link The SRE book, free online <https://sre.google/books/|sre.google> #sre")
    cop("UCHANDRA", "kb add lesson Never rotate secrets on a Friday")
    kinds = [(i.kind, i.url) for i in items(bot)]
    assert kinds == [(KnowledgeKind.LINK, "https://sre.google/books/"), (KnowledgeKind.LINK, "https://sre.google/books/"),
                     (KnowledgeKind.LESSON, None)]
    assert items(bot)[1].title == "The SRE book, free online sre.google"


def test_bad_kb_commands(bot, cop: Typist):
    for user, text, expected in [
        ("UCHANDRA", "kb add", "Say what to keep"),
        ("UCHANDRA", "kb add link just words", "needs a link"),
        ("UCHANDRA", "kb add " + "x" * 3001, "keep it to 3000"),
        ("UCHANDRA", "kb add tip #" + "t" * 31 + " something", "not a tag"),
        ("UEVE", "kb add a tip from outside", "Join *DevOps CoP* first"),
        ("UCHANDRA", "kb search", "Say what to look for"),
        ("UCHANDRA", "kb promote seven", "Say which item by its number"),
        ("UCHANDRA", "kb promote 42", "There is no knowledge item #42"),
        ("UCHANDRA", "kb teach", "I don't know `/cop kb teach`"),
    ]:
        reply = cop(user, text)
        assert expected in reply and "Usage" in reply, (text, reply)
    # A refusal says what would be allowed instead of repeating the grammar.
    reply = cop("UCHANDRA", "kb add guideline Always pin versions")
    assert "A guideline is a tip an SME has reviewed" in reply and "Usage" not in reply
    assert items(bot) == []


def test_search_ranks_across_titles_text_and_tags_in_every_community(bot, cop: Typist):
    cop("UALICE", "setup Platform CoP", channel="CRANDOM")
    cop("UBOB", "role <@UCHANDRA|chandra> sme")
    cop("UCHANDRA", "kb add Pin provider versions; terraform upgrades bite")  # the text mentions one word
    cop("UCHANDRA", "kb add Terraform state locking with DynamoDB #terraform")  # title and tag
    cop("UCHANDRA", "kb add guideline Keep state remote. Use S3 backends. #terraform #state")  # tags, a guideline
    cop("UCHANDRA", "kb add Coffee machine is on floor 3")
    cop("UALICE", "kb add Our state of the platform deck <https://slides.example/state>", channel="CRANDOM")
    results = cop("UDANA", "kb search Terraform state")
    # Both words, in tags and title, a guideline; both words in title and tag; then one word each.
    first, second, *rest = [results.index(t) for t in ("Keep state remote", "Terraform state locking",
                                                         "Pin provider versions", "Our state of the platform deck")]
    assert first < second < min(rest), results
    assert "Coffee" not in results and "Platform CoP" in results  # other communities' knowledge is found too
    assert "Nothing in the knowledge base matches" in cop("UDANA", "kb search kubernetes")
    # Search words are matched as text, never as LIKE patterns.
    assert "Nothing in the knowledge base matches" in cop("UDANA", "kb search _")


def test_an_sme_promotes_a_tip_to_a_guideline_and_the_channel_hears_of_it(bot, cop: Typist):
    cop("UCHANDRA", "kb add Tag every cloud resource with its owner #aws")
    cop("UCHANDRA", "kb add <https://example.com/runbook>")
    assert "Tag every cloud resource" in cop("UDANA", "kb review")
    assert "Only an SME or a lead of *DevOps CoP* promotes" in cop("UDANA", "kb promote 1")
    cop("UBOB", "role <@UDANA|dana> sme")
    assert "is now one of *DevOps CoP*'s guidelines" in cop("UDANA", "kb promote #1")
    [item, link] = items(bot)
    assert (item.kind, item.reviewed_at is not None) == (KnowledgeKind.GUIDELINE, True)
    assert bot.slack.wait_for(lambda: any(m.text.startswith("New guideline") for m in bot.posts_in("CDEVOPS")))
    assert "only tips and lessons become guidelines" in cop("UDANA", "kb promote 2")
    assert "every tip has been reviewed" in cop("UDANA", "kb review")
    assert link.kind == KnowledgeKind.LINK


def test_kb_alone_lists_the_latest_and_user_text_stays_text(bot, cop: Typist):
    cop("UCHANDRA", "kb add <!channel> look &lt;here&gt; &amp; there")
    listing = cop("UDANA", "kb")
    assert "Latest knowledge of DevOps CoP" in listing
    assert "<!channel>" not in listing and "@channel look &lt;here&gt; &amp; there" in listing
    assert items(bot)[0].title == "@channel look <here> & there"
    assert json.dumps(listing).count("<@") == 0


def test_a_labelled_link_shows_where_it_goes_in_every_digest(bot, cop: Typist):
    """A member's link under copbot's name never hides its address behind a label they chose."""
    cop("UCHANDRA", "digest dm on")
    cop("UCHANDRA", "kb add tip <https://evil.example/login|Re-verify your SSO account here>")
    preview = cop("UCHANDRA", "digest preview")
    assert "Re-verify your SSO account here" in preview
    assert "<https://evil.example/login|Re-verify your SSO account here> (evil.example)" in preview
    for line in preview.split("\\n"):
        if "evil.example/login" in line:
            assert "(evil.example)" in line, line
    # The knowledge list shows the address itself, and the reply too.
    listed = cop("UCHANDRA", "kb")
    assert "<https://evil.example/login|https://evil.example/login>" in listed
