"""What the browser tests check on each chapter: one line per chapter.

Every page listed in ``_toc.yml`` gets the generic checks (title, navigation, images, math,
widget snapshots, exercises that appear on it, worked solutions, console) whether or not it
has a line here. A line adds:

``notebook``
    the chapter's notebook, opened live in JupyterLab and run top to bottom;
``chapter``
    its ``chapter=`` in ``nnbook.exercises``: the page must show at least one of that
    chapter's exercises, and each is answered with the answer from ``catalog(chapter)``;
``slider``
    the description (label) of one slider, moved with the keyboard in the live notebook;
``drives``
    what that slider must change: ``"image"`` (the figure), ``"panel"`` (the text/math
    panel) or ``"any"`` (either);
``key`` (optional)
    the key that moves it (``"ArrowRight"`` unless the slider starts at its maximum);
``explorer`` (for live explorers)
    the notebook variable holding the explorer: the slider is its range input, moved with
    the keyboard, and Python must see the new value (``browser.explorers.move_in_lab``).
"""

from __future__ import annotations

CASES: dict[str, dict[str, str]] = {
    "book/intro": {"notebook": "book/intro.ipynb", "chapter": "intro", "slider": "input length n", "drives": "image", "explorer": "explorer"},
    "book/softmax": {"notebook": "book/softmax.ipynb", "chapter": "softmax", "slider": "temperature T", "drives": "image", "explorer": "temperature_explorer"},
    "book/convolution": {"notebook": "book/convolution.ipynb", "chapter": "conv", "slider": "input size n", "drives": "image", "explorer": "explorer"},
    "book/conv_layers": {"notebook": "book/conv_layers.ipynb", "chapter": "conv"},  # no explorer of its own (the convolution page's covers it)
    "book/cnn_sizing": {"notebook": "book/cnn_sizing.ipynb", "chapter": "sizing", "slider": "height", "drives": "panel", "explorer": "builder"},
    "book/autodiff": {"notebook": "book/autodiff.ipynb", "chapter": "autodiff", "slider": "step", "drives": "any", "explorer": "stepper"},
    "book/init_batchnorm": {"notebook": "book/init_batchnorm.ipynb", "chapter": "init", "slider": "depth", "drives": "image", "explorer": "explorer"},
}
