"""The geometry of the person page's link chart: people and shootings placed on concentric rings
around one person, drawn by the page as inline SVG. Plain data in, plain data out: no queries,
no requests, no access rules (cases/people/network.py gathers the graph a reader may see).

The layout is deterministic (the same graph draws the same chart, on screen and on paper) and
legible without colour: people are circles, shootings squares, each tie a black line whose dash
pattern says the role, and every mark has a text label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PERSON, SHOOTING = "person", "shooting"

# The chart's drawing area (SVG user units) before it is cropped to what is drawn; the page
# scales it to the width it has.
WIDTH, HEIGHT = 760, 700
# The width of a label's character at the labels' size, and the room left around the drawing.
CHAR_WIDTH, MARGIN = 7.0, 8
CENTRE = (WIDTH / 2, HEIGHT / 2)
# Ring 0 is the person of the page, 1 their shootings, 2 the other people in those shootings,
# 3 those people's other shootings. Ring 1 widens with the shootings on it (RING_STEP a
# shooting, up to RING_1_MOST), so that their labels keep apart; the outer rings follow.
RING_1, RING_1_MOST, RING_STEP, RING_GAPS = 115.0, 210.0, 12.0, (90.0, 85.0)
LABEL_CHARS = 22
SQUARE = 14

# The role of a tie, drawn as a dash pattern so that it reads in black and white. In order of
# weight: a tie that is two roles at once is drawn as the first of them.
ROLE_STYLES = {
    "suspect": {"label": "Suspect", "dash": "9 4", "width": 2.4},
    "victim": {"label": "Victim", "dash": "", "width": 2.4},
    "witness": {"label": "Witness", "dash": "2 3", "width": 2.0},
    "associate": {"label": "Associate", "dash": "10 3 2 3", "width": 1.6},
}


@dataclass(frozen=True)
class Node:
    key: str  # "p<pk>" or "s<pk>"
    kind: str  # PERSON or SHOOTING
    label: str
    ring: int
    url: str = ""
    sublabel: str = ""  # a shooting's date


@dataclass(frozen=True)
class Edge:
    person: str  # a person node's key
    shooting: str  # a shooting node's key
    roles: tuple[str, ...]  # the person's roles in the shooting, heaviest first

    @property
    def role(self) -> str:
        return self.roles[0]


@dataclass
class Graph:
    """Nodes nearest first (ring by ring, each ring in the order it should keep when cut)."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    # Nodes known to be left out before the graph got here (the gathering stopped reading).
    more: bool = False


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str  # SVG text-anchor of the label

    @property
    def is_centre(self) -> bool:
        return self.node.ring == 0

    # A shooting's square, centred on the point.
    @property
    def box_x(self) -> float:
        return round(self.x - SQUARE / 2, 1)

    @property
    def box_y(self) -> float:
        return round(self.y - SQUARE / 2, 1)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    role: str
    dash: str
    width: float


@dataclass(frozen=True)
class Tie:
    """One person's roles in one shooting, for the chart's text version."""

    person: Node
    roles: list[str]  # labels, heaviest first


@dataclass(frozen=True)
class ShootingEntry:
    shooting: Node
    ties: list[Tie]


@dataclass
class Chart:
    nodes: list[PlacedNode]
    lines: list[Line]
    edges: list[Edge]
    legend: list[dict]  # the roles drawn, with their style
    left_out: int  # nodes found but not drawn
    more: bool  # and perhaps more than that
    cap: int
    view_box: str = f"0 0 {WIDTH} {HEIGHT}"

    @property
    def is_cut(self) -> bool:
        return self.left_out > 0 or self.more

    @property
    def people(self) -> int:
        return sum(1 for placed in self.nodes if placed.node.kind == PERSON)

    @property
    def shootings(self) -> int:
        return sum(1 for placed in self.nodes if placed.node.kind == SHOOTING)

    @property
    def centre(self) -> Node | None:
        return self.nodes[0].node if self.nodes else None

    def in_words(self) -> list[ShootingEntry]:
        """The chart as a list, for screen readers and for anyone who prefers one: each shooting
        drawn (nearest first) with the people tied to it and their roles."""
        by_key = {placed.node.key: placed.node for placed in self.nodes}
        ties: dict[str, list[Tie]] = {}
        for edge in self.edges:
            labels = [ROLE_STYLES[role]["label"].lower() for role in edge.roles]
            ties.setdefault(edge.shooting, []).append(Tie(by_key[edge.person], labels))
        shootings = sorted(
            (placed.node for placed in self.nodes if placed.node.kind == SHOOTING), key=lambda node: node.ring
        )
        return [
            ShootingEntry(node, sorted(ties.get(node.key, []), key=lambda tie: tie.person.ring)) for node in shootings
        ]

    def summary(self) -> str:
        centre = self.centre
        if centre is None:
            return ""
        others = self.people - 1
        text = (
            f"{centre.label} and the people and shootings up to two steps away: "
            f"{self.shootings} shooting{'s' if self.shootings != 1 else ''} and "
            f"{others} other {'person' if others == 1 else 'people'}."
        )
        if self.is_cut:
            text += f" {self.cut_note()}"
        return text

    def cut_note(self) -> str:
        if not self.is_cut:
            return ""
        if self.left_out and not self.more:
            return f"The chart is cut at the nearest {self.cap}: {self.left_out} more left out."
        if self.left_out:
            return f"The chart is cut at the nearest {self.cap}: at least {self.left_out} more left out."
        return "The chart is cut: there are more ties than it reads."


def ordered_roles(roles) -> tuple[str, ...]:
    order = list(ROLE_STYLES)
    return tuple(sorted(set(roles), key=order.index))


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cut(graph: Graph, cap: int) -> tuple[list[Node], list[Edge]]:
    """The `cap` nearest nodes, keeping only those that still hang on to the centre: a node is
    drawn only with a tie to a node of the ring inside it that is drawn too."""
    kept: dict[str, Node] = {}
    ties: dict[str, set[str]] = {}
    for edge in graph.edges:
        ties.setdefault(edge.person, set()).add(edge.shooting)
        ties.setdefault(edge.shooting, set()).add(edge.person)
    rings = {node.key: node.ring for node in graph.nodes}
    for node in graph.nodes:
        if len(kept) >= cap:
            break
        inner = {key for key in ties.get(node.key, ()) if rings.get(key) == node.ring - 1}
        if node.ring == 0 or inner & kept.keys():
            kept[node.key] = node
    edges = [edge for edge in graph.edges if edge.person in kept and edge.shooting in kept]
    return list(kept.values()), edges


def _label_place(x: float, y: float, angle: float, node: Node, *, inner: bool) -> tuple[float, float, str]:
    """Labels point away from the centre, so that they fall outside the rings' lines; a label
    above its mark leaves room for its second line (a shooting's date). The label of a node
    with nodes hanging outside it goes beside the tie instead, where those nodes are not."""
    if node.ring == 0:
        return x, y + 32, "middle"
    cos, sin = math.cos(angle), math.sin(angle)
    if inner:
        return (x, y + 24, "middle") if abs(cos) > 0.35 else (x + 12, y + 4, "start")
    if cos > 0.35:
        return x + 12, y + 4, "start"
    if cos < -0.35:
        return x - 12, y + 4, "end"
    if sin > 0:
        return x, y + 24, "middle"
    return x, y - (28 if node.sublabel else 14), "middle"


def _sectors(nodes: list[Node], edges: list[Edge]) -> tuple[dict[str, float], set[str]]:
    """Each node's angle (from the top, clockwise): a radial tree. A node hangs on the first
    node of the ring inside it that it is tied to; every node gets a slice of its parent's
    slice in proportion to the nodes at the rim below it, and sits in the middle of its slice,
    so that ties run outwards rather than across the chart."""
    ring_of = {node.key: node.ring for node in nodes}
    order = {node.key: n for n, node in enumerate(nodes)}
    ties: dict[str, list[str]] = {}
    for edge in edges:
        ties.setdefault(edge.person, []).append(edge.shooting)
        ties.setdefault(edge.shooting, []).append(edge.person)
    children: dict[str, list[str]] = {}
    for node in nodes[1:]:
        inside = sorted((key for key in ties.get(node.key, ()) if ring_of[key] == node.ring - 1), key=order.get)
        children.setdefault(inside[0], []).append(node.key)
    rim: dict[str, int] = {}
    for node in reversed(nodes):
        rim[node.key] = max(1, sum(rim[child] for child in children.get(node.key, ())))
    angles: dict[str, float] = {}
    slices = [(nodes[0].key, 0.0, 2 * math.pi)] if nodes else []
    while slices:
        key, start, width = slices.pop()
        angles[key] = start + width / 2
        kids = children.get(key, [])
        total = sum(rim[kid] for kid in kids)
        for kid in kids:
            share = width * rim[kid] / total
            slices.append((kid, start, share))
            start += share
    return angles, set(children)


def _view_box(placed: list[PlacedNode]) -> str:
    """The drawing cropped to what is drawn, labels included (their width guessed from their
    length: about CHAR_WIDTH a character)."""
    if not placed:
        return f"0 0 {WIDTH} {HEIGHT}"
    xs: list[float] = []
    ys: list[float] = []
    for p in placed:
        width = CHAR_WIDTH * max(len(p.node.label), len(p.node.sublabel)) * (1.2 if p.is_centre else 1)
        start = {"start": p.label_x, "end": p.label_x - width}.get(p.anchor, p.label_x - width / 2)
        xs += [p.x - 16, p.x + 16, start, start + width]
        ys += [p.y - 16, p.y + 16, p.label_y - 14, p.label_y + (14 if p.node.sublabel else 4)]
    left, top = min(xs) - MARGIN, min(ys) - MARGIN
    return f"{left:.0f} {top:.0f} {max(xs) + MARGIN - left:.0f} {max(ys) + MARGIN - top:.0f}"


def layout(graph: Graph, cap: int) -> Chart:
    """Place the `cap` nearest nodes of `graph` on their rings (see `_sectors`)."""
    nodes, edges = _cut(graph, cap)
    angles, inner = _sectors(nodes, edges)
    first = min(RING_1_MOST, max(RING_1, RING_STEP * sum(1 for node in nodes if node.ring == 1)))
    radii = (0.0, first, first + RING_GAPS[0], first + sum(RING_GAPS))
    placed: dict[str, PlacedNode] = {}
    cx, cy = CENTRE
    for node in nodes:
        angle = angles[node.key] - math.pi / 2
        radius = radii[min(node.ring, len(radii) - 1)]
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        label_x, label_y, anchor = _label_place(x, y, angle, node, inner=node.key in inner)
        placed[node.key] = PlacedNode(node, round(x, 1), round(y, 1), round(label_x, 1), round(label_y, 1), anchor)
    lines = []
    for edge in edges:
        a, b = placed[edge.person], placed[edge.shooting]
        style = ROLE_STYLES[edge.role]
        lines.append(Line(a.x, a.y, b.x, b.y, edge.role, style["dash"], style["width"]))
    drawn = {edge.role for edge in edges}
    legend = [{"role": role, **style} for role, style in ROLE_STYLES.items() if role in drawn]
    return Chart(
        nodes=list(placed.values()),
        lines=lines,
        edges=edges,
        legend=legend,
        left_out=len(graph.nodes) - len(nodes),
        more=graph.more,
        cap=cap,
        view_box=_view_box(list(placed.values())),
    )
