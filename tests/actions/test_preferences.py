"""Marketing and language preferences from the chat, recorded as consent events in the store."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionRunAccountTask
from actions.identity import media_value
from actions.preferences import ActionOptOutMarketing, ValidateOptOutForm, media_list
from bot.store.db import SessionFactory
from bot.store.models import Contact
from tests.actions.support import (
    Trackers,
    Turn,
    consent_events,
    contact_id,
    message,
    rendered,
    response_texts,
    responses,
    run,
    slot_events,
)

ISABELLE = "isabelle.moreau@example.com"  # e-mail in, SMS out, post in, French
SERVICE_MESSAGES = "service messages (not marketing), including announcements and administrative"


def test_media_words() -> None:
    assert media_value("emails") == "email"
    assert media_value(["email", "texts", "email"]) == "email,sms"
    assert media_value(["catalogues", "everything"]) == "all"
    assert media_value("pigeons") is None
    assert media_list("email,sms") == ["email", "sms"]
    assert media_list("all") == ["email", "sms", "phone", "post"]


async def test_opting_out_by_address_records_an_event_without_a_code(
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

    assert responses(messages) == ["utter_marketing_opt_out_by_address"]
    told = message(messages, "utter_marketing_opt_out_by_address")
    assert told["masked_email"] == "i***u@example.com" and told["media"] == "e-mail"
    (added,) = (await consent_events(account, contact))[len(before) :]
    assert (added.topic, added.value, added.source) == ("marketing:email", "opt_out", "chat")
    assert (added.channel, added.conversation_id) == ("webchat", turn.conversation_id)
    assert slot_events(events)["account_email"] is None, "the task's details are forgotten"


async def test_an_unknown_address_gets_the_same_reply_and_nothing_is_recorded(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    messages, _ = await run(
        ActionOptOutMarketing(),
        dispatcher,
        tracker(
            slots={"account_email": "nobody@example.com", "marketing_medium": "all"},
            metadata=turn.metadata,
        ),
    )
    assert responses(messages) == ["utter_marketing_opt_out_by_address"]
    told = message(messages, "utter_marketing_opt_out_by_address")
    assert told["media"] == "e-mail, SMS, phone calls and post"


async def test_a_verified_opt_out_says_exactly_what_changed(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    messages, _ = await run(
        ActionOptOutMarketing(),
        dispatcher,
        tracker(
            slots={"verified_contact_id": contact, "marketing_medium": "all"},
            metadata=turn.metadata,
        ),
    )

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


async def test_a_verified_customer_opts_in(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    messages, _ = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(
            slots={
                "account_task": "opt_in",
                "verified_contact_id": contact,
                "marketing_medium": "email,sms",
            },
            metadata=turn.metadata,
        ),
    )

    told = message(messages, "utter_marketing_opted_in_partly")
    assert (
        "You will now receive our marketing by SMS. You already receive our marketing by e-mail."
    ) in rendered(told)
    (added,) = (await consent_events(account, contact))[len(before) :]
    assert (added.topic, added.value, added.source) == ("marketing:sms", "opt_in", "chat")


async def test_an_opt_out_that_changes_nothing_says_so(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    messages, _ = await run(
        ActionOptOutMarketing(),
        dispatcher,
        tracker(
            slots={"verified_contact_id": contact, "marketing_medium": "sms"},
            metadata=turn.metadata,
        ),
    )

    told = message(messages, "utter_marketing_opted_out_already")
    assert rendered(told).startswith("Done. You were already not receiving marketing by SMS.")
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


async def test_a_verified_customer_changes_their_language(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    slots = {"account_task": "set_language", "verified_contact_id": contact}

    messages, _ = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(slots={**slots, "preferred_language": "Italian"}, metadata=turn.metadata),
    )
    assert message(messages, "utter_language_set")["language"] == "Italian"
    added = (await consent_events(account, contact))[-1]
    assert (added.topic, added.value, added.source) == ("language", "it", "chat")
    async with account() as session:
        stored = await session.get(Contact, contact)
        assert stored is not None and stored.preferred_language == "it"

    messages, _ = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(slots={**slots, "preferred_language": "it"}, metadata=turn.metadata),
    )
    assert responses(messages) == ["utter_language_unchanged"]


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
