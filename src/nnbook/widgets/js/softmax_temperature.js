// The softmax chapter's TemperatureExplorer: logits, a shift c and a temperature T -> the softmax bars.
// Python reference: nnbook.widgets.softmax.TemperatureExplorer (nnbook.softmax.softmax, entropy).
// Needs _pyformat.js and _softmax.js in front of it (nnbook.widgets.softmax builds the bundle).

function model(v) {
  return temperatureModel(v.logits, v.shift, v.temperature);
}

const BAR = "#0072b2", TOP = "#e69f00", UNIFORM = "#595959"; // nnbook.plots.softmax's colours

function draw(m) {
  const k = m.labels.length, width = Math.max(330, 50 * k + 140), height = 210;
  const left = 52, right = 44, top = 34, bottom = 30, plotW = width - left - right, plotH = height - top - bottom;
  const svg = svgCanvas(width, height, `softmax probabilities of ${k} classes: ${m.labels.join(", ")}`);
  const y = (p) => top + plotH * (1 - p / 1.12), slot = plotW / (k + 0.5), x = (i) => left + slot * (i + 0.5);
  svg.append(s("text", { x: left + plotW / 2, y: 16, "font-size": 12, "text-anchor": "middle", class: "nnbook-title" }, m.title));
  svg.append(s("line", { x1: left, y1: top, x2: left, y2: top + plotH, stroke: COLORS.edge, "stroke-width": 0.8 }));
  svg.append(s("line", { x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: COLORS.edge, "stroke-width": 0.8 }));
  for (const t of [0, 0.5, 1]) {
    svg.append(s("line", { x1: left - 4, y1: y(t), x2: left, y2: y(t), stroke: COLORS.edge }));
    svg.append(s("text", { x: left - 7, y: y(t) + 4, "font-size": 10, "text-anchor": "end" }, fmtGeneral(t)));
  }
  svg.append(s("text", { x: 13, y: top + plotH / 2, "font-size": 10, "text-anchor": "middle",
    transform: `rotate(-90 13 ${top + plotH / 2})` }, "probability"));
  m.labels.forEach((label, i) => {
    const p = Number(label), barW = slot * 0.7;
    svg.append(s("rect", { x: x(i) - barW / 2, y: y(p), width: barW, height: Math.max(0, y(0) - y(p)),
      fill: m.top[i] ? TOP : BAR, class: "nnbook-bar", "data-p": label }));
    svg.append(s("text", { x: x(i), y: y(p) - 3, "font-size": 10, "text-anchor": "middle" }, label));
    svg.append(s("text", { x: x(i), y: top + plotH + 14, "font-size": 10, "text-anchor": "middle" }, m.ticks[i]));
  });
  const u = 1 / k;
  svg.append(s("line", { x1: left, y1: y(u), x2: left + plotW, y2: y(u), stroke: UNIFORM, "stroke-dasharray": "5 3" }));
  svg.append(s("text", { x: left + plotW + 3, y: y(u) - 2, "font-size": 10, fill: UNIFORM }, "1/K"));
  return svg;
}

export default { render: explorer({ key: "softmax-temperature", model, draw }) };
