"""Which trained model belongs to the current training data and config.

A model is named after a hash of everything Rasa trains from, so `make run` trains only when
`models/` has no model for exactly this data and config, and never serves a stale one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

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
