"""Charts of a Table, drawn on the server as inline SVG: no script, nothing fetched.

Only the table's first column is drawn ("bars": one horizontal bar per row; "trend": one
column per month). A suppressed figure is drawn as a hatched, outlined mark of a fixed size
with its words, never as a bar of some length: its value is not known here and a zero would
be a lie. The accessible HTML table beside the chart carries the same numbers; the SVG is an
image with a short label. In a right-to-left page bars grow from the right and text is
anchored there, and the months run from right to left.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from flask_babel import gettext

from grievance.summaries.periods import Period
from grievance.summaries.tables import SHARE, Figure, Row, Table
from grievance.web.figures import figure_text, reason_text, short_month

WIDTH = 340          # fits a 360 px phone with the page's margins; the SVG scales down beyond
PAD = 6
VALUE_ROOM = 96      # room kept after the longest bar for its value
MARK = 22            # the width (or height) of a suppressed figure's hatched mark
BAR_LINE, BAR_HEIGHT, LABEL_LINE = 34, 14, 14
TREND_HEIGHT = 150


def chart_svg(table: Table, rtl: bool = False) -> Markup | None:
    """The chart a table asks for, or None (no chart, or no row to draw)."""
    if not table.rows or not table.columns:
        return None
    if table.chart == "bars":
        return bars_svg(table, rtl)
    if table.chart == "trend":
        return trend_svg(table, rtl)
    return None


def _first(row: Row, table: Table) -> Figure | None:
    return row.cells.get(table.columns[0].key)


def _scale(figures: list[Figure | None]) -> float:
    """The value a full-length bar stands for: 100 % for shares, else the largest shown value."""
    shown = [figure for figure in figures if figure is not None and figure.shown]
    if shown and all(figure.kind == SHARE for figure in shown):
        return 1.0
    return max((float(figure.value) for figure in shown), default=0.0) or 1.0


def _open(table: Table, height: int, rtl: bool) -> str:
    label = gettext("Chart: %(title)s. The same figures are in the table below it.", title=str(table.title))
    direction = ' direction="rtl"' if rtl else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{escape(table.chart)}" role="img" '
            f'aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
            f'{direction} font-size="12">'
            f'<defs><pattern id="{_hatch_id(table)}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="#5b6475" stroke-width="2"/></pattern></defs>')


def _hatch_id(table: Table) -> str:
    # Ids are page-wide: one pattern per table, named after its key.
    return "hatch-" + "".join(ch if ch.isalnum() else "-" for ch in table.key)


def _text(x: float, y: float, words: str, rtl: bool, css: str = "", anchor: str = "start") -> str:
    # In a right-to-left SVG, "start" is the right edge of the text: the same call anchors left
    # in English and right in Arabic.
    css_attribute = f' class="{css}"' if css else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{css_attribute}>{escape(words)}</text>'


def _words(x: float, y: float, words: str) -> str:
    """A suppressed figure's words beside its mark, in two lines when long (a phone is narrow)."""
    lines = [words]
    if len(words) > 34 and " " in words:
        middle = len(words) // 2
        cut = min((i for i, ch in enumerate(words) if ch == " "), key=lambda i: abs(i - middle))
        lines = [words[:cut], words[cut + 1:]]
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if index == 0 else 11}">{escape(line)}</tspan>'
                    for index, line in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y - (5 if len(lines) > 1 else 0):.1f}" font-size="10" '
            f'class="value suppressed-words">{spans}</text>')


def _x(x: float, length: float, rtl: bool) -> float:
    """The left edge of something ``length`` wide that starts ``x`` from the reading start."""
    return WIDTH - x - length if rtl else x


def _suppressed_mark(x: float, y: float, width: float, height: float, table: Table, figure: Figure) -> str:
    return (f'<rect class="suppressed" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="url(#{_hatch_id(table)})" stroke="#5b6475" stroke-dasharray="3 2">'
            f'<title>{escape(reason_text(figure.suppressed))}</title></rect>')


def bars_svg(table: Table, rtl: bool = False) -> Markup:
    """One horizontal bar per row (and the total's, last), label above its bar."""
    rows = table.rows + ([table.total] if table.total else [])
    figures = [_first(row, table) for row in table.rows]  # the total is not the scale's measure
    scale = _scale(figures)
    longest = WIDTH - 2 * PAD - VALUE_ROOM
    parts = [_open(table, len(rows) * BAR_LINE + PAD, rtl)]
    start = WIDTH - PAD if rtl else PAD
    for index, row in enumerate(rows):
        top = PAD + index * BAR_LINE
        figure = _first(row, table)
        css = "label total" if row is table.total else "label"
        parts.append(_text(start, top + LABEL_LINE - 3, str(row.label), rtl, css))
        bar_top = top + LABEL_LINE
        if figure is None:
            continue
        if figure.shown:
            # The total is written, not drawn: a bar for it would dwarf the rows it adds up.
            length = 0.0 if row is table.total else longest * min(float(figure.value) / scale, 1.0)
            if length:
                parts.append(f'<rect class="bar" x="{_x(PAD, length, rtl):.1f}" y="{bar_top}" '
                             f'width="{length:.1f}" height="{BAR_HEIGHT}" fill="#1f5fbf"/>')
            after = PAD + length + (4 if length else 0)
        else:
            parts.append(_suppressed_mark(_x(PAD, MARK, rtl), bar_top, MARK, BAR_HEIGHT, table, figure))
            after = PAD + MARK + 4
        value_x = WIDTH - after if rtl else after
        if figure.shown:
            parts.append(_text(value_x, bar_top + BAR_HEIGHT - 3, figure_text(figure), rtl, "value"))
        else:
            parts.append(_words(value_x, bar_top + BAR_HEIGHT - 3, reason_text(figure.suppressed)))
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_svg(table: Table, rtl: bool = False) -> Markup:
    """One column per month (rows in order), its value above it; suppressed months hatched at
    full height with a legend underneath naming why."""
    rows = table.rows
    figures = [_first(row, table) for row in rows]
    scale = _scale(figures)
    reasons = sorted({figure.suppressed for figure in figures if figure is not None and not figure.shown})
    base = TREND_HEIGHT - 20
    tallest = base - 2 * LABEL_LINE
    height = TREND_HEIGHT + len(reasons) * 18
    slot = (WIDTH - 2 * PAD) / max(len(rows), 1)
    width = min(slot * 0.6, 36)
    parts = [_open(table, height, rtl),
             f'<line class="axis" x1="{PAD}" y1="{base}" x2="{WIDTH - PAD}" y2="{base}" stroke="#d9dee7"/>']
    for index, (row, figure) in enumerate(zip(rows, figures)):
        middle = _x(PAD + slot * index + slot / 2, 0, rtl)
        period = Period.parse(row.key)
        parts.append(_text(middle, base + 14, short_month(period) if period else str(row.label), rtl,
                           "month", anchor="middle"))
        if figure is None:
            continue
        left = middle - width / 2
        if figure.shown:
            tall = tallest * min(float(figure.value) / scale, 1.0)
            parts.append(f'<rect class="bar" x="{left:.1f}" y="{base - tall:.1f}" width="{width:.1f}" '
                         f'height="{tall:.1f}" fill="#1f5fbf"><title>{escape(str(row.label))}: '
                         f'{escape(figure_text(figure))}</title></rect>')
            parts.append(_text(middle, base - tall - 3, figure_text(figure), rtl, "value", anchor="middle"))
        else:
            parts.append(_suppressed_mark(left, base - tallest, width, tallest, table, figure))
    for index, reason in enumerate(reasons):
        top = TREND_HEIGHT + index * 18
        parts.append(f'<rect class="legend" x="{_x(PAD, 14, rtl):.1f}" y="{top}" width="14" height="12" '
                     f'fill="url(#{_hatch_id(table)})" stroke="#5b6475" stroke-dasharray="3 2"/>')
        parts.append(_text(WIDTH - PAD - 20 if rtl else PAD + 20, top + 10, reason_text(reason), rtl,
                           "legend-words"))
    parts.append("</svg>")
    return Markup("".join(parts))
