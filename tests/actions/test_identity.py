"""validate_verify_identity_form: the one-time code, mailed for real, checked against the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update

from actions import runtime
from actions.identity import ValidateVerifyIdentityForm
from bot.store.db import SessionFactory
from bot.store.models import (
    Author,
    Channel,
    ChannelIdentity,
    Direction,
    Message,
    VerificationCode,
)
from bot.store.types import utcnow
from tests.actions.support import (
    Configure,
    Ran,
    Trackers,
    Turn,
    contact_id,
    mailed_code,
    message,
    responses,
    run,
    slot_events,
)
from tests.fakes.smtp import SmtpServer

FORM = ValidateVerifyIdentityForm()


def customer_message(turn: Turn, text: str) -> Message:
    return Message(
        conversation_id=turn.conversation_id,
        channel=Channel.WEBCHAT,
        direction=Direction.IN,
        author=Author.CUSTOMER,
        text=text,
    )


ISABELLE = "isabelle.moreau@example.com"


async def give_email(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    email: str,
    turn: Turn,
    task: str = "show_preferences",
) -> Ran:
    return await run(
        FORM,
        dispatcher,
        tracker(
            text=f"it's {email}",
            slots={"account_task": task, "requested_slot": "account_email"},
            candidates={"account_email": f"it's {email}"},
            metadata=turn.metadata,
            active_loop="verify_identity_form",
        ),
    )


async def give_code(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    code: str,
    turn: Turn,
    attempts: int = 0,
    task: str = "show_preferences",
) -> Ran:
    return await run(
        FORM,
        dispatcher,
        tracker(
            text=code,
            slots={
                "account_task": task,
                "account_email": ISABELLE,
                "verification_attempts": attempts,
                "requested_slot": "verification_code",
            },
            candidates={"verification_code": code},
            metadata=turn.metadata,
            active_loop="verify_identity_form",
        ),
    )


async def test_a_code_is_mailed_then_verifies_and_links_the_identity(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    messages, events = await give_email(tracker, dispatcher, ISABELLE, turn)

    assert responses(messages) == ["utter_verification_code_sent"]
    assert message(messages, "utter_verification_code_sent")["masked_email"] == (
        "i***u@example.com"
    )
    assert slot_events(events) == {
        "account_email": "i***u@example.com",  # used: only the masked form stays
        "verification_code": None,
        "verification_attempts": 0,
        "requested_slot": "verification_code",
    }
    (mail,) = smtp_server.mailbox.messages
    assert mail["To"] == ISABELLE
    code = mailed_code(smtp_server)
    assert code not in mail["Subject"]

    typed = f"{code[:3]} {code[3:]}"
    async with account.begin() as session:  # the gateway records what the customer typed
        session.add(customer_message(turn, "hello"))
        session.add(customer_message(turn, typed))
    messages, events = await give_code(tracker, dispatcher, typed, turn)

    contact = await contact_id(account, ISABELLE)
    assert responses(messages) == ["utter_verification_succeeded"]
    assert slot_events(events) == {
        "verification_code": "verified",  # a marker, never the code
        "verified_contact_id": contact,
        "account_email": None,  # the address is done with
        "requested_slot": None,  # show_preferences needs nothing more: the form ends
    }
    async with account() as session:
        kept = await session.scalars(
            select(Message.text)
            .where(Message.conversation_id == turn.conversation_id)
            .order_by(Message.id)
        )
        assert list(kept) == ["hello", "••••••"], "the inbox shows a masked code"
    async with account() as session:
        identity = await session.get(ChannelIdentity, turn.identity_id)
        assert identity is not None and identity.contact_id == contact and identity.verified_at


async def test_once_verified_the_task_detail_is_asked_next(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    await give_email(tracker, dispatcher, ISABELLE, turn, task="opt_in")
    _, events = await give_code(tracker, dispatcher, mailed_code(smtp_server), turn, task="opt_in")
    assert slot_events(events)["requested_slot"] == "marketing_medium"


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    messages, events = await give_email(tracker, dispatcher, "nobody@example.com", turn)

    assert responses(messages) == ["utter_verification_code_sent"]
    assert message(messages, "utter_verification_code_sent")["masked_email"] == (
        "n***y@example.com"
    )
    assert slot_events(events)["requested_slot"] == "verification_code"
    assert smtp_server.mailbox.messages == []

    # Any code then gets exactly what a wrong code for a known address gets.
    messages, _ = await give_code(tracker, dispatcher, "123456", turn)
    assert responses(messages) == ["utter_verification_code_wrong"]


async def test_a_wrong_code_is_refused_and_counted(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    await give_email(tracker, dispatcher, ISABELLE, turn)
    code = mailed_code(smtp_server)
    wrong = "000000" if code != "000000" else "111111"

    messages, events = await give_code(tracker, dispatcher, wrong, turn, attempts=1)

    assert responses(messages) == ["utter_verification_code_wrong"]
    assert slot_events(events) == {
        "verification_code": None,
        "verification_attempts": 2,
        "requested_slot": "verification_code",
    }
    assert "verified_contact_id" not in slot_events(events)


async def test_the_fifth_failed_attempt_stops_the_form(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    await give_email(tracker, dispatcher, ISABELLE, turn)
    wrong = "000000" if mailed_code(smtp_server) != "000000" else "111111"

    messages, events = await give_code(tracker, dispatcher, wrong, turn, attempts=4)

    assert responses(messages) == ["utter_verification_too_many_attempts"]
    assert slot_events(events) == {
        "verification_code": None,
        "verification_stopped": True,
        "requested_slot": None,
    }


async def test_an_expired_code_is_refused_like_a_wrong_one(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    await give_email(tracker, dispatcher, ISABELLE, turn)
    async with account.begin() as session:
        await session.execute(update(VerificationCode).values(expires_at=utcnow()))

    messages, events = await give_code(tracker, dispatcher, mailed_code(smtp_server), turn)

    assert responses(messages) == ["utter_verification_code_wrong"]
    assert "verified_contact_id" not in slot_events(events)


async def test_a_used_code_does_not_work_twice(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    await give_email(tracker, dispatcher, ISABELLE, turn)
    code = mailed_code(smtp_server)
    await give_code(tracker, dispatcher, code, turn)
    messages, _ = await give_code(tracker, dispatcher, code, turn)
    assert responses(messages) == ["utter_verification_code_wrong"]


async def test_something_that_is_not_a_code_costs_no_attempt(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    messages, events = await give_code(
        tracker, dispatcher, "I haven't received anything", turn, attempts=2
    )
    assert responses(messages) == ["utter_verification_code_format"]
    assert "verification_attempts" not in slot_events(events)


async def test_something_that_is_not_an_address_is_asked_again(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    messages, events = await give_email(tracker, dispatcher, "my usual one", turn)
    assert responses(messages) == ["utter_account_email_invalid"]
    assert slot_events(events)["account_email"] is None
    assert smtp_server.mailbox.messages == []


async def test_mail_down_gets_a_polite_answer_with_the_concierge_and_no_live_code(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    configure_runtime: Configure,
    unused_tcp_port_factory: Callable[[], int],
) -> None:
    nothing_listens = unused_tcp_port_factory()
    configure_runtime(replace(runtime.settings(), smtp_port=nothing_listens), account)

    for email in (ISABELLE, "nobody@example.com"):  # the same answer: nothing is revealed
        messages, events = await give_email(tracker, dispatcher, email, turn)
        # The concierge's contacts come from the slots set at session start.
        assert responses(messages) == ["utter_verification_mail_failed"]
        assert slot_events(events) == {
            "account_email": None,
            "verification_stopped": True,
            "requested_slot": None,
        }
    async with account() as session:
        codes = list(await session.scalars(select(VerificationCode)))
    assert codes and all(code.used_at is not None for code in codes), "no code left waiting"


async def test_a_verified_customer_is_not_asked_again(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    contact = await contact_id(account, ISABELLE)
    for task, next_slot in [("show_preferences", None), ("set_language", "preferred_language")]:
        messages, events = await run(
            FORM,
            dispatcher,
            tracker(
                text="show me my preferences",
                intent="show_preferences",
                slots={"account_task": task, "verified_contact_id": contact},
                metadata=turn.metadata,
            ),
        )
        assert slot_events(events) == {"requested_slot": next_slot}
        assert messages == []
    assert smtp_server.mailbox.messages == []


async def test_the_california_request_asks_who_may_make_it_first(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    _, events = await run(
        FORM,
        dispatcher,
        tracker(text="x", slots={"account_task": "california"}, metadata=turn.metadata),
    )
    assert slot_events(events) == {"requested_slot": "california_eligible"}

    _, events = await run(
        FORM,
        dispatcher,
        tracker(
            text="no",
            intent="deny",
            slots={"account_task": "california"},
            candidates={"california_eligible": False},
            metadata=turn.metadata,
        ),
    )
    assert slot_events(events) == {"requested_slot": None}  # "no" ends the form


async def test_nothing_is_asked_of_a_child(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    messages, events = await run(
        FORM,
        dispatcher,
        tracker(
            text="isabelle.moreau@example.com",
            slots={"account_task": "access", "minor_declared": True},
            candidates={"account_email": ISABELLE},
            metadata=turn.metadata,
        ),
    )
    # The form ends at once: no code is mailed (action_run_account_task then clears the slots).
    assert slot_events(events) == {"requested_slot": None}
    assert messages == [] and smtp_server.mailbox.messages == []


def test_the_verified_contact_and_minor_slots_cannot_be_set_by_the_customer() -> None:
    """Only actions set them: their only mapping is `custom` (domain/account.yml)."""
    from pathlib import Path

    text = Path("domain/account.yml").read_text()
    for slot in ("verified_contact_id", "minor_declared"):
        block = text.split(f"\n  {slot}:\n", 1)[1].split("\n  # ", 1)[0].split("\n\n", 1)[0]
        assert "- type: custom" in block and "from_" not in block, block
