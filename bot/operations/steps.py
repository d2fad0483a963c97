"""One set-up step as one line: run a command with its output in a log, show how long it has
been running, then say it is done (or show the end of its log and what to do).

The Makefile builds the environments with `python -m bot.operations.steps STEP LOG DONE
[--working W] [--hint H] -- COMMAND...`; `python -m bot train` trains through `run_step`, with a
progress bar. Standard library only, like bot/operations/console.py.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO

from bot.operations.console import (
    PROJECT_ROOT,
    StatusLine,
    duration,
    log_dir,
    report_failure,
    say,
    shown,
)

# Reads a command's output as it comes and says how far along it is ("DIETClassifier, epoch 3/40").
Progress = Callable[[str], str]


def run_step(
    step: str,
    command: list[str],
    log: Path,
    *,
    working: str,
    done: str,
    hint: str = "",
    progress: Progress | None = None,
    env: dict[str, str] | None = None,
    show_log: bool = False,
) -> int:
    """Run `command` with its output in `log`; one line on the screen; its exit code.
    `show_log`: say where the log is when it worked too (training's is worth a look)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    status = StatusLine()
    started = time.monotonic()
    latest = [progress("") if progress else ""]
    with log.open("wb") as out:
        try:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env={**os.environ, **(env or {})},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        except OSError as error:
            say(step, f"could not start {command[0]}: {error}")
            return 127
        assert process.stdout is not None
        reader = threading.Thread(target=_copy, args=(process.stdout, out, progress, latest))
        reader.start()
        try:
            while process.poll() is None:
                parts = [f"[{step}] {working}…", latest[0], duration(time.monotonic() - started)]
                status.update("  ".join(part for part in parts if part))
                time.sleep(0.25)
        except KeyboardInterrupt:
            # Ctrl-C reached the command too (same process group); give it a moment to stop.
            _stop(process)
            reader.join()
            status.say(step, f"interrupted after {duration(time.monotonic() - started)}")
            return 130
        reader.join()
    status.clear()
    took = duration(time.monotonic() - started)
    if process.returncode == 0:
        say(step, f"{done} in {took}" + (f" (log: {shown(log)})" if show_log else ""))
    else:
        what = f"{working} failed after {took} (exit code {process.returncode})"
        report_failure(step, what, log, hint or f"the whole log: {shown(log)}")
    return process.returncode


def _copy(source: IO[bytes], out: BinaryIO, progress: Progress | None, latest: list[str]) -> None:
    """Everything the command prints goes to its log; what it says feeds the progress."""
    for chunk in iter(lambda: os.read(source.fileno(), 65536), b""):
        out.write(chunk)
        out.flush()
        if progress is not None:
            latest[0] = progress(chunk.decode(errors="replace"))


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--" not in args:
        args.append("--")  # argparse then says what is missing
    split = args.index("--")
    parser = argparse.ArgumentParser(prog="python -m bot.operations.steps", description=__doc__)
    parser.add_argument("step", help="the name in front of the line, e.g. environments")
    parser.add_argument("log", help="log file name under var/log/, e.g. env-app.log")
    parser.add_argument("done", help="what to say when it worked, e.g. 'built .venv/app'")
    parser.add_argument("--working", default="working", help="what to say while it runs")
    parser.add_argument("--hint", default="", help="what to do when it fails")
    options, command = parser.parse_args(args[:split]), args[split + 1 :]
    if not command:
        parser.error("no command after --")
    return run_step(
        options.step,
        command,
        log_dir() / options.log,
        working=options.working,
        done=options.done,
        hint=options.hint,
    )


if __name__ == "__main__":
    sys.exit(main())
