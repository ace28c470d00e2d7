"""Server-rendered charts: the geometry of a bar chart for templates/loyalty/_bar_chart.html
(inline SVG, no script, no third-party code). Values may be negative (NPS runs -100..100):
bars rise from or hang below the zero line. Every chart is drawn beside a table of the same
figures."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
HEIGHT = 220
LABEL_SPACE = 40
TOP = 16


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int | None
    text_y: float
    negative: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    zero_y: float
    width: int
    height: int
    unit: str


def bar_chart(
    items: list[tuple[str, int | None]], *, title: str, low: int = 0, high: int = 100, unit: str = ""
) -> BarChart:
    """A chart of `items` (label, value or None for no figure) on the scale low..high."""
    plot = HEIGHT - LABEL_SPACE - TOP
    span = float(high - low) or 1.0

    def y_of(value: float) -> float:
        return TOP + plot * (high - value) / span

    zero = y_of(max(low, min(0, high)) if low < 0 else low)
    slot = WIDTH / max(len(items), 1)
    width = max(min(slot * 0.6, 60), 4)
    bars = []
    for index, (label, value) in enumerate(items):
        x = index * slot + (slot - width) / 2
        if value is None:
            bars.append(Bar(x, zero, width, 0, label, None, zero - 4, False))
            continue
        clipped = max(low, min(high, value))
        top = y_of(clipped)
        y, height = (top, zero - top) if top <= zero else (zero, top - zero)
        text_y = y - 4 if top <= zero else y + height + 12
        bars.append(
            Bar(
                round(x, 1),
                round(y, 1),
                round(width, 1),
                round(height, 1),
                label,
                value,
                round(text_y, 1),
                top > zero,
            )
        )
    return BarChart(title=title, bars=bars, zero_y=round(zero, 1), width=WIDTH, height=HEIGHT, unit=unit)
