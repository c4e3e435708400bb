// The follow-up page of one report (/zgloszenie/{id}): category, public place, unit, status with a
// plain-language explanation, and the history; refreshed every 30 s.
import { getJSON } from "./lib/api.js";
import { statusLegendItem } from "./lib/status.js";
import { formatNumber, t } from "./lib/i18n.js";
import { formatDate } from "./lib/format.js";
import { initPage } from "./lib/page.js";
import { placeLabel } from "./lib/places.js";
import { categoryName } from "./lib/categories.js";

const $ = (id) => document.getElementById(id);
const reportId = location.pathname.split("/").filter(Boolean).pop();
// In Polish time wherever the reader is (the officers' console shows the same clock).
const when = (iso) => formatDate(new Date(iso), { dateStyle: "long", timeStyle: "short" });

async function placeText(r) {
  if (r.lat == null) return t("nodata");
  const point = `${formatNumber(r.lat, { maximumFractionDigits: 4 })}, ${formatNumber(r.lon, { maximumFractionDigits: 4 })}`;
  const near = await getJSON("geo-router", `/api/v1/units/lookup?${new URLSearchParams({ lat: r.lat, lon: r.lon })}`);
  const named = near.ok && near.data?.place ? `${placeLabel(near.data.place)} (${point})` : point;
  return r.location_snapped ? `${named}. ${t("follow.snapped")}` : named;
}

let shownStatus = null;
let categories = [];



async function load() {
  const r = await getJSON("intake", `/api/v1/reports/${encodeURIComponent(reportId)}`);
  if (!r.ok || !r.data) return;
  const d = r.data;
  $("follow-code").textContent = d.number;
  // From the intake's catalogue in the page language (the report holds the Polish name only).
  $("follow-category").textContent = categoryName(categories, d.category, d.category_name_pl || d.category);
  $("follow-unit").textContent = d.unit_name_pl || t("follow.unit.pending");
  $("follow-submitted").textContent = when(d.submitted_at);
  if (!$("follow-place").textContent) $("follow-place").textContent = await placeText(d);
  if (shownStatus !== d.status) {
    shownStatus = d.status;
    $("follow-status").innerHTML = `<p class="follow-now">${statusLegendItem(d.status)}<strong></strong></p><p></p>`;
    $("follow-status").querySelector("strong").textContent = t(`status.${d.status}`);
    $("follow-status").querySelectorAll("p")[1].textContent = t(`explain.${d.status}`);
  }
  const list = $("follow-history");
  list.innerHTML = "";
  const steps = d.history.length ? d.history : [{ status: "NOWE", at: d.submitted_at }];
  for (const step of steps) {
    const li = document.createElement("li");
    const time = document.createElement("time");
    time.dateTime = step.at;
    time.textContent = when(step.at);
    li.append(time, ` — ${t(`status.${step.status}`)}`);
    list.append(li);
  }
  $("follow-loading").hidden = true;
  $("follow").hidden = false;
}

async function main() {
  initPage();
  const c = await getJSON("intake", "/api/v1/categories");
  categories = c.ok && Array.isArray(c.data) ? c.data : [];
  await load();
  setInterval(load, 30000);
  document.body.dataset.ready = "true";
}

main();
