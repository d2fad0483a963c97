"""Which trained model belongs to the current training data and config.

A model is named after a hash of everything Rasa trains from, so `make run` trains only when
`models/` has no model for exactly this data and config, and never serves a stale one.
`train()` is `make model`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from bot.operations.console import log_dir, say, shown
from bot.operations.steps import run_step
from bot.operations.training_progress import TrainingProgress, components_to_train
from bot.settings import PROJECT_ROOT

TRAINING_INPUTS = ("config.yml", "domain", "data")


def training_fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_name(root: Path = PROJECT_ROOT) -> str:
    return f"assistant-{training_fingerprint(root)}"


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "models" / f"{model_name(root)}.tar.gz"


def train(root: Path = PROJECT_ROOT) -> int:
    """`make model`: train unless models/ has the model for this data and config. Rasa's
    output goes to var/log/train.log; the screen gets one line with a progress bar."""
    model = model_path(root)
    if model.exists():
        say("model", f"up to date: {shown(model)}")
        return 0
    log = log_dir() / "train.log"
    # Rasa writes the archive in place: trained elsewhere and renamed when complete, an
    # interrupted training never leaves a half-written model under the name `make run` trusts.
    with tempfile.TemporaryDirectory(dir=model.parent, prefix=".training-") as out:
        command = [
            *(str(root / ".venv/rasa/bin/rasa"), "train", "--config", "config.yml"),
            *("--domain", "domain", "--data", "data"),
            *("--fixed-model-name", model_name(root), "--out", out),
        ]
        code = run_step(
            "model",
            command,
            log,
            working="training",
            done=f"trained {shown(model)}",
            hint=(
                "fix what the log names in config.yml, domain/ or data/, then `make model`; "
                "if you changed none of them, `make clean && make run` rebuilds everything"
            ),
            progress=TrainingProgress(components_to_train(root / "config.yml")),
            env={"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"},
            show_log=True,
        )
        if code == 0:
            os.replace(Path(out) / model.name, model)
    return code
