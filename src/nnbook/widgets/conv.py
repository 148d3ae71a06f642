"""Explorers for the convolution chapters."""

from __future__ import annotations

from typing import Any

from ..conv import ConvScene, conv_scene, output_size, padding_for_mode, window_taps
from ..plots.conv import conv2d_diagram
from ._live import LiveExplorer, View, bool_control, choice_control, int_control

__all__ = ["WindowExplorer", "ConvExplorer", "explorer_panel", "pytorch_line"]


class WindowExplorer(LiveExplorer):
    """Slide a (dilated) window over a padded 1-D input and count the output positions.

    Live on the built page too: ``js/window.js`` recomputes and draws the same view.

    >>> ex = WindowExplorer()
    >>> ex.set(n=7, kernel_size=3, stride=2, padding=1).ok
    True
    >>> ex.set(n=2, kernel_size=5, padding=0).ok
    False
    >>> ex.set(n=1000)
    Traceback (most recent call last):
    ...
    ValueError: n (input length n) must be from 1 to 16, as on its slider; got 1000
    """

    js_module = "window.js"
    url_key = "window"
    n = int_control("input length n", 7, 1, 16)
    kernel_size = int_control("kernel size k", 3, 1, 7)
    stride = int_control("stride s", 1, 1, 4)
    padding = int_control("padding p", 0, 0, 3)
    dilation = int_control("dilation d", 1, 1, 3)

    def render(self, n: int, kernel_size: int, stride: int, padding: int, dilation: int) -> View:
        out = output_size(n, kernel_size, stride=stride, padding=padding, dilation=dilation)
        panel = (
            "Output length "
            r"$\left\lfloor \dfrac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1 = "
            rf"\left\lfloor \dfrac{{{n} + 2\cdot{padding} - {dilation}\cdot({kernel_size}-1) - 1}}{{{stride}}}"
            rf"\right\rfloor + 1 = \mathbf{{{out}}}$"
        )
        rows = [window_taps(i, kernel_size, stride, dilation) for i in range(out)]
        return View(panel, data={"out": out, "padded": n + 2 * padding, "rows": rows})


def explorer_panel(scene: ConvScene) -> str:
    """The text beside the convolution explorer's picture: the size formula with today's numbers,
    what the mode and flip do, and the arithmetic of the highlighted step (HTML with $math$).

    >>> from nnbook.conv import conv_scene
    >>> "= \\\\mathbf{3}" in explorer_panel(conv_scene(5, 3, stride=2, padding=1))
    True
    """
    s = scene
    n, k, st, d, (lo, hi) = s.n, s.kernel_size, s.stride, s.dilation, s.padding
    pad_text = f"{lo} + {hi}" if lo != hi else rf"2\cdot{lo}"
    if s.direction == "transposed":
        r = s.output_padding
        formula = (
            r"Transposed output size $(m-1)s - 2p + d(k-1) + 1 + r = "
            rf"({s.out}-1)\cdot{st} - {pad_text if lo == hi else f'({pad_text})'} + {d}\cdot({k}-1) + 1 + {r} = "
            rf"\mathbf{{{n}}}$ per side: "
            rf"the {s.out}&times;{s.out} output goes back to {n}&times;{n}"
            + (f", with output_padding $r = {r}$ for the rows the forward floor dropped." if r else ".")
        )
    else:
        formula = (
            r"Output size $\left\lfloor \dfrac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1 = "
            rf"\left\lfloor \dfrac{{{n} + {pad_text} - {d}\cdot({k}-1) - 1}}{{{st}}}\right\rfloor + 1 = "
            rf"\mathbf{{{s.out}}}$ per side ({s.out}&times;{s.out} outputs)."
        )
    modes = {
        "custom": f"Padding {lo} on every side, from the slider.",
        "valid": "Mode <b>valid</b>: no padding, the kernel stays inside the input.",
        "same": (
            f"Mode <b>same</b>: padding {lo} before and {hi} after, so the output is as large as the input"
            + (" (the total $d(k-1)$ is odd, so the extra zero goes after, as in PyTorch)." if lo != hi else ".")
        ),
        "full": f"Mode <b>full</b>: padding $d(k-1) = {lo}$ on every side, so every partial overlap counts.",
    }
    if s.mode != "custom":
        modes[s.mode] += " (The padding slider is ignored in this mode.)"
    flip = (
        "Flip <b>on</b>: a true convolution, the kernel $1..k^2$ is rotated by 180&deg; before it slides."
        if s.flip
        else "Flip <b>off</b>: cross-correlation (what deep-learning libraries compute), the kernel slides as written."
    )
    if s.direction == "forward":
        i, j = s.position
        value = s.z[i, j]
        if k <= 3:
            terms = " + ".join(
                f"{w:g}\\cdot{_value_at(s, r, c):g}" for (r, c), w in zip(s.taps, s.tap_weights)
            )
            step = rf"Step {i * s.out + j + 1} of {s.steps}: $Z[{i},{j}] = {terms} = \mathbf{{{value:g}}}$."
        else:
            step = rf"Step {i * s.out + j + 1} of {s.steps}: $Z[{i},{j}] = \mathbf{{{value:g}}}$ ({k * k} products)."
    elif s.direction == "transposed":
        i, j = s.position
        v = s.y[i, j]
        cropped = sum(1 for (a, b) in s.taps if not (lo <= a < lo + n and lo <= b < lo + n))
        step = (
            rf"Step {i * s.out + j + 1} of {s.steps}: $Y[{i},{j}] = {v:g}$ goes back along the window "
            rf"$Z[{i},{j}]$ was read from, adding ${v:g}\cdot W$ to {len(s.taps) - cropped} output cell(s)"
            + (f" ({cropped} of its {len(s.taps)} products land on padding and are cropped)" if cropped else "")
            + r". The sum $C^\top Y$ is the backward view's $\partial J/\partial X$ for $\partial J/\partial Z = Y$."
        )
    else:
        r, c = s.position
        fed = ", ".join(f"({a},{b})" for a, b in s.outputs_fed) or "none"
        step = (
            f"Backward, pixel {r * s.n + c + 1} of {s.steps}: $X[{r},{c}]$ is read by "
            f"{len(s.outputs_fed)} output(s): {fed}. So $\\partial J/\\partial X[{r},{c}]$ is a sum of "
            f"{len(s.outputs_fed)} term(s) $\\partial J/\\partial Z[i,j]\\, W[\\cdot]$"
            + (" &mdash; zero: no window ever reads this pixel." if not s.outputs_fed else ".")
        )
    return "<br>".join([formula, modes[s.mode] + " " + flip, step])


def _value_at(s: ConvScene, r: int, c: int) -> float:
    lo = s.padding[0]
    if lo <= r < lo + s.n and lo <= c < lo + s.n:
        return float(s.x[r - lo, c - lo])
    return 0.0


def pytorch_line(n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                 mode: str = "custom", flip: bool = False, direction: str = "forward", **_: Any) -> str:
    """The ``torch.nn.Conv2d`` that computes the explorer's output for this setting
    (one channel in and out, no bias), as the explorer's "copy PyTorch" button copies it; in
    the transposed view, the ``torch.nn.ConvTranspose2d`` that brings its output back.

    >>> pytorch_line(5, 3, stride=2, padding=1)
    'torch.nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, dilation=1, bias=False)'
    >>> pytorch_line(5, 4, mode="same")
    "torch.nn.Conv2d(1, 1, kernel_size=4, stride=1, padding='same', dilation=1, bias=False)"
    >>> pytorch_line(6, 3, stride=2, padding=1, direction="transposed")
    'torch.nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1, bias=False)'
    """
    if direction == "transposed":
        return _transposed_line(n, kernel_size, stride, padding, dilation, mode, flip)
    pad = {"custom": str(padding), "valid": "'valid'", "same": "'same'", "full": str(dilation * (kernel_size - 1))}[mode]
    line = f"torch.nn.Conv2d(1, 1, kernel_size={kernel_size}, stride={stride}, padding={pad}, dilation={dilation}, bias=False)"
    if flip:
        line += "  # flip on: PyTorch cross-correlates, so give it the kernel rotated by 180 degrees, w.flip(-2, -1)"
    return line


def _transposed_line(n: int, kernel_size: int, stride: int, padding: int, dilation: int, mode: str,
                     flip: bool) -> str:
    total = dilation * (kernel_size - 1)
    lo, hi = (padding, padding) if mode == "custom" else padding_for_mode(mode, kernel_size, dilation, stride)
    output_padding = (n + lo + hi - total - 1) % stride
    line = (f"torch.nn.ConvTranspose2d(1, 1, kernel_size={kernel_size}, stride={stride}, padding={lo}, "
            f"output_padding={output_padding}, dilation={dilation}, bias=False)")
    if lo != hi:
        line += f"  # 'same' padded {lo} before and {hi} after: keep out[..., :-{hi - lo}, :-{hi - lo}]"
    if flip:
        line += "  # flip on: give it the kernel rotated by 180 degrees, w.flip(-2, -1)"
    return line


class ConvExplorer(LiveExplorer):
    """The 2-D convolution explorer: sizes, mode, flip, a step/play control, a backward and a transposed view.

    Live on the built page too: ``js/conv.js`` recomputes and draws the same view, with a Play
    button and a "copy PyTorch" line (:func:`pytorch_line`).

    >>> ex = ConvExplorer()
    >>> ex.set(n=5, kernel_size=3, stride=2, padding=1, mode="custom").ok
    True
    >>> ex.set(mode="same").ok      # same padding with stride 2 is impossible
    False
    """

    RANGES = {"n": (2, 9), "kernel_size": (1, 5), "stride": (1, 3), "padding": (0, 2), "dilation": (1, 3)}
    #: the step control's own end; its range in a setting is the number of positions (bounds())
    MAX_STEP = 440
    js_module = "conv.js"
    url_key = "conv"
    n = int_control("input size n", 5, *RANGES["n"])
    kernel_size = int_control("kernel size k", 3, *RANGES["kernel_size"])
    stride = int_control("stride s", 1, *RANGES["stride"])
    padding = int_control("padding p", 0, *RANGES["padding"])
    dilation = int_control("dilation d", 1, *RANGES["dilation"])
    mode = choice_control("mode", "custom", [("p slider", "custom"), ("valid", "valid"), ("same", "same"),
                                             ("full", "full")])
    flip = bool_control("flip kernel (true convolution)", False)
    direction = choice_control("view", "forward", ["forward", "backward", "transposed"])
    step = int_control("step", 0, 0, MAX_STEP)

    def render(self, **values: Any) -> View:
        scene = conv_scene(**values)
        data = {
            "out": scene.out, "padding": list(scene.padding), "steps": scene.steps, "position": list(scene.position),
            "taps": [list(t) for t in scene.taps], "tap_weights": scene.tap_weights,
            "outputs_fed": [list(f) for f in scene.outputs_fed], "x": scene.x.tolist(),
            "applied": scene.applied.tolist(), "z": scene.z.tolist(), "counts": scene.counts.tolist(),
            "y": scene.y.tolist(), "transposed": scene.transposed.tolist(), "output_padding": scene.output_padding,
            "pytorch": pytorch_line(**values),
        }
        return View(explorer_panel(scene), data=data)

    def bounds(self, **values: Any) -> dict[str, int]:
        """The step control ends at the last position of this setting."""
        return {"step": conv_scene(**dict(values, step=0)).steps - 1}

    def normalize(self, **values: Any) -> dict[str, Any]:
        """Clamp the step to the last position (as the slider does when its range shrinks)."""
        try:
            last = self.bounds(**values)["step"]
        except ValueError:
            return values
        return values if values["step"] <= last else dict(values, step=last)
