"""The demo data's checks are tried on a copy of its YAML files with one thing broken."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store.demo import DEMO_DIR


@pytest.fixture
def broken_copy(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """broken_copy(file, old, new): a copy of the demo data with the first `old` in `file`
    replaced by `new`."""

    def copy_with(file: str, old: str, new: str) -> Path:
        copy = tmp_path / "demo"
        shutil.copytree(DEMO_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        text = (copy / file).read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {file}"
        (copy / file).write_text(text.replace(old, new, 1), encoding="utf-8")
        return copy

    return copy_with
