// The public threat map with the report form; also the embeddable map (body[data-mode=embed]).
import L from "./lib/leaflet.js";
import "leaflet.markercluster";
import { asItems, call, errorMessage, getJSON } from "./lib/api.js";
import { createMap, escapeHtml, POLAND, PUBLIC_STATUSES, STATUS_COLOURS, statusMarker } from "./lib/basemap.js";
import { lang, t } from "./lib/i18n.js";
import { announce, initPage } from "./lib/page.js";
import { findPlace, PLACES } from "./lib/places.js";

const MAX_FILES = 3;
const MAX_BYTES = 5 * 1024 * 1024;
const params = new URLSearchParams(location.search);
const embed = document.body.dataset.mode === "embed";
const $ = (id) => document.getElementById(id);
let categories = [];
let threats = [];
let map;
let cluster;
let choice = null;
let choiceMarker = null;

function categoryName(code) {
  const c = categories.find((x) => x.code === code);
  return c ? (lang === "en" ? c.name_en : c.name_pl) : code;
}

function fillCategories(select, withAll) {
  select.innerHTML = "";
  const first = document.createElement("option");
  first.value = "";
  first.textContent = withAll ? t("filters.all") : t("report.category.choose");
  select.append(first);
  for (const c of categories) {
    const o = document.createElement("option");
    o.value = c.code;
    o.textContent = lang === "en" ? c.name_en : c.name_pl;
    select.append(o);
  }
}

function fillStatusFilters() {
  const box = $("filter-statuses");
  const legend = $("legend-list");
  for (const s of PUBLIC_STATUSES) {
    const id = `status-${s}`;
    const wrap = document.createElement("div");
    wrap.className = "check";
    wrap.innerHTML = `<input type="checkbox" id="${id}" value="${s}" checked><label for="${id}"><span class="swatch" style="background:${STATUS_COLOURS[s]}"></span>${escapeHtml(t(`status.${s}`))}</label>`;
    box.append(wrap);
    if (legend) {
      const li = document.createElement("li");
      li.innerHTML = `<span class="swatch" style="background:${STATUS_COLOURS[s]}"></span>${escapeHtml(t(`status.${s}`))}`;
      legend.append(li);
    }
  }
}

function filters() {
  const statuses = [...document.querySelectorAll("#filter-statuses input:checked")].map((i) => i.value);
  return { category: $("filter-category").value, statuses, days: Number($("filter-period").value) };
}

function threatDate(th) {
  return new Date(th.created_at || th.submitted_at || th.reported_at || th.occurred_at || Date.now());
}

function renderThreats() {
  const f = filters();
  const since = Date.now() - f.days * 86400000;
  cluster.clearLayers();
  const shown = threats.filter((th) => (!f.category || th.category === f.category)
    && f.statuses.includes(th.status || "NOWE") && threatDate(th).getTime() >= since
    && Number.isFinite(Number(th.lat)) && Number.isFinite(Number(th.lon)));
  for (const th of shown) {
    const status = th.status || "NOWE";
    const title = `${categoryName(th.category)}: ${t(`status.${status}`)}`;
    const m = statusMarker(Number(th.lat), Number(th.lon), status, title);
    m.bindPopup(`<strong>${escapeHtml(categoryName(th.category))}</strong><br>${escapeHtml(t(`status.${status}`))}<br>${threatDate(th).toLocaleDateString(lang)}`);
    cluster.addLayer(m);
  }
  announce("map-status", shown.length ? t("map.threats.count", { n: shown.length }) : t("map.threats.none"));
}

async function loadThreats() {
  const q = new URLSearchParams();
  if (embed) {
    const b = map.getBounds().pad(0.5);
    q.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(","));
  }
  const resp = await getJSON("notifier", `/api/v1/public/threats?${q}`);
  threats = resp.ok ? asItems(resp.data) : [];
  renderThreats();
}

function setChoice(lat, lon, { pan = false } = {}) {
  choice = { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
  if (embed) return;
  $("report-lat").value = choice.lat;
  $("report-lon").value = choice.lon;
  if (choiceMarker) choiceMarker.setLatLng([choice.lat, choice.lon]);
  else {
    const icon = L.divIcon({ className: "kmzb-choice", html: '<span class="kmzb-choice-dot"></span>', iconSize: [24, 24], iconAnchor: [12, 12] });
    choiceMarker = L.marker([choice.lat, choice.lon], { icon, title: t("report.title"), alt: t("report.title"), keyboard: false }).addTo(map);
  }
  if (pan) map.setView([choice.lat, choice.lon], Math.max(map.getZoom(), 12));
  announce("location-status", t("report.located", { lat: choice.lat, lon: choice.lon }));
  suggestDuplicates();
}

async function suggestDuplicates() {
  const box = $("duplicates");
  const list = $("duplicates-list");
  const category = $("report-category").value;
  if (!choice || !category) {
    box.hidden = true;
    return;
  }
  const q = new URLSearchParams({ lat: choice.lat, lon: choice.lon, category });
  const resp = await getJSON("intake", `/api/v1/threats/nearby?${q}`);
  const items = resp.ok ? asItems(resp.data) : [];
  list.innerHTML = "";
  box.hidden = items.length === 0;
  for (const th of items.slice(0, 5)) {
    const id = th.task_id || th.threat_id || th.id;
    const li = document.createElement("li");
    const dist = th.distance_m != null ? ` (${Math.round(th.distance_m)} m)` : "";
    li.innerHTML = `<span>${escapeHtml(categoryName(th.category))}${escapeHtml(dist)}: ${escapeHtml(t(`status.${th.status || "NOWE"}`))}</span> `;
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "secondary";
    btn.textContent = t("dup.plus");
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      const r = await call("intake", `/api/v1/threats/${encodeURIComponent(id)}/confirmations`, { method: "POST", body: {} });
      announce("report-status", r.ok ? t("dup.done") : errorMessage(r.data, t("dup.failed")), r.ok ? "ok" : "error");
    });
    li.append(btn);
    list.append(li);
  }
}

function recurrence() {
  const bands = [...document.querySelectorAll("#report-bands input:checked")].map((i) => i.value);
  const days = [...document.querySelectorAll("#report-days input:checked")].map((i) => Number(i.value));
  return bands.length || days.length ? { time_bands: bands, days_of_week: days } : null;
}

function fillRecurrence() {
  for (const b of ["rano", "dzien", "popoludnie", "wieczor", "noc"]) {
    $("report-bands").insertAdjacentHTML("beforeend", `<div class="check"><input type="checkbox" id="band-${b}" value="${b}"><label for="band-${b}">${escapeHtml(t(`band.${b}`))}</label></div>`);
  }
  for (let d = 1; d <= 7; d++) {
    $("report-days").insertAdjacentHTML("beforeend", `<div class="check"><input type="checkbox" id="day-${d}" value="${d}"><label for="day-${d}">${escapeHtml(t(`day.${d}`))}</label></div>`);
  }
}

async function followReport(id, statusUrl) {
  for (let i = 0; i < 30; i++) {
    const r = await getJSON("intake", statusUrl);
    if (r.ok && r.data && r.data.unit_name_pl) {
      announce("report-route", t("report.routed", { unit: r.data.unit_name_pl }), "ok");
      return;
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/** Uploads the files first (POST /api/v1/attachments); the report then refers to their ids. */
async function uploadAttachments(files) {
  const ids = [];
  for (const file of files) {
    const form = new FormData();
    form.append("file", file);
    const r = await call("intake", "/api/v1/attachments", { method: "POST", form });
    if (!r.ok || !r.data?.attachment_id) return { ids, error: errorMessage(r.data, t("report.attachments.failed")) };
    ids.push(r.data.attachment_id);
  }
  return { ids, error: null };
}

async function submitReport(ev) {
  ev.preventDefault();
  const lat = Number($("report-lat").value);
  const lon = Number($("report-lon").value);
  const category = $("report-category").value;
  const files = [...$("report-files").files];
  const problems = [];
  if (!$("report-lat").value || !$("report-lon").value || !Number.isFinite(lat) || !Number.isFinite(lon)) problems.push(["report-lat", t("report.needLocation")]);
  if (!category) problems.push(["report-category", t("report.needCategory")]);
  if (!$("report-terms").checked) problems.push(["report-terms", t("report.needTerms")]);
  if (files.length > MAX_FILES || files.reduce((s, f) => s + f.size, 0) > MAX_BYTES) problems.push(["report-files", t("report.attachments.tooMany")]);
  if (problems.length) {
    announce("report-status", problems.map((p) => p[1]).join(" "), "error");
    $(problems[0][0]).focus();
    return;
  }
  const body = { category, lat, lon, terms_accepted: true };
  const description = $("report-description").value.trim();
  if (description) body.description = description;
  const occurred = $("report-occurred").value;
  if (occurred) body.occurred_at = new Date(occurred).toISOString();
  const rec = recurrence();
  if (rec) body.recurrence = rec;
  const button = $("report-submit");
  button.disabled = true;
  announce("report-status", t("report.sending"));
  if (files.length) {
    const uploaded = await uploadAttachments(files);
    if (uploaded.error) {
      button.disabled = false;
      announce("report-status", uploaded.error, "error");
      $("report-files").focus();
      return;
    }
    body.attachments = uploaded.ids;
  }
  const r = await call("intake", "/api/v1/reports", { method: "POST", body });
  button.disabled = false;
  if (!r.ok || !r.data) {
    announce("report-status", errorMessage(r.data, t("report.error")), "error");
    return;
  }
  const id = r.data.report_id;
  announce("report-status", t("report.accepted", { id }), "ok");
  statusMarker(lat, lon, "NOWE", `${t("report.mine")}: ${categoryName(category)}`, "kmzb-mine")
    .addTo(map)
    .bindPopup(`<strong>${escapeHtml(t("report.mine"))}</strong><br>${escapeHtml(categoryName(category))}`);
  $("report-form").reset();
  updateCounter();
  followReport(id, r.data.status_url);
  loadThreats();
}

function updateCounter() {
  announce("report-chars", t("report.chars", { n: 500 - $("report-description").value.length }));
}

function setupForm() {
  fillCategories($("report-category"), false);
  fillRecurrence();
  const list = $("places");
  for (const name of Object.keys(PLACES)) list.insertAdjacentHTML("beforeend", `<option value="${escapeHtml(name)}"></option>`);
  $("report-place").addEventListener("change", () => {
    const value = $("report-place").value;
    if (!value) return;
    const hit = findPlace(value);
    if (hit) setChoice(hit.lat, hit.lon, { pan: true });
    else announce("location-status", t("report.place.unknown"), "error");
  });
  const typed = () => {
    const lat = Number($("report-lat").value);
    const lon = Number($("report-lon").value);
    if ($("report-lat").value && $("report-lon").value && Number.isFinite(lat) && Number.isFinite(lon)) setChoice(lat, lon, { pan: true });
  };
  $("report-lat").addEventListener("change", typed);
  $("report-lon").addEventListener("change", typed);
  $("report-category").addEventListener("change", suggestDuplicates);
  $("report-description").addEventListener("input", updateCounter);
  $("report-form").addEventListener("submit", submitReport);
  map.on("click", (e) => {
    setChoice(e.latlng.lat, e.latlng.lng);
    $("report-category").focus();
  });
  updateCounter();
}

function embedCentre() {
  const lat = Number(params.get("lat"));
  const lon = Number(params.get("lon"));
  const zoom = Number(params.get("zoom")) || 10;
  if (params.get("lat") && params.get("lon") && Number.isFinite(lat) && Number.isFinite(lon)) return { center: [lat, lon], zoom };
  return POLAND;
}

async function main() {
  initPage();
  map = await createMap($("map"), embed ? embedCentre() : POLAND);
  cluster = L.markerClusterGroup({
    showCoverageOnHover: false,
    iconCreateFunction: (c) => L.divIcon({
      className: "kmzb-cluster",
      html: `<span>${c.getChildCount()}</span>`,
      iconSize: [36, 36],
    }),
  });
  map.addLayer(cluster);
  const r = await getJSON("intake", "/api/v1/categories");
  categories = r.ok && Array.isArray(r.data) ? r.data : [];
  fillCategories($("filter-category"), true);
  fillStatusFilters();
  if (params.get("category")) $("filter-category").value = params.get("category");
  for (const id of ["filter-category", "filter-period"]) $(id).addEventListener("change", renderThreats);
  $("filter-statuses").addEventListener("change", renderThreats);
  if (embed) {
    const full = new URL("/mapa", location.href);
    full.searchParams.set("lang", lang);
    $("embed-open").href = full.toString();
  } else {
    setupForm();
  }
  await loadThreats();
  if (embed) map.on("moveend", loadThreats);
  setInterval(loadThreats, 30000);
  document.body.dataset.ready = "true";
}

main();
