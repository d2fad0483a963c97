"""Starting, timing and stopping the servers under test, and sampling their memory."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

READY_TIMEOUT_SECONDS = 300


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    ready_seconds: float = 0.0


def start(
    name: str, argv: list[str], cwd: Path, env: dict[str, str], ready_url: str, logs: Path
) -> Server:
    """Start a server and wait until `ready_url` answers; the wait is its load time."""
    log = logs / f"{name}.log"
    began = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, process, log)
    deadline = began + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            if requests.get(ready_url, timeout=2).status_code < 500:
                server.ready_seconds = time.monotonic() - began
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"{name} not ready after {READY_TIMEOUT_SECONDS} s")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _rss(procs: list[psutil.Process]) -> int:
    rss = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            rss += proc.memory_info().rss
    return rss


def _rss_and_pss(procs: list[psutil.Process]) -> tuple[int, int]:
    rss = pss = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            info = proc.memory_full_info()
            rss += info.rss
            pss += info.pss
    return rss, pss


def tree_rss(pid: int) -> int:
    """Resident memory (RSS) of a process and its children, in bytes (0 once it has gone)."""
    return _rss(_tree(pid))


def tree_memory(pid: int) -> tuple[int, int]:
    """Resident (RSS) and proportional (PSS) memory of a process and its children, in bytes
    (0 once it has gone).

    RSS counts a shared page in full in every process that maps it, so the RSS of two Rasa
    servers adds TensorFlow's libraries twice; PSS shares each such page out between them,
    so PSS added over the processes is what the stack really holds. PSS is dear to read
    (the kernel walks every mapping: 16 ms of CPU for a Rasa server), RSS is not.
    """
    return _rss_and_pss(_tree(pid))


@dataclass
class MemorySampler:
    """Samples every server's memory while the load runs: peak per server (RSS), peak
    together (RSS added up, and PSS added up).

    It runs in the load generator's process and must not take the machine's CPU from the
    stacks under test: RSS is read four times a second from the processes found at the
    last full round; every `pss_every` samples (2 s) a full round finds each server's
    processes again (listing children scans /proc: 3 ms) and reads PSS too (16 ms for a
    Rasa server)."""

    servers: list[Server]
    interval: float = 0.25
    pss_every: int = 8
    peak_by_name: dict[str, int] = field(default_factory=dict)
    peak_total: int = 0
    peak_total_pss: int = 0

    @contextmanager
    def running(self) -> Iterator[MemorySampler]:
        stop_event = threading.Event()

        def sample() -> None:
            count = 0
            procs: dict[str, list[psutil.Process]] = {}
            while not stop_event.is_set():
                full_round = count % self.pss_every == 0
                total = total_pss = 0
                for server in self.servers:
                    if full_round:
                        procs[server.name] = _tree(server.process.pid)
                        rss, pss = _rss_and_pss(procs[server.name])
                        total_pss += pss
                    else:
                        rss = _rss(procs[server.name])
                    total += rss
                    self.peak_by_name[server.name] = max(self.peak_by_name.get(server.name, 0), rss)
                self.peak_total = max(self.peak_total, total)
                if full_round:
                    self.peak_total_pss = max(self.peak_total_pss, total_pss)
                count += 1
                stop_event.wait(self.interval)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop_event.set()
            thread.join()


def environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
        SANIC_HOST="127.0.0.1",
    )
    env.update(extra)
    return env


def timed(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    """Run a command to completion; its wall time in seconds. Fails loudly."""
    began = time.monotonic()
    with log.open("wb") as out:
        completed = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed: {log.read_text()[-2000:]}")
    return time.monotonic() - began
