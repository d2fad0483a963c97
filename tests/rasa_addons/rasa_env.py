"""rasa_addons runs inside Rasa's environment: its tests run their checks there."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from bot.settings import PROJECT_ROOT
from tests.assistant import RASA_BIN

RASA_PYTHON = RASA_BIN.parent / "python"


def run_in_rasa(script: str, *args: str, timeout: float = 300) -> Any:
    """Run `script` with Rasa's Python from the project folder (so `rasa_addons` imports);
    what its last printed line holds, as JSON. Fails with the script's stderr."""
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", script, *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Unclosed" not in result.stderr, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
