// The init chapter's PropagationExplorer: per-layer spreads of activations and gradients of a deep MLP.
// Python reference: nnbook.widgets.init (propagation_entry simulates with nnbook.init.simulate and packs
// what is shown; propagation_view unpacks it, as this module's model does). The page has no Python: it
// looks the setting up in the grid simulated in advance (d.grid), or uses the entry Python sent for
// the current setting (d.entry, live notebook). The grid comes deflated (d.grid.packed, Python's
// pack_grid); render() inflates it once, before the first draw, so the model stays synchronous.

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
const HIST_BINS = 16, HIST_LEVELS = 31;

// nnbook.widgets.init._unpack
function unpack(text, delta) {
  const values = [];
  let previous = 0, n = 0, shift = 0;
  for (const ch of text) {
    const c = DIGITS.indexOf(ch);
    n += (c & 31) * 2 ** shift;
    shift += 5;
    if (c < 32) {
      if (n === 0) values.push(null);
      else {
        const z = n - 1, dv = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
        previous = delta ? previous + dv : dv;
        values.push(previous);
      }
      n = 0; shift = 0;
    }
  }
  return values;
}

// nnbook.widgets.init.grid_key (schemes and activations: the orders Python sends with the grid)
function gridKey(v, grid) {
  const g = v.use_default_gain ? "d" : String(v.gain);
  return `${v.depth},${v.width},${grid.schemes.indexOf(v.scheme)},${grid.activations.indexOf(v.activation)},${g},`
    + `${v.batch_norm ? 1 : 0}${v.residual ? 1 : 0}`;
}

const VERDICTS = [
  "the gradient is exactly zero below the top layer: nothing can learn.",
  "the gradient <b>vanishes</b> on its way down.",
  "the gradient <b>explodes</b> on its way down.",
  "the gradient keeps a healthy size all the way down.",
];

// nnbook.widgets.init.propagation_view
function propagationView(packed, v) {
  const entry = packed.split("~");
  const [G, vr, factor, m, a0, aL, gT, g0, ratio, verdict] = entry[0].split("|");
  const measured = m ? `$\\mathbf{${m}}$` : "undefined (some layers pass an exactly zero gradient)";
  const { depth, width, batch_norm: bn, residual: res } = v;
  const layout = (bn ? "batch norm" : "") + (bn && res ? " and " : "") + (res ? "skip connections" : "");
  const note = layout ? ` (with ${layout} the plain-network recursion no longer applies: compare the measured factor)` : "";
  const panel = `<p>Per-layer factor $G \\cdot n \\cdot \\mathrm{Var}[w] = ${G} \\cdot ${width} \\cdot ${vr} = `
    + `\\mathbf{${factor}}$ in theory${note}; measured (median over layers) ${measured}.</p>`
    + `<p>Over ${depth} layers: std of the activations goes from $${a0}$ to $\\mathbf{${aL}}$; `
    + `std of the gradient from $${gT}$ at the top to $\\mathbf{${g0}}$ at the input `
    + `(ratio $${ratio}$): ${VERDICTS[Number(verdict)]}</p>`;
  const layers = unpack(entry[4], false);
  const hists = entry.slice(5, 7).map((packed) => {
    const h = unpack(packed, false);
    if (!h.length) return null;
    return { lo: h[0] / 10, hi: h[1] / 10,
      counts: layers.map((_, i) => h.slice(2 + i * HIST_BINS, 2 + (i + 1) * HIST_BINS)) };
  });
  return { panel, depth, act: unpack(entry[1], true), grad: unpack(entry[2], true), theory: unpack(entry[3], false),
    layers, act_hist: hists[0], grad_hist: hists[1] };
}

// d.grid.packed -> its entries, once inflated by render(); or d.grid.entries (the tests pass them plain)
const inflatedGrids = new Map();
function gridEntries(grid) {
  return grid.entries || inflatedGrids.get(grid.packed) || null;
}

function model(v, d = {}) {
  if (v.scheme !== "zeros" && !v.use_default_gain && v.gain <= 0)
    refuse("a gain of 0 makes every weight 0; pick a gain above 0 (or the default gain)");
  const grid = d.grid || {}, key = grid.schemes ? gridKey(v, grid) : "";
  let entry = null;
  if (d.entry && d.entry.key === key) entry = d.entry.entry;
  else if (gridEntries(grid) && gridEntries(grid)[key]) entry = gridEntries(grid)[key];
  if (!entry) {
    if (d.live && typeof pending === "function") pending("simulating this setting in Python…");
    refuse(`this setting is not among the ones simulated in advance for this page (${grid.about || "none"}); `
      + "in the live notebook every setting works");
  }
  return propagationView(entry, v);
}

// -- drawing: two log plots of the spreads, two histograms --------------------------------------
const LINES = ["#0072b2", "#e69f00", "#009e73"]; // nnbook.plots.init's colours

function logPlot(svg, x0, y0, w, h, depth, series, title) {
  const all = series.flatMap((s) => s.values.filter((q) => q !== null));
  let lo = all.length ? Math.min(...all) : -100, hi = all.length ? Math.max(...all) : 100;
  if (hi - lo < 200) { const c = (lo + hi) / 2; lo = c - 100; hi = c + 100; } // at least two decades
  const dlo = Math.floor(lo / 100), dhi = Math.ceil(hi / 100);
  const X = (l) => x0 + (depth ? (l / depth) * w : 0), Y = (q) => y0 + h - ((q / 100 - dlo) / (dhi - dlo || 1)) * h;
  svg.append(s("rect", { x: x0, y: y0, width: w, height: h, fill: "none", stroke: COLORS.edge, "stroke-width": 0.6 }));
  svg.append(s("text", { x: x0 + w / 2, y: y0 - 6, "font-size": 11, "text-anchor": "middle" }, title));
  const step = Math.max(1, Math.ceil((dhi - dlo) / 6));
  for (let k = dlo; k <= dhi; k += step) {
    const y = Y(100 * k);
    svg.append(s("line", { x1: x0, y1: y, x2: x0 + w, y2: y, stroke: COLORS.grid, "stroke-width": 0.5 }));
    const t = s("text", { x: x0 - 4, y: y + 3, "font-size": 9, "text-anchor": "end" }, "10");
    t.append(s("tspan", { dy: -4, "font-size": 7 }, String(k)));
    svg.append(t);
  }
  for (const l of [0, Math.round(depth / 2), depth]) {
    svg.append(s("text", { x: X(l), y: y0 + h + 11, "font-size": 9, "text-anchor": "middle" }, String(l)));
  }
  svg.append(s("text", { x: x0 + w, y: y0 + h + 22, "font-size": 9, "text-anchor": "end" }, "layer l"));
  for (const ser of series) {
    let d = "", pen = false;
    ser.values.forEach((q, l) => {
      if (q === null) { pen = false; return; }
      const l2 = ser.at ? ser.at[l] : l;
      d += `${pen ? "L" : "M"}${X(l2).toFixed(1)},${Y(q).toFixed(1)}`; pen = true;
    });
    if (d) svg.append(s("path", { d, fill: "none", stroke: ser.colour, "stroke-width": ser.dotted ? 1 : 1.6,
      "stroke-dasharray": ser.dotted ? "2 3" : undefined, class: ser.cls }));
  }
}

function histogram(svg, x0, y0, w, h, hist, layers, what) {
  svg.append(s("rect", { x: x0, y: y0, width: w, height: h, fill: "none", stroke: COLORS.edge, "stroke-width": 0.6 }));
  svg.append(s("text", { x: x0 + w / 2, y: y0 - 6, "font-size": 11, "text-anchor": "middle" }, `histogram of ${what}`));
  if (!hist) {
    svg.append(s("text", { x: x0 + w / 2, y: y0 + h / 2, "font-size": 11, "text-anchor": "middle" }, `all ${what} are exactly 0`));
    return;
  }
  const X = (t) => x0 + (t / HIST_BINS) * w, Y = (c) => y0 + h - (c / HIST_LEVELS) * (h - 14);
  hist.counts.forEach((counts, i) => {
    let d = `M${X(0)},${Y(0)}`;
    counts.forEach((c, b) => { d += `V${Y(c).toFixed(1)}H${X(b + 1).toFixed(1)}`; });
    d += `V${Y(0)}`;
    svg.append(s("path", { d, fill: "none", stroke: LINES[i % LINES.length], "stroke-width": 1.3, class: "nnbook-hist" }));
    svg.append(s("text", { x: x0 + 6, y: y0 + 12 + 11 * i, "font-size": 9, fill: LINES[i % LINES.length] }, `layer ${layers[i]}`));
  });
  for (const [t, value] of [[0, hist.lo], [HIST_BINS, hist.hi]]) {
    svg.append(s("text", { x: X(t), y: y0 + h + 11, "font-size": 9, "text-anchor": t ? "end" : "start" }, fmtG(value)));
  }
  svg.append(s("text", { x: x0 + w / 2, y: y0 + h + 11, "font-size": 9, "text-anchor": "middle" }, `log10 |${what.slice(0, -1)}|`));
}

function draw(m) {
  const width = 640, height = 420, pw = 270, ph = 140;
  const svg = svgCanvas(width, height, `spread of activations and gradients over ${m.depth} layers`);
  logPlot(svg, 50, 24, pw, ph, m.depth, [{ values: m.act, colour: LINES[0], cls: "nnbook-act" }], "activations: std of h_l");
  const grad = [{ values: m.grad, colour: LINES[0], cls: "nnbook-grad" }];
  if (m.theory[0] !== null && m.theory[1] !== null) grad.push({ values: [m.theory[1], m.theory[0]], at: [0, m.depth], colour: LINES[0], dotted: true, cls: "nnbook-theory" });
  logPlot(svg, 360, 24, pw, ph, m.depth, grad, "gradients: std of ∂L/∂h_l (dotted: theory)");
  histogram(svg, 50, 240, pw, ph, m.act_hist, m.layers, "activations");
  histogram(svg, 360, 240, pw, ph, m.grad_hist, m.layers, "gradients");
  return svg;
}

// A line under the controls says which settings the page carries (hidden in the live notebook).
function tools(ctx) {
  const about = ctx.model.get("grid").about;
  const line = h("span", { class: "nnbook-grid-note", text: about ? `On this page (no Python): ${about}; in the live notebook every setting.` : "" });
  const hello = () => { try { ctx.model.send({ type: "hello" }); } catch (e) { /* no kernel: the static page */ } };
  hello();
  ctx.onModel(() => { line.hidden = !!ctx.model.get("live"); });
  return [line];
}

const renderExplorer = explorer({ key: "propagation", model, draw, tools, data: ["entry", "grid", "live"] });

async function render(ctx) {
  const grid = ctx.model.get("grid") || {};
  if (grid.packed && !inflatedGrids.has(grid.packed)) inflatedGrids.set(grid.packed, JSON.parse(await inflateBase64(grid.packed)));
  return renderExplorer(ctx);
}

export default { render };
