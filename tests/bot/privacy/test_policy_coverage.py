"""Checks that the privacy answers cover the policy, cite it, and promise no more than it does.

Reads bot/privacy/policy_sections.yml and coverage.yml, domain/privacy.yml (the answers),
domain/account.yml (the replies of the account tasks: preferences, privacy requests, a child),
data/nlu/privacy.yml and tests/nlu/privacy.yml, and the one reply about data the gateway
writes itself (to a child, bot/gateway/conversations/minors.py).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from bot.gateway.conversations import minors
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
SECTIONS_FILE = ROOT / "bot" / "privacy" / "policy_sections.yml"
COVERAGE_FILE = ROOT / "bot" / "privacy" / "coverage.yml"
DOMAIN_FILE = ROOT / "domain" / "privacy.yml"
ACCOUNT_FILE = ROOT / "domain" / "account.yml"
CONSENT_FILE = ROOT / "domain" / "consent.yml"  # what the assistant asks before a change
TRAINING_FILE = ROOT / "data" / "nlu" / "privacy.yml"
NLU_TEST_FILE = ROOT / "tests" / "nlu" / "privacy.yml"
CONVERSATION_TEST_FILE = ROOT / "tests" / "conversations" / "privacy.yml"

RETRIEVAL_INTENT = "privacy"
RESPONSE_PREFIX = f"utter_{RETRIEVAL_INTENT}/"
MIN_TRAINING_EXAMPLES = 10
MIN_TEST_EXAMPLES = 3
MAX_SENTENCES = 5
SOURCE_LINE = re.compile(r"^\(Privacy policy, “(?P<heading>[^”]+)”\)$")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Long runs of digits and spaces, as in a phone number; "1798.83" and "CH-1228" do not match.
PHONE = re.compile(r"\+?\d[\d ]{7,}\d")
CALIFORNIA_SUBJECT = "“Request for California Privacy Information”"
CONTACT_EMAIL = "{concierge_email}"
CONTACT_PHONE = "{concierge_phone}"

# Payloads the privacy answers may offer: the handoff, and privacy actions built elsewhere.
ALLOWED_PAYLOADS = {
    "/request_human",
    "/opt_out_marketing",
    "/request_data_access",
    "/request_data_correction",
    "/request_data_deletion",
    "/request_california_disclosure",
    "/show_preferences",
}

# Promises the policy does not make. It names no response time (only "once per calendar
# year" for California), no retention period, no right to deletion, no absolute security and
# no law beyond California Civil Code 1798.83.
UNSUPPORTED_PROMISES = {
    "a duration": re.compile(
        r"\b(?:within|in|after|for)\s+(?:\d+|a|one|two|three|thirty|several)\s+"
        r"(?:business\s+|working\s+)?(?:hours?|days?|weeks?|months?|years?)\b",
        re.IGNORECASE,
    ),
    "deletion": re.compile(
        r"\b(?:we will|we'll|we shall|will be)\s+(?:permanently\s+)?(?:delete|erase|remove)"
        r"|\b(?:will be|is|are)\s+(?:permanently\s+)?(?:deleted|erased|removed)\b"
        r"(?!\s+automatically)",
        re.IGNORECASE,
    ),
    "a guarantee": re.compile(
        r"\bguarantee|\bensure\b|\b100\s*%|\b(?:fully|completely|totally) secure", re.IGNORECASE
    ),
    "never sharing": re.compile(r"\bnever (?:share|sell|disclose|rent)\b", re.IGNORECASE),
    "notification of changes": re.compile(
        r"\bnotify you\b|\bwe will (?:e-?mail|tell|inform) you\b", re.IGNORECASE
    ),
    "a retention period": re.compile(
        r"\bretain(?:ed)? for\b|\bretention period is\b|\bkeep (?:it|your data) for\b",
        re.IGNORECASE,
    ),
    "rights under other laws": re.compile(
        r"\bGDPR\b|\bCCPA\b|\bCPRA\b|\bCOPPA\b|right to be forgotten", re.IGNORECASE
    ),
}


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return YAML(typ="safe", pure=True).load(handle)


@cache
def policy() -> dict[str, Any]:
    return _load(SECTIONS_FILE)


@cache
def headings() -> dict[str, str]:
    return {section["id"]: section["heading"] for section in policy()["sections"]}


@cache
def coverage() -> dict[str, Any]:
    return _load(COVERAGE_FILE)


@cache
def domain() -> dict[str, Any]:
    return _load(DOMAIN_FILE)


@cache
def answers() -> dict[str, list[dict[str, Any]]]:
    """Response variations per key, for the responses utter_privacy/<key>."""
    return {
        name.removeprefix(RESPONSE_PREFIX): variations
        for name, variations in domain()["responses"].items()
        if name.startswith(RESPONSE_PREFIX)
    }


def _examples(path: Path) -> dict[str, list[str]]:
    """NLU examples per key, for the intents privacy/<key>, as written (one per "- " line)."""
    examples: dict[str, list[str]] = {}
    for block in _load(path)["nlu"]:
        intent = block.get("intent", "")
        if not intent.startswith(f"{RETRIEVAL_INTENT}/"):
            continue
        lines = [line.strip() for line in block["examples"].splitlines() if line.strip()]
        assert all(line.startswith("- ") for line in lines), f"{path.name}: malformed {intent}"
        key = intent.split("/", 1)[1]
        examples.setdefault(key, []).extend(line[2:].strip() for line in lines)
    return examples


@cache
def training_examples() -> dict[str, list[str]]:
    return _examples(TRAINING_FILE)


@cache
def nlu_test_examples() -> dict[str, list[str]]:
    return _examples(NLU_TEST_FILE)


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def _split(text: str) -> tuple[str, str]:
    """An answer's body and its last line, which must be the source line."""
    body, _, last = text.strip().rpartition("\n")
    return body.strip(), last.strip()


def _all_texts() -> list[tuple[str, str]]:
    return [(key, v["text"]) for key, variations in answers().items() for v in variations]


@cache
def replies_about_data() -> dict[str, list[str]]:
    """Every reply that speaks about the customer's data, by response name: the privacy
    answers, the account replies and their confirmation questions, and the gateway's reply to a
    child."""
    replies = {
        RESPONSE_PREFIX + key: [v["text"] for v in variations]
        for key, variations in answers().items()
    }
    for path in (ACCOUNT_FILE, CONSENT_FILE):
        for name, variations in _load(path)["responses"].items():
            replies[name] = [v["text"] for v in variations]
    replies["gateway_minor_reply"] = [minors.reply(Settings()).text]
    return replies


def wording() -> dict[str, Any]:
    return dict(coverage()["wording"])


ALL_KEYS = sorted(answers())


# --- The policy data -----------------------------------------------------------------------------


def test_policy_data_is_complete() -> None:
    data = policy()
    assert data["policy"]["date"] == "2017-12-11"
    assert data["policy"]["jurisdiction"] == "US"
    assert data["contact"]["email"] and data["contact"]["phone"]
    ids = [section["id"] for section in data["sections"]]
    assert len(ids) == len(set(ids)), "section ids must be unique"
    for section in data["sections"]:
        assert section["heading"].strip() == section["heading"] and section["heading"]
        if "parent" in section:
            assert section["parent"] in ids


# --- Coverage map ---------------------------------------------------------------------------------


def test_every_section_has_an_answer() -> None:
    by_section = coverage()["sections"]
    unanswered = [sid for sid in headings() if not by_section.get(sid)]
    assert not unanswered, f"sections without an answer: {unanswered}"


def test_coverage_points_only_to_existing_sections() -> None:
    known = set(headings())
    cov = coverage()
    unknown = set(cov["sections"]) - known
    unknown |= {sid for sid in cov["keys"].values() if sid not in known}
    unknown |= set(cov.get("subtopics", {})) - known
    assert not unknown, f"coverage names sections that do not exist: {sorted(unknown)}"


def test_sections_and_keys_maps_agree() -> None:
    cov = coverage()
    from_sections = {key: sid for sid, keys in cov["sections"].items() for key in keys}
    listed = [key for keys in cov["sections"].values() for key in keys]
    assert len(listed) == len(set(listed)), "a key is listed under more than one section"
    assert from_sections == cov["keys"]


def test_subtopics_are_answered_by_a_key_of_their_section() -> None:
    cov = coverage()
    for sid, subtopics in cov.get("subtopics", {}).items():
        for subtopic, key in subtopics.items():
            assert cov["keys"].get(key) == sid, f"{sid}.{subtopic}: {key} does not answer {sid}"


def test_domain_responses_match_coverage_keys() -> None:
    in_domain = set(answers())
    in_coverage = set(coverage()["keys"])
    missing, unanswered = sorted(in_domain - in_coverage), sorted(in_coverage - in_domain)
    assert not missing, f"answers missing from coverage: {missing}"
    assert not unanswered, f"coverage keys without an answer: {unanswered}"


def test_domain_declares_the_retrieval_intent() -> None:
    assert RETRIEVAL_INTENT in domain()["intents"]
    assert set(domain()["responses"]) == {RESPONSE_PREFIX + key for key in answers()}


# --- The answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ALL_KEYS)
def test_answer_ends_with_its_own_section_heading(key: str) -> None:
    expected = headings()[coverage()["keys"][key]]
    for variation in answers()[key]:
        body, last = _split(variation["text"])
        match = SOURCE_LINE.match(last)
        assert match, f"{key}: last line is not a source line: {last!r}"
        cited = match["heading"]
        assert cited == expected, f"{key}: cites {cited!r}, expected {expected!r}"
        assert "(Privacy policy," not in body, f"{key}: source line must come last, once"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_answer_is_chat_sized(key: str) -> None:
    for variation in answers()[key]:
        body, _ = _split(variation["text"])
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", body) if s]
        assert 2 <= len(sentences) <= MAX_SENTENCES, f"{key}: {len(sentences)} sentences"
        assert len(body) <= 700, f"{key}: {len(body)} characters"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_buttons_use_known_payloads(key: str) -> None:
    for variation in answers()[key]:
        for button in variation.get("buttons", []):
            assert button["title"].strip()
            payload = button["payload"]
            assert payload in ALLOWED_PAYLOADS, f"{key}: unknown payload {payload}"


def test_contact_details_come_from_the_settings_which_match_the_policy() -> None:
    """Replies name the concierge's contacts by their slots (set from the settings at session
    start, actions/session.py), never typed out; the settings' defaults are the policy's."""
    for name, texts in replies_about_data().items():
        if name == "gateway_minor_reply":
            continue  # written by the gateway, from the settings
        for text in texts:
            typed = [e for e in EMAIL.findall(text) if not e.endswith("@example.com")]
            assert not typed, f"{name}: e-mail address typed out: {typed}"
            assert not PHONE.findall(text), f"{name}: phone number typed out"
    contact_text = " ".join(v["text"] for v in answers()["contact_privacy"])
    assert CONTACT_EMAIL in contact_text and CONTACT_PHONE in contact_text
    defaults = Settings()
    assert defaults.concierge_email == policy()["contact"]["email"]
    assert defaults.concierge_phone == policy()["contact"]["phone"]


@pytest.mark.parametrize("name", sorted(replies_about_data()))
def test_reply_promises_nothing_the_policy_does_not(name: str) -> None:
    for text in replies_about_data()[name]:
        for what, pattern in UNSUPPORTED_PROMISES.items():
            found = pattern.search(text)
            assert not found, f"{name}: promises {what}: {found.group(0)!r}"


# --- Wording: the policy's own words where a paraphrase went too far (coverage.yml) ---------


def test_wording_rules_name_existing_replies() -> None:
    rules = wording()
    named = [
        n for rule in rules["forbidden"] + rules["required"] for n in rule.get("responses", [])
    ]
    assert named and not set(named) - set(replies_about_data())


@pytest.mark.parametrize("name", sorted(replies_about_data()))
def test_reply_says_nothing_forbidden(name: str) -> None:
    for rule in wording()["forbidden"]:
        if "responses" in rule and name not in rule["responses"]:
            continue
        for text in replies_about_data()[name]:
            found = re.search(rule["pattern"], text, re.IGNORECASE)
            assert not found, f"{name}: {found.group(0)!r}: {rule['why']}"


@pytest.mark.parametrize("name", sorted(replies_about_data()))
def test_reply_says_what_it_must(name: str) -> None:
    for rule in wording()["required"]:
        if name in rule["responses"]:
            for text in replies_about_data()[name]:
                assert rule["phrase"] in text, f"{name}: lacks {rule['phrase']!r}: {rule['why']}"
    for rule in wording()["together"]:
        for text in replies_about_data()[name]:
            if rule["mentions"] in text.casefold():
                assert rule["says"] in text, f"{name}: lacks {rule['says']!r}: {rule['why']}"


def test_california_answers_give_the_exact_subject_line() -> None:
    for key in coverage()["sections"]["california"]:
        for variation in answers()[key]:
            assert CALIFORNIA_SUBJECT in variation["text"], f"{key}: missing the subject line"


def test_california_frequency_is_once_per_calendar_year() -> None:
    for variation in answers()["california_how_often"]:
        assert "once per calendar year" in variation["text"]


def test_deletion_answer_offers_a_request_not_a_promise() -> None:
    for variation in answers()["delete_my_data"]:
        text = variation["text"]
        assert "ask" in text and "does not set out a right" in text
        assert {b["payload"] for b in variation.get("buttons", [])} >= {"/request_data_deletion"}


def test_sharing_answer_states_the_exceptions() -> None:
    for variation in answers()["sharing_do_we_sell"]:
        assert "except" in variation["text"]


# --- Training and test data -----------------------------------------------------------------------


@pytest.mark.parametrize("key", ALL_KEYS)
def test_key_has_enough_training_examples(key: str) -> None:
    count = len(training_examples().get(key, []))
    assert count >= MIN_TRAINING_EXAMPLES, f"{key}: {count} training examples"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_key_has_nlu_test_examples(key: str) -> None:
    count = len(nlu_test_examples().get(key, []))
    assert count >= MIN_TEST_EXAMPLES, f"{key}: {count} NLU test examples"


def test_nlu_data_names_only_known_keys() -> None:
    known = set(answers())
    assert not set(training_examples()) - known
    assert not set(nlu_test_examples()) - known


def test_no_training_example_is_given_to_two_keys() -> None:
    seen: dict[str, str] = {}
    for key, examples in training_examples().items():
        for example in examples:
            other = seen.setdefault(_normalise(example), key)
            assert other == key, f"{example!r} is under both {other} and {key}"


def test_nlu_test_examples_are_not_in_the_training_data() -> None:
    trained = {_normalise(e) for examples in training_examples().values() for e in examples}
    tested = [e for examples in nlu_test_examples().values() for e in examples]
    leaked = [e for e in tested if _normalise(e) in trained]
    assert not leaked, f"NLU test examples also in training data: {leaked}"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_key_is_asked_in_a_conversation_test(key: str) -> None:
    """Every answer is reached from real customer text in tests/conversations, which Rasa
    must predict without an error (tests/system/test_rasa_project.py)."""
    asked = set(
        re.findall(rf"\bintent: {RETRIEVAL_INTENT}/(\w+)", CONVERSATION_TEST_FILE.read_text())
    )
    assert key in asked, f"no conversation test asks for privacy/{key}"
