"""Exercise texts for the exports: the book's own markup, turned into HTML or pandoc-safe Markdown.

The exercises write ``$math$``, ``$$display$$``, ```code```, ``**bold**`` and ``*italic*``; HTML exports
reuse the book's renderer (math as ``\\( \\)`` and ``\\[ \\]``, which MathJax, Moodle and Canvas all
typeset), and Markdown keeps the text but makes every line break a hard break, so trace tables do not
collapse into one line under pandoc.
"""

from __future__ import annotations

import re

from ..exercises._core import _block_markup, _inline_markup


def block_html(text: str) -> str:
    """Paragraphs of exercise text as HTML.

    >>> block_html("Two\\nlines")
    '<p>Two<br>\\nlines</p>'
    """
    return _block_markup(text)


def inline_html(text: str) -> str:
    """One line of exercise text as HTML (labels, choices).

    >>> inline_html("**$v_1$**")
    '<b>\\\\(v_1\\\\)</b>'
    """
    return _inline_markup(text)


def block_markdown(text: str) -> str:
    """Exercise text as Markdown that pandoc and CommonMark render as the book does.

    Paragraphs stay separated by blank lines; a single newline inside a paragraph becomes a hard
    line break (a trailing backslash), and a paragraph that is a table keeps its rows.

    >>> print(block_markdown("a\\nb\\n\\nc"))
    a\\
    b
    <BLANKLINE>
    c
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    out = []
    for p in paragraphs:
        lines = [line.rstrip() for line in p.splitlines()]
        if all(line.lstrip().startswith("|") for line in lines):
            out.append("\n".join(lines))
        else:
            out.append("\\\n".join(lines))
    return "\n\n".join(out)
