"""Every id copbot gives a button, a modal or a block, in one place, so listeners and builders agree."""

from __future__ import annotations

import enum


class ActionId(enum.StrEnum):
    """`action_id` of interactive elements (buttons, selects) in messages, modals and App Home."""

    # The button at the end of every unasked-for direct message; its value is the kind to turn off.
    MUTE_DM_KIND = "dm.mute_kind"
    # "Remind me tomorrow" beside it on a DM about work; its value is the key the message was sent under.
    SNOOZE_DM = "dm.snooze"
    # The switches on the Home tab, `home.setting.<setting>` (ids must differ within a block); the
    # value is "<setting>:on" or "<setting>:off". Listeners match the prefix.
    HOME_SETTING = "home.setting"
    RSVP_YES = "meeting_rsvp_yes"
    RSVP_MAYBE = "meeting_rsvp_maybe"
    RSVP_NO = "meeting_rsvp_no"
    IM_HERE = "meeting_im_here"
    STANDUP_OPEN = "standup_open_modal"
    STANDUP_ANSWER = "standup_answer"
    ACTION_CLAIM = "action_claim"
    ACTION_DONE = "action_done"
    ACTION_DECLINE = "action_decline"
    LESSON_RECORD = "lesson_record"
    LESSON_TEXT = "lesson_text"
    LESSON_TAGS = "lesson_tags"
    # "Edit" on a lead's meeting list, `meeting_edit.<id>` (ids must differ within a block); the value is
    # the meeting's number. Listeners match the prefix.
    MEETING_EDIT = "meeting_edit"
    # The inputs of the meeting form, each in the block of the same name below.
    MEETING_TITLE = "meeting_title"
    MEETING_WHEN = "meeting_when"
    MEETING_REPEAT = "meeting_repeat"
    MEETING_EVERY = "meeting_every"
    MEETING_DURATION = "meeting_duration"
    # "Forget me" under `/cop forget-me`'s question; the value is the user id of the person who asked.
    FORGET_ME_CONFIRM = "forget_me_confirm"
    # An overall lead's answer to a budget request; the value is the request's number.
    BUDGET_APPROVE = "budget_approve"
    BUDGET_DECLINE = "budget_decline"
    BUDGET_REASON = "budget_reason"
    # A poll's option, `poll_vote.<n>` (ids must differ within a block); the value is "<poll id>:<n>".
    # Listeners match the prefix.
    POLL_VOTE = "poll_vote"
    # Agree / Object on a proposed Terms of Reference; the value is the version's id.
    TOR_AGREE = "tor_agree"
    TOR_OBJECT = "tor_object"
    TOR_REASON = "tor_reason"
    # Answer on a maturity self-assessment; the value is the assessment's id. Each select in its form has the
    # same action_id, in a block per dimension (BlockId.MATURITY_DIMENSION).
    MATURITY_ANSWER = "maturity_answer"
    MATURITY_STAGE = "maturity_stage"
    # "This helped" on a knowledge item in search results and digests, `kb_helped.<id>` (ids must differ
    # within a block); the value is the item's number. Listeners match the prefix.
    KB_HELPED = "kb_helped"
    # An overall lead's answer to a newsletter draft; the value is the id.
    NEWSLETTER_APPROVE = "newsletter_approve"
    NEWSLETTER_EDIT = "newsletter_edit"
    NEWSLETTER_SKIP = "newsletter_skip"
    NEWSLETTER_INTRO = "newsletter_intro"
    NEWSLETTER_CUTS = "newsletter_cuts"


class ViewId(enum.StrEnum):
    """`callback_id` of modals."""

    STANDUP_ANSWER = "standup_answer_modal"
    LESSON = "lesson"
    # Scheduling a meeting, or editing a series when the form's metadata names one.
    MEETING = "meeting_form"
    # Why a budget request is declined; its private_metadata is the request's number.
    BUDGET_DECLINE = "budget_decline_form"
    # Why someone objects to a proposed Terms of Reference; private_metadata is the version's id.
    TOR_OBJECTION = "tor_objection"
    # A member's answers to a maturity self-assessment; private_metadata is the assessment's id.
    MATURITY_ANSWER = "maturity_answer_form"
    # A newsletter draft's introduction and cuts; private_metadata is "<issue id>:<channel>:<ts>" of the draft.
    NEWSLETTER_EDIT = "newsletter_edit_form"


class BlockId(enum.StrEnum):
    """`block_id` of input blocks whose values a modal submission reads."""

    RSVP = "meeting_rsvp"
    # One input per standup question: "standup_question:0", "standup_question:1", ...
    STANDUP_QUESTION = "standup_question"
    LESSON_TEXT = "lesson_text"
    LESSON_TAGS = "lesson_tags"
    MEETING_TITLE = "meeting_title"
    MEETING_WHEN = "meeting_when"
    MEETING_REPEAT = "meeting_repeat"
    MEETING_EVERY = "meeting_every"
    MEETING_DURATION = "meeting_duration"
    BUDGET_REASON = "budget_reason"
    TOR_REASON = "tor_reason"
    # One select per dimension in the maturity form: "maturity_dimension:purpose", ...
    MATURITY_DIMENSION = "maturity_dimension"
    NEWSLETTER_INTRO = "newsletter_intro"
    NEWSLETTER_CUTS = "newsletter_cuts"
