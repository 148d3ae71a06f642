/* nnbook: let saved ipywidgets typeset their math with MathJax 3.
 *
 * ipywidgets 8 (@jupyter-widgets/base `typeset`, used by HTMLMath and by slider labels) calls
 * the MathJax 2 API, MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the book loads
 * MathJax 3, which has no Hub, so the call throws and the widget's math stays raw TeX.
 * This file runs after Sphinx's inline `window.MathJax = {...}` configuration and before the
 * deferred MathJax script: it gives MathJax a Hub.Queue that typesets with MathJax 3,
 * queueing elements that arrive before MathJax has started. Ours (not vendored), MIT.
 */
(function () {
  "use strict";
  var config = window.MathJax;
  if (!config || config.version) return; // no MathJax on this page, or it is already running
  var pending = [];

  function queue() {
    for (var i = 0; i < arguments.length; i++) {
      var job = arguments[i];
      if (Array.isArray(job) && job[0] === "Typeset") {
        var mj = window.MathJax;
        if (mj && mj.version && mj.typesetPromise && mj.startup) {
          var element = job[2];
          mj.startup.promise = mj.startup.promise.then(function () {
            return mj.typesetPromise(element ? [element] : undefined);
          });
        } else {
          pending.push(job[2]);
        }
      }
    }
  }

  config.Hub = { Queue: queue }; // used until MathJax 3 replaces window.MathJax
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) ready(); else window.MathJax.startup.defaultReady();
    window.MathJax.Hub = { Queue: queue };
    var elements = pending.filter(Boolean);
    pending = [];
    if (elements.length) {
      window.MathJax.startup.promise = window.MathJax.startup.promise.then(function () {
        return window.MathJax.typesetPromise(elements);
      });
    }
  };
})();
