"""Repair status for its owner only: the order flow (actions/lookups.py) with RP- numbers.

What the customer needs to do next (approve an estimate, collect the piece) is part of the
description (bot/services/order_messages.describe_repair).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import lookups
from bot.services import orders
from bot.services.order_messages import describe_repair
from bot.store.models import ProofMethod

REPAIR = lookups.LookupKind(
    form="repair_status_form",
    number_slot="repair_number",
    answer_slot="repair_verification",
    normalise_number=orders.normalise_repair_number,
    look_up=orders.look_up_repair,
    owned=orders.verified_repair,
    describe=describe_repair,
    invalid_number_response="utter_repair_number_invalid",
    not_verified_response="utter_repair_not_verified",
    proof_method=ProofMethod.REPAIR_CHECK,
)


class ValidateRepairStatusForm(lookups.LookupFormValidation):
    kind = REPAIR

    async def validate_repair_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return await lookups.validate_number(REPAIR, value, dispatcher, tracker)

    async def validate_repair_verification(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return await lookups.validate_answer(REPAIR, value, dispatcher, tracker)


class ActionLookUpRepair(Action):  # type: ignore[misc]
    """Run when repair_status_form ends: the repair, the lockout, or a public refusal."""

    def name(self) -> str:
        return "action_look_up_repair"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await lookups.submit(REPAIR, dispatcher, tracker)
