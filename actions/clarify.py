"""The clarifying question: when the assistant is not sure, it offers its best guesses.

A misunderstood message (nlu_fallback) still carries what the NLU thought likeliest: the
intent ranking, and, when `privacy` was among the guesses, the ResponseSelector's ranking of
privacy answers (rasa_addons/retrieval_gate.py keeps both when it turns an unsure privacy
answer into the fallback). The likeliest two or three topics become buttons; each leads
straight to its answer or flow, and "Something else" (a "no" to the question) leads to the
offer of the concierge (utter_concierge_declined, data/rules/core.yml).

Only topics whose button merely answers or asks are offered: never one that would start a
change (marketing preferences, privacy requests), which a guess must not put one tap away.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

# Buttons for intents worth offering as a guess: what the customer reads, and its payload.
INTENT_TOPICS: dict[str, tuple[str, str]] = {
    "check_order_status": ("The status of an order", "/check_order_status"),
    "list_orders": ("My orders", "/list_orders"),
    "check_repair_status": ("The status of a repair", "/check_repair_status"),
    "ask_product": ("Our collections", "/ask_product"),
    "ask_care": ("Caring for a piece", "/ask_care"),
    "find_boutique": ("Finding a boutique", "/find_boutique"),
    "request_human": ("Speaking with the concierge", "/request_human"),
    "complain": ("Making a complaint", "/complain"),
    "help": ("What you can help with", "/help"),
}

# What each privacy answer is about, as a button title (keys: domain/privacy.yml).
PRIVACY_TOPICS: dict[str, str] = {
    "who_we_are": "Who we are",
    "policy_scope": "What our privacy policy covers",
    "policy_updates": "Updates to the policy",
    "data_at_registration": "What we ask when you register",
    "data_in_boutiques": "Details given in a boutique",
    "data_on_concierge_calls": "Calls and messages to the concierge",
    "data_from_social_media": "Messages through social media",
    "data_uses": "How we use your information",
    "marketing_use": "Marketing messages",
    "data_collected_automatically": "What we collect automatically",
    "ip_and_device_data": "IP address and device data",
    "cookies_what": "What cookies are",
    "cookies_why": "Why we use cookies",
    "cookies_first_vs_third_party": "First- and third-party cookies",
    "cookies_session_vs_permanent": "Session and permanent cookies",
    "cookies_types_overview": "The cookies we use",
    "cookies_essential": "Essential cookies",
    "cookies_functionality": "Functionality cookies",
    "cookies_analytics": "Analytics cookies",
    "cookies_advertising": "Advertising cookies",
    "cookies_social_sharing": "Social sharing cookies",
    "cookies_refuse_or_delete": "Refusing or deleting cookies",
    "cookies_learn_more": "Learning more about cookies",
    "advertising_network": "Our advertising partners",
    "advertising_third_party_tracking": "Tracking by ad partners",
    "advertising_opt_out": "Opting out of interest-based ads",
    "sharing_do_we_sell": "Whether we sell your data",
    "sharing_service_providers": "Who we share data with",
    "sharing_legal": "Sharing when the law requires it",
    "sharing_business_transfer": "If the business changes hands",
    "international_transfers": "Data sent abroad",
    "data_security": "How we protect your data",
    "privacy_rights_overview": "Your privacy rights",
    "access_my_data": "Seeing the data we hold",
    "correct_my_data": "Correcting your data",
    "delete_my_data": "Deleting your data",
    "stop_marketing": "Stopping marketing",
    "service_messages": "Service messages",
    "california_who_can_ask": "California: who can ask",
    "california_what_you_get": "California: what you receive",
    "california_how_to_ask": "California: how to ask",
    "california_how_often": "California: how often",
    "california_not_all_covered": "California: what is not covered",
    "children_under_13": "Children under 13",
    "contact_privacy": "Contacting us about privacy",
}

PRIVACY_INTENT = "privacy"
ENTITY = "privacy_key"  # the entity a privacy topic button carries (domain/privacy.yml)
MAX_TOPICS = 3
# Guesses below these are noise, not topics worth a button: an intent the classifier gave
# less than a tenth, an answer the selector gave less than a twentieth (of ~45).
MIN_INTENT_CONFIDENCE = 0.1
MIN_ANSWER_CONFIDENCE = 0.05
SOMETHING_ELSE = {"title": "Something else", "payload": "/deny"}


def privacy_payload(key: str) -> str:
    """The button payload that leads straight to one privacy answer."""
    return "/inform" + json.dumps({ENTITY: key}, separators=(",", ":"))


def _privacy_buttons(parse: dict[str, Any]) -> list[dict[str, str]]:
    selected = (parse.get("response_selector") or {}).get(PRIVACY_INTENT) or {}
    buttons = []
    for answer in selected.get("ranking") or []:
        key = str(answer.get("intent_response_key") or "").removeprefix(PRIVACY_INTENT + "/")
        confidence = float(answer.get("confidence") or 0.0)
        if key in PRIVACY_TOPICS and confidence >= MIN_ANSWER_CONFIDENCE:
            buttons.append({"title": PRIVACY_TOPICS[key], "payload": privacy_payload(key)})
    return buttons[:2]  # two answers at most, so another intent's guess may still show


def topic_buttons(parse: dict[str, Any]) -> list[dict[str, str]]:
    """The likeliest two or three topics of a misunderstood message, likeliest first."""
    buttons: list[dict[str, str]] = []
    for intent in parse.get("intent_ranking") or []:
        name = intent.get("name")
        if float(intent.get("confidence") or 0.0) < MIN_INTENT_CONFIDENCE:
            continue
        if name == PRIVACY_INTENT:
            buttons += _privacy_buttons(parse)
        elif name in INTENT_TOPICS:
            title, payload = INTENT_TOPICS[name]
            buttons.append({"title": title, "payload": payload})
    unique = list({button["payload"]: button for button in buttons}.values())
    return unique[:MAX_TOPICS]


def chosen_privacy_key(entities: list[dict[str, Any]]) -> str | None:
    """The privacy answer a topic button asked for, if it is one we have."""
    for entity in entities:
        if entity.get("entity") == ENTITY and entity.get("value") in PRIVACY_TOPICS:
            return str(entity["value"])
    return None


# rasa_sdk ships no type information, so mypy sees Action as Any.
class ActionAnswerPrivacyTopic(Action):  # type: ignore[misc]
    """A privacy topic button of the clarifying question: that answer, and no guessing."""

    def name(self) -> str:
        return "action_answer_privacy_topic"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        entities = (tracker.latest_message or {}).get("entities") or []
        key = chosen_privacy_key(entities)
        if key is None:  # not a key we answer (an old or hand-written payload)
            dispatcher.utter_message(response="utter_ask_rephrase")
        else:
            dispatcher.utter_message(response=f"utter_privacy/{key}")
        return []
