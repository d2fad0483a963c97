"""What every sender shares: a long text cut into parts a platform accepts."""

from __future__ import annotations

import pytest

from bot.gateway.delivery.senders import split_text


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("short", 10, ["short"]),
        ("One two. Three four.", 12, ["One two.", "Three four."]),
        ("Para one.\n\nPara two is here.", 20, ["Para one.", "Para two is here."]),
        ("abcdefghijkl", 5, ["abcde", "fghij", "kl"]),
        ("", 5, [""]),
    ],
)
def test_split_text_cuts_at_the_most_natural_boundary(
    text: str, limit: int, parts: list[str]
) -> None:
    assert split_text(text, limit) == parts
