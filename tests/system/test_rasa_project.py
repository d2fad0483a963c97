"""The Rasa project itself: data validation, conversation tests and the NLU test set.

The conversation tests (tests/conversations/) use real user text and must be predicted
without a single error; the NLU test set (tests/nlu/) is kept apart from the training data.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.operations.training import model_path
from bot.settings import PROJECT_ROOT
from tests.assistant import RASA_BIN, Assistant, base_environment

pytestmark = pytest.mark.rasa

# The floor under which the NLU test set fails the build (measured figures are in the report).
MIN_INTENT_ACCURACY = 0.85
MIN_RESPONSE_SELECTION_ACCURACY = 0.85


def rasa(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RASA_BIN), *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_training_data_is_valid() -> None:
    result = rasa(
        "data",
        "validate",
        "--domain",
        "domain",
        "--fail-on-warnings",
        env=base_environment("", ""),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_conversations_are_predicted_without_errors(assistant: Assistant, tmp_path: Path) -> None:
    env = base_environment(assistant.database_url, assistant.action_url)
    result = rasa(
        "test",
        "core",
        "--model",
        str(model_path()),
        "--stories",
        "tests/conversations",
        "--fail-on-prediction-errors",
        "--out",
        str(tmp_path),
        env=env,
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text()[:6000] if failed.exists() else result.stdout[-4000:]
    assert result.returncode == 0, detail


def test_nlu_test_set_scores_well(tmp_path: Path) -> None:
    result = rasa(
        "test",
        "nlu",
        "--model",
        str(model_path()),
        "--nlu",
        "tests/nlu",
        "--out",
        str(tmp_path),
        env=base_environment("", ""),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    intents = json.loads((tmp_path / "intent_report.json").read_text())
    print(f"NLU test set: intent accuracy {intents['accuracy']:.3f}")
    assert intents["accuracy"] >= MIN_INTENT_ACCURACY, _worst(intents)
    selection = tmp_path / "response_selection_report.json"
    if selection.exists():
        responses = json.loads(selection.read_text())
        print(f"NLU test set: response selection accuracy {responses['accuracy']:.3f}")
        assert responses["accuracy"] >= MIN_RESPONSE_SELECTION_ACCURACY, _worst(responses)


def _worst(report: dict[str, object]) -> str:
    scores = {
        name: values["f1-score"]
        for name, values in report.items()
        if isinstance(values, dict)
        and "f1-score" in values
        and name not in {"micro avg", "macro avg", "weighted avg"}
    }
    return "lowest F1: " + ", ".join(
        f"{k}={v:.2f}" for k, v in sorted(scores.items(), key=lambda kv: kv[1])[:8]
    )
