/* nnbook: small fixes so that every reader can read the page (tests/test_browser_reader.py).
 * Wired in _config.yml (html_js_files).
 * 1. Wide display equations fit the text column. MathJax 3 does not break long display
 *    lines, so a long worked-solution line would scroll sideways: each display equation wider
 *    than its column shrinks, down to 70 % of its size; one still too wide (on a phone)
 *    scrolls inside its own box, never the page.
 * 2. Any box of the article that scrolls sideways (a wide table on a phone) can be scrolled
 *    with the keyboard: it gets tabindex=0 and a name (WCAG 2.1.1).
 * 3. The bibliography's list items are list items (docutils marks them doc-biblioentry,
 *    which assistive technology does not count as items of the list around them).
 */
(function () {
  "use strict";
  var SMALLEST = 0.7;

  function fit() {
    var boxes = document.querySelectorAll('mjx-container[display="true"]');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var math = box.querySelector("mjx-math");
      if (!math) continue;
      if (box.dataset.nnbookFontSize === undefined) box.dataset.nnbookFontSize = box.style.fontSize || "";
      box.style.fontSize = box.dataset.nnbookFontSize;
      var room = box.clientWidth, need = math.getBoundingClientRect().width;
      if (room > 0 && need > room) {
        var scale = Math.max(SMALLEST, (room - 2) / need);
        box.style.fontSize = (parseFloat(getComputedStyle(box).fontSize) * scale).toFixed(2) + "px";
      }
    }
  }

  function scrollableByKeyboard() {
    var all = document.querySelectorAll("article.bd-article *");
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el.tabIndex >= 0 || el.scrollWidth <= el.clientWidth + 1 || !el.clientWidth) continue;
      var ox = getComputedStyle(el).overflowX;
      if (ox !== "auto" && ox !== "scroll") continue;
      if (el.querySelector("a, button, input, select, textarea, [tabindex]")) continue;
      el.tabIndex = 0;
      if (!el.getAttribute("role")) el.setAttribute("role", "region");
      if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", "scrollable content");
    }
  }

  function bibliography() {
    var entries = document.querySelectorAll('[role="list"] > [role="doc-biblioentry"]');
    for (var i = 0; i < entries.length; i++) entries[i].setAttribute("role", "listitem");
  }

  function all() {
    fit();
    scrollableByKeyboard();
  }

  function whenTypeset() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(function () {
        all();
        // Math typeset later (exercise boxes, widget panels) and late web fonts.
        setTimeout(all, 1000);
        setTimeout(all, 3000);
      });
    } else if (document.readyState !== "complete") {
      window.addEventListener("load", whenTypeset, { once: true });
    } else {  // a page without math
      all();
      setTimeout(all, 1000);
    }
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(all, 150);
  });
  window.nnbookReader = all;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bibliography);
  else bibliography();
  whenTypeset();
})();
