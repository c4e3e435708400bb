// Officer console: sign in, my units' tasks on a map and in a list, live updates, status changes.
import L from "./lib/leaflet.js";
import { call, errorMessage, asItems, serviceUrl } from "./lib/api.js";
import { createMap, escapeHtml, STATUS_COLOURS, statusMarker } from "./lib/basemap.js";
import { lang, t } from "./lib/i18n.js";
import { announce, initPage } from "./lib/page.js";

const $ = (id) => document.getElementById(id);
const STATUSES = Object.keys(STATUS_COLOURS);
const DAY = 86400000;
// Without deadlines from the notifier: a verification card within 3 days (KGP guidelines), verified within 5.
const DUE_DAYS = { NOWE: 3, WERYFIKACJA: 5 };
const DUE_FIELD = { NOWE: "review_due_at", WERYFIKACJA: "verification_due_at" };
let session = null;
let map;
let layer;
let tasks = new Map();
let categories = [];

function claims(token) {
  try {
    return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    return {};
  }
}

const catName = (code) => {
  const c = categories.find((x) => x.code === code);
  return c ? (lang === "en" ? c.name_en : c.name_pl) : code;
};

function overdue(task) {
  if (task.overdue != null) return Boolean(task.overdue);
  const field = DUE_FIELD[task.status];
  if (!field) return false;
  const due = task[field] ? new Date(task[field]).getTime()
    : DUE_DAYS[task.status] ? new Date(task.created_at).getTime() + DUE_DAYS[task.status] * DAY : null;
  return due != null && Date.now() > due;
}

async function login(ev) {
  ev.preventDefault();
  const username = $("login-username").value.trim();
  const password = $("login-password").value;
  const form = new URLSearchParams({ username, password, grant_type: "password" });
  let r = await call("notifier", "/api/v1/auth/token", { method: "POST", form, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  if (r.status === 415 || r.status === 422) r = await call("notifier", "/api/v1/auth/token", { method: "POST", body: { username, password } });
  if (!r.ok || !r.data?.access_token) {
    const unavailable = r.status === 0 || r.status === 404 || r.status >= 500;
    announce("login-status", unavailable ? t("console.loginUnavailable") : errorMessage(r.data, t("console.loginFailed")), "error");
    return;
  }
  const c = claims(r.data.access_token);
  session = { token: r.data.access_token, name: c.name || c.sub || username, units: c.units || r.data.units || [] };
  sessionStorage.setItem("kmzb.session", JSON.stringify(session));
  await start();
}

function logout() {
  sessionStorage.removeItem("kmzb.session");
  location.reload();
}

function render() {
  const list = $("task-list");
  layer.clearLayers();
  const sorted = [...tasks.values()].sort((a, b) => (overdue(b) - overdue(a)) || (new Date(b.created_at) - new Date(a.created_at)));
  if (!sorted.length) {
    list.textContent = t("console.none");
    return;
  }
  list.innerHTML = "";
  for (const task of sorted) {
    const late = overdue(task);
    const title = `${catName(task.category)}: ${t(`status.${task.status}`)}${late ? ` (${t("console.overdue")})` : ""}`;
    const m = statusMarker(task.lat, task.lon, task.status, title, late ? "kmzb-late" : "");
    m.bindPopup(escapeHtml(title));
    layer.addLayer(m);
    const id = task.task_id;
    const art = document.createElement("article");
    art.className = `task${late ? " overdue" : ""}`;
    art.dataset.taskId = id;
    art.setAttribute("aria-labelledby", `task-${id}`);
    const options = STATUSES.map((s) => `<option value="${s}"${s === task.status ? " selected" : ""}>${escapeHtml(t(`status.${s}`))}</option>`).join("");
    art.innerHTML = `<h3 id="task-${id}">${escapeHtml(catName(task.category))} ${late ? `<span class="badge">${escapeHtml(t("console.overdue"))}</span>` : ""}</h3>
      <p><span class="swatch" style="background:${STATUS_COLOURS[task.status] || "#777"}"></span><span class="task-status">${escapeHtml(t(`status.${task.status}`))}</span>
      · ${escapeHtml(task.unit_id)} · ${escapeHtml(t("console.created"))}: ${new Date(task.created_at).toLocaleString(lang)}</p>
      <form class="status-form">
        <div class="row">
          <div class="field"><label for="st-${id}">${escapeHtml(t("console.status"))}</label><select id="st-${id}" name="status">${options}</select></div>
          <div class="field"><label for="note-${id}">${escapeHtml(t("console.note"))}</label><input id="note-${id}" name="note" maxlength="2000"></div>
        </div>
        <button type="submit">${escapeHtml(t("console.save"))}</button>
        <p class="status" role="status" aria-live="polite"></p>
      </form>`;
    art.querySelector("form").addEventListener("submit", (ev) => changeStatus(ev, task));
    list.append(art);
  }
}

async function changeStatus(ev, task) {
  ev.preventDefault();
  const form = ev.target;
  const out = form.querySelector(".status");
  const status = form.status.value;
  const note = form.note.value.trim() || null;
  const r = await call("notifier", `/api/v1/tasks/${encodeURIComponent(task.task_id)}/status`, { method: "POST", token: session.token, body: { status, note } });
  if (!r.ok) {
    out.textContent = errorMessage(r.data, t("console.saveFailed"));
    out.dataset.kind = "error";
    return;
  }
  tasks.set(task.task_id, { ...task, ...(r.data && r.data.task_id ? r.data : { status }) });
  render();
  const again = document.querySelector(`[data-task-id="${CSS.escape(task.task_id)}"] .status-form .status`);
  if (again) { again.textContent = t("console.saved"); again.dataset.kind = "ok"; }
}

async function loadTasks() {
  const fresh = new Map();
  let failed = false;
  for (const unit of session.units) {
    const r = await call("notifier", `/api/v1/units/${encodeURIComponent(unit)}/tasks?limit=500`, { token: session.token });
    if (r.status === 401) return logout();
    if (!r.ok) failed = true;
    for (const task of asItems(r.data)) fresh.set(task.task_id, task);
  }
  tasks = fresh;
  render();
  if (failed && !fresh.size) $("task-list").textContent = t("nodata");
}

let reloading = null;
function reloadSoon() {
  if (!reloading) reloading = setTimeout(() => { reloading = null; loadTasks(); }, 300);
}

async function follow(unit) {
  // EventSource cannot send a bearer token: read the unit's SSE feed with fetch instead.
  try {
    const url = serviceUrl("notifier", `/api/v1/units/${encodeURIComponent(unit)}/feed`);
    const resp = await fetch(url, { headers: { Accept: "text/event-stream", Authorization: `Bearer ${session.token}` } });
    if (!resp.ok || !resp.body) throw new Error(String(resp.status));
    announce("live-status", `● ${t("console.live")}`, "ok");
    const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const chunk = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = chunk.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
        if (data) reloadSoon();
      }
    }
  } catch {
    announce("live-status", "");
  }
  setTimeout(() => { loadTasks().then(() => follow(unit)); }, 15000);
}

async function start() {
  $("login-section").hidden = true;
  $("tasks-section").hidden = false;
  $("who").textContent = t("console.hello", { name: session.name, units: session.units.join(", ") });
  if (!map) {
    map = await createMap($("map"));
    layer = L.featureGroup().addTo(map);
  }
  const r = await call("intake", "/api/v1/categories");
  categories = r.ok && Array.isArray(r.data) ? r.data : [];
  await loadTasks();
  if (tasks.size) map.fitBounds(layer.getBounds(), { maxZoom: 12, padding: [20, 20] });
  for (const unit of session.units) follow(unit);
  document.body.dataset.ready = "true";
}

function main() {
  initPage();
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  try {
    session = JSON.parse(sessionStorage.getItem("kmzb.session") || "null");
  } catch {
    session = null;
  }
  if (session && (claims(session.token).exp || Infinity) * 1000 > Date.now()) start();
  else document.body.dataset.ready = "true";
}

main();
