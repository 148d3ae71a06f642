/* nnbook: tell require.js where the vendored ipywidgets HTML manager lives.
 *
 * The manager (html-manager/embed-amd.js) finds its own files (the Font Awesome fonts of the
 * widget CSS, e.g. for button icons) through AMD module ids ("@jupyter-widgets/base",
 * "@jupyter-widgets/html-manager/dist/..."), which require.js would resolve against the page's
 * folder; map them to _static/nnbook/html-manager/, where those fonts are. The explorers are
 * anywidget widgets: their saved state names the module "anywidget", mapped to the vendored
 * anywidget/index.js (without it the manager would fetch it from cdn.jsdelivr.net).
 * Loaded after require.js and before embed-amd.js. Ours (not vendored), MIT.
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  if (!here || !window.require || !window.require.config) return;
  window.require.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": new URL("html-manager", here).href,
      "@jupyter-widgets": new URL("html-manager", here).href,
      // anywidget's front-end, which runs the explorers' own JavaScript (see anywidget/).
      anywidget: new URL("anywidget/index", here).href,
    },
  });
})();
