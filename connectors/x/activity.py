"""X events as we store them: a direct message or a public mention, from either source.

The Account Activity webhook sends v1.1-shaped events; polling reads API v2 DM events. Both
are reduced here to one small `XEvent`, which is what `inbound_events` keeps and what the
connector handles. Events we do not answer never become one: our own messages (X echoes
every DM we send), events for another account, retweets, and activity of other kinds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Kind = Literal["dm", "mention"]

# The event keys an Account Activity POST can carry (one per POST, next to for_user_id).
ACCOUNT_ACTIVITY_KEYS = frozenset(
    {
        "tweet_create_events",
        "tweet_delete_events",
        "favorite_events",
        "follow_events",
        "unfollow_events",
        "block_events",
        "unblock_events",
        "mute_events",
        "unmute_events",
        "user_event",
        "direct_message_events",
        "direct_message_indicate_typing_events",
        "direct_message_mark_read_events",
    }
)


@dataclass(frozen=True)
class XEvent:
    kind: Kind
    id: str  # the DM event id or the post id
    sender_id: str
    text: str
    name: str | None = None

    @property
    def event_id(self) -> str:
        # DM event ids and post ids come from one id space, but keep the kinds apart anyway.
        return f"{self.kind}:{self.id}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> XEvent:
        return cls(
            kind="mention" if data["kind"] == "mention" else "dm",
            id=str(data["id"]),
            sender_id=str(data["sender_id"]),
            text=str(data["text"]),
            name=data.get("name"),
        )


def is_account_activity(body: Any) -> bool:
    """Whether a webhook body is shaped like an Account Activity event: a JSON object naming
    the account it is for and carrying at least one known kind of event."""
    return (
        isinstance(body, dict)
        and isinstance(body.get("for_user_id"), (str, int))
        and not isinstance(body.get("for_user_id"), bool)
        and str(body["for_user_id"]) != ""
        and any(key in body for key in ACCOUNT_ACTIVITY_KEYS)
    )


def from_account_activity(body: dict[str, Any], our_user_id: str) -> list[XEvent]:
    """The events of a webhook POST that are for us to answer, oldest first."""
    if str(body.get("for_user_id")) != our_user_id:
        return []
    users = _dict(body.get("users"))
    events = [_dm(e, users, our_user_id) for e in _list(body, "direct_message_events")]
    events += [_mention(t, our_user_id) for t in _list(body, "tweet_create_events")]
    return [event for event in events if event is not None]


def from_dm_event(
    event: dict[str, Any], users: dict[str, dict[str, Any]], our_user_id: str
) -> XEvent | None:
    """An API v2 DM event (GET /2/dm_events), as polling reads them."""
    sender = str(event.get("sender_id") or "")
    if event.get("event_type") != "MessageCreate" or not sender or sender == our_user_id:
        return None
    text = event.get("text")
    if not isinstance(text, str) or not event.get("id"):
        return None
    return XEvent("dm", str(event["id"]), sender, text, (users.get(sender) or {}).get("name"))


def _list(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dm(event: dict[str, Any], users: dict[str, Any], our_user_id: str) -> XEvent | None:
    create = event.get("message_create")
    if event.get("type") != "message_create" or not isinstance(create, dict):
        return None
    sender = str(create.get("sender_id") or "")
    data = create.get("message_data")
    text = data.get("text") if isinstance(data, dict) else None
    if not sender or sender == our_user_id or not isinstance(text, str) or not event.get("id"):
        return None
    return XEvent("dm", str(event["id"]), sender, text, _dict(users.get(sender)).get("name"))


def _mention(post: dict[str, Any], our_user_id: str) -> XEvent | None:
    user = _dict(post.get("user"))
    author = str(user.get("id_str") or "")
    entities = _dict(post.get("entities"))
    mentioned = {
        str(m.get("id_str")) for m in entities.get("user_mentions") or [] if isinstance(m, dict)
    }
    if (
        not author
        or author == our_user_id  # our own posts, including our public replies
        or our_user_id not in mentioned
        or "retweeted_status" in post  # a repost of someone's mention is not a new question
        or not post.get("id_str")
    ):
        return None
    text = _dict(post.get("extended_tweet")).get("full_text") or post.get("text") or ""
    return XEvent("mention", str(post["id_str"]), author, str(text), user.get("name"))
