"""Proving who the customer is before anything of theirs is changed or shown.

verify_identity_form asks for the e-mail address on file, mails a one-time code there
(services: verification, mail) and checks what the customer types. Once the code matches, the
conversation's channel identity is linked to the contact and `verified_contact_id` holds the
contact for the rest of the session. Then the form asks the one detail the task needs
(which marketing, which language, what to correct), and action_run_account_task does it.

The address and the code the customer types stay in the tracker's slots no longer than the
turn that uses them: once the code is mailed, `account_email` holds only the masked address
(a marker the form needs to go on), and once the code matches, nothing; `verification_code`
never holds more than "verified". The message the code was typed in is masked in the store
(verification.mask_code_message), so the inbox shows "••••••".

Whether an address is on file is never revealed: the reply to any address is "if it is on
file, a code is on its way"; the masked address shown is the one the customer typed, not one
read from the store; a wrong code and a code that was never sent get the same answer, and
the attempts are counted here so both stop after the same number of tries.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import account_state as state
from actions import runtime
from actions.context import turn_context
from bot.services import preferences, proofs, verification
from bot.store.models import ProofMethod

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
CODE_DIGITS = 6
# The detail each task asks for once the customer is verified.
TASK_DETAIL = {
    "opt_in": state.MARKETING_MEDIUM,
    "set_language": state.PREFERRED_LANGUAGE,
    "correction": state.CORRECTION_DETAILS,
}
MAX_CORRECTION_LENGTH = 1000
# Words the NLU lookups know beyond bot.services.preferences.MEDIUM_WORDS (data/nlu/lookups/).
MORE_MEDIUM_WORDS = {
    "call": "phone",
    "calling": "phone",
    "catalogue": "post",
    "catalog": "post",
    "catalogs": "post",
}


def find_email(value: Any) -> str | None:
    for candidate in value if isinstance(value, list) else [value]:
        if isinstance(candidate, str) and (match := EMAIL.search(candidate)):
            return match.group(0)
    return None


def first_text(value: Any) -> str | None:
    values = value if isinstance(value, list) else [value]
    return next((v for v in values if isinstance(v, str)), None)


class EmailValidation:
    """validate_account_email, shared by both forms. Only verify_identity_form sends a code."""

    sends_code = True

    async def validate_account_email(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if state.minor_declared(tracker):
            return {state.ACCOUNT_EMAIL: None}
        if self.sends_code and state.verified_contact_id(tracker) is not None:
            return {state.ACCOUNT_EMAIL: None}  # already verified: no new code needed
        email = find_email(value)
        if email is None:
            dispatcher.utter_message(response="utter_account_email_invalid")
            return {state.ACCOUNT_EMAIL: None}
        if not self.sends_code:
            return {state.ACCOUNT_EMAIL: email}
        try:
            await verification.send_code(
                runtime.settings(), runtime.sessions(), tracker.sender_id, email
            )
        except verification.MailUnavailable as error:
            logger.warning("one-time code not sent: %s", error)
            dispatcher.utter_message(response="utter_verification_mail_failed")
            return {state.ACCOUNT_EMAIL: None, state.VERIFICATION_STOPPED: True}
        masked = verification.mask_email(email)
        dispatcher.utter_message(response="utter_verification_code_sent", masked_email=masked)
        return {
            # The address has been used: only its masked form stays, for the form to go on.
            state.ACCOUNT_EMAIL: masked,
            state.VERIFICATION_CODE: None,
            state.VERIFICATION_ATTEMPTS: 0,
        }


class ValidateVerifyIdentityForm(EmailValidation, FormValidationAction):  # type: ignore[misc]
    def name(self) -> str:
        return "validate_verify_identity_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if state.minor_declared(tracker) or tracker.get_slot(state.VERIFICATION_STOPPED):
            return []  # the form ends; action_run_account_task says why if need be
        task = tracker.get_slot(state.ACCOUNT_TASK)
        slots: list[str] = []
        if task == "california":
            if tracker.get_slot(state.CALIFORNIA_ELIGIBLE) is False:
                return []
            slots.append(state.CALIFORNIA_ELIGIBLE)
        if state.verified_contact_id(tracker) is None:
            slots += [state.ACCOUNT_EMAIL, state.VERIFICATION_CODE]
        if detail := TASK_DETAIL.get(str(task)):
            slots.append(detail)
        return slots

    async def validate_verification_code(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if state.minor_declared(tracker):
            return {state.VERIFICATION_CODE: None}
        digits = "".join(ch for ch in first_text(value) or "" if ch.isdigit())
        if len(digits) != CODE_DIGITS:
            dispatcher.utter_message(response="utter_verification_code_format")
            return {state.VERIFICATION_CODE: None}
        settings = runtime.settings()
        context = turn_context(tracker)
        async with runtime.sessions().begin() as session:
            result = await verification.check_code(
                session, settings.secret_key, tracker.sender_id, digits, context.identity_id
            )
            if context.conversation_id is not None:
                # Right or wrong, a code is not kept in the store nor shown in the inbox.
                await verification.mask_code_message(session, context.conversation_id, digits)
            if result.contact_id is not None and context.conversation_id is not None:
                # Carried over to the agent if the conversation is handed off.
                await proofs.record(
                    session, context.conversation_id, ProofMethod.CODE, result.contact_id
                )
        if result.outcome is verification.CodeCheck.VERIFIED:
            dispatcher.utter_message(response="utter_verification_succeeded")
            # Only a marker stays in the slot, never the code; the address is done with.
            return {
                state.VERIFICATION_CODE: "verified",
                state.VERIFIED_CONTACT: result.contact_id,
                state.ACCOUNT_EMAIL: None,
            }
        attempts = int(tracker.get_slot(state.VERIFICATION_ATTEMPTS) or 0) + 1
        if (
            result.outcome is verification.CodeCheck.TOO_MANY_ATTEMPTS
            or attempts >= verification.MAX_ATTEMPTS_PER_CODE
        ):
            dispatcher.utter_message(response="utter_verification_too_many_attempts")
            return {state.VERIFICATION_CODE: None, state.VERIFICATION_STOPPED: True}
        # Wrong, expired, used, or never sent (unknown address): one answer for all.
        dispatcher.utter_message(response="utter_verification_code_wrong")
        return {state.VERIFICATION_CODE: None, state.VERIFICATION_ATTEMPTS: attempts}

    async def validate_marketing_medium(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        return validate_medium(value, dispatcher)

    async def validate_preferred_language(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        code = preferences.parse_language(first_text(value) or "")
        if code is None:
            dispatcher.utter_message(response="utter_language_unsupported")
        return {state.PREFERRED_LANGUAGE: code}

    async def validate_correction_details(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        text = (first_text(value) or "").strip()
        if not 3 <= len(text) <= MAX_CORRECTION_LENGTH:
            dispatcher.utter_message(response="utter_correction_details_invalid")
            return {state.CORRECTION_DETAILS: None}
        return {state.CORRECTION_DETAILS: text}


def media_value(value: Any) -> str | None:
    """Entity values ("emails", ["email", "texts"], "all") as "email,sms" or "all"."""
    media: list[str] = []
    for word in value if isinstance(value, list) else [value]:
        if not isinstance(word, str):
            continue
        word = word.strip().lower()
        medium = preferences.MEDIUM_WORDS.get(word) or MORE_MEDIUM_WORDS.get(word)
        if medium == "all":
            return "all"
        if medium and medium not in media:
            media.append(medium)
    return ",".join(media) or None


def validate_medium(value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    media = media_value(value)
    if media is None:
        dispatcher.utter_message(response="utter_marketing_medium_unknown")
    return {state.MARKETING_MEDIUM: media}
