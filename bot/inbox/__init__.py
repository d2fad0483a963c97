"""The concierge inbox under /inbox/: the queue, conversations, privacy requests, admin.

A sub-application of the gateway, so its middleware (security headers) and its routes stay
apart from the customer-facing ones; it shares the gateway's store, outbox and live events.
"""

from __future__ import annotations

from aiohttp import web

from bot.inbox import (
    views_admin,
    views_conversation,
    views_login,
    views_privacy,
    views_queue,
    views_reports,
)
from bot.inbox.live import inbox_socket
from bot.inbox.pages import STATIC_DIR, TEMPLATES, environment, security_headers
from bot.inbox.throttle import LoginThrottle

C = "/conversations/{conversation_id}"


def create_inbox() -> web.Application:
    # "/inbox" (no slash) reaches this sub-application too: it is sent on to "/inbox/".
    slash = web.normalize_path_middleware(redirect_class=web.HTTPPermanentRedirect)
    inbox = web.Application(middlewares=[slash, security_headers])
    inbox[TEMPLATES] = environment()
    inbox[views_login.THROTTLE] = LoginThrottle()
    get, post = inbox.router.add_get, inbox.router.add_post
    get("/", views_queue.queue_page, name="queue")
    get("/api/queue", views_queue.queue_json, name="queue_json")
    get("/queue/sections", views_queue.queue_sections, name="queue_sections")
    get("/login", views_login.login_page, name="login_page")
    post("/login", views_login.login, name="login")
    post("/logout", views_login.logout, name="logout")
    get(C, views_conversation.conversation_page, name="conversation")
    get("/api" + C + "/messages", views_conversation.messages_json, name="messages_json")
    post(C + "/claim", views_conversation.claim, name="claim")
    post(C + "/assign", views_conversation.assign, name="assign")
    post(C + "/reply", views_conversation.reply, name="reply")
    post(C + "/note", views_conversation.note, name="note")
    post(C + "/resolve", views_conversation.resolve, name="resolve")
    post(C + "/labels", views_conversation.labels, name="labels")
    post(C + "/team", views_conversation.team, name="team")
    post(C + "/snooze", views_conversation.snooze, name="snooze")
    post(C + "/wake", views_conversation.wake, name="wake")
    get("/privacy", views_privacy.privacy_page, name="privacy")
    post("/privacy/{request_id}/done", views_privacy.complete, name="privacy_done")
    post("/privacy/{request_id}/refuse", views_privacy.refuse_request, name="privacy_refuse")
    post("/privacy/{request_id}/ask", views_privacy.ask_for_information, name="privacy_ask")
    get("/contacts/{contact_id}/export.json", views_privacy.export, name="export")
    post("/privacy/{request_id}/erase", views_privacy.fulfil_deletion, name="privacy_erase")
    post("/contacts/erase", views_privacy.erase_contact, name="contact_erase")
    get("/canned", views_admin.canned_page, name="canned")
    post("/canned", views_admin.canned_save, name="canned_save")
    post("/canned/{canned_id}/delete", views_admin.canned_delete, name="canned_delete")
    get("/audit", views_admin.audit_page, name="audit")
    get("/reports", views_reports.reports_page, name="reports")
    get("/reports/{kind:figures|conversations}.csv", views_reports.reports_csv, name="reports_csv")
    get("/ws", inbox_socket, name="ws")
    inbox.router.add_static("/static/", STATIC_DIR, name="static")
    return inbox
