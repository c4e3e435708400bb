// The public threat map with the report form; also the embeddable map (body[data-mode=embed]).
// State of the form lives in `place` (the chosen point) and the DOM fields; every message shown
// belongs to the current attempt and is cleared when a new one starts.
import L from "./lib/leaflet.js";
import "leaflet.markercluster";
import { asItems, call, errorMessage, feedMaxSpan, geocoderConfig, getJSON, maxDescription, serviceUrl } from "./lib/api.js";
import { createMap, escapeHtml, POLAND, statusMarker } from "./lib/basemap.js";
import { setupCombobox } from "./lib/combobox.js";
import { loadEmergencyWords } from "./lib/emergency.js";
import { formatDistance, formatNumber, lang, t } from "./lib/i18n.js";
import { formatDate, plural } from "./lib/format.js";
import { announce, initPage } from "./lib/page.js";
import { parseCoordinates, placeLabel, searchPlaces } from "./lib/places.js";
import { PUBLIC_STATUSES, statusLegendItem } from "./lib/status.js";
import { categoryName, localName } from "./lib/categories.js";

const MAX_FILES = 3;
const MAX_BYTES = 5 * 1024 * 1024;
// What the intake recognises by content (domain/attachments.py): the picker offers the same.
const ACCEPT = ".jpg,.jpeg,.png,.pdf,.3gp,.mov,.doc,.txt,image/jpeg,image/png,application/pdf,video/3gpp,video/quicktime,application/msword,text/plain";
const POLAND_BOX = { south: 48.9, north: 55.0, west: 14.0, east: 24.2 };
const NUMERIC_DATE = { day: "numeric", month: "numeric", year: "numeric" }; // 1.12.2026, in Polish time
const params = new URLSearchParams(location.search);
const embed = document.body.dataset.mode === "embed";
const $ = (id) => document.getElementById(id);
let categories = [];
let threats = [];
let map;
let cluster;
let place = null;
let placeMarker = null;
let highlighted = null;
let emergency = null;

/** A counted phrase in the right plural form: texts `${key}.one|few|many|other`, each with "{n}". */
function counted(key, n) {
  return plural(n, Object.fromEntries(["one", "few", "many", "other"].map((form) => [form, t(`${key}.${form}`, { n: "{n}" })])));
}

// A cluster's icon named for screen readers ("Skupisko: 11 zagrożeń"), not a bare number.
const ClusterIcon = L.DivIcon.extend({
  createIcon(old) {
    const div = L.DivIcon.prototype.createIcon.call(this, old);
    div.setAttribute("aria-label", this.options.label);
    return div;
  },
});

function clusterIcon(group) {
  const n = group.getChildCount();
  return new ClusterIcon({ className: "kmzb-cluster", html: `<span aria-hidden="true">${n}</span>`, iconSize: [44, 44], label: counted("map.cluster", n) });
}

const catName = (code) => categoryName(categories, code);

function fillCategories(select, withAll) {
  select.innerHTML = "";
  const first = document.createElement("option");
  first.value = "";
  first.textContent = withAll ? t("filters.all") : t("report.category.choose");
  select.append(first);
  for (const c of categories) {
    const o = document.createElement("option");
    o.value = c.code;
    o.textContent = localName(c);
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
    wrap.innerHTML = `<input type="checkbox" id="${id}" value="${s}" checked><label for="${id}">${statusLegendItem(s)}${escapeHtml(t(`status.${s}`))}</label>`;
    box.append(wrap);
    if (legend) {
      const li = document.createElement("li");
      li.innerHTML = `${statusLegendItem(s)}${escapeHtml(t(`status.${s}`))}`;
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
    const title = `${catName(th.category)}: ${t(`status.${status}`)}`;
    const m = statusMarker(Number(th.lat), Number(th.lon), status, title);
    m.bindPopup(`<strong>${escapeHtml(catName(th.category))}</strong><br>${escapeHtml(t(`status.${status}`))}<br>${formatDate(threatDate(th), NUMERIC_DATE)}`);
    cluster.addLayer(m);
  }
  announce("map-status", shown.length ? t("map.threats.count", { n: formatNumber(shown.length) }) : t("map.threats.none"));
}

// ---- area alerts: the Atom feed of the visible area ---------------------------------------------

/** Points "Subskrybuj ten obszar" (and the page's feed <link>) at the feed of the view and category filter. */
function updateFeedLink() {
  const link = $("feed-link");
  const [maxLon, maxLat] = feedMaxSpan();
  const b = map.getBounds();
  const [west, south, east, north] = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)];
  let alternate = document.getElementById("feed-alternate");
  if (east - west > maxLon || north - south > maxLat) {
    link.removeAttribute("href");
    $("feed-hint").textContent = t("feed.tooLarge");
    if (alternate) alternate.remove();
    return;
  }
  const q = new URLSearchParams({ bbox: [west, south, east, north].map((v) => v.toFixed(4)).join(",") });
  const category = $("filter-category").value;
  if (category) q.append("category", category);
  const href = new URL(serviceUrl("notifier", `/api/v1/public/threats.atom?${q}`), location.href).toString();
  link.href = href;
  $("feed-hint").textContent = t("feed.hint", { category: category ? t("feed.hint.category", { name: catName(category) }) : "" });
  if (!alternate) {
    alternate = document.createElement("link");
    alternate.id = "feed-alternate";
    alternate.rel = "alternate";
    alternate.type = "application/atom+xml";
    document.head.append(alternate);
  }
  alternate.title = t("feed.title");
  alternate.href = href;
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

// ---- messages of the current attempt ----------------------------------------------------------

const FIELD_ERRORS = { place: "report-place-error", coords: "report-lat-error", category: "report-category-error", description: "report-description-error", files: "report-files-error", terms: "report-terms-error" };
const FIELD_INPUTS = { place: "report-place", coords: "report-lat", category: "report-category", description: "report-description", files: "report-files", terms: "report-terms" };

function fieldError(field, text) {
  const el = $(FIELD_ERRORS[field]);
  const input = $(FIELD_INPUTS[field]);
  el.textContent = text || "";
  el.hidden = !text;
  input.toggleAttribute("aria-invalid", Boolean(text));
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== el.id);
  if (text) described.unshift(el.id);
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
}

function clearMessages() {
  for (const field of Object.keys(FIELD_ERRORS)) fieldError(field, "");
  $("error-summary").hidden = true;
  $("error-summary-list").innerHTML = "";
  announce("report-status", "");
}

/** The GOV.UK error summary: each problem links to its field; focus moves to the summary. */
function showProblems(problems) {
  const list = $("error-summary-list");
  list.innerHTML = "";
  for (const [field, text] of problems) {
    fieldError(field, text);
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `#${FIELD_INPUTS[field]}`;
    a.textContent = text;
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      if (field === "coords") $("coords").open = true;
      $(FIELD_INPUTS[field]).focus();
    });
    li.append(a);
    list.append(li);
  }
  $("error-summary").hidden = false;
  $("error-summary").focus();
}

// ---- the place ---------------------------------------------------------------------------------

function insidePoland(lat, lon) {
  return lat >= POLAND_BOX.south && lat <= POLAND_BOX.north && lon >= POLAND_BOX.west && lon <= POLAND_BOX.east;
}

function clearPlace() {
  place = null;
  if (placeMarker) placeMarker.remove();
  placeMarker = null;
  for (const id of ["location-status", "location-unit"]) announce(id, "");
  showRefine("");
  $("location-border").hidden = true;
  $("duplicates").hidden = true;
}

/** The marker of the chosen point, above the threats' pins, 44 px to grab; dragging it moves the point. */
function choiceMarker(point) {
  const icon = L.divIcon({ className: "kmzb-choice", html: '<span class="kmzb-choice-dot"></span>', iconSize: [44, 44], iconAnchor: [22, 22] });
  const marker = L.marker([point.lat, point.lon], { icon, title: t("report.title"), alt: t("report.title"), keyboard: false, draggable: true, zIndexOffset: 1000 });
  marker.on("dragend", () => {
    const at = marker.getLatLng();
    setPlace(at.lat, at.lng);
  });
  return marker.addTo(map);
}

/**
 * Sets the point of the report, from any of the ways, and shows what it resolves to. A point without
 * a label (map, marker, coordinates, location) names its nearest place in the town field too, so the
 * field never shows another place than the status.
 */
async function setPlace(lat, lon, { label = null, pan = false } = {}) {
  const point = { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
  place = { ...point, label };
  $("report-lat").value = formatNumber(point.lat, { maximumFractionDigits: 6 });
  $("report-lon").value = formatNumber(point.lon, { maximumFractionDigits: 6 });
  fieldError("place", "");
  fieldError("coords", "");
  if (placeMarker) placeMarker.setLatLng([point.lat, point.lon]);
  else placeMarker = choiceMarker(point);
  if (!label) {
    $("report-place").value = "";
    showRefine("");
  }
  if (pan) map.setView([point.lat, point.lon], Math.max(map.getZoom(), 12));
  const pointText = t("report.located.point", { lat: $("report-lat").value, lon: $("report-lon").value });
  announce("location-status", t("report.located", { place: label ? `${label} (${pointText})` : pointText }), "ok");
  announce("location-unit", t("loading"));
  $("location-border").hidden = true;
  suggestDuplicates();
  const wanted = place;
  const r = await getJSON("geo-router", `/api/v1/units/lookup?${new URLSearchParams(point)}`);
  if (place !== wanted) return;
  if (!r.ok || !r.data?.unit_chain) {
    announce("location-unit", r.status === 404 ? t("report.coords.outside") : t("report.unit.unknown"), r.status === 404 ? "error" : "info");
    return;
  }
  const unit = r.data.unit_chain[r.data.unit_chain.length - 1].name_pl;
  if (!label && r.data.place) {
    place.label = placeLabel(r.data.place);
    // Unless the person has started typing another name meanwhile.
    if (!$("report-place").value) $("report-place").value = place.label;
    announce("location-status", t("report.located", { place: `${place.label} (${pointText})` }), "ok");
  }
  announce("location-unit", t("report.unit", { unit }), "ok");
  if (r.data.near_boundary) {
    $("location-border").hidden = false;
    $("location-border").textContent = t("report.border", { unit });
  }
}

/**
 * A town from the search is a starting point: the map comes into view (focus stays in the field) and
 * the page says how to point at the exact spot.
 */
function pickedPlace(p) {
  setPlace(p.lat, p.lon, { label: placeLabel(p), pan: true });
  $("map").scrollIntoView({ block: "nearest" });
  showRefine(t(window.matchMedia("(pointer: coarse)").matches ? "report.refine.touch" : "report.refine.click"));
}

/** The prompt to point at the exact spot: beside the place status (announced) and under the map, in view. */
function showRefine(text) {
  announce("location-refine", text);
  $("map-refine").textContent = text;
  $("map-refine").hidden = !text;
}

function applyTypedCoordinates() {
  const parsed = parseCoordinates($("report-lat").value, $("report-lon").value);
  if (!parsed) {
    clearPlace();
    fieldError("coords", t("report.coords.bad"));
    return false;
  }
  if (!insidePoland(parsed.lat, parsed.lon)) {
    clearPlace();
    fieldError("coords", t("report.coords.outside"));
    return false;
  }
  setPlace(parsed.lat, parsed.lon, { pan: true });
  return true;
}

function locate() {
  const button = $("report-locate");
  fieldError("place", "");
  if (!("geolocation" in navigator)) {
    fieldError("place", t("report.locate.unsupported"));
    return;
  }
  button.disabled = true;
  announce("location-status", t("report.locate.busy"));
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      button.disabled = false;
      const { latitude: lat, longitude: lon } = pos.coords;
      if (!insidePoland(lat, lon)) {
        announce("location-status", "");
        fieldError("place", t("report.coords.outside"));
        return;
      }
      setPlace(lat, lon, { pan: true });
    },
    (err) => {
      button.disabled = false;
      announce("location-status", "");
      fieldError("place", err.code === err.PERMISSION_DENIED ? t("report.locate.denied") : t("report.locate.unavailable"));
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
  );
}

// ---- nearby threats and "+1" -------------------------------------------------------------------

function highlight(th) {
  if (highlighted) highlighted.remove();
  highlighted = L.circleMarker([th.lat, th.lon], { radius: 16, color: "#000", weight: 3, fill: false, dashArray: "4 3", interactive: false }).addTo(map);
  map.setView([th.lat, th.lon], Math.max(map.getZoom(), 15));
}

async function suggestDuplicates() {
  const box = $("duplicates");
  const list = $("duplicates-list");
  const category = $("report-category").value;
  if (highlighted) highlighted.remove();
  if (!place || !category) {
    box.hidden = true;
    return;
  }
  const q = new URLSearchParams({ lat: place.lat, lon: place.lon, category });
  const resp = await getJSON("intake", `/api/v1/threats/nearby?${q}`);
  const items = resp.ok ? asItems(resp.data) : [];
  list.innerHTML = "";
  box.hidden = items.length === 0;
  for (const th of items.slice(0, 5)) {
    const li = document.createElement("li");
    li.className = "dup";
    const text = document.createElement("p");
    text.textContent = t("dup.item", {
      category: catName(th.category),
      distance: formatDistance(th.distance_m),
      date: formatDate(new Date(th.created_at), NUMERIC_DATE),
      count: formatNumber(th.report_count || 1),
      status: t(`status.${th.status}`),
    });
    const show = document.createElement("button");
    show.type = "button";
    show.className = "secondary";
    show.textContent = t("dup.show");
    show.addEventListener("click", () => highlight(th));
    const plus = document.createElement("button");
    plus.type = "button";
    plus.className = "secondary";
    plus.textContent = t("dup.plus");
    const feedback = document.createElement("p");
    feedback.className = "status";
    feedback.setAttribute("role", "status");
    plus.addEventListener("click", async () => {
      plus.disabled = true;
      const r = await call("intake", `/api/v1/threats/${encodeURIComponent(th.task_id)}/confirmations`, { method: "POST", body: {} });
      if (r.ok) {
        feedback.textContent = r.status === 201 ? t("dup.done") : t("dup.already");
        feedback.dataset.kind = "ok";
      } else {
        plus.disabled = false;
        feedback.textContent = errorMessage(r.data, t("dup.failed"));
        feedback.dataset.kind = "error";
      }
    });
    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(show, plus);
    li.append(text, actions, feedback);
    list.append(li);
  }
}

// ---- the 112 prompt ----------------------------------------------------------------------------

/** The prompt with a link that calls 112 from a phone. */
function fillUrgent(box, text) {
  box.innerHTML = "";
  const p = document.createElement("p");
  p.textContent = text;
  const call112 = document.createElement("a");
  call112.href = "tel:112";
  call112.className = "call";
  call112.textContent = t("urgent.call");
  box.append(p, call112);
}

function warnWhileTyping() {
  const box = $("urgent-typing");
  const urgent = emergency !== null && emergency.matches($("report-description").value);
  // Written only when it changes, so a screen reader announces it once, not on every key.
  if (urgent && box.hidden) {
    fillUrgent(box, t("urgent.typing"));
    box.hidden = false;
  } else if (!urgent && !box.hidden) {
    box.hidden = true;
    box.textContent = "";
  }
}

// ---- sending -----------------------------------------------------------------------------------

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

async function followRouting(statusUrl, attempt) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline && attempt === currentAttempt) {
    const r = await getJSON("intake", statusUrl);
    if (r.ok && r.data && r.data.unit_name_pl) {
      if (attempt === currentAttempt) announce("report-route", t("report.routed", { unit: r.data.unit_name_pl }), "ok");
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

let currentAttempt = 0;

function problemsOf(files) {
  const problems = [];
  if (!place) {
    const typed = $("report-lat").value.trim() || $("report-lon").value.trim();
    if (typed && !applyTypedCoordinates()) problems.push(["coords", $("report-lat-error").textContent]);
    else if (!typed) problems.push(["place", t("report.needLocation")]);
  }
  if (!$("report-category").value) problems.push(["category", t("report.needCategory")]);
  const over = descriptionLength() - maxDescription();
  if (over > 0) problems.push(["description", t("report.description.tooLong", { n: formatNumber(descriptionLength()), max: formatNumber(maxDescription()), cut: counted("report.chars.cut", over) })]);
  if (files.length > MAX_FILES || files.reduce((s, f) => s + f.size, 0) > MAX_BYTES) problems.push(["files", t("report.attachments.tooMany")]);
  if (!$("report-terms").checked) problems.push(["terms", t("report.needTerms")]);
  return problems;
}

async function submitReport(ev) {
  ev.preventDefault();
  const attempt = ++currentAttempt;
  clearMessages();
  const files = [...$("report-files").files];
  const problems = problemsOf(files);
  if (problems.length) {
    showProblems(problems);
    return;
  }
  const category = $("report-category").value;
  const body = { category, lat: place.lat, lon: place.lon, terms_accepted: true };
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
      showProblems([["files", uploaded.error]]);
      announce("report-status", "");
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
  showResult(r.data, { lat: place.lat, lon: place.lon, category }, attempt);
}

/** The confirmation replaces the form: the 112 prompt first when the intake sent one. */
function showResult(answer, sent, attempt) {
  const id = answer.report_id;
  const result = $("report-result");
  const urgent = $("urgent-result");
  const prompt = answer.urgent_notice ? answer.urgent_notice[lang] || answer.urgent_notice.pl : "";
  if (prompt) fillUrgent(urgent, prompt);
  urgent.hidden = !prompt;
  $("result-code").textContent = answer.number;
  $("result-link").href = `/zgloszenie/${id}${lang === "en" ? "?lang=en" : ""}`;
  announce("report-route", "");
  $("report-form").hidden = true;
  result.hidden = false;
  const target = prompt ? urgent : result;
  target.scrollIntoView({ block: "start" });
  target.focus();
  statusMarker(sent.lat, sent.lon, "NOWE", `${t("report.mine")}: ${catName(sent.category)}`, "kmzb-mine")
    .addTo(map)
    .bindPopup(`<strong>${escapeHtml(t("report.mine"))}</strong><br>${escapeHtml(catName(sent.category))}`);
  resetForm();
  followRouting(answer.status_url, attempt);
  loadThreats();
}

function resetForm() {
  $("report-form").reset();
  $("report-place").value = "";
  clearPlace();
  clearMessages();
  warnWhileTyping();
  updateCounter();
}

/** Characters as the intake counts them (code points of the trimmed text). */
function descriptionLength() {
  return [...$("report-description").value.trim()].length;
}

/** The counter goes over the limit instead of the field cutting the text: nothing typed is lost. */
function updateCounter() {
  const n = descriptionLength();
  const max = maxDescription();
  if (n <= max) {
    announce("report-chars", t("report.chars", { n: formatNumber(max - n) }));
    fieldError("description", "");
  } else announce("report-chars", t("report.chars.over", { n: formatNumber(n), max: formatNumber(max), cut: counted("report.chars.cut", n - max) }), "error");
}

function setupForm() {
  fillCategories($("report-category"), false);
  fillRecurrence();
  $("report-files").setAttribute("accept", ACCEPT);
  setupCombobox({
    input: $("report-place"),
    list: $("report-place-list"),
    search: async (text) => {
      const found = await searchPlaces(text);
      const notice = $("report-place-notice");
      notice.textContent = found.notice;
      notice.hidden = !found.notice;
      return found.places;
    },
    label: placeLabel,
    onPick: pickedPlace,
    onMiss: () => fieldError("place", t("report.place.unknown")),
    onInput: () => fieldError("place", ""),
    announce: (n) => t(n ? "report.place.results" : "report.place.none", { n }),
  });
  const geocoder = geocoderConfig();
  if (geocoder.url && geocoder.attribution) {
    $("geocoder-source").hidden = false;
    $("geocoder-source-name").innerHTML = geocoder.attribution;
  }
  $("report-locate").addEventListener("click", locate);
  $("report-coords-apply").addEventListener("click", applyTypedCoordinates);
  for (const id of ["report-lat", "report-lon"]) {
    $(id).addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        applyTypedCoordinates();
      }
    });
    // A pasted pair ("50,0614, 19,9366") fills both fields.
    $(id).addEventListener("paste", (ev) => {
      const text = ev.clipboardData?.getData("text") || "";
      const pair = parseCoordinates(text);
      if (pair) {
        ev.preventDefault();
        $("report-lat").value = text.trim();
        $("report-lon").value = "";
        applyTypedCoordinates();
      }
    });
    $(id).addEventListener("change", () => {
      if ($("report-lat").value.trim() && ($("report-lon").value.trim() || parseCoordinates($("report-lat").value))) applyTypedCoordinates();
    });
  }
  $("report-category").addEventListener("change", () => {
    fieldError("category", "");
    suggestDuplicates();
  });
  $("report-terms").addEventListener("change", () => fieldError("terms", ""));
  $("report-files").addEventListener("change", () => fieldError("files", ""));
  $("report-description").addEventListener("input", () => {
    updateCounter();
    warnWhileTyping();
  });
  $("report-form").addEventListener("submit", submitReport);
  $("report-form").addEventListener("reset", () => setTimeout(resetForm));
  $("report-again").addEventListener("click", () => {
    currentAttempt++;
    $("report-result").hidden = true;
    $("report-form").hidden = false;
    $("report-place").focus();
  });
  map.on("click", (e) => {
    setPlace(e.latlng.lat, e.latlng.lng);
    $("report-category").focus({ preventScroll: true });
  });
  updateCounter();
  loadEmergencyWords().then((detector) => {
    emergency = detector;
    warnWhileTyping();
  });
}

/** The view asked for in the address (?lat=&lon=&zoom=, as the alert feed's links give), else Poland. */
function viewFromAddress() {
  const lat = Number(params.get("lat"));
  const lon = Number(params.get("lon"));
  const zoom = Number(params.get("zoom")) || 10;
  if (params.get("lat") && params.get("lon") && Number.isFinite(lat) && Number.isFinite(lon)) return { center: [lat, lon], zoom };
  return POLAND;
}

async function main() {
  initPage();
  map = await createMap($("map"), viewFromAddress());
  cluster = L.markerClusterGroup({
    showCoverageOnHover: false,
    iconCreateFunction: clusterIcon,
  });
  map.addLayer(cluster);
  const r = await getJSON("intake", "/api/v1/categories");
  categories = r.ok && Array.isArray(r.data) ? r.data : [];
  fillCategories($("filter-category"), true);
  fillStatusFilters();
  if (params.get("category")) $("filter-category").value = params.get("category");
  for (const id of ["filter-category", "filter-period"]) $(id).addEventListener("change", renderThreats);
  $("filter-statuses").addEventListener("change", renderThreats);
  if (!embed) {
    $("filter-category").addEventListener("change", updateFeedLink);
    map.on("moveend", updateFeedLink);
    updateFeedLink();
  }
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
