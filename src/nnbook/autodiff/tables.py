"""The three table renderers of a trace: plain text (``str``), HTML (Jupyter, the book) and LaTeX.

Each takes columns of rows ``(lhs, "= rule", "= expanded", "= value")`` and lays them side by side.

>>> print(_text_table("t", ["h"], [[("v₁", "= 2", "", "= 2.0000")]]))
t
h
---------------
v₁ = 2 = 2.0000
"""

from __future__ import annotations

from html import escape
from itertools import zip_longest

from .notation import _BAR, _DOT

# ============================================================================ rendering
def _width(text: str) -> int:
    """Display width: the combining dot and bar of v̇ and v̄ take no column."""
    return len(text) - text.count(_DOT) - text.count(_BAR)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _text_table(title: str, headers: list[str], columns: list[list[tuple[str, ...]]]) -> str:
    blocks = []
    for header, rows in zip(headers, columns):
        widths = [max((_width(r[i]) for r in rows), default=0) for i in range(4)]
        lines = []
        for r in rows:
            cells = [_pad(r[0], widths[0]), _pad(r[1], widths[1])]
            if widths[2]:
                cells.append(_pad(r[2], widths[2]))
            cells.append("= " + _pad(r[3][2:], widths[3] - 2, right=True))
            lines.append(" ".join(cells))
        width = max([_width(header)] + [_width(line) for line in lines])
        blocks.append([_pad(header, width), "-" * width] + [_pad(line, width) for line in lines])
    out = [title]
    for parts in zip_longest(*blocks, fillvalue=None):
        out.append(" | ".join(p if p is not None else " " * _width(blocks[i][0]) for i, p in enumerate(parts)).rstrip())
    return "\n".join(out)


_CSS = (
    "<style>.nnbook-trace{border-collapse:collapse;font-size:0.92em;margin:0.5em 0}"
    ".nnbook-trace td,.nnbook-trace th{padding:1px 6px;text-align:left;white-space:nowrap}"
    ".nnbook-trace td.num{text-align:right;font-family:monospace}"
    ".nnbook-trace td.sep,.nnbook-trace th.sep{border-left:2px solid #888}"
    ".nnbook-trace tr.hl td.a,.nnbook-trace tr.hl td.b{background:#ffe28a}"
    ".nnbook-trace caption{caption-side:top;text-align:left;font-weight:bold;padding-bottom:4px}</style>"
)


def _html_table(headers: list[str], columns: list[list[tuple[str, ...]]], highlight: tuple[int | None, ...] | None,
                caption: str = "", shown: tuple[int, ...] | None = None) -> str:
    parts = [_CSS, '<table class="nnbook-trace">']
    if caption:
        parts.append(f"<caption>{escape(caption)}</caption>")
    parts.append("<thead><tr>")
    for i, h in enumerate(headers):
        parts.append(f'<th colspan="4"{" class=sep" if i else ""}>{escape(h)}</th>')
    parts.append("</tr></thead><tbody>")
    for r, cells in enumerate(zip_longest(*columns)):
        marks = [highlight is not None and highlight[i] == r for i in range(len(columns))]
        parts.append('<tr class="hl">' if any(marks) else "<tr>")
        for i, row in enumerate(cells):
            cls = "ab"[i % 2] if marks[i] else ""
            sep = " sep" if i else ""
            row = row or ("", "", "", "")
            if shown is not None and row[0] and r >= shown[i]:
                row = (*row[:3], "= ?")
            for k, cell in enumerate(row):
                c = (cls + (sep if k == 0 else "") + (" num" if k == 3 else "")).strip()
                attr = f' class="{c}"' if c else ""
                content = escape(cell) if k == 3 or not cell else rf"\({escape(cell)}\)"  # MathJax: Lab and book
                parts.append(f"<td{attr}>{content}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _latex_table(headers: list[str], columns: list[list[tuple[str, ...]]]) -> str:
    lines = [r"\begin{tabular}{" + "|".join(["llll"] * len(columns)) + "}",
             " & ".join(rf"\multicolumn{{4}}{{c}}{{{h}}}" for h in headers) + r" \\ \hline"]
    for cells in zip_longest(*columns):
        items = []
        for row in cells:
            row = row or ("", "", "", "")
            items.extend(f"${cell}$" if cell else "" for cell in row)
        lines.append(" & ".join(items) + r" \\")
    lines.append(r"\end{tabular}")
    return "\n".join(lines)


