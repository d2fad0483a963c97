"""Plots drawn on the server as inline SVG: nothing is loaded from elsewhere and no script
runs, so the inbox's Content-Security-Policy stays as strict as it is. Colours are SVG
presentation attributes (not `style`, which the policy forbids inline). Every text is
escaped; each chart has a title and a description for screen readers, and the page shows
the same figures as a table."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 40
BAR = "#6d5a3a"
LINE = "#2f6f4f"
AXIS = "#8a8a8a"


def _svg(title: str, description: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{_id(title)}-t {_id(title)}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{_id(title)}-t">{escape(title)}</title>'
        f'<desc id="{_id(title)}-d">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())


def _axes() -> list[str]:
    bottom = HEIGHT - BOTTOM
    return [
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="{AXIS}"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="{AXIS}"/>',
    ]


def bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    rates: Sequence[float | None] | None = None,
) -> Markup:
    """Bars of counts (left scale), and optionally a line of rates 0-100 % over them."""
    top = max([*values, 1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(values), 1)
    body = _axes()
    body.append(f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end" font-size="10">{top}</text>')
    body.append(
        f'<text x="{LEFT - 4}" y="{HEIGHT - BOTTOM}" text-anchor="end" font-size="10">0</text>'
    )
    every = max(1, len(labels) // 10)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x = LEFT + i * step
        body.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if i % every == 0:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" '
                f'font-size="10">{escape(label)}</text>'
            )
    if rates is not None:
        points = [
            f"{LEFT + i * step + step / 2:.1f},{TOP + plot_h * (1 - rate):.1f}"
            for i, rate in enumerate(rates)
            if rate is not None
        ]
        if points:
            body.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE}" '
                'stroke-width="2"/>'
            )
            body.append(
                f'<text x="{WIDTH - RIGHT}" y="{TOP + 8}" text-anchor="end" font-size="10" '
                f'fill="{LINE}">line: assistant resolution rate (0-100 %)</text>'
            )
    description = ", ".join(
        f"{label}: {value}" for label, value in zip(labels, values, strict=True)
    )
    return _svg(title, description or "No data.", body)
