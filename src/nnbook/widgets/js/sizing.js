// The CNN sizing chapter's NetworkBuilder: add and remove layers, see the sizing table, the shape
// flow and where the parameters and multiplications are.
// Python reference: nnbook.widgets.sizing.NetworkBuilder (nnbook.sizing.summarize, make_layer).

const LAYER_KINDS = ["Conv2d", "MaxPool2d", "AvgPool2d", "Linear", "ReLU", "Flatten"];
const LAYER_RANGES = { size: [1, 512], kernel_size: [1, 11], stride: [1, 8], padding: [0, 5], dilation: [1, 4] };
const MAX_LAYERS = 64;

// nnbook.widgets.sizing.make_layer: a layer description -> a layer (or a refusal in words).
function makeLayer({ kind, size, kernel_size: k, stride: s, padding: p, dilation: d }) {
  if (kind === "MaxPool2d" || kind === "AvgPool2d") {
    if (kind === "AvgPool2d") d = 1;
    if (p > Math.floor(k / 2))
      refuse(`${kind}: padding ${p} is more than half the kernel size ${k}; PyTorch allows pooling padding of at most ` +
        `kernel_size // 2 = ${Math.floor(k / 2)}, since a larger one would create windows that see only padding`);
    const args = [`k=${k}`];
    if (s !== k) args.push(`s=${s}`);
    if (p !== 0) args.push(`p=${p}`);
    if (d !== 1) args.push(`d=${d}`);
    return { kind, k, s, p, d, label: `${kind}(${args.join(", ")})` };
  }
  if (kind === "Conv2d") {
    const parts = [String(size), `k=${k}`];
    if (s !== 1) parts.push(`s=${s}`);
    if (p !== 0) parts.push(`p=${p}`);
    if (d !== 1) parts.push(`d=${d}`);
    return { kind, size, k, s, p, d, label: `Conv2d(${parts.join(", ")})` };
  }
  if (kind === "Linear") return { kind, size, label: `Linear(${size})` };
  if (kind === "ReLU" || kind === "Flatten") return { kind, label: `${kind}()` };
  refuse(`kind must be one of ${LAYER_KINDS.join(", ")}; got ${pyRepr(kind)}`);
}

const prod = (shape) => shape.reduce((a, b) => a * BigInt(b), 1n);

// Layer.apply: the sizing of one layer (counts as BigInt, exact like Python's ints).
function applyLayer(layer, shape) {
  const zero = { wpn: 0n, neurons: 0n, params: 0n, mults: 0n };
  if (layer.kind === "Linear") {
    const nIn = prod(shape), out = BigInt(layer.size);
    return { shape: [layer.size], wpn: nIn + 1n, neurons: out, params: out * (nIn + 1n), mults: out * nIn };
  }
  if (layer.kind === "ReLU") return { shape: shape.slice(), ...zero };
  if (layer.kind === "Flatten") return { shape: [Number(prod(shape))], ...zero };
  if (shape.length !== 3)
    refuse(`${layer.kind} needs a (channels, height, width) input, but its input is a vector of ${shape[0]} features; ` +
      "put convolution and pooling layers before any Flatten/Linear layer");
  const { k, s, p, d } = layer, span = d * (k - 1) + 1;
  const hw = [["height", shape[1]], ["width", shape[2]]].map(([axis, n]) => {
    const padded = n + 2 * p;
    if (span > padded)
      refuse(`along the ${axis}, the kernel does not fit: a kernel of size ${k} with dilation ${d} spans ${span} cells, ` +
        `but the padded input has only ${padded} (n=${n} plus padding ${p} on each side)`);
    return Math.floor((padded - span) / s) + 1;
  });
  if (layer.kind === "Conv2d") {
    const taps = BigInt(shape[0] * k * k), cOut = BigInt(layer.size);
    const neurons = cOut * BigInt(hw[0]) * BigInt(hw[1]);
    return { shape: [layer.size, ...hw], wpn: taps + 1n, neurons, params: cOut * (taps + 1n), mults: neurons * taps };
  }
  return { shape: [shape[0], ...hw], wpn: 0n, neurons: BigInt(shape[0]) * BigInt(hw[0]) * BigInt(hw[1]), params: 0n, mults: 0n };
}

// nnbook.sizing.summarize.
function summarize(inputShape, layers) {
  let shape = inputShape;
  const rows = layers.map((layer, i) => {
    let r;
    try { r = applyLayer(layer, shape); } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      refuse(`layer ${i + 1} (${layer.label}) cannot take an input of shape ${pyTuple(shape)}: ${e.message}`);
    }
    const row = { index: i + 1, name: layer.label, input: shape, output: r.shape, wpn: r.wpn, neurons: r.neurons,
      connections: r.neurons * r.wpn, params: r.params, mults: r.mults };
    shape = r.shape;
    return row;
  });
  const sum = (key) => rows.reduce((a, r) => a + r[key], 0n);
  return { input: inputShape, output: shape, rows, totals: { neurons: sum("neurons"), connections: sum("connections"),
    params: sum("params"), mults: sum("mults") } };
}

// Summary._repr_html_.
const CELL = "font-size:0.8em;padding:0.1em 0.4em", NOWRAP = "white-space:nowrap;" + CELL;
const HEADER = ["layer", "output shape", "weights per neuron", "neurons", "connec&shy;tions", "params", "multipli&shy;cations"];
function summaryHtml(sm) {
  const th = HEADER.map((x, i) => `<th style="text-align:${i < 2 ? "left" : "right"};${CELL}">${x}</th>`).join("");
  const tr = (cells, bold = false) => "<tr>" + cells.map((c, i) =>
    `<td style="text-align:${i < 2 ? "left" : "right"};${NOWRAP}">${bold ? "<b>" : ""}${esc(c)}${bold ? "</b>" : ""}</td>`).join("") + "</tr>";
  const body = [["input", pyTuple(sm.input), "", "", "", "", ""]].concat(sm.rows.map((r) =>
    [`${r.index} ${r.name}`, pyTuple(r.output), fmtInt(r.wpn), fmtInt(r.neurons), fmtInt(r.connections), fmtInt(r.params), fmtInt(r.mults)]));
  const t = sm.totals;
  const total = ["total", "", "", fmtInt(t.neurons), fmtInt(t.connections), fmtInt(t.params), fmtInt(t.mults)];
  return '<div style="overflow-x:auto"><table class="nnbook-sizing">' +
    `<thead><tr>${th}</tr></thead><tbody>${body.map((r) => tr(r)).join("") + tr(total, true)}</tbody></table></div>`;
}

const afterColon = (msg) => { const i = msg.indexOf(": "); return i < 0 ? msg : msg.slice(i + 2); };

// _next_layer_text: what the next layer (from the controls) would do, in words.
function nextLayerText(inputShape, network, v) {
  let pending;
  try { pending = makeLayer(v); } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    return `<p><b>Next layer</b>: cannot be built: ${esc(e.message)}.</p>`;
  }
  try {
    const shape = summarize(inputShape, [...network, pending]).output;
    return `<p><b>Next layer</b> ${esc(pending.label)} would output ${pyTuple(shape)}.</p>`;
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    return `<p><b>Next layer</b> ${esc(pending.label)} cannot be added here: ${esc(afterColon(e.message))}.</p>`;
  }
}

function share(v, total) {
  return total ? `${(100 * Number(v) / Number(total)).toFixed(1)}%` : "0%";
}

function model(v) {
  const network = v.layers.map(makeLayer);
  const sm = summarize([v.channels, v.height, v.width], network);
  const counted = sm.rows.filter((r) => r.neurons > 0n);
  const t = sm.totals;
  return {
    panel: summaryHtml(sm) + nextLayerText(sm.input, network, v),
    input_shape: sm.input, output_shape: sm.output,
    rows: sm.rows.map((r) => [r.name, r.output, r.wpn, r.neurons, r.connections, r.params, r.mults]),
    flow: [["input", sm.input]].concat(counted.map((r) => [r.name.split("(")[0], r.output])),
    bars: counted.map((r) => [`${r.index} ${r.name}`, r.params, share(r.params, t.params), r.mults, share(r.mults, t.mults)]),
    totals: [t.neurons, t.connections, t.params, t.mults],
  };
}

// NetworkBuilder.add: the new list of layers, or a refusal "<what> cannot be added: <why>".
function addLayer(v) {
  let layer;
  try { layer = makeLayer(v); } catch (e) { if (e instanceof Refusal) refuse(`This layer cannot be added: ${e.message}`); throw e; }
  try { summarize([v.channels, v.height, v.width], [...v.layers.map(makeLayer), layer]); } catch (e) {
    if (e instanceof Refusal) refuse(`${layer.label} cannot be added: ${afterColon(e.message)}`);
    throw e;
  }
  if (v.layers.length >= MAX_LAYERS) refuse(`${layer.label} cannot be added: the builder holds at most ${MAX_LAYERS} layers`);
  const spec = { kind: v.kind, size: 16, kernel_size: 3, stride: 1, padding: 0, dilation: 1 };
  if (v.kind === "Conv2d") Object.assign(spec, { size: v.size, kernel_size: v.kernel_size, stride: v.stride, padding: v.padding, dilation: v.dilation });
  else if (v.kind === "MaxPool2d") Object.assign(spec, { kernel_size: v.kernel_size, stride: v.stride, padding: v.padding, dilation: v.dilation });
  else if (v.kind === "AvgPool2d") Object.assign(spec, { kernel_size: v.kernel_size, stride: v.stride, padding: v.padding });
  else if (v.kind === "Linear") spec.size = v.size;
  return [...v.layers, spec];
}

// A list of layers from a link: checked like Python's set(layers=...).
function validate(name, value) {
  if (!Array.isArray(value)) refuse("layers must be a list of layer descriptions");
  if (value.length > MAX_LAYERS) refuse(`the builder holds at most ${MAX_LAYERS} layers; got ${value.length}`);
  value.forEach((spec, i) => {
    const keys = spec && typeof spec === "object" ? Object.keys(spec).sort().join(",") : "";
    if (keys !== ["kind", ...Object.keys(LAYER_RANGES)].sort().join(",")) refuse(`layer ${i + 1} is not a layer description`);
    if (!LAYER_KINDS.includes(spec.kind)) refuse(`layer ${i + 1}: kind must be one of ${LAYER_KINDS.join(", ")}; got ${pyRepr(spec.kind)}`);
    for (const [key, [low, high]] of Object.entries(LAYER_RANGES))
      if (!Number.isInteger(spec[key]) || spec[key] < low || spec[key] > high)
        refuse(`layer ${i + 1}: ${key} must be a whole number from ${low} to ${high}; got ${pyRepr(spec[key])}`);
  });
}

function boxSize(shape) {
  if (shape.length === 3) return [0.35 + 0.35 * Math.log2(shape[0] + 1), 0.6 + 0.55 * Math.log2(Math.max(shape[1], shape[2]) + 1)];
  return [0.25, 0.6 + 0.55 * Math.log2(shape[0] + 1) * 0.8];
}

function draw(m) {
  const parts = [], W = 760, unit = 14, gap = 1.1;
  // the shape flow: one box per computing layer's output, width ~ log(channels), height ~ log(size)
  const sizes = m.flow.map(([, shape]) => boxSize(shape));
  const span = sizes.reduce((a, [w]) => a + w + gap, -gap);
  const scale = Math.min(unit, (W - 20) / Math.max(span, 1));
  const tallest = Math.max(...sizes.map(([, hh]) => hh)) * scale, mid = 34 + tallest / 2;
  parts.push(tag("text", { x: 4, y: 12, "font-size": 11 }, "shape flow: box width ~ log(channels), height ~ log(height); vectors in purple"));
  let x = 10, prevRight = null;
  m.flow.forEach(([name, shape], i) => {
    const [bw, bh] = sizes[i].map((q) => q * scale);
    parts.push(tag("rect", { x, y: mid - bh / 2, width: bw, height: bh, fill: shape.length === 3 ? COLORS.output : COLORS.vector,
      stroke: COLORS.edge, "stroke-width": 0.6, "fill-opacity": 0.85 }));
    parts.push(tag("text", { x: x + bw / 2, y: mid - tallest / 2 - 4, "font-size": 10, "text-anchor": "middle" }, name));
    parts.push(tag("text", { x: x + bw / 2, y: mid + tallest / 2 + 12, "font-size": 10, "text-anchor": "middle" }, shape.join("×")));
    if (prevRight !== null) parts.push(tag("line", { x1: prevRight + 2, y1: mid, x2: x - 2, y2: mid, stroke: "#555555", "stroke-width": 1 }));
    prevRight = x + bw;
    x += bw + gap * scale;
  });
  // the bars: parameters and multiplications of each computing layer, with their shares
  let y = mid + tallest / 2 + 30;
  const half = (W - 180) / 2, rowH = 18, x0 = 180;
  const totals = [m.totals[2], m.totals[3]];
  [["parameters", 1, 2, "#0072b2"], ["multiplications", 3, 4, COLORS.tap]].forEach(([title, vi, si, colour], col) => {
    const left = x0 + col * half, top = Math.max(...m.bars.map((b) => Number(b[vi])), 0) || 1;
    parts.push(tag("text", { x: left, y, "font-size": 11 }, `${title} per layer (total ${fmtInt(BigInt(totals[col]))})`));
    m.bars.forEach((b, r) => {
      const yy = y + 8 + r * rowH, w = (half - 110) * Number(b[vi]) / top;
      parts.push(tag("rect", { x: left, y: yy, width: Math.max(w, 0), height: rowH - 6, fill: colour }));
      parts.push(tag("text", { x: left + w + 4, y: yy + rowH - 9, "font-size": 10 }, `${fmtInt(BigInt(b[vi]))} (${b[si]})`));
      if (col === 0) parts.push(tag("text", { x: x0 - 6, y: yy + rowH - 9, "font-size": 10, "text-anchor": "end" }, b[0]));
    });
  });
  const height = y + 14 + Math.max(m.bars.length, 1) * rowH;
  return svgDoc(W, height, `network of ${m.rows.length} layers: output ${pyTuple(m.output_shape)}`, parts);
}

// The preset menu and the Add / Remove buttons.
function tools(ctx) {
  const presets = ctx.model.get("_presets");
  const select = h("select", { "aria-label": "load a network", "data-name": "preset" },
    h("option", { value: "", text: "load a network…" }), Object.keys(presets).map((name) => h("option", { value: name, text: name })));
  select.addEventListener("change", () => { if (select.value) ctx.set(presets[select.value]); });
  const add = h("button", { type: "button", class: "nnbook-button", "data-name": "add", text: "+ Add layer" });
  add.addEventListener("click", () => {
    try { ctx.set({ layers: addLayer(ctx.values()) }); } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      ctx.refuse(`⚠ ${e.message}. The network is unchanged.`);
    }
  });
  const remove = h("button", { type: "button", class: "nnbook-button", "data-name": "remove", text: "− Remove last" });
  remove.addEventListener("click", () => {
    const layers = ctx.values().layers;
    if (!layers.length) return ctx.note("There are no layers to remove.");
    ctx.set({ layers: layers.slice(0, -1) });
  });
  return [select, add, remove];
}

export default { render: explorer({ key: "network", model, draw, tools, validate, state: ["layers"] }) };
