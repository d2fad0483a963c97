"""The action server, as `make run`, the benchmark and the tests start it.

rasa-sdk's own `python -m rasa_sdk` answers anyone who can reach it: `/webhook` runs any
action for any sender, so a local process could ask `action_list_orders` for a contact id
it made up and read that customer's orders. This entry point builds the same rasa-sdk app,
listens on loopback only, and refuses every call that does not carry the secret Rasa sends
(ACTION_SERVER_TOKEN, as `Authorization: Bearer …`, endpoints*.yml); `/health` stays open
for the supervisor and says nothing.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import Settings, SettingsError

OPEN_PATHS = frozenset({"/health"})
LOOPBACK = "127.0.0.1"


def authorised(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.encode(), token.encode())


def create_action_server(token: str) -> Sanic:
    if not token:
        raise SettingsError("missing secret ACTION_SERVER_TOKEN, shared by Rasa and actions")
    # No CORS: only Rasa calls this server, never a browser.
    app: Sanic = create_app("actions", cors_origins="")

    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authorised(request, token):
            return None
        return response.json({"error": "unauthorised"}, status=401)

    app.register_middleware(require_token, "request")
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the action server, token-checked")
    parser.add_argument("-p", "--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    utils.update_sanic_log_level()
    try:
        app = create_action_server(Settings.from_env().action_server_token)
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from error
    # Loopback unless a deployment says otherwise: it is Rasa's neighbour, not a public API.
    host = os.environ.get("SANIC_HOST", LOOPBACK)
    app.run(host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
