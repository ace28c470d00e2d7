"""The results chart: a horizontal bar chart drawn as inline SVG on the server (no script, no
CDN), shown with a table of the same figures beside it."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 190
BAR_WIDTH = 300
VALUE_WIDTH = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: int
    y: int
    width: int
    text_y: int
    value_x: int
    css: str


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_x: int


def bar_chart(rows: list[tuple[str, int, str]]) -> BarChart:
    """`rows` (label, value, css class) as bars scaled to the largest value."""
    largest = max((value for _label, value, _css in rows), default=0) or 1
    bars = []
    for index, (label, value, css) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = round(BAR_WIDTH * value / largest)
        bars.append(Bar(label=label, value=value, x=LABEL_WIDTH, y=y, width=max(width, 1 if value else 0),
                        text_y=y + BAR_HEIGHT - 6, value_x=LABEL_WIDTH + max(width, 0) + 6, css=css))
    height = GAP + len(rows) * (BAR_HEIGHT + GAP)
    return BarChart(bars=bars, width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH, height=height,
                    label_x=LABEL_WIDTH - 8)
