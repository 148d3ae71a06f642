/* nnbook self-check exercises: the answer box of every exercise on a page (one copy per page).
 *
 * Part 1, `nnbookAnswers`, reads a typed answer exactly as nnbook/exercises/_answers.py does
 * (the same rules, tested on one shared table: tests/data/answer_formats.json).
 * Part 2 mounts every `.nnbook-exercise[data-nnbook-ex]` block: Check button and Enter, named
 * mistakes, a hint ladder ending in the worked solution, "new numbers" over variants that
 * nnbook precomputed, and per-section progress kept in localStorage (nothing leaves the browser).
 */
var nnbookAnswers = (function () {
  "use strict";
  var SPACES = /[\t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/g;
  var DASHES = /[\u2212\u2012\u2013\u2014\ufe63\uff0d]/g;
  var SCI = /([0-9.])[ ]*[xX\u00d7*\u00b7\u22c5][ ]*10[ ]*\^[ ]*\{?[ ]*([+-]?)[ ]*([0-9]+)[ ]*\}?/g;
  var POW10 = /(^|[^0-9.])10[ ]*\^[ ]*\{?[ ]*([+-]?)[ ]*([0-9]+)[ ]*\}?/g;
  var SLASH = /[ ]*\/[ ]*/g;
  var NUMBER = new RegExp(
    "^([+-]?)(?:([1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\\.[0-9]+)?)|([1-9][0-9]{0,2}(?: [0-9]{3})+(?:\\.[0-9]+)?)" +
    "|([0-9]+,[0-9]+)|([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))((?:[eE][+-]?[0-9]+)?)$");
  var SPLIT_COMMA_SPACE = /[ ]*,[ ]+/;
  var SPLIT_ANY = /[ ]*[,xX\u00d7][ ]*|[ ]+/;
  var TRAILING = /[ ,;]+$/;
  var EXAMPLES = ["4", "0.5", "16", "3", "1", "2", "8", "5", "6", "7", "9", "10"];
  var MAX_SHOWN = 40;

  function strip(s) { return s.replace(/^ +| +$/g, ""); }
  function plural(count) { return count === 1 ? "a number" : count + " numbers"; }
  function shown(text) {
    var chars = Array.from(text);
    return chars.length <= MAX_SHOWN ? text : chars.slice(0, MAX_SHOWN).join("") + "\u2026";
  }
  function error(code, text, count, got) {
    var s = shown(text), message;
    if (code === "empty") message = "No answer yet: type " + plural(count) + " first.";
    else if (code === "percent") message = 'Write this answer as a plain number, without "%".';
    else if (code === "zero-division") message = 'I could not read "' + s + '": it divides by zero.';
    else if (code === "too-large") message = 'I could not read "' + s + '": a number in it is too large.';
    else if (code === "count") message = "Expected " + plural(count).replace("a number", "1 number") + ", got " + got + ".";
    else if (count === 1) message = 'I could not read "' + s + '" as a number (expected a number like 0.24, -3, 1/81 or 2.5e-3).';
    else {
      var ex = [];
      for (var k = 0; k < count; k++) ex.push(EXAMPLES[k % EXAMPLES.length]);
      message = 'I could not read "' + s + '" as ' + count + " numbers (expected " + count + " numbers like " + ex.join(", ") + ").";
    }
    return {ok: false, values: [], code: code, message: message};
  }
  function normalise(text) {
    text = strip(text.replace(SPACES, " ").replace(DASHES, "-").replace(/\uff0b/g, "+"));
    text = text.replace(SCI, "$1e$2$3");
    text = text.replace(POW10, "$11e$2$3");
    return text.replace(SLASH, "/");
  }
  function number(token) {
    var m = NUMBER.exec(token);
    if (m === null) return null;
    var body;
    if (m[2]) body = m[2].replace(/,/g, "");
    else if (m[3]) body = m[3].replace(/ /g, "");
    else if (m[4]) body = m[4].replace(",", ".");
    else body = m[5];
    return Number(m[1] + body + m[6]);
  }
  function one(token, percent) {
    token = strip(token);
    var isPercent = token.slice(-1) === "%";
    if (isPercent) token = token.slice(0, -1).replace(/ +$/, "");
    var parts = token.split("/");
    if (parts.length > 2) return [null, "unreadable"];
    var values = parts.map(number);
    if (values.some(function (v) { return v === null; })) return [null, "unreadable"];
    var value;
    if (values.length === 2) {
      if (values[1] === 0) return [null, "zero-division"];
      if (!(isFinite(values[0]) && isFinite(values[1]))) return [null, "too-large"];
      value = values[0] / values[1];
    } else value = values[0];
    if (isPercent) {
      if (!percent) return [null, "percent"];
      value = value / 100;
    }
    if (!isFinite(value)) return [null, "too-large"];
    return [value, ""];
  }
  function split(text) {
    var parts;
    if (text.indexOf(";") >= 0) parts = text.split(";");
    else if (SPLIT_COMMA_SPACE.test(text)) parts = text.split(SPLIT_COMMA_SPACE);
    else parts = text.split(SPLIT_ANY);
    return parts.map(strip).filter(function (p) { return p.length > 0; });
  }
  /* Read typed `text` as `count` numbers; `percent` allows 24% (= 0.24). Never throws. */
  function readAnswer(text, count, percent) {
    count = count || 1;
    var original = strip(String(text).replace(SPACES, " "));
    if (!original) return error("empty", original, count);
    var body = normalise(String(text));
    if (body.length >= 2 && "([{".indexOf(body[0]) >= 0 && ")]}".indexOf(body[body.length - 1]) >= 0) {
      body = strip(body.slice(1, -1));
    }
    body = body.replace(TRAILING, "");  // "1, 2, 3," and "4;" end with a separator
    if (!body) return error("empty", original, count);
    var parts, r;
    if (count === 1) {
      r = one(body, percent);
      if (r[1] === "") return {ok: true, values: [r[0]], code: "", message: ""};
      if (r[1] !== "unreadable") return error(r[1], original, count);
      parts = split(body);
      if (parts.length >= 2 && parts.every(function (p) { return one(p, percent)[1] === ""; }))
        return error("count", original, count, parts.length);
      return error("unreadable", original, count);
    }
    parts = split(body);
    var values = [];
    for (var i = 0; i < parts.length; i++) {
      r = one(parts[i], percent);
      if (r[1]) return error(r[1], original, count);
      values.push(r[0]);
    }
    if (values.length !== count) return error("count", original, count, values.length);
    return {ok: true, values: values, code: "", message: ""};
  }
  /* Indices of the components not within tolerance (exact answers have tolerance 0). */
  function within(values, expected, tolerances) {
    var wrong = [];
    for (var i = 0; i < expected.length; i++)
      if (!(Math.abs(values[i] - expected[i]) <= tolerances[i])) wrong.push(i);
    return wrong;
  }
  return {readAnswer: readAnswer, within: within, normalise: normalise};
})();

(function () {
  "use strict";
  if (typeof document === "undefined" || typeof window === "undefined") return;
  if (window.nnbookExercises) { window.nnbookExercises.scan(); return; }

  var STORE = "nnbook:solved:";

  function store(op, id, value) {
    try {
      if (op === "get") return window.localStorage.getItem(STORE + id);
      if (op === "set") window.localStorage.setItem(STORE + id, value);
      if (op === "del") window.localStorage.removeItem(STORE + id);
    } catch (e) { /* storage blocked (private mode, file:// policy): progress is not kept */ }
    return null;
  }

  function typeset(el) {
    var mj = window.MathJax;
    if (mj && mj.typesetPromise) {
      if (mj.typesetClear) mj.typesetClear([el]);
      return mj.typesetPromise([el]).catch(function () {});
    }
    // No MathJax on this page (JupyterLab typesets only when an output is first shown):
    // show the TeX as readable text instead of raw delimiters.
    plainMath(el);
    return Promise.resolve();
  }

  function plainMath(el) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      if (!/\\[()[\]]/.test(node.nodeValue)) return;
      node.nodeValue = node.nodeValue.replace(/\\\(([\s\S]*?)\\\)|\\\[([\s\S]*?)\\\]/g, function (_, a, b) {
        return texToText(a !== undefined ? a : b);
      });
    });
  }

  function texToText(t) {
    var symbols = {cdot: "\u00b7", times: "\u00d7", lfloor: "\u230a", rfloor: "\u230b", lceil: "\u2308",
      rceil: "\u2309", sigma: "\u03c3", partial: "\u2202", sum: "\u03a3", le: "\u2264", ge: "\u2265",
      leq: "\u2264", geq: "\u2265", approx: "\u2248", ne: "\u2260", infty: "\u221e", alpha: "\u03b1",
      beta: "\u03b2", gamma: "\u03b3", mu: "\u03bc", tanh: "tanh", ln: "ln", log: "log", exp: "exp",
      sqrt: "\u221a", to: "\u2192", quad: " ", qquad: "  ", ldots: "\u2026", dots: "\u2026", pm: "\u00b1"};
    for (var i = 0; i < 3; i++) t = t.replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)");
    t = t.replace(/\\(left|right|big|Big|bigg|Bigg|displaystyle|textstyle|mathrm|text|operatorname)\b/g, "");
    t = t.replace(/\\([a-zA-Z]+)/g, function (m, name) { return name in symbols ? symbols[name] : name; });
    return t.replace(/\\[,;:! ]/g, " ").replace(/[{}]/g, "").replace(/\s+/g, " ").trim();
  }

  function decode(el) {
    var text = el.textContent;
    if (el.getAttribute("data-encoding") !== "deflate-base64")
      return Promise.resolve(JSON.parse(text));
    var bytes = Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }

  function section(block) {
    return block.closest("section") || block.closest(".jp-Notebook") || document.body;
  }

  function Progress(root) {
    this.root = root;
    this.blocks = [];
    this.bar = null;
  }
  Progress.prototype.add = function (ex) {
    this.blocks.push(ex);
    if (!this.bar) {
      var bar = document.createElement("div");
      bar.className = "nnbook-ex-progress";
      bar.innerHTML = '<span class="nnbook-ex-progress-text" aria-live="polite"></span> ' +
        '<button type="button" class="nnbook-ex-reset">Reset</button>';
      ex.block.parentNode.insertBefore(bar, ex.block);
      var self = this;
      bar.querySelector(".nnbook-ex-reset").addEventListener("click", function () {
        self.blocks.forEach(function (b) { b.unsolve(); });
        self.update();
      });
      this.bar = bar;
    }
    this.update();
  };
  Progress.prototype.update = function () {
    var solved = this.blocks.filter(function (b) { return b.solved; }).length;
    this.bar.querySelector(".nnbook-ex-progress-text").textContent =
      "Self-check: " + solved + " of " + this.blocks.length + " solved here";
  };

  var groups = [];
  function progressFor(block) {
    var root = section(block);
    for (var i = 0; i < groups.length; i++) if (groups[i].root === root && groups[i].bar && groups[i].bar.isConnected) return groups[i];
    var g = new Progress(root);
    groups.push(g);
    return g;
  }

  function Exercise(block, data) {
    this.block = block;
    this.data = data;
    this.precomputed = data.variants.length;  // live, Python's variants are appended after these
    this.index = 0;
    this.wrong = 0;
    this.solved = !!store("get", data.id);
    this.q = function (sel) { return block.querySelector(sel); };
  }
  // The live notebook's line to Python (static/channel.js), if its kernel answered.
  function kernelOf(block) {
    var channels = (block.closest(".jp-Notebook") || document).querySelectorAll(".nnbook-ex-channel");
    for (var i = 0; i < channels.length; i++) {
      var kernel = channels[i].nnbookKernel;
      if (kernel && kernel.live) return kernel;
    }
    return null;
  }
  Exercise.prototype.variant = function () { return this.data.variants[this.index]; };
  Exercise.prototype.say = function (html, verdict) {
    var out = this.q(".nnbook-ex-feedback");
    out.className = "nnbook-ex-feedback" + (verdict ? " nnbook-ex-" + verdict : "");
    var mark = verdict === "correct" ? "\u2713 " : verdict === "wrong" ? "\u2717 " : "";
    out.innerHTML = (mark ? '<b aria-hidden="true">' + mark + "</b>" : "") + html;
    typeset(out);
  };
  Exercise.prototype.check = function (given) {
    var d = this.data, v = this.variant();
    if (d.kind === "choice") {
      if (given === null) return this.say("No answer yet: choose one of the options first.", "info");
      if (given === v.answer[0]) return this.right();
      for (var m = 0; m < v.mistakes.length; m++)
        if (v.mistakes[m][1][0] === given) return this.mistake(v.mistakes[m]);
      return this.ladder([]);
    }
    var r = nnbookAnswers.readAnswer(given, v.answer.length, v.percent);
    if (!r.ok) {
      var msg = escapeHtml(r.message);
      if (r.code === "count" && d.labels) msg = msg.replace(/\.$/, "") + " (" + d.labels.join(", ") + ").";
      return this.say(msg, "info");
    }
    var wrong = nnbookAnswers.within(r.values, v.answer, v.tol);
    if (!wrong.length) return this.right();
    for (var k = 0; k < v.mistakes.length; k++) {
      // a mistake's own tolerances (a decimal slip on an integer answer still matches when typed)
      if (!nnbookAnswers.within(r.values, v.mistakes[k][1], v.mistakes[k][3] || v.tol).length) return this.mistake(v.mistakes[k]);
    }
    return this.ladder(d.kind === "numbers" ? wrong : []);
  };
  Exercise.prototype.right = function () {
    this.say("Correct!", "correct");
    this.solved = true;
    store("set", this.data.id, String(this.variant().seed));
    this.block.classList.add("nnbook-ex-solved");
    if (this.progress) this.progress.update();
  };
  Exercise.prototype.mistake = function (m) {
    this.block.setAttribute("data-nnbook-mistake", m[0]);
    this.say(m[2], "wrong");
  };
  Exercise.prototype.ladder = function (wrong) {
    var v = this.variant(), d = this.data;
    var where = "";
    if (wrong.length && d.labels) where = " (check " + wrong.map(function (i) { return d.labels[i]; }).join(", ") + ")";
    var rung = this.wrong;
    this.wrong += 1;
    if (rung < v.hints.length) {
      var step = v.hints.length > 1 ? "Hint " + (rung + 1) + " of " + v.hints.length : "Hint";
      this.say("Not quite" + where + ". " + step + ": " + v.hints[rung], "wrong");
    } else {
      var sol = this.q("details.nnbook-solution");
      if (sol) sol.open = true;
      this.say("Not quite" + where + ". Compare your steps with the worked solution below, now open.", "wrong");
    }
  };
  Exercise.prototype.unsolve = function () {
    this.solved = false;
    store("del", this.data.id);
    this.block.classList.remove("nnbook-ex-solved");
  };
  Exercise.prototype.show = function (index) {
    var v = this.data.variants[index];
    this.index = index;
    this.wrong = 0;
    this.block.removeAttribute("data-nnbook-mistake");
    var prompt = this.q(".nnbook-ex-prompt"), body = this.q(".nnbook-solution-body"), sol = this.q("details.nnbook-solution");
    prompt.innerHTML = v.prompt;
    body.innerHTML = v.solution;
    if (sol) sol.open = false;
    this.q(".nnbook-ex-seed").textContent = String(v.seed);
    var code = this.q(".nnbook-ex-seed-code");
    if (code) code.textContent = String(v.seed);
    var input = this.q("input.nnbook-ex-input");
    if (input) input.value = "";
    this.say(index < this.precomputed ? "New numbers: variant " + (index + 1) + " of " + this.precomputed + "."
      : "New numbers from Python: variant " + v.seed + ".", "info");
    typeset(prompt);
    typeset(body);
    this.block.setAttribute("data-nnbook-seed", String(v.seed));
  };
  Exercise.prototype.mount = function () {
    var self = this, d = this.data;
    var input = this.q("input.nnbook-ex-input");
    var button = this.q("button.nnbook-ex-check");
    if (input) {
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); self.check(input.value); }
      });
      button.addEventListener("click", function () { self.check(input.value); });
    } else {
      var options = this.block.querySelectorAll("input.nnbook-ex-choice");
      button.addEventListener("click", function () {
        var chosen = null;
        options.forEach(function (o) { if (o.checked) chosen = d.choices[Number(o.value)]; });
        self.check(chosen);
      });
      options.forEach(function (o) {
        o.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); button.click(); } });
      });
    }
    var more = this.q("button.nnbook-ex-new");
    if (more) {
      more.addEventListener("click", function () {
        var next = self.index + 1, kernel = kernelOf(self.block);
        if (next < d.variants.length || !kernel) return self.show(next % d.variants.length);
        // live notebook: past the precomputed variants, Python draws the next one
        var after = Math.max.apply(null, d.variants.map(function (v) { return v.seed || 0; }));
        more.disabled = true;
        self.say("Asking Python for new numbers\u2026", "info");
        kernel.variant(d.id, after).then(function (v) {
          d.variants.push(v);
          self.show(next);
        }, function (e) {
          self.say("Python could not draw new numbers (" + e.message + "); back to the first variant.", "info");
          self.show(0);
        }).then(function () { more.disabled = false; });
      });
    }
    this.q(".nnbook-ex-feedback").textContent = "";
    if (this.solved) this.block.classList.add("nnbook-ex-solved");
    this.progress = progressFor(this.block);
    this.progress.add(this);
    this.block.setAttribute("data-nnbook-ready", "1");
  };

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function mountOne(block) {
    if (block.getAttribute("data-nnbook-mounted")) return;
    var dataEl = block.querySelector("script.nnbook-ex-data");
    if (!dataEl) return;  // not all there yet
    block.setAttribute("data-nnbook-mounted", "1");
    decode(dataEl).then(function (data) {
      var ex = new Exercise(block, data);
      block.nnbookExercise = ex;
      ex.mount();
    }).catch(function (e) {
      var out = block.querySelector(".nnbook-ex-feedback");
      if (out) out.textContent = "This answer box could not start (" + e + ").";
    });
  }

  function scan(root) {
    (root || document).querySelectorAll(".nnbook-exercise[data-nnbook-ex]").forEach(mountOne);
  }

  window.nnbookExercises = {scan: scan, read: nnbookAnswers.readAnswer};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { scan(); });
  scan();
  // Outputs added later (JupyterLab renders cells as they run; re-runs replace them).
  var pending = false;
  new MutationObserver(function (records) {
    if (pending || document.readyState === "loading") return;  // while parsing, DOMContentLoaded scans
    for (var i = 0; i < records.length; i++) {
      var added = records[i].addedNodes;
      for (var j = 0; j < added.length; j++) {
        var n = added[j];
        if (n.nodeType === 1 && (n.matches(".nnbook-exercise") || n.querySelector(".nnbook-exercise"))) {
          pending = true;
          setTimeout(function () { pending = false; scan(); }, 0);
          return;
        }
      }
    }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
