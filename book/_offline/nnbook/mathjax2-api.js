/* nnbook: let saved ipywidgets typeset their math with MathJax 3.
 *
 * ipywidgets 8 (@jupyter-widgets/base `typeset`, used by HTMLMath and by slider labels) calls
 * the MathJax 2 API, MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the book loads
 * MathJax 3, which has no Hub, so the call throws and the widget's math stays raw TeX.
 * This file runs just after MathJax 3 (see _config.yml) and gives it a Hub.Queue that
 * typesets with MathJax 3, holding back elements that arrive before MathJax has started.
 * Ours (not vendored), MIT.
 */
(function () {
  "use strict";
  var pending = [];

  function typeset(elements) {
    var mj = window.MathJax;
    mj.startup.promise = mj.startup.promise.then(function () {
      return mj.typesetPromise(elements);
    });
  }

  function flush() {
    var elements = pending.filter(Boolean);
    pending = [];
    if (elements.length) typeset(elements);
  }

  function queue() {
    for (var i = 0; i < arguments.length; i++) {
      var job = arguments[i];
      if (!Array.isArray(job) || job[0] !== "Typeset") continue;
      var mj = window.MathJax;
      if (mj && mj.version && mj.typesetPromise && mj.startup && mj.startup.promise) {
        typeset(job[2] ? [job[2]] : undefined);
      } else {
        pending.push(job[2]);
      }
    }
  }

  var mj = window.MathJax;
  if (!mj) return; // no MathJax on this page
  if (mj.version) {
    // MathJax 3 is loaded (the book loads it synchronously); its startup finishes shortly.
    mj.Hub = { Queue: queue };
    var wait = setInterval(function () {
      if (mj.typesetPromise && mj.startup && mj.startup.promise) {
        clearInterval(wait);
        flush();
      }
    }, 20);
    return;
  }
  // Only the configuration so far (MathJax loaded later): hook its startup.
  mj.Hub = { Queue: queue };
  mj.startup = mj.startup || {};
  var ready = mj.startup.ready;
  mj.startup.ready = function () {
    if (ready) ready(); else window.MathJax.startup.defaultReady();
    window.MathJax.Hub = { Queue: queue };
    flush();
  };
})();
