// Operations dashboard: hot and cold spots by place, category and trend charts, unit counts, patrol advice.
// Sentences come from templates (plural forms, pl-PL numbers); no H3 id and no z-score in the text:
// the z stays in the API and in the map's tooltip.
import L from "./lib/leaflet.js";
import { getJSON } from "./lib/api.js";
import { createMap, escapeHtml } from "./lib/basemap.js";
import { barChart, lineChart, table } from "./lib/charts.js";
import { COLD_SPOTS, DASH_TEXT, HEXAGONS, HOT_SPOTS } from "./lib/dash-text.js";
import { formatNumber, plural } from "./lib/format.js";
import { addTexts, lang, t } from "./lib/i18n.js";
import { announce, initPage } from "./lib/page.js";
import { categoryName, localName } from "./lib/categories.js";

addTexts(DASH_TEXT);

const $ = (id) => document.getElementById(id);
let categories = [];
let map;
let hexLayer;
let patrolLayer;
let framed = false;
let k = 3;

// Hot reds and cold blues as in ArcGIS Hot Spot Analysis; merged cells a neutral sand of their own
// with a dashed outline, so no class is told by colour alone (the legend and tooltip name it too).
const CLASSES = [
  { code: "hot_99", colour: "#8b0000" },
  { code: "hot_95", colour: "#d7301f" },
  { code: "hot_90", colour: "#fc8d59" },
  { code: "not_significant", colour: "#e8e8e8" },
  { code: "cold_90", colour: "#91bfdb" },
  { code: "cold_95", colour: "#4575b4" },
  { code: "cold_99", colour: "#253494" },
  { code: "coarsened", colour: "#c2b280", dash: "4 3" },
];
const classOf = (code) => CLASSES.find((c) => c.code === code) || CLASSES[3];
const className = (code) => t(`dash.class.${code || "not_significant"}`);

const catName = (code) => categoryName(categories, code);

function placeName(props, geometry) {
  const label = lang === "en" ? props.place?.label_en || props.place?.label_pl : props.place?.label_pl;
  if (label) return label;
  const ring = geometry?.coordinates?.[0] || [];
  const lat = ring.length ? ring.reduce((s, p) => s + p[1], 0) / ring.length : 0;
  const lon = ring.length ? ring.reduce((s, p) => s + p[0], 0) / ring.length : 0;
  return t("dash.place.unknown", { lat: formatNumber(lat, 4), lon: formatNumber(lon, 4) });
}

function legend() {
  $("hex-legend").innerHTML = CLASSES.map((c) => `<li><span class="swatch${c.dash ? " dashed" : ""}" style="background:${c.colour}"></span>${escapeHtml(className(c.code))}</li>`).join("");
}

function query(extra = {}) {
  const q = new URLSearchParams(extra);
  if ($("dash-category").value) q.set("category", $("dash-category").value);
  const unit = selectedUnit();
  if (unit) q.set("unit_id", unit);
  return q;
}

let knownUnits = new Set(); // from the geo-router; empty when it does not answer (then every id is tried)

const selectedUnit = () => {
  const v = $("dash-unit").value.trim().toUpperCase();
  if (!/^[A-Z0-9-]{1,32}$/.test(v)) return "";
  return knownUnits.size && !knownUnits.has(v) ? "" : v;
};

/** Says next to the field when the typed unit does not exist, instead of quietly showing all of Poland. */
function checkUnit() {
  const typed = $("dash-unit").value.trim();
  const unknown = typed !== "" && selectedUnit() === "";
  const error = $("dash-unit-error");
  error.hidden = !unknown;
  error.textContent = unknown ? t("dash.unit.unknown", { unit: typed }) : "";
  $("dash-unit").setAttribute("aria-invalid", String(unknown));
}

async function loadUnitList() {
  const r = await getJSON("geo-router", "/api/v1/units?limit=1000");
  const units = r.ok && Array.isArray(r.data) ? r.data : [];
  knownUnits = new Set(units.map((u) => u.unit_id));
  $("dash-units").innerHTML = units.map((u) => `<option value="${escapeHtml(u.unit_id)}">${escapeHtml(u.name_pl)}</option>`).join("");
}
const featuresOf = (r) => (r.ok && r.data && Array.isArray(r.data.features) ? r.data.features : []);

function tooltip(p) {
  const lines = [`${t("dash.tooltip.reports")}: ${formatNumber(p.count ?? 0)}`, className(p.significance)];
  if (p.z != null) lines.push(`Gi* z = ${formatNumber(p.z, 2)}`);
  return lines.map(escapeHtml).join("<br>");
}

async function loadHotspots() {
  const win = $("dash-window").value;
  const [hexes, top, cold] = await Promise.all([
    getJSON("stats", `/api/v1/hexagons?${query({ window: win })}`),
    getJSON("stats", `/api/v1/hotspots/top?${query({ window: win, n: 10 })}`),
    getJSON("stats", `/api/v1/hotspots/top?${query({ window: win, n: 5, kind: "cold" })}`),
  ]);
  const features = featuresOf(hexes);
  k = hexes.data?.metadata?.k_anonymity ?? k;
  if (hexLayer) hexLayer.remove();
  hexLayer = L.geoJSON({ type: "FeatureCollection", features }, {
    style: (f) => {
      const c = classOf(f.properties?.significance);
      return { color: "#333", weight: c.dash ? 1.5 : 0.5, dashArray: c.dash || null, fillColor: c.colour, fillOpacity: 0.75, className: `kmzb-hex kmzb-${c.code}` };
    },
    onEachFeature: (f, layer) => layer.bindTooltip(tooltip(f.properties || {})),
  }).addTo(map);
  if (features.length && !framed) {
    map.fitBounds(hexLayer.getBounds(), { maxZoom: 12, padding: [20, 20] });
    framed = true;
  }
  legend();
  announce("hex-status", features.length ? plural(features.length, HEXAGONS[lang]) : t("nodata"));
  document.body.dataset.hexagons = String(features.length);
  const meta = hexes.data?.metadata || {};
  $("study-area").textContent = meta.study_area === "unit" ? t("dash.area.unit", { unit: meta.unit_id }) : t("dash.area.national");

  const hot = featuresOf(top).filter((f) => f.properties.significance?.startsWith("hot"));
  const coldSpots = featuresOf(cold);
  $("dash-summary").textContent = t("dash.summary", {
    window: t(`window.${win}`),
    hot: plural(hot.length, HOT_SPOTS[lang]),
    cold: plural(coldSpots.length, COLD_SPOTS[lang]),
  });
  const rowsOf = (list) => list.map((f) => [placeName(f.properties, f.geometry), formatNumber(f.properties.count), className(f.properties.significance)]);
  const headers = [t("dash.place"), t("dash.total"), t("dash.significance")];
  if (!table($("table-top"), headers, rowsOf(featuresOf(top)))) $("table-top").textContent = t("dash.top.none", { k });
  if (!table($("table-cold"), headers, rowsOf(coldSpots))) $("table-cold").textContent = t("dash.cold.none");
}

async function loadCategories() {
  // Per-category totals of the window, summed by the stats service (categories below k withheld).
  const q = query({ window: "28d" });
  q.delete("category"); // the chart compares all categories of the area
  const r = await getJSON("stats", `/api/v1/categories/counts?${q}`);
  const rows = (r.ok && Array.isArray(r.data?.categories) ? r.data.categories : [])
    .slice(0, 10)
    .map((c) => ({ label: catName(c.category), value: c.count }));
  const drawn = barChart($("chart-categories"), rows, {
    caption: t("dash.categories"),
    xLabel: t("dash.categories.axis"),
    headers: { summary: t("dash.table"), label: t("dash.category"), value: t("dash.total") },
  });
  if (!drawn) $("chart-categories").textContent = t("nodata");
  withheldNote($("categories-withheld"), "dash.categories.hidden", r.ok ? r.data?.hidden_categories || 0 : 0);
}

async function loadTrends() {
  const r = await getJSON("stats", `/api/v1/timeseries?${query({ window: "28d", step: "day" })}`);
  const items = r.ok && Array.isArray(r.data?.points) ? r.data.points : [];
  // Points below the k-anonymity threshold come as null: a gap in the line, "withheld" in the table.
  const points = items.map((p) => ({ date: new Date(p.start), value: p.count == null ? null : Number(p.count) }));
  const drawn = lineChart($("chart-trends"), points, {
    caption: t("dash.trends"),
    yLabel: t("dash.trends.y"),
    xLabel: t("dash.trends.x"),
    withheld: t("dash.withheld", { k }),
    headers: { summary: t("dash.table"), label: t("dash.day"), value: t("dash.total") },
  });
  if (!drawn) $("chart-trends").textContent = t("nodata");
  withheldNote($("trends-withheld"), "dash.trends.withheld", points.filter((p) => p.value == null).length);
}

function withheldNote(el, key, n) {
  el.hidden = !n;
  el.textContent = n ? t(key, { k: formatNumber(k), n: formatNumber(n) }) : "";
}

async function loadPowiats() {
  const r = await getJSON("stats", `/api/v1/powiats?${query({ window: "28d" })}`);
  const rows = (r.ok && Array.isArray(r.data?.powiats) ? r.data.powiats : []).slice(0, 15).map((p) => [
    p.powiat_name_pl,
    formatNumber(p.count),
    p.per_10k == null ? t("dash.nopopulation") : formatNumber(p.per_10k, 1),
  ]);
  if (!table($("table-powiats"), [t("dash.powiat"), t("dash.total"), t("dash.per10k")], rows)) $("table-powiats").textContent = t("nodata");
  $("powiats-source").textContent = t("dash.powiats.source");
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
    if (r.ok && r.data) rows.push([unit, formatNumber(r.data.new_tasks ?? 0), formatNumber((r.data.overdue_task_ids || []).length)]);
  }
  if (!table($("table-units"), [t("dash.unit"), t("dash.intake"), t("dash.overdue")], rows)) {
    $("table-units").textContent = `${t("nodata")}${session ? "" : ` (${t("dash.units.login")})`}`;
  }
}

async function loadPatrols() {
  const unit = selectedUnit();
  // Patrol advice is for the unit's officers: it needs their session from the console.
  const session = officerSession();
  const r = unit && session
    ? await getJSON("stats", `/api/v1/units/${encodeURIComponent(unit)}/patrol-recommendations`, { token: session.token })
    : { ok: false };
  const items = r.ok && Array.isArray(r.data?.recommendations) ? r.data.recommendations : [];
  const box = $("list-patrols");
  if (patrolLayer) patrolLayer.remove();
  if (!items.length) {
    box.textContent = !unit ? t("dash.patrols.need.unit") : `${t("nodata")}${session ? "" : ` (${t("dash.units.login")})`}`;
    return;
  }
  patrolLayer = L.layerGroup().addTo(map);
  const reason = (x) => (lang === "en" ? x.message_en : x.message_pl);
  const where = (p) => (lang === "en" ? p.place_en || p.place_pl : p.place_pl) || t("dash.place.unknown", { lat: formatNumber(p.centre?.lat ?? 0, 4), lon: formatNumber(p.centre?.lon ?? 0, 4) });
  const when = (p) => (p.time_bands || []).map((b) => t(`band.${b.code}`)).join(", ") || t("dash.patrols.anytime");
  box.innerHTML = `<ol class="patrols">${items.map((p) => `<li><h3>${escapeHtml(where(p))}</h3>`
    + `<p><strong>${escapeHtml(t("dash.patrols.when"))}:</strong> ${escapeHtml(when(p))}</p>`
    + `<ul>${(p.reasons || []).map((x) => `<li>${escapeHtml(reason(x))}</li>`).join("")}</ul></li>`).join("")}</ol>`;
  for (const p of items) {
    if (!p.centre) continue;
    L.marker([p.centre.lat, p.centre.lon], {
      icon: L.divIcon({ className: "kmzb-cluster", html: `<span>${p.rank}</span>`, iconSize: [36, 36] }),
      title: `${t("dash.patrols")} ${p.rank}: ${where(p)}`,
    }).addTo(patrolLayer);
  }
}

async function reload() {
  checkUnit();
  await Promise.all([loadHotspots(), loadCategories(), loadTrends(), loadPowiats(), loadPatrols()]);
}

async function main() {
  initPage();
  map = await createMap($("map"));
  const [r] = await Promise.all([getJSON("intake", "/api/v1/categories"), loadUnitList()]);
  categories = r.ok && Array.isArray(r.data) ? r.data : [];
  const select = $("dash-category");
  select.innerHTML = `<option value="">${escapeHtml(t("filters.all"))}</option>`
    + categories.map((c) => `<option value="${escapeHtml(c.code)}">${escapeHtml(localName(c))}</option>`).join("");
  for (const id of ["dash-category", "dash-window", "dash-unit"]) $(id).addEventListener("change", reload);
  const unit = new URLSearchParams(location.search).get("unit") || officerSession()?.units?.[0] || "";
  $("dash-unit").value = unit;
  await Promise.all([reload(), loadUnits()]);
  setInterval(loadHotspots, 30000);
  document.body.dataset.ready = "true";
}

main();
