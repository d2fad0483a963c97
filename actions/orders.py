"""Order status for its owner only; the flow is described in actions/lookups.py."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import account_state, lookups, runtime
from actions.context import turn_context
from actions.handoff import hand_off
from bot.services import lookup_guard, orders
from bot.services.order_messages import describe_order, order_summary_line, repair_summary_line
from bot.store.models import ProofMethod

ORDER = lookups.LookupKind(
    form="order_status_form",
    number_slot="order_number",
    answer_slot="order_verification",
    normalise_number=orders.normalise_order_number,
    look_up=orders.look_up_order,
    owned=orders.verified_order,
    describe=describe_order,
    invalid_number_response="utter_order_number_invalid",
    not_verified_response="utter_order_not_verified",
    proof_method=ProofMethod.ORDER_CHECK,
)

# Buttons in a list of the customer's orders and repairs: enough to choose, short to read.
MAX_LISTED = 5


class ValidateOrderStatusForm(lookups.LookupFormValidation):
    kind = ORDER

    async def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return await lookups.validate_number(ORDER, value, dispatcher, tracker)

    async def validate_order_verification(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return await lookups.validate_answer(ORDER, value, dispatcher, tracker)


class ActionLookUpOrder(Action):  # type: ignore[misc]
    """Run when order_status_form ends: the order, the lockout, or a public refusal."""

    def name(self) -> str:
        return "action_look_up_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await lookups.submit(ORDER, dispatcher, tracker)


class ActionListOrders(Action):  # type: ignore[misc]
    """ "And my other order?": the verified customer's orders and repairs, never asked again.

    Someone not verified in this conversation is asked for one of their numbers first.
    """

    def name(self) -> str:
        return "action_list_orders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        context = turn_context(tracker)
        if context.public:
            dispatcher.utter_message(response="utter_lookup_private_only")
            return []
        if account_state.minor_declared(tracker):
            dispatcher.utter_message(response="utter_minor_no_personal_data")
            return []
        contact_id = tracker.get_slot(lookups.CONTACT_SLOT)
        if not isinstance(contact_id, int):
            dispatcher.utter_message(response="utter_list_orders_needs_verification")
            return []
        async with runtime.sessions().begin() as session:
            if await lookup_guard.locked_until(session, context.lookup_subjects):
                hand_off(dispatcher, "utter_lookup_locked", lookups.HANDOFF_REASON_LOCKOUT)
                return []
            mine = await orders.orders_of(session, contact_id)
            repairs = await orders.repairs_of(session, contact_id)
            lines = [f"- {order_summary_line(order)}" for order in mine]
            lines += [f"- {repair_summary_line(repair)}" for repair in repairs]
            buttons = [
                {
                    "title": order.number,
                    "payload": f'/check_order_status{{"order_number":"{order.number}"}}',
                }
                for order in mine
            ] + [
                {
                    "title": repair.number,
                    "payload": f'/check_repair_status{{"repair_number":"{repair.number}"}}',
                }
                for repair in repairs
            ]
        dispatcher.utter_message(
            response="utter_orders_and_repairs",
            orders="\n".join(lines),
            buttons=buttons[:MAX_LISTED],
        )
        return []
