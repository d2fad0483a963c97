"""Reports (/inbox/reports): how conversations went over a period, for a channel.

Admins see everyone's figures (or one agent's); an agent sees only the conversations they
handled. Days are whole days in the concierge's time zone (CONCIERGE_TIMEZONE). The same
figures, and the per-conversation outcomes, download as CSV (an audited export).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import select

from bot.gateway.keys import SESSIONS, SETTINGS
from bot.inbox import audit, charts
from bot.inbox.auth import Who, page
from bot.inbox.pages import refuse, render
from bot.services import csat, outcomes
from bot.services.outcomes import Period, Report
from bot.store.models import Agent, Channel, ConversationOutcome
from bot.store.types import utcnow

DEFAULT_DAYS = 7
MAX_DAYS = 366


class BadQuery(ValueError):
    pass


def _choice(request: web.Request, who: Who) -> tuple[Period, Channel | None, int | None]:
    zone = request.config_dict[SETTINGS].concierge_timezone
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    query = request.query
    try:
        last = date.fromisoformat(query["to"]) if query.get("to") else today
        first = (
            date.fromisoformat(query["from"])
            if query.get("from")
            else last - timedelta(days=DEFAULT_DAYS - 1)
        )
        channel = Channel(query["channel"]) if query.get("channel") else None
        agent = int(query["agent"]) if query.get("agent") else None
    except ValueError as error:
        raise BadQuery(str(error)) from None
    if first > last or (last - first).days >= MAX_DAYS:
        raise BadQuery("period")
    # An agent sees their own figures, whatever the address asks for.
    agent_id = agent if who.is_admin else who.agent_id
    return Period(first, last, zone), channel, agent_id


@page()
async def reports_page(request: web.Request, who: Who) -> web.StreamResponse:
    try:
        period, channel, agent_id = _choice(request, who)
    except BadQuery:
        return refuse(request, 400, "Please choose a period of whole days (at most a year).")
    async with request.config_dict[SESSIONS]() as session:
        report = await outcomes.report(session, period, channel, agent_id)
        agents = (
            [
                (a.id, a.display_name)
                for a in await session.scalars(select(Agent).order_by(Agent.id))
            ]
            if who.is_admin
            else []
        )
        # Ratings given in the period; per agent for admins (an agent sees their own).
        satisfaction = await csat.figures(
            session, *period.bounds(), channel, agent_id, dict(agents)
        )
    days = [day.day.strftime("%d %b") for day in report.daily]
    volume = charts.bars(
        "Conversations per day",
        days,
        [day.conversations for day in report.daily],
        [day.resolution_rate for day in report.daily],
    )
    frt = charts.bars(
        "First response time",
        [label for label, _ in report.frt_distribution],
        [n for _, n in report.frt_distribution],
    )
    hours = charts.bars(
        "Conversations by hour started",
        [f"{hour:02d}" for hour, _ in report.busiest_hours],
        [n for _, n in report.busiest_hours],
    )
    context = {
        "who": who,
        "report": report,
        "channels": [c.value for c in Channel],
        "agents": agents,
        "volume_chart": volume,
        "frt_chart": frt,
        "hours_chart": hours,
        "satisfaction": satisfaction,
        "busiest": sorted(report.busiest_hours, key=lambda item: (-item[1], item[0]))[:3],
        "duration": duration,
        "percent": percent,
        # The choice as validated, for the CSV links (never the raw address).
        "query": urlencode(
            {"from": period.first.isoformat(), "to": period.last.isoformat()}
            | ({"channel": channel.value} if channel else {})
            | ({"agent": str(agent_id)} if agent_id is not None and who.is_admin else {})
        ),
    }
    return render(request, "reports.html", context)


@page()
async def reports_csv(request: web.Request, who: Who) -> web.StreamResponse:
    try:
        period, channel, agent_id = _choice(request, who)
    except BadQuery:
        return refuse(request, 400, "Please choose a period of whole days (at most a year).")
    kind = request.match_info["kind"]
    async with request.config_dict[SESSIONS].begin() as session:
        if kind == "figures":
            text = figures_csv(await outcomes.report(session, period, channel, agent_id))
        else:
            rows = await outcomes.conversations_in(session, period, channel, agent_id)
            text = conversations_csv(rows, period.timezone)
        audit.record(
            session, who.agent_id, "report_export", "report", kind,
            f"{period.first}..{period.last} {channel.value if channel else 'all'}",
        )  # fmt: skip
    name = f"{kind}-{period.first}-{period.last}.csv"
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f} %"


def _cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _write(rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def figures_csv(report: Report) -> str:
    """One figure a line: section, key, value (durations in seconds, rates 0-1)."""
    rows: list[list[object]] = [["section", "key", "value"]]
    rows += [
        ["period", "from", report.period.first.isoformat()],
        ["period", "to", report.period.last.isoformat()],
        ["period", "timezone", report.period.timezone],
        ["period", "channel", report.channel.value if report.channel else "all"],
        ["total", "conversations", report.conversations],
        ["total", "messages_in", report.messages_in],
        ["total", "messages_out", report.messages_out],
        ["total", "closed", report.closed],
        ["total", "reopened", report.reopened],
        ["total", "assistant_resolution_rate", _rate(report.resolution_rate)],
        ["first_response_seconds", "median", _number(report.frt_median)],
        ["first_response_seconds", "p90", _number(report.frt_p90)],
        ["resolution_seconds", "median", _number(report.resolution_median)],
        ["resolution_seconds", "p90", _number(report.resolution_p90)],
    ]
    rows += [["outcome", kind, n] for kind, n in report.outcomes.items()]
    rows += [["handoff_reason", reason, n] for reason, n in report.handoffs_by_reason]
    rows += [["frt_distribution", label, n] for label, n in report.frt_distribution]
    rows += [["hour_started", f"{hour:02d}", n] for hour, n in report.busiest_hours]
    rows += [["topic", topic, n] for topic, n in report.topics]
    rows += [["not_understood", topic, n] for topic, n in report.not_understood]
    for day in report.daily:
        rows.append(["day_conversations", day.day.isoformat(), day.conversations])
        rows.append(
            ["day_assistant_resolution_rate", day.day.isoformat(), _rate(day.resolution_rate)]
        )
    return _write(rows)


def _rate(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.4f}"


def conversations_csv(rows: list[ConversationOutcome], timezone: str) -> str:
    zone = ZoneInfo(timezone)

    def local(at: datetime | None) -> str:
        return "" if at is None else at.astimezone(zone).isoformat(timespec="seconds")

    lines: list[list[object]] = [[
        "conversation_id", "channel", "outcome", "started_at", "handoff_reason",
        "handed_off_at", "agent_id", "first_response_seconds", "agent_messages",
        "resolved_at", "resolution_seconds", "closed_at", "reopened", "intents",
    ]]  # fmt: skip
    for row in rows:
        lines.append([
            row.conversation_id, row.channel.value, row.outcome.value, local(row.started_at),
            row.handoff_reason, local(row.handed_off_at), row.agent_id,
            _number(row.first_response_seconds), row.agent_messages, local(row.resolved_at),
            _number(row.resolution_seconds), local(row.closed_at),
            "yes" if row.reopened else "no", " ".join(row.intents or []),
        ])  # fmt: skip
    return _write(lines)
