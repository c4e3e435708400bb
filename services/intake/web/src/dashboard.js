// Operations dashboard: Gi* hexagons, category and trend charts, unit counts, patrol advice.
import L from "./lib/leaflet.js";
import { getJSON } from "./lib/api.js";
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

const totalOf = (p) => p.total ?? p.count ?? 0;
const zOf = (p) => p.gi_z ?? p.z ?? p.z_score ?? p.gi_star_z ?? p.gi?.z ?? null;
const catName = (code) => {
  const c = categories.find((x) => x.code === code);
  return c ? (lang === "en" ? c.name_en : c.name_pl) : code;
};

function colourFor(props, maxTotal) {
  const z = zOf(props);
  if (z != null) return Z_CLASSES.find((c) => z >= c.min).colour;
  const share = totalOf(props) / maxTotal;
  return share > 0.66 ? "#8b0000" : share > 0.33 ? "#d7301f" : share > 0.1 ? "#fc8d59" : "#fdd49e";
}

function legend(hasZ) {
  const items = hasZ ? Z_CLASSES.map((c) => [c.colour, lang === "en" ? c.en : c.pl])
    : [["#fdd49e", "≤10%"], ["#fc8d59", "10–33%"], ["#d7301f", "33–66%"], ["#8b0000", ">66%"]].map(([c, l]) => [c, `${l} max`]);
  $("hex-legend").innerHTML = items.map(([c, l]) => `<li><span class="swatch" style="background:${c}"></span>${escapeHtml(l)}</li>`).join("");
}

function query(extra = {}) {
  const q = new URLSearchParams(extra);
  if ($("dash-category").value) q.set("category", $("dash-category").value);
  const unit = $("dash-unit").value.trim().toUpperCase();
  if (unit) q.set("unit_id", unit);
  return q;
}

const featuresOf = (r) => (r.ok && r.data && Array.isArray(r.data.features) ? r.data.features : []);

async function loadHotspots() {
  // Gi* hexagons of the window (stats /hexagons); the all-time counts (/hotspots) when those are missing.
  const windowed = await getJSON("stats", `/api/v1/hexagons?${query({ window: $("dash-window").value })}`);
  const q = new URLSearchParams({ category: $("dash-category").value });
  const allTime = await getJSON("stats", `/api/v1/hotspots${$("dash-category").value ? `?${q}` : ""}`);
  let features = featuresOf(windowed);
  if (!features.length) features = featuresOf(allTime);
  if (hexLayer) hexLayer.remove();
  const maxTotal = Math.max(1, ...features.map((f) => totalOf(f.properties || {})));
  hexLayer = L.geoJSON({ type: "FeatureCollection", features }, {
    style: (f) => ({ color: "#333", weight: 0.5, fillColor: colourFor(f.properties || {}, maxTotal), fillOpacity: 0.75, className: "kmzb-hex" }),
    onEachFeature: (f, layer) => {
      const p = f.properties || {};
      const z = zOf(p);
      layer.bindTooltip(`${escapeHtml(t("dash.total"))}: ${totalOf(p)}${z != null ? `, Gi* z = ${Number(z).toFixed(2)}` : ""}`);
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
  for (const f of featuresOf(allTime)) for (const [code, n] of Object.entries(f.properties?.counts || {})) perCategory[code] = (perCategory[code] || 0) + n;
  const rows = Object.entries(perCategory).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([code, n]) => ({ label: catName(code), value: n }));
  if (!barChart($("chart-categories"), rows, { label: t("dash.categories") })) $("chart-categories").textContent = t("nodata");

  const rank = (f) => zOf(f.properties) ?? totalOf(f.properties);
  const top = [...features].sort((a, b) => rank(b) - rank(a)).slice(0, 10);
  const topRows = top.map((f) => [f.properties.cell || f.id || "", String(totalOf(f.properties)), zOf(f.properties) != null ? Number(zOf(f.properties)).toFixed(2) : "–"]);
  if (!table($("table-top"), [t("dash.cell"), t("dash.total"), t("dash.z")], topRows)) $("table-top").textContent = t("nodata");
}

async function loadTrends() {
  const r = await getJSON("stats", `/api/v1/timeseries?${query({ window: "28d", step: "day" })}`);
  const items = r.ok && Array.isArray(r.data?.points) ? r.data.points : [];
  // Points below the k-anonymity threshold come as null: drawn as 0, not hidden.
  const points = items.map((p) => ({ label: String(p.start || "").slice(0, 10), value: Number(p.count ?? 0) }));
  if (!lineChart($("chart-trends"), points, { label: t("dash.trends") })) $("chart-trends").textContent = t("nodata");
}

function officerSession() {
  try {
    return JSON.parse(sessionStorage.getItem("kmzb.session") || "null");
  } catch {
    return null;
  }
}

async function loadUnits() {
  // Per-unit counts are officers' data: shown for the units of the officer signed in to the console.
  const session = officerSession();
  const rows = [];
  for (const unit of session?.units || []) {
    const r = await getJSON("notifier", `/api/v1/units/${encodeURIComponent(unit)}/digest`, { token: session.token });
    if (r.ok && r.data) rows.push([unit, String(r.data.new_tasks ?? 0), String((r.data.overdue_task_ids || []).length)]);
  }
  if (!table($("table-units"), [t("dash.unit"), t("dash.intake"), t("dash.overdue")], rows)) {
    $("table-units").textContent = `${t("nodata")}${session ? "" : ` (${t("dash.units.login")})`}`;
  }
}

let patrolLayer;
async function loadPatrols() {
  const unit = $("dash-unit").value.trim().toUpperCase();
  // Patrol advice is for the unit's officers: it needs their session from the console.
  const session = officerSession();
  const r = unit && session
    ? await getJSON("stats", `/api/v1/units/${encodeURIComponent(unit)}/patrol-recommendations`, { token: session.token })
    : { ok: false };
  const items = r.ok && Array.isArray(r.data?.recommendations) ? r.data.recommendations : [];
  const box = $("list-patrols");
  if (patrolLayer) patrolLayer.remove();
  if (!items.length) {
    box.textContent = `${t("nodata")}${unit && !session ? ` (${t("dash.units.login")})` : ""}`;
    return;
  }
  patrolLayer = L.layerGroup().addTo(map);
  const text = (x) => (lang === "en" ? x.message_en : x.message_pl);
  box.innerHTML = `<ol>${items.map((p) => `<li><strong>${escapeHtml((p.time_bands || []).map((b) => b.label_pl).join(", "))}</strong> ${escapeHtml((p.reasons || []).map(text).join("; "))}</li>`).join("")}</ol>`;
  for (const p of items) {
    if (!p.centre) continue;
    L.marker([p.centre.lat, p.centre.lon], {
      icon: L.divIcon({ className: "kmzb-cluster", html: `<span>${p.rank}</span>`, iconSize: [36, 36] }),
      title: `${t("dash.patrols")} ${p.rank}`,
    }).addTo(patrolLayer);
  }
}

async function reload() {
  await Promise.all([loadHotspots(), loadTrends(), loadPatrols()]);
}

async function main() {
  initPage();
  map = await createMap($("map"));
  const r = await getJSON("intake", "/api/v1/categories");
  categories = r.ok && Array.isArray(r.data) ? r.data : [];
  const select = $("dash-category");
  select.innerHTML = `<option value="">${escapeHtml(t("filters.all"))}</option>`
    + categories.map((c) => `<option value="${escapeHtml(c.code)}">${escapeHtml(lang === "en" ? c.name_en : c.name_pl)}</option>`).join("");
  for (const id of ["dash-category", "dash-window", "dash-unit"]) $(id).addEventListener("change", reload);
  const unit = new URLSearchParams(location.search).get("unit") || officerSession()?.units?.[0] || "";
  $("dash-unit").value = unit;
  await Promise.all([reload(), loadUnits()]);
  setInterval(loadHotspots, 30000);
  document.body.dataset.ready = "true";
}

main();
