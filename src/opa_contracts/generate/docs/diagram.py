"""Who publishes to and reads from which channel, drawn as a self-contained SVG.

Publishers on the left, channels in the middle, subscribers on the right, one arrow per link.
Nothing is fetched (no fonts, no scripts), so the picture renders offline, inline in HTML or as
an image in Markdown. Every label is XML-escaped; a long one is shortened, with the full text in
a ``<title>`` tooltip.

A picture of 1,000 channels is unreadable, so callers draw one per channel page and split the
overview into pages of :data:`PAGE_SIZE` channels: the size of one picture does not grow with the
registry. Services are ordered by the mean position of the channels they touch (the barycentre
heuristic), which keeps most arrows from crossing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

PAGE_SIZE = 40
ROW = 30
BOX_HEIGHT = 22
CHAR_WIDTH = 7.0  # average width of a 12px sans-serif character, generously
MAX_CHARS = 36
GAP = 90
MARGIN = 12


@dataclass(frozen=True)
class Node:
    """One box: a channel or a service."""

    label: str
    href: str | None = None
    muted: bool = False  # planned or external services are drawn dashed


@dataclass(frozen=True)
class Link:
    """A channel with its publisher(s) and subscribers."""

    channel: Node
    publishers: tuple[Node, ...]
    subscribers: tuple[Node, ...]


def draw(links: Sequence[Link], title: str, href: Callable[[str], str] | None = None) -> str:
    """The SVG of ``links``; with ``href``, channel boxes link to ``href(channel label)``."""
    channels = [link.channel for link in links]
    left = _ordered([(link.publishers, i) for i, link in enumerate(links)])
    right = _ordered([(link.subscribers, i) for i, link in enumerate(links)])
    rows = max(len(channels), len(left), len(right), 1)
    height = rows * ROW + 2 * MARGIN + 20
    widths = [_width(column) for column in (left, channels, right)]
    xs = [MARGIN, MARGIN + widths[0] + GAP, MARGIN + widths[0] + widths[1] + 2 * GAP]
    width = xs[2] + widths[2] + MARGIN

    top = MARGIN + 20 + (ROW - BOX_HEIGHT) / 2
    first = top + (rows - len(channels)) * ROW / 2  # centred when services outnumber channels
    y_mid = {node.label: first + i * ROW for i, node in enumerate(channels)}
    y_left = _place(left, [(link.publishers, link.channel.label) for link in links], y_mid, rows)
    y_right = _place(right, [(link.subscribers, link.channel.label) for link in links], y_mid, rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-labelledby="diagram-title" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12">',
        f'<title id="diagram-title">{escape(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#5b6b7f"/></marker></defs>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff" rx="6"/>',
    ]
    for x, text in zip(xs, ("publishers", "channels", "subscribers"), strict=True):
        parts.append(
            f'<text x="{x}" y="{MARGIN + 10}" fill="#5b6b7f" font-weight="600">{text}</text>'
        )
    for link in links:
        mid_y = y_mid[link.channel.label] + BOX_HEIGHT / 2
        for node in link.publishers:
            start = (xs[0] + widths[0], y_left[node.label] + BOX_HEIGHT / 2)
            parts.append(_arrow(start, (xs[1], mid_y)))
        for node in link.subscribers:
            end = (xs[2], y_right[node.label] + BOX_HEIGHT / 2)
            parts.append(_arrow((xs[1] + widths[1], mid_y), end))
    for column, x, w, y_of in (
        (left, xs[0], widths[0], y_left),
        (channels, xs[1], widths[1], y_mid),
        (right, xs[2], widths[2], y_right),
    ):
        for node in column:
            target = href(node.label) if href is not None and column is channels else None
            parts.append(_box(node, x, y_of[node.label], w, target, column is channels))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def pages(links: Sequence[Link]) -> list[list[Link]]:
    """``links`` cut into overview pages of at most :data:`PAGE_SIZE` channels."""
    return [list(links[i : i + PAGE_SIZE]) for i in range(0, len(links), PAGE_SIZE)] or [[]]


def _ordered(groups: list[tuple[tuple[Node, ...], int]]) -> list[Node]:
    positions: dict[str, list[int]] = {}
    nodes: dict[str, Node] = {}
    for members, index in groups:
        for node in members:
            positions.setdefault(node.label, []).append(index)
            nodes.setdefault(node.label, node)
    return sorted(
        nodes.values(),
        key=lambda n: (sum(positions[n.label]) / len(positions[n.label]), n.label),
    )


def _place(
    column: Sequence[Node],
    groups: list[tuple[tuple[Node, ...], str]],
    channel_y: Mapping[str, float],
    rows: int,
) -> dict[str, float]:
    """A y for each service: level with the mean of its channels, at least a row apart."""
    wanted: dict[str, list[float]] = {}
    for members, channel in groups:
        for node in members:
            wanted.setdefault(node.label, []).append(channel_y[channel])
    top = MARGIN + 20 + (ROW - BOX_HEIGHT) / 2
    bottom = top + (rows - 1) * ROW
    placed: dict[str, float] = {}
    previous = top - ROW
    for node in column:  # already in barycentre order
        ys = wanted[node.label]
        placed[node.label] = max(sum(ys) / len(ys), previous + ROW)
        previous = placed[node.label]
    following = bottom + ROW
    for node in reversed(column):  # then push back up what overflowed the bottom
        placed[node.label] = min(placed[node.label], following - ROW)
        following = placed[node.label]
    return placed


def _width(column: Sequence[Node]) -> float:
    longest = max((min(len(n.label), MAX_CHARS) for n in column), default=8)
    return max(longest, 8) * CHAR_WIDTH + 16


def _short(label: str) -> str:
    return label if len(label) <= MAX_CHARS else label[: MAX_CHARS - 1] + "…"


def _arrow(start: tuple[float, float], end: tuple[float, float]) -> str:
    (x1, y1), (x2, y2) = start, end
    bend = (x2 - x1) / 2
    return (
        f'<path d="M {x1:.1f} {y1:.1f} C {x1 + bend:.1f} {y1:.1f}, {x2 - bend:.1f} {y2:.1f}, '
        f'{x2 - 1:.1f} {y2:.1f}" fill="none" stroke="#8a9bb0" stroke-width="1.2" '
        'marker-end="url(#arrow)"/>'
    )


def _box(node: Node, x: float, y: float, width: float, href: str | None, channel: bool) -> str:
    fill = "#e8f0fe" if channel else "#f6f8fa"
    stroke = "#3b6fd8" if channel else "#8a9bb0"
    dash = ' stroke-dasharray="4 3"' if node.muted else ""
    box = (
        f"<g><title>{escape(node.label)}</title>"
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BOX_HEIGHT}" rx="4" '
        f'fill="{fill}" stroke="{stroke}"{dash}/>'
        f'<text x="{x + 8:.1f}" y="{y + BOX_HEIGHT / 2 + 4:.1f}" fill="#1f2933">'
        f"{escape(_short(node.label))}</text></g>"
    )
    if href is None:
        return box
    return f'<a href="{escape(href)}">{box}</a>'
