"""`make run` and `make run-scaled`: start what bot/operations/services.py lists, say when each
is ready, and stop them together.

Each process's output goes to its own log, var/log/<name>.log; the screen gets one line per
process when it is ready, then where the web chat and the logs are. The mail sink's mails are
shown on the screen too: in development that is how one-time codes arrive.

A port already taken is named before anything starts. When a process dies, the supervisor
says which, shows the end of its log and what to do. If it was the last of its kind (the only
Rasa server, say), it stops the others instead of leaving a half-working assistant; if another
of its kind still runs, the others carry on: that is what the second one is for. Ctrl-C stops
them all cleanly, during start-up too.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.operations.console import StatusLine, duration, log_dir, report_failure, say, shown
from bot.operations.health import answer, port_taken
from bot.operations.services import (
    Service,
    child_environment,
    gateway_ports_of,
    services,
    tracker_db,
)
from bot.operations.training import model_path
from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_dotenv

# Generous: a 2-core machine loading two Rasa models at once needs minutes.
START_TIMEOUT_SECONDS = 600
STOP_TIMEOUT_SECONDS = 15
FIRST = asyncio.FIRST_COMPLETED
FROM_SCRATCH = "`make clean && make run` starts from scratch (the local database too)"


@dataclass
class Running:
    service: Service
    process: asyncio.subprocess.Process
    log: Path
    output: asyncio.Task[None] | None = None
    ready: bool = False


def hint(running: Running) -> str:
    """What to try when it died, after reading the lines above."""
    if running.service.kind == "rasa":
        model = shown(model_path())
        return f"a damaged model? delete {model} and `make run` trains it again; {FROM_SCRATCH}"
    return FROM_SCRATCH


async def start(service: Service, env: dict[str, str]) -> Running:
    log = log_dir() / f"{service.name}.log"
    process = await asyncio.create_subprocess_exec(
        *service.argv,
        cwd=PROJECT_ROOT,
        env={**env, **service.env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
    )
    running = Running(service, process, log)
    running.output = asyncio.create_task(copy_output(running))
    return running


async def copy_output(running: Running) -> None:
    """Everything into the process's log; the mail sink's mails to the screen too."""
    assert running.process.stdout is not None
    with running.log.open("wb") as log:
        while chunk := await running.process.stdout.read(65536):
            log.write(chunk)
            log.flush()
            if running.service.kind == "mail" and running.ready:
                print(chunk.decode(errors="replace"), end="", flush=True)


async def output_written(running: Running) -> None:
    """The process has exited: its last words reach the log before the log is shown."""
    if running.output is not None:
        # After 5 s a grandchild still holds the pipe: show what there is.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(running.output), 5)


async def become_ready(
    running: Running, http: aiohttp.ClientSession, began: float, status: StatusLine
) -> str:
    """What went wrong, or nothing ("") once the process answers its health check."""
    service = running.service
    while time.monotonic() < began + START_TIMEOUT_SECONDS:
        if running.process.returncode is not None:
            await output_written(running)
            return f"exited with code {running.process.returncode} during start-up"
        answered = await answer(http, service.health_url, service.health_params)
        if answered == 200:
            running.ready = True
            took = duration(time.monotonic() - began)
            status.say(service.name, f"ready in {took} (log: {shown(running.log)})")
            return ""
        if answered in service.broken_when:
            await asyncio.sleep(1)  # what it logged about it is still on its way to the log
            return service.broken_when[answered]
        await asyncio.sleep(0.5)
    return f"did not answer {service.health_url} within {duration(START_TIMEOUT_SECONDS)}"


async def wait_until_ready(
    all_running: list[Running], stop_requested: asyncio.Event, began: float
) -> int | None:
    """None once every process answers; else the exit code (1: one failed, 0: Ctrl-C)."""
    status = StatusLine()
    async with aiohttp.ClientSession() as http:
        checks = {
            asyncio.create_task(become_ready(running, http, began, status)): running
            for running in all_running
        }
        stop = asyncio.create_task(stop_requested.wait())
        remaining = set(checks)
        try:
            while remaining:
                waiting = ", ".join(r.service.name for r in all_running if not r.ready)
                took = duration(time.monotonic() - began)
                status.update(f"[supervisor] starting {waiting}… {took}")
                done, _ = await asyncio.wait({*remaining, stop}, timeout=0.5, return_when=FIRST)
                if stop in done:
                    status.say("supervisor", "stopping…")
                    return 0
                for check in remaining & done:
                    remaining.discard(check)
                    if failure := check.result():
                        failed = checks[check]
                        status.clear()
                        report_failure(failed.service.name, failure, failed.log, hint(failed))
                        return 1
            return None
        finally:
            for task in [*checks, stop]:
                task.cancel()


def announce_ready(settings: Settings, all_running: list[Running], began: float) -> None:
    chats = " and ".join(
        f"http://{settings.gateway_host}:{port}/" for port in gateway_ports_of(settings)
    )
    logs = [running.log.name for running in all_running]
    if (log_dir() / "train.log").exists():
        logs.append("train.log")
    lines = [
        f"[supervisor] ready in {duration(time.monotonic() - began)}: web chat at {chats}",
        f"  logs in {shown(log_dir())}/: {', '.join(logs)}",
    ]
    if any(running.service.kind == "mail" for running in all_running):
        lines.append("  mails (one-time codes) are printed here as the mail sink receives them")
    lines.append("  Ctrl-C stops them all.")
    print("\n".join(lines), flush=True)


async def watch(all_running: list[Running], stop_requested: asyncio.Event) -> int:
    """Until Ctrl-C (0) or until the last process of some kind has died (1)."""
    exits = {asyncio.create_task(running.process.wait()): running for running in all_running}
    stop = asyncio.create_task(stop_requested.wait())
    try:
        while True:
            done, _ = await asyncio.wait([*exits, stop], return_when=FIRST)
            if stop in done:
                say("supervisor", "stopping…")
                return 0
            for task in done:
                dead = exits.pop(task)
                await output_written(dead)
                kind = dead.service.kind
                others = [r.service.name for r in exits.values() if r.service.kind == kind]
                what = f"exited with code {task.result()}"
                if not others:
                    report_failure(dead.service.name, what, dead.log, hint(dead))
                    say("supervisor", f"no {kind} process is left: stopping the others")
                    return 1
                carry = "carries" if len(others) == 1 else "carry"
                report_failure(dead.service.name, what, dead.log, f"{', '.join(others)} {carry} on")
    finally:
        for task in [*exits, stop]:
            task.cancel()


async def stop_all(all_running: list[Running]) -> list[str]:
    """Terminate them all, then wait; the names of those that had to be killed."""
    for running in all_running:
        if running.process.returncode is None:
            running.process.terminate()
    killed = []
    for running in all_running:
        if running.process.returncode is None:
            try:
                await asyncio.wait_for(running.process.wait(), STOP_TIMEOUT_SECONDS)
            except asyncio.TimeoutError:
                running.process.kill()
                await running.process.wait()
                killed.append(running.service.name)
        await output_written(running)
    return killed


def taken_ports(all_services: list[Service]) -> list[str]:
    """Why a process could not listen where it should, found before anything starts."""
    return [
        f"[{s.name}] port {s.port} on {s.host} is already in use (another `make run`?): stop "
        f"what holds it (`ss -ltnp 'sport = :{s.port}'` names it) or set {s.setting} in .env"
        for s in all_services
        if s.port and port_taken(s.host, s.port)
    ]


async def supervise(settings: Settings, all_services: list[Service] | None = None) -> int:
    """Start them (those the settings list, unless given), watch them, stop them."""
    all_services = services(settings) if all_services is None else all_services
    if taken := taken_ports(all_services):
        print("\n".join(taken), file=sys.stderr, flush=True)
        return 1
    log_dir().mkdir(parents=True, exist_ok=True)
    # Rasa's SQLite tracker store (endpoints.yml) cannot create its file in a missing folder.
    tracker_db().parent.mkdir(parents=True, exist_ok=True)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_requested.set)
    env = child_environment()
    began = time.monotonic()
    all_running = [await start(service, env) for service in all_services]
    try:
        code = await wait_until_ready(all_running, stop_requested, began)
        if code is None:
            announce_ready(settings, all_running, began)
            code = await watch(all_running, stop_requested)
    finally:
        killed = await stop_all(all_running)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    late = f" ({', '.join(killed)} killed after {STOP_TIMEOUT_SECONDS} s)" if killed else ""
    say("supervisor", f"all stopped{late}")
    return code


def main() -> int:
    try:
        load_dotenv()
        settings = Settings.from_env()
        settings.require_secrets()
        settings.require_action_server_token()
        return asyncio.run(supervise(settings))
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
