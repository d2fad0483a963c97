"""Where a handoff goes in the queue: its labels, its team, and its topic in words.

Labels (after-sales, boutique, privacy, complaint) are set from the handoff's reason and
the topic the assistant last understood, and agents may change them; the team follows the
labels, and agents may hand a conversation to another team.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import ConversationLabel

# Why the conversation needs a person, in words (the Rasa actions' and the gateway's reasons).
REASONS = {
    "customer_request": "Asked for a person",
    "complaint": "Complaint",
    "needs_person": "A topic for a person (lost or stolen piece, authenticity, legal)",
    "assistant_unavailable": "The assistant could not answer (it was down or failed)",
    "not_understood": "The assistant did not understand",
    "verification_lockout": "Locked out after wrong order or repair answers",
    "team_transfer": "Handed over from another team",
}

LABELS = {
    "after-sales": "After-sales",
    "boutique": "Boutique",
    "privacy": "Privacy",
    "complaint": "Complaint",
}
TEAMS = {
    "concierge": "Concierge",
    "after-sales": "After-sales",
    "boutiques": "Boutiques",
    "privacy": "Privacy",
}
DEFAULT_TEAM = "concierge"
# The first label found in this order decides the team.
TEAM_BY_LABEL = (("privacy", "privacy"), ("after-sales", "after-sales"), ("boutique", "boutiques"))

LABEL_BY_REASON = {
    "complaint": "complaint",
    "verification_lockout": "after-sales",
    "needs_person": "after-sales",  # a lost or stolen piece, authenticity, a legal matter
}
LABEL_BY_INTENT = {
    "check_order_status": "after-sales",
    "check_repair_status": "after-sales",
    "list_orders": "after-sales",
    "ask_care": "after-sales",
    "find_boutique": "boutique",
    "ask_product": "boutique",
    "privacy": "privacy",
    "privacy_request_status": "privacy",
    "request_data_access": "privacy",
    "request_data_deletion": "privacy",
    "request_data_correction": "privacy",
    "request_california_disclosure": "privacy",
    "opt_out_marketing": "privacy",
    "opt_in_marketing": "privacy",
    "complain": "complaint",
}
INTENT_WORDS = {
    "greet": "Greeting",
    "goodbye": "Goodbye",
    "affirm": "Yes",
    "deny": "No",
    "thank": "Thanks",
    "inform": "Gave details",
    "help": "What the assistant can do",
    "cancel": "Cancelled",
    "bot_challenge": "Asked if it is a bot",
    "check_order_status": "Order status",
    "check_repair_status": "Repair status",
    "list_orders": "Their orders and repairs",
    "ask_care": "Care of a piece",
    "ask_product": "A piece from the collections",
    "find_boutique": "Boutiques",
    "privacy": "Privacy question",
    "privacy_request_status": "Privacy request status",
    "request_data_access": "Copy of their data",
    "request_data_deletion": "Deleting their data",
    "request_data_correction": "Correcting their data",
    "request_california_disclosure": "California disclosure",
    "opt_out_marketing": "Marketing opt-out",
    "opt_in_marketing": "Marketing opt-in",
    "set_language": "Preferred language",
    "show_preferences": "Their preferences",
    "complain": "Complaint",
    "needs_person": "Lost or stolen piece, authenticity or legal",
    "request_human": "Asked for a person",
    "nlu_fallback": "Not understood",
    "unclear": "Not understood",
    "out_of_scope": "Out of scope",
    "declare_under_13": "Said they are under 13",
}
# Turns that say nothing about what the conversation is about.
NOT_A_TOPIC = frozenset(
    {"greet", "goodbye", "affirm", "deny", "thank", "inform", "cancel", "bot_challenge",
     "request_human", "nlu_fallback", "unclear", "out_of_scope", "help"}
)  # fmt: skip


def reason_in_words(reason: str | None) -> str:
    if not reason:
        return ""
    return REASONS.get(reason, reason.replace("_", " ").capitalize())


def intent_in_words(intent: str) -> str:
    return INTENT_WORDS.get(intent, intent.replace("_", " ").capitalize())


def topic_of(intents: Sequence[str]) -> str | None:
    """The last intent that names a subject (not a greeting, a yes, a request for a person)."""
    return next((i for i in reversed(intents) if i not in NOT_A_TOPIC), None)


def labels_for(reason: str, topic: str | None) -> list[str]:
    found = [LABEL_BY_REASON.get(reason), LABEL_BY_INTENT.get(topic or "")]
    return sorted({label for label in found if label})


def team_for(labels: Iterable[str]) -> str:
    given = set(labels)
    return next((team for label, team in TEAM_BY_LABEL if label in given), DEFAULT_TEAM)


async def labels_of(session: AsyncSession, conversation_id: int) -> list[str]:
    rows = await session.scalars(
        select(ConversationLabel.label).where(ConversationLabel.conversation_id == conversation_id)
    )
    return sorted(rows)


async def set_labels(session: AsyncSession, conversation_id: int, labels: Iterable[str]) -> None:
    """Replace the conversation's labels; unknown ones are refused (ValueError)."""
    wanted = set(labels)
    if unknown := wanted - LABELS.keys():
        raise ValueError(f"unknown labels: {', '.join(sorted(unknown))}")
    await session.execute(
        delete(ConversationLabel).where(ConversationLabel.conversation_id == conversation_id)
    )
    session.add_all(ConversationLabel(conversation_id=conversation_id, label=x) for x in wanted)
    await session.flush()
