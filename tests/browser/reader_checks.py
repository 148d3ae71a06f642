"""What tests/test_browser_reader.py measures on a page (JavaScript evaluated in the page)."""

from __future__ import annotations

# Elements of the article that scroll or clip sideways: scroll containers (overflow-x auto or
# scroll) and clipping boxes (hidden/clip) whose content is wider than they are, plus the
# article itself (anything that spills out of the text column with overflow: visible makes the
# article wider than its box). Measured with MathJax's assistive MathML hidden: it is a 1-px
# clipped copy of every formula for screen readers, wider than the formula by design, and it
# makes every inline formula look "clipped" to this measure. Also left out: MathJax's
# <mjx-ext>, the repeated middle piece of a tall stretchy bracket, clipped to the bracket's
# height by design (nothing of the formula is hidden), screen-reader-only text (a 1-px clipped
# box by design), and a box 1-2 px too narrow (sub-pixel rounding of an inline formula).
# Returns {page: document scroll width, viewport, items: [description, ...]}.
SIDEWAYS = r"""() => {
    const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
    const hide = document.createElement('style');
    hide.textContent = 'mjx-assistive-mml { display: none !important; }';
    document.head.appendChild(hide);
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.') : '');
    const where = el => { const s = el.closest('section[id]'); return s ? '#' + s.id : ''; };
    const items = [];
    try {
        for (const el of [article, ...article.querySelectorAll('*')]) {
            if (el.clientWidth <= 1 || el.localName === 'mjx-ext') continue;  // 1-px screen-reader-only text
            const cs = getComputedStyle(el);
            if (cs.display === 'none' || cs.visibility === 'hidden') continue;
            const scrolls = ['auto', 'scroll', 'hidden', 'clip'].includes(cs.overflowX);
            if ((scrolls || el === article) && el.scrollWidth > el.clientWidth + 2) {  // sub-pixel rounding
                const text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 90);
                items.push(`${name(el)} in ${where(el)}: ${el.scrollWidth}px of content in ${el.clientWidth}px`
                           + ` (overflow-x ${cs.overflowX}) ${JSON.stringify(text)}`);
            }
        }
    } finally {
        hide.remove();
    }
    return {page: document.documentElement.scrollWidth, viewport: window.innerWidth, items};
}"""

# Set the sphinx-book-theme (pydata) colour theme the way its switcher does, with CSS
# transitions off (the theme fades colours: axe would measure them half-way).
SET_THEME = """(theme) => {
    if (!document.getElementById('nnbook-no-transitions')) {
        const style = document.createElement('style');
        style.id = 'nnbook-no-transitions';
        style.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';
        document.head.appendChild(style);
    }
    document.documentElement.dataset.theme = theme;
    document.documentElement.dataset.mode = theme;
    try { localStorage.setItem('theme', theme); localStorage.setItem('mode', theme); } catch (e) {}
    return getComputedStyle(document.body).backgroundColor;
}"""

# Every <img> in the article: where it is and its alt text.
IMAGE_ALTS = """() => [...document.querySelectorAll('article img')].map(img => ({
    src: (img.getAttribute('src') || '').slice(0, 80),
    alt: img.getAttribute('alt'),
    in_widget: !!img.closest('.jupyter-widgets, .widget-subarea'),
    in_output: !!img.closest('.cell_output'),
}))"""

# The keyboard focus ring of the element that has focus now (after a Tab press).
FOCUS_RING = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' ? parseFloat(cs.outlineWidth) : 0;
    const r = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(), cls: typeof el.className === 'string' ? el.className.slice(0, 60) : '',
        text: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 40),
        outline, shadow: cs.boxShadow !== 'none', visible: r.width > 0 && r.height > 0,
        focusVisible: el.matches(':focus-visible'),
        inArticle: !!el.closest('article'),
    };
}"""

# Interactive controls in the article that the keyboard cannot reach.
UNREACHABLE = """() => [...document.querySelectorAll(
        'article input, article button, article select, article textarea, article [role=slider], article summary')]
    .filter(el => el.getClientRects().length && !el.disabled && el.tabIndex < 0)
    .map(el => el.outerHTML.slice(0, 120))"""
