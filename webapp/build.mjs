// Copies the libraries' minified files from node_modules and our own page files into
// handlers/webapp/static, each named by a hash of its content, and writes manifest.json
// (logical name -> file), which the server reads to link them. A changed file gets a new
// name, so every file is served with a year-long cache and never goes stale.
// Run: cd webapp && npm ci && npm run build (and commit handlers/webapp/static).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";

const target = "../handlers/webapp/static";
const sources = {
  "leaflet.js": "node_modules/leaflet/dist/leaflet.js",
  "leaflet.css": "node_modules/leaflet/dist/leaflet.css",
  "markercluster.js": "node_modules/leaflet.markercluster/dist/leaflet.markercluster.js",
  "markercluster.css": "node_modules/leaflet.markercluster/dist/MarkerCluster.css",
  "markercluster-default.css": "node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css",
  "chart.js": "node_modules/chart.js/dist/chart.umd.min.js",
  "app.js": "src/app.js",
  "app.css": "src/app.css",
  "kyrgyzstan.geojson": "geo/kyrgyzstan.geojson",
};

mkdirSync(target, { recursive: true });
for (const name of readdirSync(target)) rmSync(join(target, name));
const manifest = {};
for (const [logical, path] of Object.entries(sources)) {
  // The libraries' source-map comments point at files not shipped.
  const content = readFileSync(path, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const extension = extname(logical);
  const file = `${basename(logical, extension)}.${hash}${extension}`;
  writeFileSync(join(target, file), content);
  manifest[logical] = file;
}
writeFileSync(join(target, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(manifest);
