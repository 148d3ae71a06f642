// Python's float formatting in JavaScript, digit for digit: f"{x:.4f}", f"{x:.3e}", f"{x:.3g}", f"{x:g}".
// JS's toFixed/toPrecision round exact ties away from zero where Python rounds them to even
// (0.125 -> "0.13" in JS, "0.12" in Python), so the digits are computed here exactly, with BigInt,
// from the double's binary value. Used by the softmax, autodiff and init explorers' panels.

const _BIG10 = 10n;

function _decompose(x) {
  // |x| = m * 2**e exactly (x finite, nonzero)
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e;
  if (biased === 0) { e = -1074; } else { m |= 1n << 52n; e = biased - 1075; }
  return [m, e];
}

function _scaledRound(x, n) {
  // round-half-even(|x| * 10**n) as a BigInt, exactly
  const [m, e] = _decompose(x);
  let num = m, den = 1n;
  if (e >= 0) num <<= BigInt(e); else den <<= BigInt(-e);
  if (n >= 0) num *= _BIG10 ** BigInt(n); else den *= _BIG10 ** BigInt(-n);
  const q = num / den, r2 = 2n * (num % den);
  if (r2 > den || (r2 === den && q % 2n === 1n)) return q + 1n;
  return q;
}

function _special(x) {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return null;
}

function _sign(x) { return (x < 0 || Object.is(x, -0)) ? "-" : ""; }

function fmtFixed(x, digits) {
  // f"{x:.{digits}f}"
  const s = _special(x);
  if (s !== null) return s;
  let text = x === 0 ? "0" : _scaledRound(x, digits).toString();
  if (digits > 0) {
    text = text.padStart(digits + 1, "0");
    text = text.slice(0, text.length - digits) + "." + text.slice(text.length - digits);
  }
  return _sign(x) + text;
}

function _sciDigits(x, p) {
  // [digit string of p+1 significant digits, decimal exponent] of |x| (x finite, nonzero)
  let exp10 = Math.floor(Math.log10(Math.abs(x)));
  for (let guard = 0; guard < 8; guard++) {
    const n = _scaledRound(x, p - exp10);
    const text = n.toString();
    if (text.length > p + 1) { exp10 += 1; continue; }
    if (text.length < p + 1) { exp10 -= 1; continue; }
    return [text, exp10];
  }
  throw new Error("fmt: no exponent found for " + x);
}

function _expText(exp10) {
  const a = Math.abs(exp10);
  return (exp10 < 0 ? "-" : "+") + (a < 10 ? "0" + a : String(a));
}

function fmtExp(x, digits) {
  // f"{x:.{digits}e}"
  const s = _special(x);
  if (s !== null) return s;
  if (x === 0) return _sign(x) + "0" + (digits > 0 ? "." + "0".repeat(digits) : "") + "e+00";
  const [text, exp10] = _sciDigits(x, digits);
  const mant = digits > 0 ? text[0] + "." + text.slice(1) : text;
  return _sign(x) + mant + "e" + _expText(exp10);
}

function _strip(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

function fmtGeneral(x, precision = 6) {
  // f"{x:.{precision}g}" (and f"{x:g}" with the default 6)
  const s = _special(x);
  if (s !== null) return s;
  const p = precision === 0 ? 1 : precision;
  if (x === 0) return _sign(x) + "0";
  const [text, exp10] = _sciDigits(x, p - 1);
  if (exp10 >= -4 && exp10 < p) {
    return _sign(x) + _strip(fmtFixed(Math.abs(x), p - 1 - exp10));
  }
  const mant = _strip(p > 1 ? text[0] + "." + text.slice(1) : text);
  return _sign(x) + mant + "e" + _expText(exp10);
}

const _UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function pyStr(text) {
  // repr(text) of a Python str: the quotes Python picks and its escapes
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + quote;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && _UNPRINTABLE.test(ch)) {
      if (code < 0x100) out += "\\x" + code.toString(16).padStart(2, "0");
      else if (code < 0x10000) out += "\\u" + code.toString(16).padStart(4, "0");
      else out += "\\U" + code.toString(16).padStart(8, "0");
    } else out += ch;
  }
  return out + quote;
}
