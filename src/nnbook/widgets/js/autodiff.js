// The autodiff chapter's TraceStepper: walk the forward sweep, then the reverse sweep, row by row.
// Python reference: nnbook.widgets.autodiff (trace_data traces the formula once; stepper_view is
// what this module's model computes from it). The page only looks the step up: a new formula or
// point is traced by Python, in the live notebook.

const TRACE_CSS = "<style>.nnbook-trace{border-collapse:collapse;font-size:0.92em;margin:0.5em 0}"
  + ".nnbook-trace td,.nnbook-trace th{padding:1px 6px;text-align:left;white-space:nowrap}"
  + ".nnbook-trace td.num{text-align:right;font-family:monospace}"
  + ".nnbook-trace td.sep,.nnbook-trace th.sep{border-left:2px solid #888}"
  + ".nnbook-trace tr.hl td.a,.nnbook-trace tr.hl td.b{background:#ffe28a}</style>";

// nnbook.widgets.autodiff._table
function traceTable(d, phase, current) {
  const columns = [d.forward, d.reverse], forward = phase === "forward";
  const mark = forward ? [current, null] : [null, current];
  const shown = forward ? [current + 1, 0] : [d.forward.length, current + 1];
  const parts = [TRACE_CSS, '<table class="nnbook-trace"><thead><tr><th colspan="4">Forward primal trace</th>'
    + '<th colspan="4" class="sep">Reverse adjoint (derivative) trace</th></tr></thead><tbody>'];
  const rows = Math.max(...columns.map((c) => c.length));
  for (let r = 0; r < rows; r++) {
    const marks = [mark[0] === r, mark[1] === r];
    parts.push(marks[0] || marks[1] ? '<tr class="hl">' : "<tr>");
    columns.forEach((column, i) => {
      let row = r < column.length ? column[r] : ["", "", "", ""];
      if (row[0] && r >= shown[i]) row = [...row.slice(0, 3), "= ?"];
      row.forEach((cell, k) => {
        const c = ((marks[i] ? "ab"[i] : "") + (i && k === 0 ? " sep" : "") + (k === 3 ? " num" : "")).trim();
        const content = k === 3 || !cell ? esc(cell) : `$${esc(cell)}$`;
        parts.push(`<td${c ? ` class="${c}"` : ""}>${content}</td>`);
      });
    });
    parts.push("</tr>");
  }
  parts.push("</tbody></table>");
  return parts.join("");
}

// nnbook.widgets.autodiff.stepper_view
function stepperView(d, step) {
  const last = d.steps.length - 1;
  step = Math.min(Math.max(step, 0), last);
  const [phase, row, node, edge] = d.steps[step];
  const panel = `<p>Reverse mode at ${d.at}: the forward sweep, then the backward sweep from ȳ = 1.<br>`
    + `<b>${esc(d.describe[step])}</b></p>` + traceTable(d, phase, row);
  return { panel, phase, node, edge, graph: d.graph };
}

const STATIC_ONLY = "this page holds the steps of the saved formula only; a new formula or point is traced by Python, "
  + "in the live notebook (JupyterLab)";

function model(v, d = {}) {
  const t = d.trace;
  if (!t || t.expression !== v.expression || t.point !== v.point) {
    if (d.live && typeof pending === "function") pending("tracing the new formula in Python…");
    refuse(STATIC_ONLY);
  }
  if (t.error !== undefined) refuse(t.error);
  return stepperView(t, v.step);
}

function normalize(v, d = {}) {
  const t = d.trace;
  if (!t || t.error !== undefined || t.expression !== v.expression || t.point !== v.point) return v;
  return { ...v, step: Math.min(Math.max(v.step, 0), t.steps.length - 1) };
}

function bounds(v, d = {}) {
  const t = d.trace;
  return !t || t.error !== undefined ? {} : { step: t.steps.length - 1 };
}

// nnbook.plots.autodiff's colours
const GRAPH = { input: "#0072b2", step: "#dddddd", output: "#009e73", highlight: "#e69f00", flow: "#d55e00" };

function draw(m) {
  const g = m.graph, unit = 96, r = 0.28;
  const xs = g.nodes.map((n) => n.x), ys = g.nodes.map((n) => n.y);
  const x0 = Math.min(...xs) - 0.75, x1 = Math.max(...xs) + 0.75, y0 = Math.min(...ys) - 0.8, y1 = Math.max(...ys) + 0.75;
  const width = Math.round((x1 - x0) * unit), height = Math.round((y1 - y0) * unit);
  const X = (x) => (x - x0) * unit, Y = (y) => (y1 - y) * unit; // y up, as in the matplotlib figure
  const svg = svgCanvas(width, height, `computational graph, ${m.phase} sweep`);
  const defs = s("defs");
  for (const [id, colour] of [["nnbook-arrow", "#595959"], ["nnbook-flow", GRAPH.flow]]) {
    const marker = s("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(s("path", { d: "M0,0L10,5L0,10z", fill: colour }));
    defs.append(marker);
  }
  svg.append(defs);
  const flowing = m.edge ? new Set(m.edge) : null;
  for (const [a, pos] of g.edges) {
    const A = g.nodes[a], B = g.nodes[pos];
    const len = Math.hypot(B.x - A.x, B.y - A.y) || 1e-9, ux = (B.x - A.x) / len, uy = (B.y - A.y) / len;
    const start = [A.x + r * ux, A.y + r * uy], end = [B.x - r * ux, B.y - r * uy];
    const flow = flowing && flowing.has(a) && flowing.has(pos) && a !== pos;
    const [p, q] = flow ? [end, start] : [start, end];
    svg.append(s("line", { x1: X(p[0]), y1: Y(p[1]), x2: X(q[0]), y2: Y(q[1]), stroke: flow ? GRAPH.flow : "#595959",
      "stroke-width": flow ? 2.6 : 1.2, "marker-end": `url(#${flow ? "nnbook-flow" : "nnbook-arrow"})`, class: flow ? "nnbook-flow" : "" }));
  }
  g.nodes.forEach((n, pos) => {
    const hl = pos === m.node, isOut = pos === g.output;
    svg.append(s("circle", { cx: X(n.x), cy: Y(n.y), r: r * unit, fill: hl ? GRAPH.highlight : n.input ? GRAPH.input : GRAPH.step,
      stroke: isOut ? GRAPH.output : "#333333", "stroke-width": isOut ? 2.5 : 1, class: hl ? "nnbook-node nnbook-current" : "nnbook-node" }));
    const label = s("text", { x: X(n.x), y: Y(n.y) + 5, "font-size": 14, "text-anchor": "middle", fill: n.input && !hl ? "white" : "black",
      style: n.input && !hl ? "fill:white" : undefined });
    label.append(document.createTextNode("v"));
    const sub = s("tspan", { "font-size": 10, dy: 4 }, String(n.index));
    label.append(sub);
    svg.append(label);
    svg.append(s("text", { x: X(n.x), y: Y(n.y + r) - 5, "font-size": 10, "text-anchor": "middle" }, n.rule));
    const value = s("text", { x: X(n.x), y: Y(n.y - r) + 12, "font-size": 9.5, "text-anchor": "middle", fill: "#333333" }, n.value);
    svg.append(value);
    if (m.phase === "reverse") {
      svg.append(s("text", { x: X(n.x), y: Y(n.y - r) + 24, "font-size": 9.5, "text-anchor": "middle", fill: "#333333",
        class: "nnbook-adjoint" }, `v̄ = ${n.adjoint}`));
    }
    if (isOut) svg.append(s("text", { x: X(n.x + r) + 6, y: Y(n.y) + 4, "font-size": 12, fill: GRAPH.output }, "= y"));
  });
  return svg;
}

// The play button steps on every 0.9 s (and stops at the last step); Space/Enter toggle it.
function tools(ctx) {
  let timer = null;
  const button = h("button", { type: "button", class: "nnbook-button nnbook-play", "aria-pressed": "false", text: "▶ play" });
  const stop = () => { if (timer) clearInterval(timer); timer = null; button.textContent = "▶ play"; button.setAttribute("aria-pressed", "false"); };
  button.addEventListener("click", () => {
    if (timer) return stop();
    const d = { trace: ctx.model.get("trace") };
    const last = bounds(ctx.values(), d).step;
    if (last === undefined) return;
    if (ctx.values().step >= last) ctx.set({ step: 0 });
    button.textContent = "❚❚ pause"; button.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      const now = ctx.values().step;
      if (now >= last) return stop();
      ctx.set({ step: now + 1 });
    }, 900);
  });
  ctx.onCleanup(stop);
  try { ctx.model.send({ type: "hello" }); } catch (e) { /* no kernel: the built page */ }
  return [button];
}

export default { render: explorer({ key: "trace-stepper", model, draw, normalize, bounds, tools, data: ["trace", "live"] }) };
