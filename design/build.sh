#!/bin/sh
# Rebuild the design assets that the sites serve (run by hand: `make design-assets`; needs npm).
# GOV.UK Frontend (MIT) compiled from its Sass with egov's theme, its JS module, its licence;
# axe-core (MPL-2.0) for the browser tests, kept under tests/ so that no site serves it.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
out=../src/egov/static/egov/govuk
mkdir -p "$out"
for site in public staff; do
  npx sass --no-source-map --style=compressed --pkg-importer=node "sass/$site.scss" "$out/$site.css"
done
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$out/govuk-frontend.min.js"
cp LICENSE-govuk-frontend.txt "$out/LICENSE.txt"
node -p '"govuk-frontend " + require("./node_modules/govuk-frontend/package.json").version' > "$out/VERSION"
axe=../tests/vendor/axe-core
mkdir -p "$axe"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE "$axe/"
node -p '"axe-core " + require("./node_modules/axe-core/package.json").version' > "$axe/VERSION"
echo "design assets rebuilt in $out and $axe"
