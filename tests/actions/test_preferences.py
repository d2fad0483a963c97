"""Marketing and language preferences from the chat, recorded as consent events in the store."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionRunAccountTask
from actions.consent import ActionApplyChange
from actions.identity import media_value
from actions.preferences import ActionOptOutMarketing, ValidateOptOutForm, media_list
from bot.store.db import SessionFactory
from bot.store.models import Contact
from tests.actions.support import (
    Event,
    Ran,
    Trackers,
    Turn,
    answer,
    asked,
    consent_events,
    contact_id,
    ids,
    message,
    rendered,
    response_texts,
    responses,
    run,
    slot_events,
)

ISABELLE = "isabelle.moreau@example.com"  # e-mail in, SMS out, post in, French
SERVICE_MESSAGES = "service messages (not marketing), including announcements and administrative"


async def yes(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    question: Event,
    turn: Turn,
    *,
    text: str = "yes",
    intent: str = "affirm",
    slots: dict[str, object] | None = None,
) -> Ran:
    """The customer's answer to `question` (yes unless told), run as action_apply_change."""
    return await answer(
        ActionApplyChange(),
        dispatcher,
        tracker,
        question,
        text=text,
        intent=intent,
        slots=slots,
        metadata=turn.metadata,
    )


def test_media_words() -> None:
    assert media_value("emails") == "email"
    assert media_value(["email", "texts", "email"]) == "email,sms"
    assert media_value(["catalogues", "everything"]) == "all"
    assert media_value("pigeons") is None
    assert media_list("email,sms") == ["email", "sms"]
    assert media_list("all") == ["email", "sms", "phone", "post"]


async def test_opting_out_by_address_is_asked_about_then_recorded_without_a_code(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    messages, events = await run(
        ActionOptOutMarketing(),
        dispatcher,
        tracker(
            text="emails",
            slots={"account_email": ISABELLE, "marketing_medium": "email"},
            metadata=turn.metadata,
        ),
    )

    assert responses(messages) == ["utter_confirm_opt_out_by_address"]
    question = message(messages, "utter_confirm_opt_out_by_address")
    assert question["masked_email"] == "i***u@example.com" and question["media"] == "e-mail"
    assert ids(await consent_events(account, contact)) == ids(before), "nothing before Yes"
    assert slot_events(events)["account_email"] is None, "the task's details are forgotten"

    messages, _ = await yes(tracker, dispatcher, asked(events), turn)

    assert responses(messages) == ["utter_marketing_opt_out_by_address"]
    told = message(messages, "utter_marketing_opt_out_by_address")
    assert told["masked_email"] == "i***u@example.com" and told["media"] == "e-mail"
    (added,) = (await consent_events(account, contact))[len(before) :]
    assert (added.topic, added.value, added.source) == ("marketing:email", "opt_out", "chat")
    assert (added.channel, added.conversation_id) == ("webchat", turn.conversation_id)


async def test_no_to_the_opt_out_records_nothing(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)
    _, events = await run(
        ActionOptOutMarketing(),
        dispatcher,
        tracker(
            slots={"account_email": ISABELLE, "marketing_medium": "all"}, metadata=turn.metadata
        ),
    )

    messages, after = await yes(
        tracker, dispatcher, asked(events), turn, text="no thanks", intent="deny"
    )

    assert responses(messages) == ["utter_change_declined"]
    assert slot_events(after) == {"pending_change": None}
    assert ids(await consent_events(account, contact)) == ids(before)


async def test_an_unknown_address_gets_the_same_words_and_nothing_is_recorded(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    messages, events = await run(
        ActionOptOutMarketing(),
        dispatcher,
        tracker(
            slots={"account_email": "nobody@example.com", "marketing_medium": "all"},
            metadata=turn.metadata,
        ),
    )
    assert responses(messages) == ["utter_confirm_opt_out_by_address"]
    assert message(messages, "utter_confirm_opt_out_by_address")["media"] == (
        "e-mail, SMS, phone calls and post"
    )
    messages, _ = await yes(tracker, dispatcher, asked(events), turn)
    assert responses(messages) == ["utter_marketing_opt_out_by_address"]
    told = message(messages, "utter_marketing_opt_out_by_address")
    assert told["media"] == "e-mail, SMS, phone calls and post"


async def test_a_verified_opt_out_names_what_will_change_then_says_what_changed(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)
    verified = {"verified_contact_id": contact}

    messages, events = await run(
        ActionOptOutMarketing(),
        dispatcher,
        tracker(slots={**verified, "marketing_medium": "all"}, metadata=turn.metadata),
    )
    assert rendered(message(messages, "utter_confirm_opt_out")).startswith(
        "I will stop our marketing to you by e-mail and post."
    )
    assert ids(await consent_events(account, contact)) == ids(before)

    messages, _ = await yes(tracker, dispatcher, asked(events), turn, slots=verified)

    told = message(messages, "utter_marketing_opted_out_partly")
    assert (
        "You will no longer receive marketing by e-mail and post. "
        "You were already not receiving marketing by SMS and phone calls."
    ) in rendered(told)
    added = (await consent_events(account, contact))[len(before) :]
    assert {(e.topic, e.value) for e in added} == {
        ("marketing:email", "opt_out"),
        ("marketing:post", "opt_out"),
    }, "only actual changes are recorded"


async def test_a_verified_customer_opts_in_once_on_yes(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)
    verified = {"verified_contact_id": contact}

    messages, events = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(
            slots={**verified, "account_task": "opt_in", "marketing_medium": "email,sms"},
            metadata=turn.metadata,
        ),
    )
    assert rendered(message(messages, "utter_confirm_opt_in")).startswith(
        "I will start sending you our marketing by SMS. Shall I go ahead?"
    )
    assert ids(await consent_events(account, contact)) == ids(before)

    messages, _ = await yes(tracker, dispatcher, asked(events), turn, slots=verified)
    told = message(messages, "utter_marketing_opted_in_partly")
    assert (
        "You will now receive our marketing by SMS. You already receive our marketing by e-mail."
    ) in rendered(told)
    (added,) = (await consent_events(account, contact))[len(before) :]
    assert (added.topic, added.value, added.source) == ("marketing:sms", "opt_in", "chat")

    # The same Yes again changes nothing more.
    messages, _ = await yes(tracker, dispatcher, asked(events), turn, slots=verified)
    assert responses(messages) == ["utter_marketing_opted_in_already"]
    assert len(await consent_events(account, contact)) == len(before) + 1


async def test_an_opt_out_that_changes_nothing_says_so_and_asks_nothing(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    messages, events = await run(
        ActionOptOutMarketing(),
        dispatcher,
        tracker(
            slots={"verified_contact_id": contact, "marketing_medium": "sms"},
            metadata=turn.metadata,
        ),
    )

    told = message(messages, "utter_marketing_opted_out_already")
    assert rendered(told).startswith("Done. You were already not receiving marketing by SMS.")
    assert "pending_change" not in slot_events(events)
    assert len(await consent_events(account, contact)) == len(before)


async def test_a_verified_customer_sees_their_preferences(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    messages, _ = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(
            slots={"account_task": "show_preferences", "verified_contact_id": contact},
            metadata=turn.metadata,
        ),
    )
    told = message(messages, "utter_preferences_current")
    assert told["summary"] == (
        "Currently you receive marketing by e-mail, post and no marketing by SMS, phone calls. "
        "Preferred language: French."
    )


async def test_a_verified_customer_changes_their_language_on_yes(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)
    slots = {"account_task": "set_language", "verified_contact_id": contact}

    messages, events = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(slots={**slots, "preferred_language": "Italian"}, metadata=turn.metadata),
    )
    assert message(messages, "utter_confirm_language")["language"] == "Italian"
    assert ids(await consent_events(account, contact)) == ids(before)

    messages, _ = await yes(
        tracker, dispatcher, asked(events), turn, slots={"verified_contact_id": contact}
    )
    assert message(messages, "utter_language_set")["language"] == "Italian"
    added = (await consent_events(account, contact))[-1]
    assert (added.topic, added.value, added.source) == ("language", "it", "chat")
    async with account() as session:
        stored = await session.get(Contact, contact)
        assert stored is not None and stored.preferred_language == "it"

    messages, events = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(slots={**slots, "preferred_language": "it"}, metadata=turn.metadata),
    )
    assert responses(messages) == ["utter_language_unchanged"]
    assert "pending_change" not in slot_events(events)


async def test_no_to_a_language_change_changes_nothing(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)
    slots = {"account_task": "set_language", "verified_contact_id": contact}
    _, events = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(slots={**slots, "preferred_language": "German"}, metadata=turn.metadata),
    )
    for text, intent in (("nope", "deny"), ("forget it", "cancel")):
        messages, _ = await yes(
            tracker, dispatcher, asked(events), turn, text=text, intent=intent, slots=slots
        )
        assert responses(messages) == ["utter_change_declined"]
    assert ids(await consent_events(account, contact)) == ids(before)
    async with account() as session:
        stored = await session.get(Contact, contact)
        assert stored is not None and stored.preferred_language == "fr"


async def test_a_verified_customer_is_asked_only_which_marketing_to_stop(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    _, events = await run(
        ValidateOptOutForm(),
        dispatcher,
        tracker(slots={"verified_contact_id": contact}, metadata=turn.metadata),
    )
    assert slot_events(events) == {"requested_slot": "marketing_medium"}


async def test_the_opt_out_form_keeps_the_address_and_sends_no_code(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    messages, events = await run(
        ValidateOptOutForm(),
        dispatcher,
        tracker(
            text=f"it is {ISABELLE}",
            slots={"requested_slot": "account_email"},
            candidates={"account_email": f"it is {ISABELLE}"},
            metadata=turn.metadata,
        ),
    )
    assert messages == []
    assert slot_events(events) == {"account_email": ISABELLE}


async def test_an_unknown_medium_is_asked_again(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    messages, events = await run(
        ValidateOptOutForm(),
        dispatcher,
        tracker(
            slots={"account_email": ISABELLE, "requested_slot": "marketing_medium"},
            candidates={"marketing_medium": "pigeons"},
            metadata=turn.metadata,
        ),
    )
    assert responses(messages) == ["utter_marketing_medium_unknown"]
    # The domain's order stands, so rasa_sdk leaves asking again to Rasa's form.
    assert slot_events(events) == {"marketing_medium": None}


def test_service_messages_are_mentioned_in_every_opt_out_reply() -> None:
    opt_out_replies = [
        name
        for name in response_texts()
        if name.startswith(("utter_marketing_opted_out", "utter_marketing_opt_out_by_address"))
    ]
    assert len(opt_out_replies) == 4
    for name in opt_out_replies:
        assert SERVICE_MESSAGES in response_texts()[name], name
