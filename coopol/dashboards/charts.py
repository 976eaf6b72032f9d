"""Geometry of the dashboards' SVG charts, in viewBox units; templates/dashboards/_charts.html
draws it. Plain numbers only: no inline style (the CSP forbids it), classes carry the colours.
"""

from dataclasses import dataclass

WIDTH, HEIGHT = 320, 170
LEFT, RIGHT, TOP, BOTTOM = 42, 6, 12, 22  # room for the scale on the left, months below


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def nice_max(value: int) -> int:
    """Round the top of the scale up to 1, 2 or 5 times a power of ten (at least 1)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _y(value: int, top: int) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return round(TOP + plot - plot * value / top, 1)


def columns(labels: list[str], values: list[int]) -> dict:
    """Vertical bars, one per label (a month), on a scale from 0 to a round maximum."""
    top = nice_max(max(values, default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(len(values), 1)
    bars = []
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = _y(value, top)
        bars.append(Bar(label, value, round(LEFT + n * slot + slot * 0.15, 1), y,
                        round(slot * 0.7, 1), round(HEIGHT - BOTTOM - y, 1)))
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, **_frame(top)}


def lines(labels: list[str], series: dict[str, list[int]]) -> dict:
    """One polyline per series (its name becomes its class), points at the months' centres."""
    top = nice_max(max((v for values in series.values() for v in values), default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    xs = [round(LEFT + n * slot + slot / 2, 1) for n in range(len(labels))]
    paths = {name: " ".join(f"{x},{_y(v, top)}" for x, v in zip(xs, values, strict=True))
             for name, values in series.items()}
    ticks = [(label, x) for label, x in zip(labels, xs, strict=True)]
    return {"width": WIDTH, "height": HEIGHT, "paths": paths, "ticks": ticks, **_frame(top)}


def _frame(top: int) -> dict:
    return {"top": top, "left": LEFT, "right": WIDTH - RIGHT, "base": HEIGHT - BOTTOM,
            "top_y": TOP, "mid": top / 2, "mid_y": _y(top // 2, top) if top > 1 else None,
            "label_y": HEIGHT - 7}


ROW, LABEL = 26, 120  # horizontal bars: the height of a row, room for the name on the left


def rows(items: list[tuple[str, int]], suffix: str = "") -> dict:
    """Horizontal bars, one per named row (sections, fédérations, consultations)."""
    top = max((value for _name, value in items), default=0) or 1
    room = WIDTH - LABEL - 40  # and room for the figure after the bar
    bars = [Bar(name, value, LABEL, n * ROW + 4, round(room * value / top, 1), ROW - 8)
            for n, (name, value) in enumerate(items)]
    return {"width": WIDTH, "height": max(len(items), 1) * ROW, "bars": bars, "label_x": LABEL - 4,
            "suffix": suffix}
