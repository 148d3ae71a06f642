#!/usr/bin/env bash
# Refreshes the JavaScript the built book needs to render offline, from the npm registry.
# The files are committed (the README's book command needs no npm and no network); run this
# only to change a version, then rebuild the book and run `pytest -m browser`.
#   MathJax 3 (Apache-2.0), require.js (MIT), @jupyter-widgets/html-manager (BSD-3-Clause),
#   anywidget (MIT; its version must equal the Python package's, pinned in requirements.txt).
set -euo pipefail
cd "$(dirname "$0")"
MATHJAX=3.2.2 REQUIREJS=2.3.8 HTML_MANAGER=1.0.6 ANYWIDGET=0.11.0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "mathjax@$MATHJAX" "requirejs@$REQUIREJS" "@jupyter-widgets/html-manager@$HTML_MANAGER" "anywidget@$ANYWIDGET" >/dev/null)
for t in "$tmp"/*.tgz; do mkdir -p "${t%.tgz}" && tar xzf "$t" -C "${t%.tgz}"; done
mj="$tmp/mathjax-$MATHJAX/package" rq="$tmp/requirejs-$REQUIREJS/package" hm="$tmp/jupyter-widgets-html-manager-$HTML_MANAGER/package"
aw="$tmp/anywidget-$ANYWIDGET/package"

rm -rf nnbook/mathjax nnbook/require nnbook/html-manager nnbook/anywidget
mkdir -p nnbook/mathjax/output/chtml/fonts nnbook/mathjax/input/tex nnbook/require nnbook/html-manager nnbook/anywidget
# MathJax: the combined TeX+MathML -> CommonHTML component, its fonts, and the TeX extensions
# it autoloads on demand (\boldsymbol, \cancel, \color, ...); not the 20 MB of other builds.
cp "$mj/es5/tex-mml-chtml.js" "$mj/LICENSE" nnbook/mathjax/
cp -r "$mj/es5/output/chtml/fonts/woff-v2" nnbook/mathjax/output/chtml/fonts/
cp -r "$mj/es5/input/tex/extensions" nnbook/mathjax/input/tex/
rm nnbook/mathjax/input/tex/extensions/all-packages.js
# require.js: the AMD loader the widget manager expects.
cp "$rq/require.js" nnbook/require/
sed -n '/^\/\*\*/,/\*\//p' "$rq/require.js" | head -6 > nnbook/require/LICENSE
# The ipywidgets HTML manager (renders saved widget state without a kernel), with the
# Font Awesome fonts its CSS refers to (woff2 only: every browser that runs it reads woff2).
cp "$hm/dist/embed-amd.js" "$hm/dist/embed.js.LICENSE.txt" "$hm/LICENSE" nnbook/html-manager/
cp "$hm"/dist/*.woff2 nnbook/html-manager/
# anywidget's front-end (an AMD module): the explorers' JavaScript (src/nnbook/widgets/js/) runs
# through it on the static page. require-paths.js maps the id "anywidget" here; without that
# mapping the manager would fetch it from cdn.jsdelivr.net.
cp "$aw/dist/index.js" "$aw/LICENSE" nnbook/anywidget/

cat > nnbook/VERSIONS.txt <<TXT
Vendored from the npm registry by book/_offline/fetch.sh; served as _static/nnbook/ in the built book.
mathjax $MATHJAX                       Apache-2.0     mathjax/LICENSE
requirejs $REQUIREJS                      MIT            require/LICENSE (header of require.js)
@jupyter-widgets/html-manager $HTML_MANAGER   BSD-3-Clause   html-manager/LICENSE, html-manager/embed.js.LICENSE.txt (bundled code)
anywidget $ANYWIDGET                     MIT            anywidget/LICENSE
Ours (not from npm, kept by this script): mathjax2-api.js (saved widgets typeset with MathJax 3),
require-paths.js (require.js finds the manager's fonts and anywidget). _config.yml wires all of them in.
TXT
du -sh nnbook
