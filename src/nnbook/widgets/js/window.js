// The intro's WindowExplorer: a (dilated) window sliding over a padded 1-D input.
// Python reference: nnbook.widgets.conv.WindowExplorer (nnbook.conv.output_size, window_taps).

// nnbook.conv.output_size, with its messages (the sliders keep every argument in range).
function outputSize(n, k, s, p, d) {
  const span = d * (k - 1) + 1, padded = n + 2 * p;
  if (span > padded)
    refuse(`the kernel does not fit: a kernel of size ${k} with dilation ${d} spans ${span} cells, ` +
      `but the padded input has only ${padded} (n=${n} plus padding ${p} on each side)`);
  return Math.floor((padded - span) / s) + 1;
}

function model(v) {
  const { n, kernel_size: k, stride: s, padding: p, dilation: d } = v;
  const out = outputSize(n, k, s, p, d);
  const panel = "Output length " +
    "$\\left\\lfloor \\dfrac{n + 2p - d(k-1) - 1}{s} \\right\\rfloor + 1 = " +
    `\\left\\lfloor \\dfrac{${n} + 2\\cdot${p} - ${d}\\cdot(${k}-1) - 1}{${s}}` +
    `\\right\\rfloor + 1 = \\mathbf{${out}}$`;
  const rows = [];
  for (let i = 0; i < out; i++) rows.push(Array.from({ length: k }, (_, t) => i * s + t * d));
  return { panel, out, padded: n + 2 * p, rows };
}

function draw(m, v) {
  const { n, padding: p } = v, cell = 22, left = 58, top = 24;
  const width = left + m.padded * cell + 10, height = top + (m.rows.length + 1) * cell + 12;
  const parts = [tag("text", { x: left, y: 14, "font-size": 12 }, `${m.out} output position${m.out === 1 ? "" : "s"}`)];
  const box = (i, row, fill, label) => {
    const x = left + i * cell, y = top + row * cell;
    parts.push(tag("rect", { x, y, width: cell - 2, height: cell - 2, fill, stroke: fill === "none" ? COLORS.grid : COLORS.edge, "stroke-width": 0.6 }));
    if (label !== undefined) parts.push(tag("text", { x: x + cell / 2 - 1, y: y + cell / 2 + 3, "font-size": 10, "text-anchor": "middle", fill: "white" }, label));
  };
  for (let i = 0; i < m.padded; i++) {
    const pad = i < p || i >= p + n;
    box(i, 0, pad ? COLORS.pad : COLORS.input, pad ? undefined : String(i - p));
  }
  parts.push(tag("text", { x: left - 6, y: top + cell / 2 + 3, "font-size": 11, "text-anchor": "end" }, "input"));
  parts.push(gridLines(left - 1, top + cell - 1, m.rows.length, m.padded, cell, COLORS.grid, 0.4));
  m.rows.forEach((taps, r) => {
    for (const t of taps) box(t, r + 1, COLORS.tap);
    parts.push(tag("text", { x: left - 6, y: top + (r + 1) * cell + cell / 2 + 3, "font-size": 11, "text-anchor": "end", fill: COLORS.output }, `out[${r}]`));
  });
  return svgDoc(width, height, `${m.out} output positions of a window over ${n} inputs`, parts);
}

export default { render: explorer({ key: "window", model, draw }) };
