// Operations dashboard: Gi* hexagons, category and trend charts, unit counts, patrol advice.
import L from "./lib/leaflet.js";
import { asItems, getJSON } from "./lib/api.js";
import { createMap, escapeHtml } from "./lib/basemap.js";
import { barChart, lineChart, table } from "./lib/charts.js";
import { lang, t } from "./lib/i18n.js";
import { announce, initPage } from "./lib/page.js";

const $ = (id) => document.getElementById(id);
let categories = [];
let map;
let hexLayer;
let framed = false;

const Z_CLASSES = [
  { min: 2.58, colour: "#8b0000", pl: "gorący punkt, 99%", en: "hot spot, 99%" },
  { min: 1.96, colour: "#d7301f", pl: "gorący punkt, 95%", en: "hot spot, 95%" },
  { min: 1.65, colour: "#fc8d59", pl: "gorący punkt, 90%", en: "hot spot, 90%" },
  { min: -1.65, colour: "#bdbdbd", pl: "nieistotny", en: "not significant" },
  { min: -Infinity, colour: "#4575b4", pl: "zimny punkt", en: "cold spot" },
];

const zOf = (p) => p.gi_z ?? p.z ?? p.z_score ?? p.gi_star_z ?? p.gi?.z ?? null;
const catName = (code) => {
  const c = categories.find((x) => x.code === code);
  return c ? (lang === "en" ? c.name_en : c.name_pl) : code;
};

function colourFor(props, maxTotal) {
  const z = zOf(props);
  if (z != null) return Z_CLASSES.find((c) => z >= c.min).colour;
  const share = (props.total || 0) / maxTotal;
  return share > 0.66 ? "#8b0000" : share > 0.33 ? "#d7301f" : share > 0.1 ? "#fc8d59" : "#fdd49e";
}

function legend(hasZ) {
  const items = hasZ ? Z_CLASSES.map((c) => [c.colour, lang === "en" ? c.en : c.pl])
    : [["#fdd49e", "≤10%"], ["#fc8d59", "10–33%"], ["#d7301f", "33–66%"], ["#8b0000", ">66%"]].map(([c, l]) => [c, `${l} max`]);
  $("hex-legend").innerHTML = items.map(([c, l]) => `<li><span class="swatch" style="background:${c}"></span>${escapeHtml(l)}</li>`).join("");
}

async function loadHotspots() {
  const category = $("dash-category").value;
  const q = category ? `?category=${encodeURIComponent(category)}` : "";
  const r = await getJSON("stats", `/api/v1/hotspots${q}`);
  const features = r.ok && r.data && Array.isArray(r.data.features) ? r.data.features : [];
  if (hexLayer) hexLayer.remove();
  const maxTotal = Math.max(1, ...features.map((f) => f.properties?.total || 0));
  hexLayer = L.geoJSON({ type: "FeatureCollection", features }, {
    style: (f) => ({ color: "#333", weight: 0.5, fillColor: colourFor(f.properties || {}, maxTotal), fillOpacity: 0.75, className: "kmzb-hex" }),
    onEachFeature: (f, layer) => {
      const p = f.properties || {};
      const z = zOf(p);
      layer.bindTooltip(`${escapeHtml(t("dash.total"))}: ${p.total ?? 0}${z != null ? `, Gi* z = ${Number(z).toFixed(2)}` : ""}`);
    },
  }).addTo(map);
  if (features.length && !framed) {
    map.fitBounds(hexLayer.getBounds(), { maxZoom: 12, padding: [20, 20] });
    framed = true;
  }
  legend(features.some((f) => zOf(f.properties || {}) != null));
  announce("hex-status", features.length ? t("dash.hex.count", { n: features.length }) : t("nodata"));
  document.body.dataset.hexagons = String(features.length);

  const perCategory = {};
  for (const f of features) for (const [code, n] of Object.entries(f.properties?.counts || {})) perCategory[code] = (perCategory[code] || 0) + n;
  const rows = Object.entries(perCategory).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([code, n]) => ({ label: catName(code), value: n }));
  if (!barChart($("chart-categories"), rows, { label: t("dash.categories") })) $("chart-categories").textContent = t("nodata");

  const top = [...features].sort((a, b) => (zOf(b.properties) ?? b.properties.total) - (zOf(a.properties) ?? a.properties.total)).slice(0, 10);
  const topRows = top.map((f) => [f.properties.cell || f.id || "", String(f.properties.total ?? ""), zOf(f.properties) != null ? Number(zOf(f.properties)).toFixed(2) : "–"]);
  if (!table($("table-top"), [t("dash.cell"), t("dash.total"), t("dash.z")], topRows)) $("table-top").textContent = t("nodata");
}

async function loadTrends() {
  const r = await getJSON("stats", "/api/v1/trends");
  const items = r.ok ? asItems(r.data?.series ?? r.data) : [];
  const points = items.map((p) => ({ label: String(p.period ?? p.date ?? p.day ?? p.week ?? ""), value: Number(p.count ?? p.total ?? p.value ?? 0) }));
  if (!lineChart($("chart-trends"), points, { label: t("dash.trends") })) $("chart-trends").textContent = t("nodata");
}

async function loadUnits() {
  const r = await getJSON("notifier", "/api/v1/units/summary");
  const items = r.ok ? asItems(r.data?.units ?? r.data) : [];
  const rows = items.map((u) => [u.unit_name_pl || u.unit_id, String(u.intake ?? u.total ?? u.received ?? 0), String(u.overdue ?? 0)]);
  if (!table($("table-units"), [t("dash.unit"), t("dash.intake"), t("dash.overdue")], rows)) $("table-units").textContent = t("nodata");
}

async function loadPatrols() {
  const r = await getJSON("stats", "/api/v1/patrols/recommendations");
  const items = r.ok ? asItems(r.data?.recommendations ?? r.data) : [];
  const box = $("list-patrols");
  if (!items.length) {
    box.textContent = t("nodata");
    return;
  }
  box.innerHTML = `<ol>${items.slice(0, 10).map((p) => `<li>${escapeHtml(p.label_pl && lang === "pl" ? p.label_pl : p.reason || p.label || p.cell || "")}${p.window ? ` (${escapeHtml(p.window)})` : ""}</li>`).join("")}</ol>`;
}

async function main() {
  initPage();
  map = await createMap($("map"));
  const r = await getJSON("intake", "/api/v1/categories");
  categories = r.ok && Array.isArray(r.data) ? r.data : [];
  const select = $("dash-category");
  select.innerHTML = `<option value="">${escapeHtml(t("filters.all"))}</option>`
    + categories.map((c) => `<option value="${escapeHtml(c.code)}">${escapeHtml(lang === "en" ? c.name_en : c.name_pl)}</option>`).join("");
  select.addEventListener("change", loadHotspots);
  await Promise.all([loadHotspots(), loadTrends(), loadUnits(), loadPatrols()]);
  setInterval(loadHotspots, 30000);
  document.body.dataset.ready = "true";
}

main();
