// Public deadline accountability (/terminowosc): a sortable table of every unit (rolled up the
// hierarchy), a chart of the share reviewed on time with its data table, and how each figure is made.
import { getJSON, serviceUrl } from "./lib/api.js";
import { escapeHtml } from "./lib/basemap.js";
import { barChart } from "./lib/charts.js";
import { DEADLINE_TEXT, LOADED } from "./lib/deadline-text.js";
import { formatNumber, plural } from "./lib/format.js";
import { addTexts, lang, t } from "./lib/i18n.js";
import { announce, initPage } from "./lib/page.js";

addTexts(DEADLINE_TEXT);

const $ = (id) => document.getElementById(id);
const percent = new Intl.NumberFormat(lang === "en" ? "en-GB" : "pl-PL", { style: "percent", maximumFractionDigits: 1 });

// Each column: its heading, the value it sorts by (null last) and the text of a cell.
const COLUMNS = [
  { key: "unit", label: "dl.col.unit", sort: (u) => u.order, text: (u) => u.name_pl || u.unit_id },
  { key: "tasks", label: "dl.col.tasks", sort: (u) => u.tasks, text: (u) => formatNumber(u.tasks) },
  { key: "reviewed", label: "dl.col.reviewed", sort: (u) => u.reviewed_on_time_share, text: (u) => share(u.reviewed_on_time_share, u.reviewed_on_time, u.review_judged) },
  { key: "verified", label: "dl.col.verified", sort: (u) => u.verified_on_time_share, text: (u) => share(u.verified_on_time_share, u.verified_on_time, u.verification_judged) },
  { key: "review_median", label: "dl.col.review_median", sort: (u) => u.median_review_hours, text: (u) => duration(u.median_review_hours) },
  { key: "close_median", label: "dl.col.close_median", sort: (u) => u.median_close_hours, text: (u) => duration(u.median_close_hours) },
  { key: "overdue", label: "dl.col.overdue", sort: (u) => u.open_overdue, text: (u) => formatNumber(u.open_overdue) },
];
const EXPLAINED = { reviewed: "reviewed_on_time_share", verified: "verified_on_time_share", review_median: "median_review_hours", close_median: "median_close_hours", overdue: "open_overdue" };

let units = [];
let sortKey = "unit";
let ascending = true;

function share(value, done, all) {
  if (value == null) return t("nodata");
  return `${percent.format(value)} (${t("dl.of", { done: formatNumber(done), all: formatNumber(all) })})`;
}

function duration(hours) {
  if (hours == null) return t("nodata");
  if (hours < 1) return t("dl.minutes", { n: formatNumber(Math.max(1, Math.round(hours * 60))) });
  return hours < 48 ? t("dl.hours", { n: formatNumber(hours, 1) }) : t("dl.days", { n: formatNumber(hours / 24, 1) });
}

const selectedUnit = () => {
  const v = $("dl-unit").value.trim().toUpperCase();
  return /^[A-Z0-9-]{1,32}$/.test(v) ? v : "";
};

function sorted() {
  const col = COLUMNS.find((c) => c.key === sortKey);
  return [...units].sort((a, b) => {
    const x = col.sort(a);
    const y = col.sort(b);
    if (x == null || y == null) return x == null ? (y == null ? a.order - b.order : 1) : -1;
    if (x === y) return a.order - b.order;
    return (x < y ? -1 : 1) * (ascending ? 1 : -1);
  });
}

function nameCell(u, name) {
  const id = u.name_pl ? ` <span class="hint">${escapeHtml(u.unit_id)}</span>` : "";
  if (u.level === 0) return `${escapeHtml(name)}${id}`;
  const href = `?unit=${encodeURIComponent(u.unit_id)}&period=${$("dl-period").value}${lang === "en" ? "&lang=en" : ""}`;
  return `<a href="${escapeHtml(href)}">${escapeHtml(name)}</a>${id}`;
}

function renderTable() {
  const head = COLUMNS.map((c) => {
    const state = c.key === sortKey ? (ascending ? "ascending" : "descending") : "none";
    const label = t(c.label);
    return `<th scope="col" aria-sort="${state}"><button type="button" class="sort" data-sort="${c.key}" aria-label="${escapeHtml(t("dl.sort", { col: label }))}">${escapeHtml(label)}<span aria-hidden="true" class="sort-mark">${state === "ascending" ? "▲" : state === "descending" ? "▼" : "↕"}</span></button></th>`;
  }).join("");
  // Indentation shows the hierarchy while the table is in its own order.
  const indent = (u) => (sortKey === "unit" ? ` style="padding-left:${0.4 + u.level * 1.2}rem"` : "");
  const body = sorted().map((u) => `<tr>${COLUMNS.map((c, i) => (i === 0
    ? `<th scope="row"${indent(u)}>${nameCell(u, c.text(u))}</th>`
    : `<td>${escapeHtml(c.text(u))}</td>`)).join("")}</tr>`).join("");
  $("dl-units").innerHTML = `<table class="sortable"><caption class="visually-hidden">${escapeHtml(t("dl.table"))}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

// Police abbreviations keep the chart's labels on one line: "KWP w Krakowie", "KMP (Kraków)".
const SHORT = [["Komenda Wojewódzka Policji", "KWP"], ["Komenda Stołeczna Policji", "KSP"], ["Komenda Miejska Policji", "KMP"], ["Komenda Powiatowa Policji", "KPP"], ["Komenda Rejonowa Policji", "KRP"], ["Komenda Główna Policji", "KGP"]];
const shortName = (u) => SHORT.reduce((name, [long, abbr]) => name.replace(long, abbr), u.name_pl || u.unit_id);

function renderChart() {
  // The units one level below the top row: the voivodeship commands nationally, a command's units below it.
  const rows = units.filter((u) => u.level === 1 && u.reviewed_on_time_share != null)
    .map((u) => ({ label: shortName(u), value: Math.round(u.reviewed_on_time_share * 1000) / 10 }));
  const top = units.find((u) => u.level === 0 && u.reviewed_on_time_share != null);
  if (!rows.length && top) rows.push({ label: shortName(top), value: Math.round(top.reviewed_on_time_share * 1000) / 10 });
  const drawn = barChart($("dl-chart"), rows, {
    caption: t("dl.chart"),
    xLabel: t("dl.chart.axis"),
    headers: { summary: t("dl.table.data"), label: t("dl.col.unit"), value: t("dl.chart.value") },
  });
  if (!drawn) $("dl-chart").textContent = t("nodata");
}

function renderExplanations(explanations) {
  $("dl-explanations").innerHTML = Object.entries(EXPLAINED).map(([key, field]) => {
    const col = COLUMNS.find((c) => c.key === key);
    const text = explanations?.[field]?.[lang === "en" ? "en" : "pl"] || "";
    return `<dt>${escapeHtml(t(col.label))}</dt><dd>${escapeHtml(text)}</dd>`;
  }).join("");
}

async function load() {
  const q = new URLSearchParams({ period: $("dl-period").value });
  const unit = selectedUnit();
  if (unit) q.set("unit_id", unit);
  $("dl-csv").href = serviceUrl("stats", `/api/v1/deadlines.csv?${q}`);
  const r = await getJSON("stats", `/api/v1/deadlines?${q}`);
  if (!r.ok || !r.data) {
    units = [];
    $("dl-units").textContent = "";
    announce("dl-status", t("dl.error"), "error");
    renderChart();
    return;
  }
  const d = r.data.deadlines || {};
  $("dl-intro").textContent = t("dl.intro", { review: formatNumber(d.review_days ?? 3, 1), verification: formatNumber(d.verification_days ?? 5, 1) });
  // Nationally the table shows the headquarters and the voivodeship commands; each links to its own units.
  units = (r.data.units || []).filter((u) => unit || u.level <= 1).map((u, order) => ({ ...u, order }));
  renderExplanations(r.data.explanations);
  if (units.length) {
    renderTable();
    announce("dl-status", plural(units.length, LOADED[lang === "en" ? "en" : "pl"]));
  } else {
    $("dl-units").textContent = "";
    announce("dl-status", t("dl.none"));
  }
  renderChart();
}

function main() {
  initPage();
  const params = new URLSearchParams(location.search);
  if (params.get("unit")) $("dl-unit").value = params.get("unit");
  if (params.get("period") === "12m") $("dl-period").value = "12m";
  $("dl-units").addEventListener("click", (e) => {
    const button = e.target.closest("button.sort");
    if (!button) return;
    const key = button.dataset.sort;
    ascending = key === sortKey ? !ascending : key === "unit";
    sortKey = key;
    renderTable();
    $("dl-units").querySelector(`button[data-sort="${key}"]`).focus();
  });
  for (const id of ["dl-period", "dl-unit"]) $(id).addEventListener("change", load);
  load().then(() => { document.body.dataset.ready = "true"; });
}

main();
