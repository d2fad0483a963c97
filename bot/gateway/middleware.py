"""The gateway's one error middleware: an unexpected error becomes a polite answer.

Whatever goes wrong inside a view, the caller gets a short JSON error (API and webhook
paths, or a client that asked for JSON) or a small page, never a traceback; the traceback
goes to the log, which names the route but not the path, since paths can carry tokens (an
unsubscribe link) or a web chat's session id.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from sqlalchemy.exc import InterfaceError, OperationalError

from bot.gateway.inputs import BadInput
from bot.gateway.keys import SETTINGS
from bot.gateway.replies import store_unavailable_reply

logger = logging.getLogger(__name__)

# The store cannot be reached: a refused or dropped connection, a file it cannot open, a
# lock it waited for too long. asyncpg's refused connection arrives as the OSError itself.
STORE_DOWN = (OperationalError, InterfaceError, OSError, TimeoutError)
CHAT_PATH = "/api/chat"

JSON_PATHS = ("/api/", "/webhooks/", "/inbox/api/")
SORRY = "Something went wrong on our side. Please try again in a moment."
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sorry</title></head>
<body><main><h1>Sorry</h1><p>{message}</p></main></body></html>
"""


def wants_json(request: web.Request) -> bool:
    return request.path.startswith(JSON_PATHS) or "application/json" in request.headers.get(
        "Accept", ""
    )


def polite_error(request: web.Request, status: int, message: str) -> web.Response:
    if wants_json(request):
        return web.json_response({"error": message}, status=status)
    return web.Response(text=PAGE.format(message=message), status=status, content_type="text/html")


def store_down(request: web.Request) -> web.Response:
    """503 with the concierge's phone and e-mail; the web chat gets it as its reply, the way
    it gets the answer of a turn when the assistant is down."""
    reply = store_unavailable_reply(request.config_dict[SETTINGS])
    if request.path == CHAT_PATH:
        body = {"replies": [reply.to_json()], "error": "temporarily unavailable"}
        return web.json_response(body, status=503, headers={"Retry-After": "30"})
    return polite_error(request, 503, reply.text)


def create_error_middleware() -> Middleware:
    @web.middleware
    async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise  # an answer the view chose (404, 403, a redirect…)
        except BadInput as error:  # a malformed id, number or body (bot/gateway/inputs.py)
            return polite_error(request, 400, str(error))
        except STORE_DOWN as error:
            route = request.match_info.route.name or request.match_info.route.resource
            logger.error(
                "store unavailable in %s %s: %s", request.method, route, type(error).__name__
            )
            return store_down(request)
        except Exception:
            route = request.match_info.route.name or request.match_info.route.resource
            logger.exception("unexpected error in %s %s", request.method, route)
            return polite_error(request, 500, SORRY)

    return errors
