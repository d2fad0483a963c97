"""What `make run`, `make model` and `make deps` print: one line per step, `[step] what
happened`, while each process's full output goes to a log file under var/log/.

On a terminal, a step that takes a while shows one line that updates in place (\\r); anywhere
else (a CI log, a pipe) only finished lines are printed, so logs stay readable.

Standard library only: `make deps` runs it with the bare Python 3.10, before our environment
exists.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TAIL_LINES = 20
# Colours and cursor moves in a process's own output: noise in a tail printed back to the user.
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def log_dir() -> Path:
    """Where every process's log goes: var/log/ unless LOG_DIR says otherwise (tests)."""
    return Path(os.environ.get("LOG_DIR") or PROJECT_ROOT / "var" / "log")


def shown(path: Path) -> str:
    """A path as a newcomer would type it: relative to the project when inside it."""
    return str(path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path)


def duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


class StatusLine:
    """The one line at the bottom of a terminal that says what is happening now."""

    def __init__(self) -> None:
        self.live = sys.stdout.isatty() and os.environ.get("TERM") != "dumb"
        self._shown = False

    def update(self, text: str) -> None:
        if self.live:
            width = shutil.get_terminal_size().columns - 1
            sys.stdout.write(f"\r\x1b[K{text[:width]}")
            sys.stdout.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            sys.stdout.write("\r\x1b[K")
            sys.stdout.flush()
            self._shown = False

    def say(self, step: str, text: str) -> None:
        """A finished line, above the status line (which the next update redraws)."""
        self.clear()
        say(step, text)


def say(step: str, text: str) -> None:
    print(f"[{step}] {text}", flush=True)


def tail(log: Path, lines: int = TAIL_LINES) -> list[str]:
    """The last lines of a log as a terminal showed them: a progress bar's last state only."""
    try:
        with log.open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - 64 * 1024))
            text = file.read().decode(errors="replace")
    except OSError:
        return []
    shown_lines = [_ESCAPES.sub("", line.split("\r")[-1]).rstrip() for line in text.split("\n")]
    return [line for line in shown_lines if line.strip()][-lines:]


def report_failure(step: str, what: str, log: Path, hint: str) -> None:
    """What failed, the end of its log, and what to do: on stderr, which CI logs keep too."""
    sys.stdout.flush()
    last = tail(log)
    lines = "line" if len(last) == 1 else f"{len(last)} lines"
    where = f"last {lines} of {shown(log)}" if last else f"{shown(log)} is empty"
    said = [f"[{step}] {what}; {where}:", *(f"    {line}" for line in last)]
    if hint:
        said.append(f"[{step}] {hint}")
    print("\n".join(said), file=sys.stderr, flush=True)
