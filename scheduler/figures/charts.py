"""Server-drawn SVG charts: the geometry of line and stacked-bar charts as plain values,
drawn by ``templates/figures/_chart.html``. No script, no style attributes: colours,
dashes and marker shapes come from classes in ``static/figures/figures.css``, so that the
page keeps its Content-Security-Policy. Series differ by marker shape and dash as well
as by colour, and every chart has a table of the same figures as its alternative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_X_LABELS = 12
SHAPES = ("circle", "square", "diamond", "triangle")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    shape: str
    path: str  # for the shapes drawn as a path


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass
class DrawnSeries:
    name: str
    css: str  # "series-1" …
    shape: str
    lines: list[str] = field(default_factory=list)  # polyline points, one per unbroken run
    markers: list[Marker] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    """One drawn chart with what the template needs to label it."""

    id: str
    title: str
    description: str
    kind: str  # "line" | "stacked"
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    series: list[DrawnSeries]
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def nice_ceiling(value: float) -> tuple[float, float]:
    """An axis top at or above ``value`` and its tick step (1, 2 or 5 times a power of ten,
    at most five steps)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        step = factor * power
        if step >= raw:
            break
    step = max(step, 1.0) if value >= 1 else step
    return step * math.ceil(value / step - 1e-9), step


def _marker_path(shape: str, x: float, y: float, r: float = 4.5) -> str:
    if shape == "square":
        return f"M{x - r:.1f} {y - r:.1f}h{2 * r:.1f}v{2 * r:.1f}h{-2 * r:.1f}Z"
    if shape == "diamond":
        d = r + 1
        return f"M{x:.1f} {y - d:.1f}L{x + d:.1f} {y:.1f}L{x:.1f} {y + d:.1f}L{x - d:.1f} {y:.1f}Z"
    if shape == "triangle":
        return f"M{x:.1f} {y - r - 1:.1f}L{x + r + 1:.1f} {y + r:.1f}L{x - r - 1:.1f} {y + r:.1f}Z"
    return ""


def _x_ticks(labels: Sequence[str]) -> list[Tick]:
    n = len(labels)
    every = max(1, math.ceil(n / MAX_X_LABELS))
    band = PLOT_W / max(n, 1)
    return [
        Tick(LEFT + band * (i + 0.5), label) for i, label in enumerate(labels) if i % every == 0
    ]


def _y_ticks(top: float, step: float, number: Callable[[float], str]) -> list[Tick]:
    ticks = []
    value = 0.0
    while value <= top + 1e-9:
        ticks.append(Tick(TOP + PLOT_H * (1 - value / top), number(value)))
        value += step
    return ticks


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    number: Callable[[float], str],
    y_top: float | None = None,
) -> Chart:
    """Lines with a marker at each value; a missing value breaks the line."""
    values = [v for s in series for v in s.values if v is not None]
    top, step = nice_ceiling(y_top if y_top is not None else max(values, default=0))
    if y_top is not None:
        top, step = y_top, 1.0 if y_top <= 10 else nice_ceiling(y_top)[1]
    band = PLOT_W / max(len(labels), 1)
    drawn = []
    for index, one in enumerate(series):
        shape = SHAPES[index % len(SHAPES)]
        item = DrawnSeries(one.name, f"series-{index + 1}", shape)
        run: list[str] = []
        for i, value in enumerate(one.values):
            if value is None:
                if run:
                    item.lines.append(" ".join(run))
                run = []
                continue
            x = LEFT + band * (i + 0.5)
            y = TOP + PLOT_H * (1 - min(value, top) / top)
            run.append(f"{x:.1f},{y:.1f}")
            item.markers.append(Marker(round(x, 1), round(y, 1), shape, _marker_path(shape, x, y)))
        if run:
            item.lines.append(" ".join(run))
        drawn.append(item)
    return Chart(
        chart_id, title, description, "line", _y_ticks(top, step, number), _x_ticks(labels), drawn
    )


def stacked_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    number: Callable[[float], str],
) -> Chart:
    """Bars of the series stacked on one another, first series at the bottom."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top, step = nice_ceiling(max(totals, default=0))
    band = PLOT_W / max(len(labels), 1)
    width = min(band * 0.7, 40)
    base = [0.0] * len(labels)
    drawn = []
    for index, one in enumerate(series):
        item = DrawnSeries(one.name, f"series-{index + 1}", SHAPES[index % len(SHAPES)])
        for i, value in enumerate(one.values):
            if not value:
                continue
            y_low = TOP + PLOT_H * (1 - base[i] / top)
            base[i] += value
            y_high = TOP + PLOT_H * (1 - base[i] / top)
            item.bars.append(
                Bar(
                    round(LEFT + band * (i + 0.5) - width / 2, 1),
                    round(y_high, 1),
                    round(width, 1),
                    round(y_low - y_high, 1),
                )
            )
        drawn.append(item)
    return Chart(
        chart_id,
        title,
        description,
        "stacked",
        _y_ticks(top, step, number),
        _x_ticks(labels),
        drawn,
    )
