// The softmax chapter's two explorers: the model (pure functions, the same arithmetic and the same
// strings as nnbook.widgets.softmax; tests/test_widgets_js_softmax.py runs them against nnbook) and
// the drawing. Needs _pyformat.js (fmtFixed, fmtExp, fmtGeneral, pyStr) in front of it.

const MAX_CLASSES = 10;
const _WS = "[ \\t\\n\\r\\f\\v]";
const _TRIM = new RegExp("^" + _WS + "+|" + _WS + "+$", "g");
const _SPLIT = new RegExp("[,;" + _WS.slice(1, -1) + "]+");
const _NUMBER = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i;

function _stripChars(text, chars) {
  let a = 0, b = text.length;
  while (a < b && chars.includes(text[a])) a++;
  while (b > a && chars.includes(text[b - 1])) b--;
  return text.slice(a, b);
}

function _readNumber(part) {
  const t = part.replace(/\u2212/g, "-");
  if (!_NUMBER.test(t)) return null;
  const low = t.toLowerCase().replace(/^[+-]/, "");
  const sign = t[0] === "-" ? -1 : 1;
  if (low === "nan") return NaN;
  if (low === "inf" || low === "infinity") return sign * Infinity;
  return Number(t);
}

function parseLogits(text) {
  // nnbook.widgets.softmax.parse_logits: the logits, or refuse() with Python's message
  if (typeof text !== "string") refuse("logits must be typed as text such as '1, 2, 3', got " + String(text));
  const parts = _stripChars(text.replace(_TRIM, ""), "()[]").split(_SPLIT).filter((p) => p.length > 0);
  if (parts.length === 0) refuse("type at least one logit, e.g. 1, 2, 3");
  const z = [];
  for (const part of parts) {
    const v = _readNumber(part);
    if (v === null) refuse("could not read " + pyStr(part) + " as a number; type logits separated by commas, e.g. 1, 2, 3");
    if (Number.isNaN(v)) refuse("a logit cannot be nan");
    if (v === Infinity) refuse("a logit cannot be +inf (exp(+inf)/exp(+inf) has no value); use -inf to rule a class out");
    z.push(v);
  }
  if (z.length > MAX_CLASSES) refuse(`this explorer draws at most ${MAX_CLASSES} classes, got ${z.length}`);
  return z;
}

function npSum(values) {
  // numpy's pairwise summation order for up to 128 numbers (bit-identical to np.sum)
  const n = values.length;
  if (n < 8) {
    let res = -0.0;
    for (const v of values) res += v;
    return res;
  }
  const r = values.slice(0, 8);
  let i = 8;
  for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += values[i + j];
  let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; i++) res += values[i];
  return res;
}

function softmax(z, temperature) {
  // nnbook.softmax.softmax(z, temperature=T) for one vector (refuse() when every logit is -inf)
  const top = Math.max(...z);
  if (top === -Infinity) {
    refuse("every logit along the softmax axis is -inf, so no class has any probability; "
      + "at least one logit per distribution must be finite");
  }
  let shifted;
  if (temperature >= 1.0) {
    const scaled = z.map((v) => v / temperature);
    const m = Math.max(...scaled);
    shifted = scaled.map((v) => v - m);
  } else {
    shifted = z.map((v) => (v - top) / temperature);
  }
  const e = shifted.map(Math.exp);
  const total = npSum(e);
  return e.map((v) => v / total);
}

function entropy(p) {
  // nnbook.softmax.entropy for one probability vector, in nats
  const out = -npSum(p.map((v) => v * Math.log(v > 0 ? v : 1.0)));
  return out > 0.0 ? out : 0.0;
}

function _texNumber(v) {
  return v === -Infinity ? "-\\infty" : fmtGeneral(v, 4);
}

function temperatureModel(logits, shift, temperature) {
  // everything TemperatureExplorer shows for (logits text, shift c, temperature T)
  const z = parseLogits(logits);
  const p = softmax(z.map((v) => v + shift), temperature), k = p.length, h = entropy(p);
  const rows = z.map((zi, i) => `<tr><td>${i + 1}</td><td>$${_texNumber(zi)}$</td><td>$${_texNumber(zi + shift)}$</td>`
    + `<td>${fmtFixed(p[i], 4)}</td></tr>`).join("");
  const panel = "$P_i = \\dfrac{e^{(z_i + c)/T}}{\\sum_j e^{(z_j + c)/T}}$"
    + ` with $c = ${fmtGeneral(shift)}$ and $T = ${fmtGeneral(temperature, 3)}$:`
    + '<table style="border-collapse:collapse;margin:0.4em 0"><tr><th>class</th><th>$z_i$</th><th>$z_i + c$</th>'
    + `<th>$P_i$</th></tr>${rows}</table>`
    + `<p>Entropy $H = -\\sum_i P_i \\log P_i = ${fmtFixed(h, 4)}$ nats `
    + `(uniform: $\\log ${k} = ${fmtFixed(Math.log(k), 4)}$; one-hot: 0). `
    + "The shift $c$ never changes the probabilities; the temperature does.</p>";
  const top = Math.max(...p);
  return {
    panel,
    labels: p.map((v) => fmtFixed(v, 3)),
    top: p.map((v) => Math.abs(v - top) <= 1e-12 * Math.abs(top)),
    title: `T = ${fmtGeneral(temperature, 3)}: entropy ${fmtFixed(h, 3)} nats (max ${fmtFixed(Math.log(k), 3)})`,
    ticks: p.map((_, i) => (k <= 8 ? `class ${i + 1}` : String(i + 1))),
  };
}

function sigmoid(x) {
  // nnbook.softmax.sigmoid for one number
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

const LN_99 = 4.59511985013459; // float(numpy.log(99.0)), as nnbook.softmax.steepness_for_gap computes it

function stepModel(k, delta) {
  // everything StepExplorer shows for steepness k and band delta
  const gap = sigmoid(-k * delta);
  const need = LN_99 / delta;
  const values = [-delta, 0.0, delta].map((x) => `<tr><td>$${fmtGeneral(x, 3)}$</td><td>${fmtFixed(sigmoid(k * x), 6)}</td>`
    + `<td>${fmtGeneral(x > 0 ? 1.0 : x < 0 ? 0.0 : 0.5)}</td></tr>`).join(" ");
  const panel = `$\\sigma(kx) = 1/(1 + e^{-kx})$ with $k = ${fmtGeneral(k, 3)}$, against the step $H(x)$:`
    + '<table style="border-collapse:collapse;margin:0.4em 0"><tr><th>$x$</th><th>$\\sigma(kx)$</th><th>$H(x)$</th></tr>'
    + `${values}</table>`
    + `<p>Largest gap for $|x| \\ge ${fmtGeneral(delta)}$: $\\sigma(-k\\delta) = ${fmtExp(gap, 3)}$. `
    + `A gap of at most 0.01 there needs $k \\ge \\ln 99 / \\delta = ${fmtGeneral(need, 4)}$. `
    + "At $x = 0$ both are exactly $1/2$, for every $k$.</p>";
  return {
    panel,
    title: `k = ${fmtGeneral(k, 3)}: outside |x| < ${fmtGeneral(delta, 3)} the gap is at most ${fmtExp(gap, 3)}`,
  };
}

