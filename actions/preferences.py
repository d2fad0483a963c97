"""Marketing and language preferences: opt out, opt in, see them, choose a language.

Every change is a new consent event (services.preferences.record, source "chat", with the channel
and conversation from the gateway's metadata); the current state is derived from the events.
Only actual changes are recorded, and the reply says exactly what changed and what already
was so. Service messages (order updates) are not marketing and are not affected (privacy
policy, "How to edit, delete or access your personal information").

Opting out needs no code: the customer gives the address on file and the opt-out is
recorded if it is one, with the same reply either way. The trade-off: someone who knows a
customer's address can switch their marketing off (little harm, and nothing is revealed),
while requiring a code would make stopping marketing harder than starting it. Opting in,
seeing the preferences and changing the language need a verified identity.

Nothing is recorded until the customer says Yes to the change named (the ask_* functions and
ActionOptOutMarketing ask; the apply_* functions record, through actions/consent.py). When
nothing would change, that is said at once and nothing is asked.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from sqlalchemy.ext.asyncio import AsyncSession

from actions import account_state as state
from actions import runtime
from actions.context import turn_context
from actions.identity import EmailValidation, validate_medium
from bot.services import preferences, verification
from bot.store.models import Contact


def media_list(value: Any) -> list[str]:
    """The slot's "email,sms" or "all" as media; anything else means all of them."""
    if not isinstance(value, str) or value == "all":
        return list(preferences.MEDIA)
    media = [m for m in value.split(",") if m in preferences.MEDIA]
    return media or list(preferences.MEDIA)


def names(media: list[str]) -> str:
    return state.spoken_list([preferences.MEDIUM_NAMES[m] for m in media])


async def _record(
    session: AsyncSession, contact: Contact, tracker: Tracker, changes: dict[str, str]
) -> None:
    context = turn_context(tracker)
    await preferences.record(
        session,
        contact,
        changes,
        source="chat",
        channel=context.channel,
        conversation_id=context.conversation_id,
    )


async def set_marketing(
    tracker: Tracker, contact: Contact, session: AsyncSession, media: list[str], value: str
) -> tuple[list[str], list[str]]:
    """Record `value` for the media not already at it: (changed, already so)."""
    current = await preferences.current(session, contact)
    wanted = value == preferences.OPT_IN
    changed = [m for m in media if current.marketing[m] != wanted]
    if changed:
        await _record(session, contact, tracker, {preferences.topic(m): value for m in changed})
    return changed, [m for m in media if m not in changed]


def say_what_changed(
    dispatcher: CollectingDispatcher, response: str, changed: list[str], unchanged: list[str]
) -> None:
    """`response` when every medium changed, `response`_partly when some were already so,
    `response`_already when none changed (domain/account.yml)."""
    if changed and unchanged:
        response += "_partly"
    elif unchanged:
        response += "_already"
    dispatcher.utter_message(response=response, changed=names(changed), unchanged=names(unchanged))


class ValidateOptOutForm(EmailValidation, FormValidationAction):  # type: ignore[misc]
    sends_code = False

    def name(self) -> str:
        return "validate_opt_out_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if state.minor_declared(tracker):
            return []
        if state.verified_contact_id(tracker) is not None:
            return [state.MARKETING_MEDIUM]  # the verified contact's own preferences
        return [state.ACCOUNT_EMAIL, state.MARKETING_MEDIUM]

    async def validate_marketing_medium(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        return validate_medium(value, dispatcher)


class ActionOptOutMarketing(Action):  # type: ignore[misc]
    """Runs when opt_out_form is complete: names the opt-out and asks Yes / No."""

    def name(self) -> str:
        return "action_opt_out_marketing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if state.minor_declared(tracker):
            dispatcher.utter_message(response="utter_minor_no_personal_data")
            return state.clear_task()
        media = media_list(tracker.get_slot(state.MARKETING_MEDIUM))
        contact_id = state.verified_contact_id(tracker)
        if contact_id is None:
            # The same words whether or not the address is on file.
            email = str(tracker.get_slot(state.ACCOUNT_EMAIL) or "")
            change: dict[str, Any] = {"kind": "opt_out_by_address", "email": email, "media": media}
            return [
                *state.clear_task(),
                state.ask(
                    dispatcher,
                    "utter_confirm_opt_out_by_address",
                    change,
                    masked_email=_masked(email),
                    media=names(media),
                ),
            ]
        async with runtime.sessions()() as session:
            current = await preferences.current(session, await _contact(session, contact_id))
        changed = [m for m in media if current.marketing[m]]
        if not changed:  # nothing to change, so nothing to ask
            say_what_changed(dispatcher, "utter_marketing_opted_out", [], media)
            return state.clear_task()
        change = {"kind": "opt_out", "contact_id": contact_id, "media": media}
        return [
            *state.clear_task(),
            state.ask(dispatcher, "utter_confirm_opt_out", change, media=names(changed)),
        ]


def _masked(email: str) -> str:
    return verification.mask_email(email) if email else "that address"


async def _contact(session: AsyncSession, contact_id: int) -> Contact:
    contact = await session.get(Contact, contact_id)
    if contact is None:
        raise LookupError(f"no contact {contact_id}")
    return contact


# --- Asking first: nothing is recorded until the customer says Yes (actions/consent.py).


async def ask_opt_in(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int
) -> list[EventType]:
    media = media_list(tracker.get_slot(state.MARKETING_MEDIUM))
    async with runtime.sessions()() as session:
        current = await preferences.current(session, await _contact(session, contact_id))
    changed = [m for m in media if not current.marketing[m]]
    if not changed:  # nothing to change, so nothing to ask
        say_what_changed(dispatcher, "utter_marketing_opted_in", [], media)
        return []
    change = {"kind": "opt_in", "contact_id": contact_id, "media": media}
    return [state.ask(dispatcher, "utter_confirm_opt_in", change, media=names(changed))]


async def show(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int
) -> list[EventType]:
    async with runtime.sessions()() as session:
        current = await preferences.current(session, await _contact(session, contact_id))
    dispatcher.utter_message(response="utter_preferences_current", summary=current.describe())
    return []


async def ask_language(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int
) -> list[EventType]:
    code = preferences.parse_language(str(tracker.get_slot(state.PREFERRED_LANGUAGE) or ""))
    if code is None:  # the form validated it; a stale slot is the only way here
        dispatcher.utter_message(response="utter_language_unsupported")
        return []
    language = preferences.LANGUAGES[code]
    async with runtime.sessions()() as session:
        current = await preferences.current(session, await _contact(session, contact_id))
    if current.language == code:
        dispatcher.utter_message(response="utter_language_unchanged", language=language)
        return []
    change = {"kind": "set_language", "contact_id": contact_id, "language": code}
    return [state.ask(dispatcher, "utter_confirm_language", change, language=language)]


# --- On Yes. Each records only what is not already so, so a second Yes changes nothing.


def _change_media(change: dict[str, Any]) -> list[str]:
    return [m for m in change.get("media") or [] if m in preferences.MEDIA]


async def apply_opt_out(
    dispatcher: CollectingDispatcher, tracker: Tracker, change: dict[str, Any]
) -> None:
    media = _change_media(change)
    if change["kind"] == "opt_out_by_address":
        email = str(change.get("email") or "")
        async with runtime.sessions().begin() as session:
            contact = await verification.contact_by_email(session, email) if email else None
            if contact is not None:
                await set_marketing(tracker, contact, session, media, preferences.OPT_OUT)
        # The same words whether or not the address is on file.
        dispatcher.utter_message(
            response="utter_marketing_opt_out_by_address",
            masked_email=_masked(email),
            media=names(media),
        )
        return
    async with runtime.sessions().begin() as session:
        contact = await _contact(session, int(change["contact_id"]))
        changed, unchanged = await set_marketing(
            tracker, contact, session, media, preferences.OPT_OUT
        )
    say_what_changed(dispatcher, "utter_marketing_opted_out", changed, unchanged)


async def apply_opt_in(
    dispatcher: CollectingDispatcher, tracker: Tracker, change: dict[str, Any]
) -> None:
    async with runtime.sessions().begin() as session:
        contact = await _contact(session, int(change["contact_id"]))
        changed, unchanged = await set_marketing(
            tracker, contact, session, _change_media(change), preferences.OPT_IN
        )
    say_what_changed(dispatcher, "utter_marketing_opted_in", changed, unchanged)


async def apply_language(
    dispatcher: CollectingDispatcher, tracker: Tracker, change: dict[str, Any]
) -> None:
    code = str(change.get("language"))
    language = preferences.LANGUAGES[code]
    async with runtime.sessions().begin() as session:
        contact = await _contact(session, int(change["contact_id"]))
        current = await preferences.current(session, contact)
        if current.language == code:
            dispatcher.utter_message(response="utter_language_unchanged", language=language)
            return
        await _record(session, contact, tracker, {"language": code})
    dispatcher.utter_message(response="utter_language_set", language=language)
