// nnbook explorers: the ONE helper every explorer's front-end shares (MIT). nnbook.widgets
// prepends it to each explorer's module (js/<explorer>.js) to make that widget's anywidget ESM.
// Part 1 is pure (formatting like Python, refusals) and runs in the tests' embedded V8 too;
// part 2 touches the DOM and is only called by render().

// -- part 1: pure helpers ---------------------------------------------------------------------
// An impossible setting: the model throws it with a message in words (Python's ValueError).
class Refusal extends Error {}
function refuse(message) { throw new Refusal(message); }
// Not an error: the model waits for data Python is computing (live in JupyterLab); the
// explorer says so and keeps its picture.
class Pending extends Error {}
function pending(message) { throw new Pending(message); }

// Python's f"{n:,}" for an integer (Number or BigInt).
function fmtInt(n) {
  const s = String(n), neg = s[0] === "-", digits = neg ? s.slice(1) : s;
  return (neg ? "-" : "") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// Python's format(x, "g") (6 significant digits unless p says otherwise).
function fmtG(x, p = 6) {
  if (typeof x === "bigint") x = Number(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mant, ex] = x.toExponential(p - 1).split("e");
  const e = parseInt(ex, 10);
  const trim = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (e < -4 || e >= p) return trim(mant) + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  return trim(x.toFixed(Math.max(0, p - 1 - e)));
}

// Python's html.escape(s) (quote=True).
function esc(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
}

// Python's str(tuple(...)) of integers: "(1, 2)", "(3,)".
function pyTuple(items) {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

// Python's repr() of a str or int (for messages that quote a value).
function pyRepr(v) {
  if (typeof v === "string") return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  return String(v);
}

// Check one control value against its spec (from Python's control_spec); refuse in words.
function checkControl(spec, value) {
  if (spec.kind === "int") {
    if (typeof value !== "number" || !Number.isInteger(value))
      refuse(`${spec.label} must be a whole number from ${spec.min} to ${spec.max}; got ${pyRepr(value)}`);
    if (value < spec.min || value > spec.max)
      refuse(`${spec.label} must be a whole number from ${spec.min} to ${spec.max}; got ${value}`);
  } else if (spec.kind === "choice") {
    if (!spec.options.some(([, v]) => v === value))
      refuse(`${spec.label} must be one of ${spec.options.map(([, v]) => pyRepr(v)).join(", ")}; got ${pyRepr(value)}`);
  } else if (spec.kind === "float") {
    const [low, high] = floatRange(spec);
    if (typeof value !== "number" || !Number.isFinite(value) || value < low || value > high)
      refuse(`${spec.label} must be a number from ${fmtG(low)} to ${fmtG(high)}; got ${pyRepr(value)}`);
  } else if (spec.kind === "text") {
    if (typeof value !== "string") refuse(`${spec.label} must be text; got ${pyRepr(value)}`);
  } else if (spec.kind === "bool") {
    if (value !== true && value !== false) refuse(`${spec.label} must be on or off (true/false); got ${pyRepr(value)}`);
  }
  return value;
}

// A float control's slider positions: value(i) = min + i*step, or 10**(min + i*step) with log.
function floatRange(spec) {
  return spec.log ? [10 ** spec.min, 10 ** spec.max] : [spec.min, spec.max];
}
function floatPositions(spec) { return Math.round((spec.max - spec.min) / spec.step); }
function floatAt(spec, i) { return spec.log ? 10 ** (spec.min + i * spec.step) : spec.min + i * spec.step; }
function floatPosition(spec, value) {
  const x = spec.log ? Math.log10(value) : value;
  return Math.max(0, Math.min(floatPositions(spec), Math.round((x - spec.min) / spec.step)));
}

// -- part 2: drawing and controls (DOM) ---------------------------------------------------------
// Data Python deflated and base64-encoded (zlib, as the answer boxes' data) -> its text.
async function inflateBase64(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"))).text();
}

const SVG_NS = "http://www.w3.org/2000/svg";
// The book's colours (nnbook.plots), so the live pictures match the figures in the text.
const COLORS = { input: "#0072b2", pad: "#d9d9d9", tap: "#e69f00", output: "#009e73", vector: "#cc79a7",
  edge: "#333333", grid: "#cccccc", text: "#222222", muted: "#595959" };

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function s(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// A fresh <svg> of the given size (user units = CSS pixels unless the page is narrower).
function svgCanvas(width, height, label) {
  return s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label,
    style: "max-width:100%;height:auto;font-family:sans-serif" });
}

// Pictures as SVG text (one innerHTML write is much faster than thousands of DOM calls):
// tag("rect", {x: 1, ...}) or tag("text", {...}, "label"); svgDoc(width, height, label, parts).
function tag(name, attrs, text) {
  let out = "<" + name;
  for (const k in attrs) {
    const v = attrs[k];
    if (v !== undefined && v !== null) out += " " + k + '="' + (typeof v === "number" ? v : esc(v)) + '"';
  }
  return text === undefined ? out + "/>" : out + ">" + esc(text) + "</" + name + ">";
}
// The lines of a rows x cols grid of square cells as ONE path (cheap, however many cells).
function gridLines(x, y, rows, cols, cell, stroke = "#ffffff", width = 1) {
  let d = "";
  for (let r = 0; r <= rows; r++) d += `M${x} ${y + r * cell}h${cols * cell}`;
  for (let c = 0; c <= cols; c++) d += `M${x + c * cell} ${y}v${rows * cell}`;
  return tag("path", { d, stroke, "stroke-width": width, fill: "none" });
}
function svgDoc(width, height, label, parts) {
  return `<svg xmlns="${SVG_NS}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `aria-label="${esc(label)}" style="max-width:100%;height:auto;font-family:sans-serif">${parts.join("")}</svg>`;
}

// Typeset $math$ with the page's MathJax 3 (the built book); elsewhere (JupyterLab has no global
// MathJax) show the TeX in a readable plain form.
function typeset(node) {
  const MJ = globalThis.MathJax;
  if (MJ && MJ.typesetPromise) {
    if (MJ.typesetClear) MJ.typesetClear([node]);
    const go = () => MJ.typesetPromise([node]).catch(() => {});
    return MJ.startup && MJ.startup.promise ? MJ.startup.promise.then(go) : go();
  }
  node.innerHTML = node.innerHTML.replace(/\$([^$]+)\$/g, (_, tex) => `<span class="nnbook-tex">${plainTex(tex)}</span>`);
  return Promise.resolve();
}

function plainTex(tex) {
  let t = tex;
  for (let i = 0; i < 4; i++) t = t.replace(/\\d?frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)");
  return t.replace(/\\left|\\right/g, "").replace(/\\lfloor/g, "⌊").replace(/\\rfloor/g, "⌋")
    .replace(/\\mathbf\{([^{}]*)\}/g, "<b>$1</b>").replace(/\\cdot/g, "·").replace(/\\times/g, "×")
    .replace(/\\partial/g, "∂").replace(/\\,/g, " ").replace(/\\dots/g, "…").replace(/\\([a-zA-Z]+)/g, "$1")
    .replace(/[{}]/g, "");
}

let uid = 0;

// One control: an int (slider + number box), a choice (radio group) or a bool (checkbox).
// Everything works with Tab, the arrow keys, Space and Enter. onChange(name, value) gets valid
// values only; onRefuse(text) is told when a typed value is refused.
function noteOf(spec) { return spec.note ? h("span", { class: "nnbook-control-note", text: spec.note }) : null; }

function makeControl(spec, value, onChange, onRefuse) {
  const id = `nnbook-c${++uid}`;
  if (spec.kind === "int") {
    const range = h("input", { type: "range", id, min: spec.min, max: spec.max, step: 1, value,
      "aria-label": spec.label, "data-name": spec.name });
    // A text box (not type=number, which silently drops what it cannot parse): what is typed is
    // checked, and refused in words. ArrowUp/ArrowDown step it, as in a number box.
    const box = h("input", { type: "text", inputmode: "numeric", size: 4, value, class: "nnbook-num",
      "aria-label": `${spec.label} (type a whole number from ${spec.min} to ${spec.max}, then Enter)`, "data-name": spec.name });
    range.addEventListener("input", () => onChange(spec.name, Number(range.value)));
    const commit = () => {
      const text = box.value.trim();
      if (text === range.value) return;
      try {
        if (!/^[+-]?\d+$/.test(text)) refuse(`${spec.label} must be a whole number from ${spec.min} to ${spec.max}; got '${text}'`);
        const v = Number(text);
        checkControl(spec, v);
        if (v > Number(range.max)) refuse(`${spec.label} can be at most ${range.max} in this setting; got ${v}`);
        onChange(spec.name, v);
      } catch (e) {
        onRefuse(e.message);
        box.value = range.value;
      }
    };
    box.addEventListener("change", commit);
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter") commit();
      else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
        e.preventDefault();
        const v = Number(range.value) + (e.key === "ArrowUp" ? 1 : -1);
        if (v >= Number(range.min) && v <= Number(range.max)) onChange(spec.name, v);
      }
    });
    const node = h("div", { class: "nnbook-control nnbook-int" }, h("label", { for: id, text: spec.label }), range, box, noteOf(spec));
    node.setValue = (v, max) => {
      if (max !== undefined) { range.max = max; box.max = max; }
      range.value = v; box.value = v;
    };
    return node;
  }
  if (spec.kind === "float") {
    const range = h("input", { type: "range", id, min: 0, max: floatPositions(spec), step: 1, value: floatPosition(spec, value),
      "aria-label": spec.label, "data-name": spec.name });
    const [low, high] = floatRange(spec);
    const box = h("input", { type: "text", inputmode: "decimal", size: 6, value: fmtG(value, spec.digits), class: "nnbook-num",
      "aria-label": `${spec.label} (type a number from ${fmtG(low)} to ${fmtG(high)}, then Enter)`, "data-name": spec.name });
    let current = value;
    range.addEventListener("input", () => onChange(spec.name, floatAt(spec, Number(range.value))));
    const commit = () => {
      const text = box.value.trim();
      if (text === fmtG(current, spec.digits)) return;
      try {
        const v = Number(text);
        if (text === "" || !Number.isFinite(v)) refuse(`${spec.label} must be a number from ${fmtG(low)} to ${fmtG(high)}; got '${text}'`);
        checkControl(spec, v);
        onChange(spec.name, v);
      } catch (e) {
        onRefuse(e.message);
        box.value = fmtG(current, spec.digits);
      }
    };
    box.addEventListener("change", commit);
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter") commit();
      else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
        e.preventDefault();
        const i = floatPosition(spec, current) + (e.key === "ArrowUp" ? 1 : -1);
        if (i >= 0 && i <= floatPositions(spec)) onChange(spec.name, floatAt(spec, i));
      }
    });
    const node = h("div", { class: "nnbook-control nnbook-float" }, h("label", { for: id, text: spec.label }), range, box, noteOf(spec));
    node.setValue = (v) => { current = v; range.value = floatPosition(spec, v); box.value = fmtG(v, spec.digits); };
    return node;
  }
  if (spec.kind === "text") {
    const box = h("input", { type: "text", id, value, class: "nnbook-text", style: `width:${spec.width || "16em"}`,
      "aria-label": `${spec.label} (then Enter)`, "data-name": spec.name });
    let current = value;
    const commit = () => { if (box.value !== current) onChange(spec.name, box.value); };
    box.addEventListener("change", commit);
    box.addEventListener("keydown", (e) => { if (e.key === "Enter") commit(); });
    const node = h("div", { class: "nnbook-control nnbook-textbox" }, h("label", { for: id, text: spec.label }), box, noteOf(spec));
    node.setValue = (v) => { current = v; if (document.activeElement !== box) box.value = v; };
    return node;
  }
  if (spec.kind === "choice") {
    const group = `nnbook-g${++uid}`;
    const inputs = spec.options.map(([label, v]) => {
      const input = h("input", { type: "radio", name: group, value: String(v), "data-name": spec.name, checked: v === value });
      input.addEventListener("change", () => input.checked && onChange(spec.name, v));
      return h("label", { class: "nnbook-radio" }, input, " " + label);
    });
    const node = h("fieldset", { class: "nnbook-control nnbook-choice", role: "radiogroup" },
      h("legend", { text: spec.label }), inputs, noteOf(spec));
    node.setValue = (v) => node.querySelectorAll("input").forEach((i) => { i.checked = i.value === String(v); });
    return node;
  }
  const box = h("input", { type: "checkbox", id, checked: !!value, "data-name": spec.name });
  box.addEventListener("change", () => onChange(spec.name, box.checked));
  const node = h("div", { class: "nnbook-control nnbook-bool" }, box, h("label", { for: id, text: " " + spec.label }), noteOf(spec));
  node.setValue = (v) => { box.checked = !!v; };
  return node;
}

const IMPOSSIBLE = (msg) => `⚠ This combination is impossible: ${msg}. The picture below still shows the last valid setting.`;

// The anywidget render() of an explorer. spec:
//   key        name in the URL fragment (#<key>=<json>) of a copied link
//   model(v, d) pure: values -> {panel: HTML with $math$, ...numbers}; refuse() if impossible,
//              pending(text) while waiting for data Python computes (live only)
//   data       synced trait names the model reads (d = {name: value}) that are not part of the
//              state or a link (e.g. data Python precomputed); a change redraws
//   draw(m, v) -> the picture for a good model m: SVG text (svgDoc/tag, fastest) or a DOM node
//   state      extra synced trait names that are part of the state (e.g. a list of layers)
//   normalize(v, d) -> values with dependent ones fitted (e.g. a step clamped); optional
//   bounds(v, d) -> {name: max} for controls whose range depends on others; optional
//   validate(name, value) -> refuse() a bad value of a `state` trait from a link; optional
//   tools(ctx) -> extra nodes for the toolbar (buttons...); ctx = {values(), set(obj), refuse(text),
//              note(text), model, onCleanup(f), onModel(f): f(m, v) after each good redraw}
function explorer(spec) {
  return function render({ model, el }) {
    const specs = model.get("_controls");
    const names = specs.map((c) => c.name).concat(spec.state || []);
    const read = () => Object.fromEntries(names.map((n) => [n, model.get(n)]));
    const dataNames = spec.data || [];
    const readData = () => Object.fromEntries(dataNames.map((n) => [n, model.get(n)]));
    // "jupyter-widgets": the class every rendered widget carries (the page checks look for it).
    const root = h("div", { class: "nnbook-explorer jupyter-widgets", "data-explorer": spec.key });
    // Keys typed here are ours: JupyterLab must not take arrows/Space/Enter as notebook commands.
    root.addEventListener("keydown", (e) => e.stopPropagation());
    const message = h("div", { class: "nnbook-message", role: "status", "aria-live": "polite" });
    const panel = h("div", { class: "nnbook-panel tex2jax_process mathjax_process" });
    const picture = h("div", { class: "nnbook-picture" });
    // A new panel is typeset out of sight and swapped in when ready: no flash of raw TeX, and
    // the picture (drawn first) does not wait for MathJax.
    const staging = h("div", { class: "nnbook-panel tex2jax_process mathjax_process", "aria-hidden": "true",
      style: "position:absolute;left:-10000px;top:0;visibility:hidden" });
    let panelSeq = 0;
    const link = h("input", { type: "text", readonly: true, class: "nnbook-link", "aria-label": "link to this setting", hidden: true });
    // Changes made here redraw once (below); changes from elsewhere (Python in JupyterLab, another
    // view of the same widget) arrive as change events and redraw too.
    let quiet = false;
    const store = (obj) => { quiet = true; try { model.set(obj); model.save_changes(); } finally { quiet = false; } };
    const setValues = (obj) => { store(obj); update(); };
    const say = (text) => { message.textContent = text; message.className = "nnbook-message nnbook-refused"; };
    const note = (text) => { message.textContent = text; message.className = "nnbook-message nnbook-note"; };
    const controls = {};
    for (const c of specs) controls[c.name] = makeControl(c, model.get(c.name), (n, v) => setValues({ [n]: v }),
      (text) => say(`⚠ ${text}. The explorer keeps its last setting.`));
    const cleanups = [], watchers = [];
    const ctx = { values: read, set: setValues, refuse: say, note, model, onCleanup: (f) => cleanups.push(f),
      onModel: (f) => watchers.push(f) };
    const copyLink = h("button", { type: "button", class: "nnbook-button", text: "copy link",
      title: "a link that reopens this page with the explorer in this setting" });
    copyLink.addEventListener("click", () => {
      const url = location.href.split("#")[0] + "#" + spec.key + "=" + encodeURIComponent(JSON.stringify(read()));
      link.hidden = false; link.value = url; link.select();
      const done = () => note("Link copied: it reopens this page with the explorer in this setting.");
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, () => note("Copy the link below (Ctrl+C)."));
      else note("Copy the link below (Ctrl+C).");
    });
    const tools = h("div", { class: "nnbook-tools" }, ...(spec.tools ? spec.tools(ctx) : []), copyLink);
    root.append(h("div", { class: "nnbook-controls" }, Object.values(controls)), tools, link, message, panel, picture, staging);
    el.append(root);

    let lastGood = null;
    function update() {
      const t0 = performance.now();
      let v = read();
      const d = readData();
      root.nnbookValues = v; // the controls' values, good or not (for tests)
      if (spec.normalize) {
        const fitted = spec.normalize(v, d);
        const changed = Object.keys(fitted).filter((k) => fitted[k] !== v[k]);
        if (changed.length) { store(Object.fromEntries(changed.map((k) => [k, fitted[k]]))); v = fitted; }
      }
      let bounds = {};
      try { bounds = spec.bounds ? spec.bounds(v, d) : {}; } catch (e) { bounds = {}; }
      for (const c of specs) controls[c.name].setValue(v[c.name], bounds[c.name]);
      let m;
      try {
        m = spec.model(v, d);
      } catch (e) {
        if (e instanceof Pending) { note(e.message); root.dataset.ok = "pending"; return; }
        say(e instanceof Refusal ? IMPOSSIBLE(e.message) : `⚠ Something went wrong while drawing this setting (${e}). The picture below still shows the last valid setting.`);
        root.dataset.ok = "false";
        return;
      }
      if (message.classList.contains("nnbook-refused") || root.dataset.ok === "pending") { message.textContent = ""; message.className = "nnbook-message"; }
      root.dataset.ok = "true";
      root.dataset.state = JSON.stringify(v);
      root.nnbookModel = m; // what is shown, for tests (the same dict Python's view_model gives)
      const t1 = performance.now();
      const drawn = spec.draw(m, v);
      if (typeof drawn === "string") picture.innerHTML = drawn; else picture.replaceChildren(drawn);
      root.nnbookTiming = { model: t1 - t0, draw: performance.now() - t1 };
      if (!lastGood || lastGood.panel !== m.panel) {
        const seq = ++panelSeq;
        staging.innerHTML = m.panel;
        const swap = () => { if (seq === panelSeq) panel.replaceChildren(...staging.childNodes); };
        if (!lastGood) { swap(); typeset(panel); } else typeset(staging).then(swap, swap);
      }
      lastGood = m;
      for (const f of watchers) f(m, v);
    }
    const handlers = names.concat(dataNames).map((n) => { const f = () => { if (!quiet) update(); }; model.on(`change:${n}`, f); return [n, f]; });

    // A link's setting (#key=json): checked value by value; a bad one is refused in words.
    const hash = typeof location !== "undefined" ? location.hash : "";
    update(); // the first (saved) setting: the picture that stays if a link's setting is impossible
    if (hash.startsWith(`#${spec.key}=`)) {
      try {
        let state;
        try { state = JSON.parse(decodeURIComponent(hash.slice(spec.key.length + 2))); } catch (e) { refuse("it is not a setting this explorer wrote"); }
        if (!state || typeof state !== "object" || Array.isArray(state)) refuse("it is not a setting this explorer wrote");
        for (const [k, value] of Object.entries(state)) {
          const c = specs.find((x) => x.name === k);
          if (c) checkControl(c, value);
          else if ((spec.state || []).includes(k)) { if (spec.validate) spec.validate(k, value); }
          else refuse(`it names ${pyRepr(k)}, which is not one of this explorer's controls`);
        }
        setValues(state);
        if (root.dataset.ok === "true") root.scrollIntoView({ block: "center" });
      } catch (e) {
        say(`⚠ The link's setting was refused: ${e.message}. The explorer shows its first setting.`);
      }
    }
    return () => { handlers.forEach(([n, f]) => model.off(`change:${n}`, f)); cleanups.forEach((f) => f()); };
  };
}
