// The softmax chapter's StepExplorer: sigma(k x) against the Heaviside step H(x), with the band |x| < delta.
// Python reference: nnbook.widgets.softmax.StepExplorer (nnbook.softmax.sigmoid, steepness_for_gap).
// Needs _pyformat.js and _softmax.js in front of it (nnbook.widgets.softmax builds the bundle).

function model(v) {
  return stepModel(v.k, v.delta);
}

const STEP = "#333333", CURVE = "#0072b2"; // nnbook.plots.softmax's colours

function draw(m, v) {
  const width = 460, height = 220, left = 40, right = 12, top = 30, bottom = 30;
  const plotW = width - left - right, plotH = height - top - bottom;
  const X = (x) => left + ((x + 2) / 4) * plotW, Y = (y) => top + plotH * (1 - (y + 0.05) / 1.1);
  const svg = svgCanvas(width, height, m.title);
  svg.append(s("text", { x: left + plotW / 2, y: 16, "font-size": 12, "text-anchor": "middle", class: "nnbook-title" }, m.title));
  const band = Math.min(v.delta, 2);
  svg.append(s("rect", { x: X(-band), y: top, width: X(band) - X(-band), height: plotH, fill: "#eeeeee", class: "nnbook-band" }));
  svg.append(s("line", { x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: COLORS.edge, "stroke-width": 0.8 }));
  svg.append(s("line", { x1: left, y1: top, x2: left, y2: top + plotH, stroke: COLORS.edge, "stroke-width": 0.8 }));
  for (const t of [-2, -1, 0, 1, 2]) svg.append(s("text", { x: X(t), y: top + plotH + 14, "font-size": 10, "text-anchor": "middle" }, fmtGeneral(t)));
  for (const t of [0, 0.5, 1]) svg.append(s("text", { x: left - 5, y: Y(t) + 4, "font-size": 10, "text-anchor": "end" }, fmtGeneral(t)));
  svg.append(s("text", { x: left + plotW - 4, y: top + plotH + 26, "font-size": 10, "text-anchor": "end" }, "x"));
  svg.append(s("path", { d: `M${X(-2)},${Y(0)}H${X(0)}M${X(0)},${Y(1)}H${X(2)}`, stroke: STEP, "stroke-width": 2, fill: "none" }));
  svg.append(s("circle", { cx: X(0), cy: Y(0.5), r: 3, fill: STEP }));
  // sigma(k x) sampled densely enough for k = 1000 (the step is 0.005 wide there)
  const pts = [], n = 801;
  for (let i = 0; i < n; i++) { const x = -2 + (4 * i) / (n - 1); pts.push(`${X(x).toFixed(2)},${Y(sigmoid(v.k * x)).toFixed(2)}`); }
  svg.append(s("polyline", { points: pts.join(" "), fill: "none", stroke: CURVE, "stroke-width": 1.5, class: "nnbook-curve" }));
  svg.append(s("text", { x: left + 8, y: top + 10, "font-size": 10, fill: STEP }, "H(x)"));
  svg.append(s("text", { x: left + 8, y: top + 24, "font-size": 10, fill: CURVE }, "σ(k x)"));
  return svg;
}

export default { render: explorer({ key: "sigmoid-step", model, draw }) };
