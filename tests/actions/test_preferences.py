"""Marketing and language preferences from the chat, recorded as consent events in the store."""

from __future__ import annotations

from actions.account import ActionCancelAccountFlow, ActionRunAccountTask
from actions.identity import media_value
from actions.preferences import ActionOptOutMarketing, ValidateOptOutForm, media_list
from bot.store.db import SessionFactory
from bot.store.models import Contact
from tests.actions.account_support import (
    Turn,
    consent_events,
    contact_id,
    ids,
    message,
    responses,
    run,
    slot_events,
    tracker,
)

ISABELLE = "isabelle.moreau@example.com"  # e-mail in, SMS out, post in, French
SERVICE_MESSAGES = "service messages, such as updates on your order status"


def test_names_match_the_domain() -> None:
    assert ActionOptOutMarketing().name() == "action_opt_out_marketing"
    assert ValidateOptOutForm().name() == "validate_opt_out_form"
    assert ActionRunAccountTask().name() == "action_run_account_task"
    assert ActionCancelAccountFlow().name() == "action_cancel_account_flow"


def test_media_words() -> None:
    assert media_value("emails") == "email"
    assert media_value(["email", "texts", "email"]) == "email,sms"
    assert media_value(["catalogues", "everything"]) == "all"
    assert media_value("pigeons") is None
    assert media_list("email,sms") == ["email", "sms"]
    assert media_list("all") == ["email", "sms", "phone", "post"]


async def test_opting_out_by_address_records_an_event_without_a_code(
    account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    events, dispatcher = await run(
        ActionOptOutMarketing(),
        tracker(
            text="emails",
            slots={"account_email": ISABELLE, "marketing_medium": "email"},
            metadata=turn.metadata,
        ),
    )

    assert responses(dispatcher) == ["utter_marketing_opt_out_by_address"]
    told = message(dispatcher, "utter_marketing_opt_out_by_address")
    assert told["masked_email"] == "i***u@example.com" and told["media"] == "e-mail"
    (added,) = (await consent_events(account, contact))[len(before) :]
    assert (added.topic, added.value, added.source) == ("marketing:email", "opt_out", "chat")
    assert (added.channel, added.conversation_id) == ("webchat", turn.conversation_id)
    assert slot_events(events)["account_email"] is None, "the task's details are forgotten"


async def test_an_unknown_address_gets_the_same_reply_and_nothing_is_recorded(
    account: SessionFactory, turn: Turn
) -> None:
    _, dispatcher = await run(
        ActionOptOutMarketing(),
        tracker(
            slots={"account_email": "nobody@example.com", "marketing_medium": "all"},
            metadata=turn.metadata,
        ),
    )
    assert responses(dispatcher) == ["utter_marketing_opt_out_by_address"]
    told = message(dispatcher, "utter_marketing_opt_out_by_address")
    assert told["media"] == "e-mail, SMS, phone calls and post"


async def test_a_verified_opt_out_says_exactly_what_changed(
    account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    _, dispatcher = await run(
        ActionOptOutMarketing(),
        tracker(
            slots={"verified_contact_id": contact, "marketing_medium": "all"},
            metadata=turn.metadata,
        ),
    )

    told = message(dispatcher, "utter_marketing_opted_out")
    assert told["summary"] == (
        "You will no longer receive marketing by e-mail and post. "
        "You were already not receiving marketing by SMS and phone calls."
    )
    added = (await consent_events(account, contact))[len(before) :]
    assert {(e.topic, e.value) for e in added} == {
        ("marketing:email", "opt_out"),
        ("marketing:post", "opt_out"),
    }, "only actual changes are recorded"


async def test_opting_in_without_verification_is_refused(
    account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    events, dispatcher = await run(
        ActionRunAccountTask(),
        tracker(
            slots={"account_task": "opt_in", "marketing_medium": "sms"}, metadata=turn.metadata
        ),
    )

    assert responses(dispatcher) == ["utter_account_not_verified"]
    assert ids(await consent_events(account, contact)) == ids(before)
    assert slot_events(events)["account_task"] is None


async def test_when_verification_already_explained_itself_nothing_more_is_said(
    account: SessionFactory, turn: Turn
) -> None:
    _, dispatcher = await run(
        ActionRunAccountTask(),
        tracker(
            slots={"account_task": "opt_in", "verification_stopped": True}, metadata=turn.metadata
        ),
    )
    assert dispatcher.messages == []


async def test_a_verified_customer_opts_in(account: SessionFactory, turn: Turn) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    _, dispatcher = await run(
        ActionRunAccountTask(),
        tracker(
            slots={
                "account_task": "opt_in",
                "verified_contact_id": contact,
                "marketing_medium": "email,sms",
            },
            metadata=turn.metadata,
        ),
    )

    told = message(dispatcher, "utter_marketing_opted_in")
    assert told["summary"] == (
        "You will now receive our marketing by SMS. You already receive our marketing by e-mail."
    )
    (added,) = (await consent_events(account, contact))[len(before) :]
    assert (added.topic, added.value, added.source) == ("marketing:sms", "opt_in", "chat")


async def test_a_verified_customer_sees_their_preferences(
    account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    _, dispatcher = await run(
        ActionRunAccountTask(),
        tracker(
            slots={"account_task": "show_preferences", "verified_contact_id": contact},
            metadata=turn.metadata,
        ),
    )
    told = message(dispatcher, "utter_preferences_current")
    assert told["summary"] == (
        "Currently you receive marketing by e-mail, post and no marketing by SMS, phone calls. "
        "Preferred language: French."
    )


async def test_a_verified_customer_changes_their_language(
    account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    slots = {"account_task": "set_language", "verified_contact_id": contact}

    _, dispatcher = await run(
        ActionRunAccountTask(),
        tracker(slots={**slots, "preferred_language": "Italian"}, metadata=turn.metadata),
    )
    assert message(dispatcher, "utter_language_set")["language"] == "Italian"
    added = (await consent_events(account, contact))[-1]
    assert (added.topic, added.value, added.source) == ("language", "it", "chat")
    async with account() as session:
        stored = await session.get(Contact, contact)
        assert stored is not None and stored.preferred_language == "it"

    _, dispatcher = await run(
        ActionRunAccountTask(),
        tracker(slots={**slots, "preferred_language": "it"}, metadata=turn.metadata),
    )
    assert responses(dispatcher) == ["utter_language_unchanged"]


async def test_a_verified_customer_is_asked_only_which_marketing_to_stop(
    account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    events, _ = await run(
        ValidateOptOutForm(),
        tracker(slots={"verified_contact_id": contact}, metadata=turn.metadata),
    )
    assert slot_events(events) == {"requested_slot": "marketing_medium"}


async def test_the_opt_out_form_keeps_the_address_and_sends_no_code(
    account: SessionFactory, turn: Turn
) -> None:
    events, dispatcher = await run(
        ValidateOptOutForm(),
        tracker(
            text=f"it is {ISABELLE}",
            slots={"requested_slot": "account_email"},
            candidates={"account_email": f"it is {ISABELLE}"},
            metadata=turn.metadata,
        ),
    )
    assert dispatcher.messages == []
    assert slot_events(events) == {"account_email": ISABELLE}


async def test_an_unknown_medium_is_asked_again(account: SessionFactory, turn: Turn) -> None:
    events, dispatcher = await run(
        ValidateOptOutForm(),
        tracker(
            slots={"account_email": ISABELLE, "requested_slot": "marketing_medium"},
            candidates={"marketing_medium": "pigeons"},
            metadata=turn.metadata,
        ),
    )
    assert responses(dispatcher) == ["utter_marketing_medium_unknown"]
    # The domain's order stands, so rasa_sdk leaves asking again to Rasa's form.
    assert slot_events(events) == {"marketing_medium": None}


async def test_cancelling_stops_the_form_and_forgets_its_details(account: SessionFactory) -> None:
    events, dispatcher = await run(
        ActionCancelAccountFlow(),
        tracker(
            text="never mind",
            intent="cancel",
            slots={"account_email": ISABELLE, "marketing_medium": "all"},
            active_loop="opt_out_form",
        ),
    )
    assert responses(dispatcher) == ["utter_cancelled"]
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events
    ]
    slots = slot_events(events)
    assert slots["account_email"] is None and slots["marketing_medium"] is None


def test_service_messages_are_mentioned_in_every_opt_out_reply() -> None:
    from pathlib import Path

    domain = Path("domain/account.yml").read_text()
    for response in ("utter_marketing_opted_out", "utter_marketing_opt_out_by_address"):
        block = domain.split(f"  {response}:\n", 1)[1].split("\n  utter_", 1)[0]
        assert SERVICE_MESSAGES in block, response
