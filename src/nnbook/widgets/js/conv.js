// The convolution chapter's ConvExplorer: sizes, mode, flip, step/play and the backward view.
// Python reference: nnbook.widgets.conv.ConvExplorer (nnbook.conv.conv_scene, explorer_panel).

// nnbook.conv.conv_scene, the numbers only (same messages for impossible settings).
function convScene(v) {
  const { n, kernel_size: k, stride: st, padding: p, dilation: d, mode, flip, direction, step } = v;
  const span = d * (k - 1) + 1, total = d * (k - 1);
  let pads;
  if (mode === "custom") pads = [p, p];
  else if (mode === "same" && st !== 1)
    refuse(`'same' padding keeps the output as large as the input only with stride 1, but the stride is ` +
      `${st}: every step of ${st} would need about ${st}x the input to come out the same size`);
  else pads = mode === "valid" ? [0, 0] : mode === "full" ? [total, total] : [Math.floor(total / 2), total - Math.floor(total / 2)];
  const padded = n + pads[0] + pads[1];
  if (span > padded)
    refuse(`the kernel does not fit: a ${k}x${k} kernel with dilation ${d} spans ${span}x${span} cells, ` +
      `but the padded input is only ${padded}x${padded} (${n} plus ${pads[0]} + ${pads[1]} zeros)`);
  const out = Math.floor((padded - span) / st) + 1;
  const x = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (3 * i + 2 * j) % 4));
  const kernel = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => a * k + b + 1));
  const applied = flip ? kernel.map((_, a) => kernel[k - 1 - a].slice().reverse()) : kernel;
  const lo = pads[0];
  const at = (r, c) => (r >= lo && r < lo + n && c >= lo && c < lo + n ? x[r - lo][c - lo] : 0);
  const z = Array.from({ length: out }, (_, i) => Array.from({ length: out }, (_, j) => {
    let sum = 0;
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) sum += applied[a][b] * at(i * st + a * d, j * st + b * d);
    return sum;
  }));
  const fed1d = (pos) => {
    const seen = new Set();
    for (let t = 0; t < k; t++) { const s0 = pos - t * d; if (s0 >= 0 && s0 % st === 0 && s0 / st < out) seen.add(s0 / st); }
    return [...seen].sort((a, b) => a - b);
  };
  const perAxis = Array.from({ length: n }, (_, i) => fed1d(i + lo).length);
  const counts = perAxis.map((a) => perAxis.map((b) => a * b));
  // the transposed view: y (out x out) spread back over the windows, cropped to n x n (the scatter
  // form of conv_transpose2d, written independently of Python's)
  const y = Array.from({ length: out }, (_, i) => Array.from({ length: out }, (_, j) => (i + 2 * j) % 3 + 1));
  const transposed = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < out; i++) for (let j = 0; j < out; j++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    const r = i * st + a * d - lo, c = j * st + b * d - lo;
    if (r >= 0 && r < n && c >= 0 && c < n) transposed[r][c] += y[i][j] * applied[a][b];
  }
  const outputPadding = (padded - span) % st;
  const steps = direction === "backward" ? n * n : out * out;
  const kk = Math.min(step, steps - 1);
  const taps = [], weights = [];
  let fed = [], position;
  if (direction !== "backward") {
    position = [Math.floor(kk / out), kk % out];
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
      taps.push([position[0] * st + a * d, position[1] * st + b * d]);
      weights.push(applied[a][b]);
    }
  } else {
    position = [Math.floor(kk / n), kk % n];
    const rows = fed1d(position[0] + lo), cols = fed1d(position[1] + lo);
    fed = rows.flatMap((r) => cols.map((c) => [r, c]));
  }
  return { n, k, st, d, lo, hi: pads[1], mode, flip, direction, out, x, applied, z, counts, steps, position,
    taps, weights, fed, at, y, transposed, outputPadding };
}

// nnbook.widgets.conv.explorer_panel.
function explorerPanel(sc) {
  if (sc.direction === "transposed") return [transposedFormula(sc), modeAndFlip(sc), transposedStep(sc)].join("<br>");
  const { n, k, st, d, lo, hi, out } = sc;
  const padText = lo !== hi ? `${lo} + ${hi}` : `2\\cdot${lo}`;
  const formula = "Output size $\\left\\lfloor \\dfrac{n + 2p - d(k-1) - 1}{s} \\right\\rfloor + 1 = " +
    `\\left\\lfloor \\dfrac{${n} + ${padText} - ${d}\\cdot(${k}-1) - 1}{${st}}\\right\\rfloor + 1 = ` +
    `\\mathbf{${out}}$ per side (${out}&times;${out} outputs).`;
  return [formula, modeAndFlip(sc), stepText(sc)].join("<br>");
}

function modeAndFlip(sc) {
  const { lo, hi } = sc;
  const modes = {
    custom: `Padding ${lo} on every side, from the slider.`,
    valid: "Mode <b>valid</b>: no padding, the kernel stays inside the input.",
    same: `Mode <b>same</b>: padding ${lo} before and ${hi} after, so the output is as large as the input` +
      (lo !== hi ? " (the total $d(k-1)$ is odd, so the extra zero goes after, as in PyTorch)." : "."),
    full: `Mode <b>full</b>: padding $d(k-1) = ${lo}$ on every side, so every partial overlap counts.`,
  };
  let mode = modes[sc.mode];
  if (sc.mode !== "custom") mode += " (The padding slider is ignored in this mode.)";
  const flip = sc.flip
    ? "Flip <b>on</b>: a true convolution, the kernel $1..k^2$ is rotated by 180&deg; before it slides."
    : "Flip <b>off</b>: cross-correlation (what deep-learning libraries compute), the kernel slides as written.";
  return mode + " " + flip;
}

function stepText(sc) {
  const { n, k, out } = sc;
  let text;
  if (sc.direction === "forward") {
    const [i, j] = sc.position, value = sc.z[i][j];
    if (k <= 3) {
      const terms = sc.taps.map(([r, c], t) => `${fmtG(sc.weights[t])}\\cdot${fmtG(sc.at(r, c))}`).join(" + ");
      text = `Step ${i * out + j + 1} of ${sc.steps}: $Z[${i},${j}] = ${terms} = \\mathbf{${fmtG(value)}}$.`;
    } else {
      text = `Step ${i * out + j + 1} of ${sc.steps}: $Z[${i},${j}] = \\mathbf{${fmtG(value)}}$ (${k * k} products).`;
    }
  } else {
    const [r, c] = sc.position, m = sc.fed.length;
    const fed = sc.fed.map(([a, b]) => `(${a},${b})`).join(", ") || "none";
    text = `Backward, pixel ${r * n + c + 1} of ${sc.steps}: $X[${r},${c}]$ is read by ${m} output(s): ${fed}. ` +
      `So $\\partial J/\\partial X[${r},${c}]$ is a sum of ${m} term(s) $\\partial J/\\partial Z[i,j]\\, W[\\cdot]$` +
      (m === 0 ? " &mdash; zero: no window ever reads this pixel." : ".");
  }
  return text;
}

function transposedFormula(sc) {
  const { n, k, st, d, lo, hi, out, outputPadding: r } = sc;
  const padText = lo !== hi ? `(${lo} + ${hi})` : `2\\cdot${lo}`;
  return "Transposed output size $(m-1)s - 2p + d(k-1) + 1 + r = " +
    `(${out}-1)\\cdot${st} - ${padText} + ${d}\\cdot(${k}-1) + 1 + ${r} = \\mathbf{${n}}$ per side: ` +
    `the ${out}&times;${out} output goes back to ${n}&times;${n}` +
    (r ? `, with output_padding $r = ${r}$ for the rows the forward floor dropped.` : ".");
}

function transposedStep(sc) {
  const { n, lo, out } = sc, [i, j] = sc.position, v = fmtG(sc.y[i][j]);
  const cropped = sc.taps.filter(([a, b]) => !(a >= lo && a < lo + n && b >= lo && b < lo + n)).length;
  return `Step ${i * out + j + 1} of ${sc.steps}: $Y[${i},${j}] = ${v}$ goes back along the window ` +
    `$Z[${i},${j}]$ was read from, adding $${v}\\cdot W$ to ${sc.taps.length - cropped} output cell(s)` +
    (cropped ? ` (${cropped} of its ${sc.taps.length} products land on padding and are cropped)` : "") +
    ". The sum $C^\\top Y$ is the backward view's $\\partial J/\\partial X$ for $\\partial J/\\partial Z = Y$.";
}

// nnbook.widgets.conv.pytorch_line.
function pytorchLine(v) {
  const { n, kernel_size: k, stride: st, padding: p, dilation: d, mode, flip } = v;
  if (v.direction === "transposed") {
    const total = d * (k - 1);
    const lo = mode === "custom" ? p : mode === "valid" ? 0 : mode === "full" ? total : Math.floor(total / 2);
    const hi = mode === "custom" ? p : mode === "same" ? total - lo : lo;
    let line = `torch.nn.ConvTranspose2d(1, 1, kernel_size=${k}, stride=${st}, padding=${lo}, ` +
      `output_padding=${(n + lo + hi - total - 1) % st}, dilation=${d}, bias=False)`;
    if (lo !== hi) line += `  # 'same' padded ${lo} before and ${hi} after: keep out[..., :-${hi - lo}, :-${hi - lo}]`;
    if (flip) line += "  # flip on: give it the kernel rotated by 180 degrees, w.flip(-2, -1)";
    return line;
  }
  const pad = { custom: String(p), valid: "'valid'", same: "'same'", full: String(d * (k - 1)) }[mode];
  let line = `torch.nn.Conv2d(1, 1, kernel_size=${k}, stride=${st}, padding=${pad}, dilation=${d}, bias=False)`;
  if (flip) line += "  # flip on: PyTorch cross-correlates, so give it the kernel rotated by 180 degrees, w.flip(-2, -1)";
  return line;
}

function model(v) {
  const sc = convScene(v);
  return { panel: explorerPanel(sc), out: sc.out, padding: [sc.lo, sc.hi], steps: sc.steps, position: sc.position,
    taps: sc.taps, tap_weights: sc.weights, outputs_fed: sc.fed, x: sc.x, applied: sc.applied, z: sc.z,
    counts: sc.counts, y: sc.y, transposed: sc.transposed, output_padding: sc.outputPadding, pytorch: pytorchLine(v) };
}

// The step control's range follows the number of positions; the step is clamped to the last.
function stepsOf(v) {
  const { n, kernel_size: k, stride: st, padding: p, dilation: d, mode, direction } = v;
  const total = d * (k - 1);
  if (mode === "same" && st !== 1) return null;
  const padded = n + (mode === "custom" ? 2 * p : mode === "valid" ? 0 : mode === "full" ? 2 * total : total);
  const span = total + 1;
  if (span > padded) return null;
  const out = Math.floor((padded - span) / st) + 1;
  return direction === "backward" ? n * n : out * out;
}
function normalize(v) {
  const steps = stepsOf(v);
  return steps === null || v.step <= steps - 1 ? v : { ...v, step: steps - 1 };
}
function bounds(v) {
  const steps = stepsOf(v);
  return steps === null ? {} : { step: steps - 1 };
}

// Transposed view: the input Y (left, the forward output's shape) and the canvas it is spread
// onto (right, the padded input's shape): the window of the current value outlined, the padding
// ring (cropped away) in grey, the n x n result C^T Y in blue.
function drawTransposed(m, v) {
  const size = v.n + m.padding[0] + m.padding[1], out = m.out, lo = m.padding[0];
  const cell = Math.max(9, Math.min(30, Math.floor(300 / Math.max(size, out)))), top = 30, gap = 40, margin = 6;
  const ox = margin + out * cell + gap;
  const width = ox + size * cell + margin, height = top + Math.max(size, out) * cell + 8;
  const fs = Math.max(7, Math.min(12, cell * 0.42));
  const parts = [];
  const rect = (x, y, fill, w = 1, hh = 1) => parts.push(tag("rect", { x, y, width: w * cell, height: hh * cell, fill }));
  const label = (x, y, text, fill, bold = false) => parts.push(tag("text", { x: x + cell / 2, y: y + cell / 2 + fs * 0.35,
    "font-size": fs, "text-anchor": "middle", fill, "font-weight": bold ? "bold" : null }, text));
  const Y = (r) => top + r * cell, IX = (j) => margin + j * cell, OX = (c) => ox + c * cell;
  const [i0, j0] = m.position;
  rect(IX(0), Y(0), COLORS.output, out, out);
  rect(IX(j0), Y(i0), "#1e6b35");
  if (out <= 12) m.y.forEach((row, i) => row.forEach((y, j) => {
    const now = i === i0 && j === j0;
    label(IX(j), Y(i), fmtG(y), now ? "#ffffff" : "#333333", now);
  }));
  parts.push(gridLines(IX(0), Y(0), out, out, cell, "#ffffff", 0.8));
  rect(OX(0), Y(0), COLORS.pad, size, size);
  rect(OX(lo), Y(lo), COLORS.input, v.n, v.n);
  m.taps.forEach(([r, c]) => rect(OX(c), Y(r), COLORS.tap));
  const taps = new Set(m.taps.map(([r, c]) => `${r},${c}`));
  if (size <= 16) m.transposed.forEach((row, i) => row.forEach((t, j) => {
    const under = taps.has(`${i + lo},${j + lo}`);
    label(OX(j + lo), Y(i + lo), fmtG(t), under ? "#222222" : "#ffffff", under);
  }));
  parts.push(gridLines(OX(0), Y(0), size, size, cell, "#ffffff", 0.8));
  const [r0, c0] = m.taps[0], [r1, c1] = m.taps[m.taps.length - 1];
  parts.push(tag("rect", { x: OX(c0), y: Y(r0), width: (c1 - c0 + 1) * cell, height: (r1 - r0 + 1) * cell,
    fill: "none", stroke: "#a0441a", "stroke-width": 2 }));
  parts.push(tag("text", { x: margin, y: 16, "font-size": 12 }, `input Y ${out}x${out}`));
  parts.push(tag("text", { x: ox, y: 16, "font-size": 12 }, `output ${v.n}x${v.n} (grey: cropped padding): Y[${i0},${j0}] spread`));
  return svgDoc(width, height, `transposed convolution: the ${out}x${out} input Y, and the ${v.n}x${v.n} output ` +
    `it is spread onto; Y[${i0},${j0}] adds to the window outlined`, parts);
}

function draw(m, v) {
  if (v.direction === "transposed") return drawTransposed(m, v);
  const size = v.n + m.padding[0] + m.padding[1], out = m.out, lo = m.padding[0];
  const cell = Math.max(9, Math.min(30, Math.floor(300 / Math.max(size, out)))), top = 30, gap = 40, margin = 6;
  const ox = margin + size * cell + gap;
  const width = ox + out * cell + margin, height = top + Math.max(size, out) * cell + 8;
  const forward = v.direction === "forward";
  const parts = [];
  const fs = Math.max(7, Math.min(12, cell * 0.42));
  const rect = (x, y, fill, w = 1, hh = 1) => parts.push(tag("rect", { x, y, width: w * cell, height: hh * cell, fill }));
  const label = (x, y, text, fill = "#333333", bold = false) => parts.push(tag("text", { x: x + cell / 2, y: y + cell / 2 + fs * 0.35,
    "font-size": fs, "text-anchor": "middle", fill, "font-weight": bold ? "bold" : null }, text));
  const X = (c) => margin + c * cell, Y = (r) => top + r * cell;
  // the padded input: zeros (grey), the input (blue, or shaded by how many outputs read each pixel)
  rect(X(0), Y(0), COLORS.pad, size, size);
  if (forward) {
    rect(X(lo), Y(lo), COLORS.input, v.n, v.n);
    const taps = new Set(m.taps.map(([r, c]) => `${r},${c}`));
    if (size <= 16) m.x.forEach((row, i) => row.forEach((x, j) => {
      if (!taps.has(`${i + lo},${j + lo}`)) label(X(j + lo), Y(i + lo), fmtG(x), "#ffffff");
    }));
    m.taps.forEach(([r, c], t) => { rect(X(c), Y(r), COLORS.tap); if (size <= 24) label(X(c), Y(r), fmtG(m.tap_weights[t]), "white", true); });
  } else {
    const maxCount = Math.max(1, ...m.counts.flat());
    m.counts.forEach((row, i) => row.forEach((count, j) => {
      const t = count / maxCount;
      rect(X(j + lo), Y(i + lo), `rgb(${Math.round(255 * (1 - t) + 76 * t)},${Math.round(255 * (1 - t) + 114 * t)},${Math.round(255 * (1 - t) + 176 * t)})`);
      if (size <= 16) label(X(j + lo), Y(i + lo), String(count), t > 0.6 ? "white" : "#222222");
    }));
  }
  parts.push(gridLines(X(0), Y(0), size, size, cell, forward ? "#ffffff" : "#bbbbbb", 0.8));
  if (forward) {
    const [r0, c0] = m.taps[0], [r1, c1] = m.taps[m.taps.length - 1];
    parts.push(tag("rect", { x: X(c0), y: Y(r0), width: (c1 - c0 + 1) * cell, height: (r1 - r0 + 1) * cell,
      fill: "none", stroke: "#a0441a", "stroke-width": 2 }));
  } else {
    const [r, c] = m.position;
    parts.push(tag("rect", { x: X(c + lo), y: Y(r + lo), width: cell, height: cell, fill: "none", stroke: "#c0392b", "stroke-width": 2.5 }));
  }
  // the output grid: the current position (forward) or the outputs the pixel feeds (backward)
  const OX = (j) => ox + j * cell;
  rect(OX(0), Y(0), COLORS.output, out, out);
  if (forward) {
    const [i0, j0] = m.position;
    rect(OX(j0), Y(i0), "#1e6b35");
    if (out <= 12) m.z.forEach((row, i) => row.forEach((z, j) => {
      const now = i === i0 && j === j0;
      label(OX(j), Y(i), fmtG(z), now ? "white" : "#333333", now);
    }));
  } else m.outputs_fed.forEach(([i, j]) => rect(OX(j), Y(i), COLORS.tap));
  parts.push(gridLines(OX(0), Y(0), out, out, cell, "#ffffff", 0.8));
  const [pr, pc] = m.position;
  parts.push(tag("text", { x: margin, y: 16, "font-size": 12 }, forward
    ? `padded input ${size}x${size}: kernel at output (${pr}, ${pc})` : `outputs fed by each input pixel; (${pr}, ${pc}) outlined`));
  parts.push(tag("text", { x: ox, y: 16, "font-size": 12 }, forward ? `output ${out}x${out}` : `${m.outputs_fed.length} output(s) read (${pr}, ${pc})`));
  return svgDoc(width, height, forward
    ? `padded input ${size}x${size} with the kernel at output (${m.position}), and the ${out}x${out} output`
    : `how many outputs each input pixel feeds; pixel (${m.position}) feeds ${m.outputs_fed.length}`, parts);
}

// Play (steps through every position) and "copy PyTorch" with the line it copies.
function tools(ctx) {
  let timer = null;
  const play = h("button", { type: "button", class: "nnbook-button", "data-name": "play", "aria-pressed": "false", text: "▶ play" });
  const stop = () => { clearInterval(timer); timer = null; play.textContent = "▶ play"; play.setAttribute("aria-pressed", "false"); };
  play.addEventListener("click", () => {
    if (timer) return stop();
    const last = () => { const b = bounds(ctx.values()); return b.step === undefined ? 0 : b.step; };
    if (ctx.values().step >= last()) ctx.set({ step: 0 });
    play.textContent = "❚❚ pause"; play.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      const v = ctx.values();
      if (v.step >= last()) return stop();
      ctx.set({ step: v.step + 1 });
    }, 700);
  });
  ctx.onCleanup(stop);
  const code = h("code", { class: "nnbook-code" });
  const copy = h("button", { type: "button", class: "nnbook-button", "data-name": "copy-pytorch", text: "copy PyTorch",
    title: "copy the torch.nn.Conv2d line for this setting" });
  copy.addEventListener("click", () => {
    const text = code.textContent;
    const done = () => ctx.note("Copied: " + text);
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, () => ctx.note("Copy this line: " + text));
    else ctx.note("Copy this line: " + text);
  });
  ctx.onModel((m) => { code.textContent = m.pytorch; });
  return [play, copy, code];
}

export default { render: explorer({ key: "conv", model, draw, normalize, bounds, tools }) };
