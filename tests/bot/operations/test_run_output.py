"""What `make run`, `make model` and `make deps` print: one line per step, each process's whole
output in its log, and on a failure the end of that log and what to do.

Real processes throughout: small Python programs stand in for a process that fails or dies,
so a failure is seen in seconds rather than after Rasa has loaded its model.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from sqlalchemy.engine import make_url

from bot.operations.health import port_taken
from bot.operations.services import Service, services
from bot.operations.supervisor import supervise
from bot.operations.training import model_path
from bot.operations.training_progress import TrainingProgress
from bot.settings import PROJECT_ROOT, Settings
from bot.store.migrate import describe_database, upgrade_to_head
from tests.assistant import free_port

PYTHON = sys.executable


@pytest.fixture(autouse=True)
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's logs (and Rasa's trackers) apart from var/, where a developer's `make run`
    writes."""
    folder = tmp_path / "log"
    monkeypatch.setenv("LOG_DIR", str(folder))
    monkeypatch.setenv("RASA_TRACKER_DB", str(tmp_path / "rasa" / "tracker.db"))
    return folder


def program(name: str, code: str, port: int, *, tcp: bool = False) -> Service:
    """A process the supervisor starts and health-checks like any other."""
    health = f"tcp://127.0.0.1:{port}" if tcp else f"http://127.0.0.1:{port}/"
    return Service(name, [PYTHON, "-c", code], health, kind=name, port=port, setting="X_PORT")


def http_server(port: int, then: str = "server.serve_forever()") -> str:
    """A quiet HTTP server that answers 200, as a health check wants; then does `then`."""
    return textwrap.dedent(f"""
        import http.server, sys
        class Ok(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", {port}), Ok)
        print("serving", flush=True)
        {then}
    """)


async def test_a_process_that_fails_at_start_up_is_named_with_the_end_of_its_log(
    settings: Settings, logs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    web_port, failing_port = free_port(), free_port()
    # Fails once the other one listens, so that there is something to stop.
    failing = (
        "import socket, sys, time\n"
        f"while socket.socket().connect_ex(('127.0.0.1', {web_port})): time.sleep(0.1)\n"
        "for number in range(1, 31): print(f'start-up line {number}')\n"
        "print('sqlite3.OperationalError: unable to open database file', flush=True)\n"
        "sys.exit(3)\n"
    )

    code = await supervise(
        settings,
        [
            program("web", http_server(web_port), web_port),
            program("gateway", failing, failing_port),
        ],
    )

    out, err = capsys.readouterr()
    assert code == 1
    assert "[gateway] exited with code 3 during start-up; last 20 lines of " in err
    tail = err.split("last 20 lines of", 1)[1].splitlines()[1:21]
    assert [line.strip() for line in tail] == [
        *(f"start-up line {number}" for number in range(12, 31)),
        "sqlite3.OperationalError: unable to open database file",
    ]
    assert "make clean && make run" in err
    assert out.rstrip().endswith("[supervisor] all stopped")
    # The whole output is kept, and the process that was listening has been stopped.
    assert (logs / "gateway.log").read_text().count("start-up line") == 30
    assert not port_taken("127.0.0.1", web_port)


async def test_a_port_already_taken_is_named_before_anything_starts(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = tmp_path / "started"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]

        code = await supervise(settings, [program("gateway", f"open({str(started)!r}, 'w')", port)])

    _, err = capsys.readouterr()
    assert code == 1
    assert f"[gateway] port {port} on 127.0.0.1 is already in use" in err
    assert "set X_PORT in .env" in err
    assert not started.exists()


async def test_the_last_process_of_a_kind_dying_stops_the_others_and_shows_why(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    rasa_port, mail_port = free_port(), free_port()
    # Answers the health check, then dies.
    dies = "server.handle_request(); print('MemoryError', flush=True); sys.exit(1)"

    code = await supervise(
        settings,
        [
            program("rasa", http_server(rasa_port, then=dies), rasa_port),
            program("mail", http_server(mail_port), mail_port, tcp=True),
        ],
    )

    out, err = capsys.readouterr()
    assert code == 1
    assert "[supervisor] ready in" in out  # both were up first
    assert "[rasa] exited with code 1; last 2 lines of " in err  # "serving", then why
    assert "    MemoryError" in err
    assert "a damaged model? delete models/assistant-" in err
    assert "[supervisor] no rasa process is left: stopping the others" in out
    assert not port_taken("127.0.0.1", mail_port)


async def test_a_process_that_answers_it_is_broken_is_named_at_once(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    conflict = http_server(port).replace("send_response(200)", "send_response(409)")
    rasa = program("rasa", conflict, port)
    rasa.broken_when = {409: "is up without a model: it could not load it"}

    code = await supervise(settings, [rasa])

    _, err = capsys.readouterr()
    assert code == 1
    assert "[rasa] is up without a model: it could not load it; last line of " in err
    assert not port_taken("127.0.0.1", port)


@pytest.mark.rasa
async def test_rasa_with_a_damaged_model_is_named_instead_of_announced_ready(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rasa does not exit when it cannot read its model: it logs why and serves without one."""
    monkeypatch.setenv("RASA_AUTH_TOKEN", settings.rasa_auth_token)  # credentials.yml reads it
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "test-action-token")  # and endpoints.yml this
    monkeypatch.setenv("RASA_TRACKER_DB", str(tmp_path / "rasa" / "tracker.db"))  # not var/
    model = model_path()
    assert model.exists(), f"no trained model at {model}: run `make model` first"
    damaged = tmp_path / model.name
    damaged.write_bytes(model.read_bytes()[: model.stat().st_size // 2])  # a copy cut short
    port = free_port()
    listed = services(replace(settings, rasa_url=f"http://127.0.0.1:{port}"))
    rasa = next(service for service in listed if service.kind == "rasa")
    rasa.argv[rasa.argv.index("--model") + 1] = str(damaged)

    code = await supervise(settings, [rasa])

    out, err = capsys.readouterr()
    assert code == 1
    assert "[rasa] is up without a model: it could not load it; last 20 lines of " in err
    assert "EOFError: Compressed file ended before the end-of-stream marker" in err
    assert f"a damaged model? delete models/{model.name} and `make run` trains it again" in err
    assert "ready" not in out


def test_ctrl_c_while_rasa_loads_stops_everything_at_once(tmp_path: Path, logs: Path) -> None:
    ports = {name: free_port() for name in ("gateway", "rasa", "actions", "mail")}
    env = {
        **os.environ,
        "RASA_AUTH_TOKEN": "test-rasa-token",
        "ACTION_SERVER_TOKEN": "test-action-token",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'concierge.db'}",
        "GATEWAY_PORT": str(ports["gateway"]),
        "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
        "SMTP_PORT": str(ports["mail"]),
        "MAIL_SINK": "on",
        "RASA_TRACKER_DB": str(tmp_path / "rasa" / "tracker.db"),
    }
    env.pop("ENV_FILE", None)
    output = tmp_path / "supervisor.out"
    with output.open("w") as out:
        supervisor = subprocess.Popen(
            [PYTHON, "-m", "bot.operations.supervisor"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while "[mail] ready" not in output.read_text() and time.monotonic() < deadline:
            assert supervisor.poll() is None, output.read_text()
            time.sleep(0.2)
        children = psutil.Process(supervisor.pid).children()
        supervisor.send_signal(signal.SIGINT)  # Rasa is still importing TensorFlow
        supervisor.wait(120)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    said = output.read_text()

    assert supervisor.returncode == 0, said
    assert said.splitlines()[-2:] == ["[supervisor] stopping…", "[supervisor] all stopped"]
    assert "[rasa] ready" not in said
    assert len(children) == 4
    assert not [child for child in children if child.is_running()]
    assert sorted(path.name for path in logs.iterdir()) == [
        "actions.log",
        "gateway.log",
        "mail.log",
        "rasa.log",
    ]


def test_a_set_up_step_is_one_line_and_its_failure_the_end_of_its_log(logs: Path) -> None:
    def step(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "-m", "bot.operations.steps", "environments", "env-app.log", "synced it",
             "--working", "installing it", "--hint", "run `make deps` again", "--", *command],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )  # fmt: skip

    worked = step(PYTHON, "-c", "print('Resolved 180 packages')")
    failed = step(PYTHON, "-c", "import sys; print('no matching distribution'); sys.exit(2)")

    assert worked.returncode == 0
    assert worked.stdout.startswith("[environments] synced it in ")
    assert len(worked.stdout.splitlines()) == 1  # not a terminal: no progress line either
    assert failed.returncode == 2
    first, *rest = failed.stderr.splitlines()
    log = re.escape(str(logs / "env-app.log"))
    assert re.fullmatch(
        rf"\[environments\] installing it failed after [\d.]+ s \(exit code 2\); "
        rf"last line of {log}:",
        first,
    )
    assert rest == ["    no matching distribution", "[environments] run `make deps` again"]
    assert (logs / "env-app.log").read_text() == "no matching distribution\n"


# What `rasa train` writes, as it writes it: log lines, and tqdm redrawing itself after "\r".
RASA_TRAIN_OUTPUT = (
    "2026-12-01 18:30:30 INFO     rasa.cli.train  - Started validating domain and training data...\n"  # noqa: E501
    "UserWarning: The utterance 'utter_default' is not used in any story or rule.\n"
    "INFO     rasa.engine.training.hooks  - Starting to train component 'RegexFeaturizer'.\n"
    "INFO     rasa.engine.training.hooks  - Finished training component 'RegexFeaturizer'.\n"
    "INFO     rasa.engine.training.hooks  - Restored component 'CountVectorsFeaturizer' from cache.\n"  # noqa: E501
    "INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.\n"
    "\rEpochs:   0%|          | 0/40 [00:00<?, ?it/s]"
    "\rEpochs:   5%|▌         | 2/40 [00:26<07:02, 11.11s/it, t_loss=4.3, i_acc=0.566]"
    "\rEpochs:  50%|█████     | 20/40 [00:50<00:50, 2.5s/it, t_loss=1.1, i_acc=0.98]"
)


def test_training_progress_is_one_bar_over_the_components_and_their_epochs() -> None:
    progress = TrainingProgress(components=4)
    # In pieces as a pipe delivers them: cut mid-line and mid-bar.
    pieces = [RASA_TRAIN_OUTPUT[i : i + 37] for i in range(0, len(RASA_TRAIN_OUTPUT), 37)]

    said = [progress(piece) for piece in pieces]

    assert said[0] == "[--------------------]   0% checking the data"
    # Two components done (one trained, one from the cache), the third half way: 2.5 of 4.
    assert said[-1] == "[############--------]  62% DIETClassifier, epoch 20/40"
    assert progress.finished == 2


def test_training_progress_never_says_done_before_rasa_does() -> None:
    progress = TrainingProgress(components=1)

    said = progress("Finished training component 'RulePolicy'.\n")

    assert said.startswith("[####################]  99%")


def test_migrating_says_how_many_migrations_ran(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'concierge.db'}"
    revisions = len(list((PROJECT_ROOT / "migrations" / "versions").glob("*.py")))

    assert upgrade_to_head(url) == revisions
    assert upgrade_to_head(url) == 0


def test_the_database_line_never_shows_a_password() -> None:
    url = "postgresql+asyncpg://concierge:s3cret-pass@db.internal:5432/concierge"

    shown = describe_database(url)

    assert shown == "postgresql db.internal/concierge"
    assert make_url(url).password not in shown


def test_the_default_database_is_shown_as_a_newcomer_types_it() -> None:
    assert describe_database(Settings().database_url) == "var/concierge.db"
