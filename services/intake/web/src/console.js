// Officer console: my units' tasks (with their subtree) in a filtered list and on a map, one task
// open in a task view with a deep link (#zadanie=<id>), acting on it, and live updates that patch
// what changed without touching what the officer is typing.
import L from "./lib/leaflet.js";
import { call, errorMessage, asItems, getJSON, serviceUrl } from "./lib/api.js";
import { createMap, escapeHtml, statusMarker } from "./lib/basemap.js";
import { statusLegendItem } from "./lib/status.js";
import { lang, t } from "./lib/i18n.js";
import { announce, initPage } from "./lib/page.js";
import { attachmentLink, dueText, fmtDate, fmtNumber, fmtTime, recurrenceText } from "./lib/task-format.js";
import { categoryName } from "./lib/categories.js";

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;
const OPEN = new Set(["NOWE", "WERYFIKACJA", "POTWIERDZONE"]);
let session = null;
let map;
let layer;
let tasks = new Map();
let categories = [];
let unitNames = {};
let beat = null; // the community officer's beat {unit_id, cells}: their list starts there
let page = 0;
let seen = null; // task ids already listed: what arrives beyond them is "new"
let fresh = new Set();
let view = null; // the open task's full view
let wantLock = false; // the officer works on the open task: hold its edit lock (not after their own save)
const LOCK_REFRESH_MS = 60_000; // well inside the notifier's 5 minutes
let miniMap;
let miniMarker;
const blobs = new Map(); // attachment id -> object URL, fetched once with the token

function claims(token) {
  try {
    return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    return {};
  }
}

const catName = (code) => categoryName(categories, code);
const unitName = (id) => unitNames[id] || id;
const statusText = (s) => t(`status.${s}`);
// The status once: its badge (colour and symbol, as on the public map) and its label.
const statusHtml = (s) => `${statusLegendItem(s)}<span class="task-status">${escapeHtml(statusText(s))}</span>`;

function overdue(task) {
  const now = Date.now();
  if (task.status === "NOWE" && task.review_due_at && new Date(task.review_due_at) < now) return true;
  return OPEN.has(task.status) && task.status !== "POTWIERDZONE" && task.verification_due_at && new Date(task.verification_due_at) < now;
}

async function login(ev) {
  ev.preventDefault();
  const username = $("login-username").value.trim();
  const password = $("login-password").value;
  const form = new URLSearchParams({ username, password, grant_type: "password" });
  const r = await call("notifier", "/api/v1/auth/token", { method: "POST", form, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  if (!r.ok || !r.data?.access_token) {
    const unavailable = r.status === 0 || r.status === 404 || r.status >= 500;
    announce("login-status", unavailable ? t("console.loginUnavailable") : errorMessage(r.data, t("console.loginFailed")), "error");
    return;
  }
  const c = claims(r.data.access_token);
  session = { token: r.data.access_token, sub: c.sub || username, name: c.name || username, units: c.units || [] };
  sessionStorage.setItem("kmzb.session", JSON.stringify(session));
  await start();
}

function logout() {
  sessionStorage.removeItem("kmzb.session");
  location.hash = "";
  location.reload();
}

const api = (path, opts = {}) => call("notifier", path, { token: session.token, ...opts });

// -- the list ------------------------------------------------------------------------------

function filtered() {
  const f = new FormData($("filters"));
  const status = f.get("status");
  const category = f.get("category");
  const unit = f.get("unit");
  const who = f.get("who");
  const sort = f.get("sort");
  let out = [...tasks.values()].filter((task) =>
    (!status || (status === "OPEN" ? OPEN.has(task.status) : task.status === status))
    && (!category || task.category === category)
    && (!unit || task.unit_chain.includes(unit))
    && (who !== "mine" || task.assignee === session.sub)
    && (who !== "unassigned" || !task.assignee)
    && (!f.get("overdue") || overdue(task)));
  const by = {
    newest: (a, b) => new Date(b.created_at) - new Date(a.created_at),
    oldest: (a, b) => new Date(a.created_at) - new Date(b.created_at),
    due: (a, b) => new Date(a.verification_due_at || 8.64e15) - new Date(b.verification_due_at || 8.64e15),
    reports: (a, b) => (b.report_count + b.confirmation_count) - (a.report_count + a.confirmation_count),
  }[sort] || ((a, b) => (overdue(b) - overdue(a)) || (new Date(b.created_at) - new Date(a.created_at)));
  out.sort(by);
  return out;
}

function renderCounts(list) {
  const counts = new Map();
  for (const task of list) counts.set(task.unit_id, (counts.get(task.unit_id) || 0) + 1);
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  $("unit-counts").innerHTML = rows.length
    ? `<table><caption>${escapeHtml(t("console.countsCaption"))}</caption><thead><tr><th scope="col">${escapeHtml(t("console.unit"))}</th><th scope="col">${escapeHtml(t("console.count"))}</th></tr></thead><tbody>${
      rows.map(([u, n]) => `<tr><td>${escapeHtml(unitName(u))}</td><td>${fmtNumber(n)}</td></tr>`).join("")}</tbody></table>`
    : "";
}

function render() {
  const list = filtered();
  const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
  page = Math.min(page, pages - 1);
  const shown = list.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  layer.clearLayers();
  for (const task of list.slice(0, 500)) {
    const late = overdue(task);
    const title = `${catName(task.category)}: ${t(`status.${task.status}`)}${late ? ` (${t("console.overdue")})` : ""}`;
    const m = statusMarker(task.lat, task.lon, task.status, title, late ? "kmzb-late" : "");
    m.on("click", () => openTask(task.task_id));
    layer.addLayer(m);
  }
  $("list-summary").textContent = t("console.summary", { shown: fmtNumber(list.length), total: fmtNumber(tasks.size) });
  const out = $("task-list");
  if (!shown.length) {
    out.textContent = t("console.none");
  } else {
    out.innerHTML = shown.map((task) => {
      const late = overdue(task);
      const id = task.task_id;
      return `<li class="task${late ? " overdue" : ""}${view?.task_id === id ? " current" : ""}" data-task-id="${escapeHtml(id)}">
        <a href="#zadanie=${encodeURIComponent(id)}" class="task-link" id="task-${escapeHtml(id)}">${escapeHtml(catName(task.category))}</a>
        ${fresh.has(id) ? `<span class="tag">${escapeHtml(t("console.newTag"))}</span>` : ""}
        ${late ? `<span class="badge">⚠ ${escapeHtml(t("console.overdue"))}</span>` : ""}
        <p>${statusHtml(task.status)}
        · ${escapeHtml(unitName(task.unit_id))} · ${escapeHtml(fmtDate(task.created_at))}
        · ${escapeHtml(t("console.reportsShort", { n: fmtNumber(task.report_count), c: fmtNumber(task.confirmation_count) }))}
        · ${escapeHtml(task.assignee ? t("console.assignedTo", { who: officerName(task.assignee) }) : t("console.unassigned"))}</p>
      </li>`;
    }).join("");
  }
  $("pager").hidden = pages < 2;
  $("page-info").textContent = t("console.page", { n: fmtNumber(page + 1), of: fmtNumber(pages) });
  $("prev").disabled = page === 0;
  $("next").disabled = page >= pages - 1;
  renderCounts(list);
}

function fillFilters() {
  const cats = [...new Set([...tasks.values()].map((x) => x.category))].sort((a, b) => catName(a).localeCompare(catName(b), "pl"));
  const keep = (sel, options) => {
    const value = sel.value;
    sel.innerHTML = options;
    sel.value = [...sel.options].some((o) => o.value === value) ? value : "";
  };
  keep($("f-category"), `<option value="">${escapeHtml(t("console.all"))}</option>${cats.map((c) => `<option value="${escapeHtml(c)}">${escapeHtml(catName(c))}</option>`).join("")}`);
  const units = [...new Set([...tasks.values()].map((x) => x.unit_id))].sort();
  keep($("f-unit"), `<option value="">${escapeHtml(t("console.all"))}</option>${units.map((u) => `<option value="${escapeHtml(u)}">${escapeHtml(unitName(u))}</option>`).join("")}`);
}

const beatFirst = () => Boolean(beat) && $("scope-beat").checked;

async function loadTasks({ live = false } = {}) {
  const next = new Map();
  let failed = false;
  const sources = beatFirst() ? [[beat.unit_id, "&beat=mine"]] : session.units.map((u) => [u, ""]);
  for (const [unit, only] of sources) {
    const r = await api(`/api/v1/units/${encodeURIComponent(unit)}/tasks?limit=1000&subtree=true${only}`);
    if (r.status === 401) return logout();
    if (!r.ok) failed = true;
    for (const task of asItems(r.data)) next.set(task.task_id, task);
  }
  if (live && seen) {
    for (const id of next.keys()) if (!seen.has(id)) fresh.add(id);
    if (fresh.size) announce("new-count", t("console.newCount", { n: fmtNumber(fresh.size) }), "info");
  }
  seen = new Set(next.keys());
  tasks = next;
  fillFilters();
  render();
  if (failed && !next.size) $("task-list").textContent = t("nodata");
}

let reloading = null;
function onFeedItem(data) {
  if (!reloading) reloading = setTimeout(() => { reloading = null; loadTasks({ live: true }); }, 300);
  if (view && data && data.task_id === view.task_id) refreshView();
}

async function follow(unit) {
  // EventSource cannot send a bearer token: read the unit's SSE feed with fetch instead.
  try {
    const resp = await fetch(serviceUrl("notifier", `/api/v1/units/${encodeURIComponent(unit)}/feed`), {
      headers: { Accept: "text/event-stream", Authorization: `Bearer ${session.token}` },
    });
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
        const raw = chunk.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
        if (!raw) continue;
        let data = null;
        try { data = JSON.parse(raw); } catch { /* a keepalive or foreign line */ }
        onFeedItem(data);
      }
    }
  } catch {
    announce("live-status", "");
  }
  setTimeout(() => { loadTasks({ live: true }).then(() => follow(unit)); }, 15000);
}

// -- the task view ---------------------------------------------------------------------------

function taskIdFromHash() {
  const m = /zadanie=([0-9a-f-]{36})/.exec(location.hash);
  return m ? m[1] : null;
}

function openTask(id) {
  if (taskIdFromHash() === id) showTask(id);
  else location.hash = `zadanie=${id}`;
}

async function showTask(id) {
  const r = await api(`/api/v1/tasks/${encodeURIComponent(id)}/view`);
  const panel = $("task-view");
  if (!r.ok) {
    panel.hidden = false;
    $("tv-body").hidden = true;
    announce("tv-load", errorMessage(r.data, t("console.taskMissing")), "error");
    return;
  }
  announce("tv-load", "");
  const first = !view || view.task_id !== id;
  if (first && view) releaseLock();
  view = r.data;
  fresh.delete(id);
  panel.hidden = false;
  $("tv-body").hidden = false;
  if (first) {
    for (const formId of ["status-form", "note-form"]) $(formId).reset();
    clearFieldErrors();
    announce("tv-confirm", "");
    $("tv-confirm-box").hidden = true;
    await Promise.all([loadOfficers(), loadPartners()]);
  }
  patchView();
  render();
  if (first) {
    wantLock = true;
    await takeLock();
    $("tv-title").focus();
    panel.scrollIntoView({ block: "start" });
  }
}

async function refreshView() {
  if (!view) return;
  const id = view.task_id;
  const r = await api(`/api/v1/tasks/${encodeURIComponent(id)}/view`);
  if (!r.ok || view?.task_id !== id) return;
  view = r.data;
  patchView();
  if (wantLock && !view.lock) await takeLock(); // a colleague's lock ended: ours now
}

// -- two officers, one task: the edit lock ------------------------------------------------------

const mayAct = (v) => v.allowed_moves.length > 0 || v.can_assign || v.can_take;

/** Takes (or refreshes, or with takeOver takes over) the open task's edit lock and shows whose it is. */
async function takeLock({ takeOver = false } = {}) {
  if (!view || !mayAct(view)) return null;
  const id = view.task_id;
  const path = `/api/v1/tasks/${encodeURIComponent(id)}/lock${takeOver ? "/takeover" : ""}`;
  const r = await api(path, { method: takeOver ? "POST" : "PUT" });
  if (view?.task_id !== id) return r;
  if (r.ok) {
    view.lock = r.data;
    patchLock();
  } else if (r.status === 423) {
    await refreshView(); // the holder, and whether this user may take over
  }
  return r;
}

function releaseLock() {
  if (!view?.lock?.mine) return;
  // keepalive: the release still goes out when the page is being closed.
  fetch(serviceUrl("notifier", `/api/v1/tasks/${encodeURIComponent(view.task_id)}/lock`), {
    method: "DELETE", keepalive: true, headers: { Authorization: `Bearer ${session.token}` },
  }).catch(() => {});
  view.lock = null;
}

/** Whose lock: mine (a quiet note), another's (controls disabled, the reason beside them, a coordinator may take over). */
function patchLock() {
  // Nothing left to do here (closed, or no move for this officer): "you are editing" would be untrue.
  if (view.lock?.mine && !mayAct(view)) {
    releaseLock();
    wantLock = false;
  }
  const lock = view.lock;
  const other = Boolean(lock && !lock.mine);
  const until = lock ? fmtTime(lock.expires_at) : "";
  $("tv-lock").hidden = !lock;
  $("tv-lock").dataset.kind = other ? "locked" : "mine";
  $("tv-lock-text").textContent = !lock ? "" : other
    ? t("console.lockedBy", { name: lock.holder_name, until })
    : t("console.lockMine", { until });
  $("tv-takeover").hidden = !(other && lock.can_take_over);
  $("tv-lock-reason").hidden = !other;
  $("tv-lock-reason").textContent = other ? t("console.lockedReason", { name: lock.holder_name, until }) : "";
  for (const id of ["tv-move", "tv-partner", "tv-status-note", "tv-status-submit", "tv-officer", "tv-assign-submit", "take"]) $(id).disabled = other;
}

async function takeOver() {
  const from = view?.lock?.holder_name;
  const r = await takeLock({ takeOver: true });
  if (!r) return;
  if (!r.ok) return confirmBox(errorMessage(r.data, t("console.takeOverFailed")), "error");
  wantLock = true;
  confirmBox(t("console.tookOver", { name: from }));
  await refreshView();
  $("tv-move").focus();
}

/** The officer starts working on the task again after saving: take the lock back if it is free. */
function resumeWork() {
  if (!view || wantLock || (view.lock && !view.lock.mine)) return;
  wantLock = true;
  takeLock();
}

// The geo-router's name of each task's place ("Kraków", "Wieliczka, powiat wielicki"), by the task's cell.
const placeNames = new Map();

/** Asks the geo-router once per cell for the place's name, then rewrites the view's facts with it. */
async function loadPlaceName(cell) {
  placeNames.set(cell, null);
  const r = await getJSON("geo-router", `/api/v1/cells/places?cell=${encodeURIComponent(cell)}`);
  const found = r.ok ? (r.data?.places || []).find((p) => p.cell === cell) : null;
  if (!found) return;
  placeNames.set(cell, lang === "en" ? found.label_en || found.label_pl : found.label_pl);
  if (view && view.cell === cell) patchView();
}

/** Rewrites the read-only parts of the view and the status options; the officer's fields stay as they are. */
function patchView() {
  const v = view;
  const late = overdue(v);
  if (v.cell && !placeNames.has(v.cell)) loadPlaceName(v.cell);
  $("tv-title").textContent = catName(v.category);
  $("tv-status").innerHTML = `${statusHtml(v.status)}${late ? ` <span class="badge">⚠ ${escapeHtml(t("console.overdue"))}</span>` : ""}`;
  const chain = v.unit_chain.map(unitName).join(" → ");
  const place = placeNames.get(v.cell) || v.evidence.find((e) => e.place_pl)?.place_pl;
  const rows = [
    [t("console.place"), `${place ? `${place}, ` : ""}${v.lat.toLocaleString("pl-PL", { maximumFractionDigits: 5 })}, ${v.lon.toLocaleString("pl-PL", { maximumFractionDigits: 5 })}`],
    [t("console.unitChain"), chain],
    [t("console.assignee"), v.assignee ? officerName(v.assignee) : t("console.unassigned")],
    [t("console.reviewDue"), v.status === "NOWE" ? dueText(v.review_due_at) : `${fmtDate(v.review_due_at)} (${t("console.done")})`],
    [t("console.verificationDue"), OPEN.has(v.status) && v.status !== "POTWIERDZONE" ? dueText(v.verification_due_at) : `${fmtDate(v.verification_due_at)} (${t("console.done")})`],
    [t("console.reportsAndPlus"), t("console.reportsLong", { n: fmtNumber(v.report_count), c: fmtNumber(v.confirmation_count) })],
    [t("console.created"), fmtDate(v.created_at)],
  ];
  $("tv-facts").innerHTML = rows.map(([k, val]) => `<div><dt>${escapeHtml(k)}</dt><dd${/overdue|po terminie/.test(val) ? ' class="late"' : ""}>${escapeHtml(val)}</dd></div>`).join("");
  $("tv-reports").innerHTML = v.evidence.map((e, n) => `<li>
      <h4>${escapeHtml(t("console.reportN", { n: fmtNumber(n + 1) }))} · ${escapeHtml(t(`channel.${e.channel}`) === `channel.${e.channel}` ? e.channel : t(`channel.${e.channel}`))}</h4>
      <p class="description">${e.description ? escapeHtml(e.description) : `<em>${escapeHtml(t("console.noDescription"))}</em>`}</p>
      <p class="hint">${escapeHtml(t("console.submitted"))}: ${escapeHtml(fmtDate(e.submitted_at))}${e.occurred_at ? ` · ${escapeHtml(t("console.occurred"))}: ${escapeHtml(fmtDate(e.occurred_at))}` : ""}${e.recurrence ? ` · ${escapeHtml(t("console.recurrence"))}: ${escapeHtml(recurrenceText(e.recurrence))}` : ""}</p>
      <ul class="thumbs">${(e.attachments || (e.attachment_ids || []).map((id) => ({ attachment_id: id }))).map(attachmentLink).join("")}</ul>
    </li>`).join("");
  loadThumbs();
  // Status options: only the allowed moves; a chosen one that is still allowed stays chosen.
  const sel = $("tv-move");
  const chosen = sel.value;
  const moves = v.allowed_moves;
  $("status-form").hidden = !moves.length;
  $("tv-final").hidden = moves.length > 0 || !["NIEPOTWIERDZONE", "ZART_LUB_POMYLKA", "POTWIERDZONE_WYELIMINOWANE", "POTWIERDZONE_PRZEKAZANE"].includes(v.status);
  const signature = moves.map((m) => m.status).join(",");
  if (sel.dataset.moves !== signature) {
    sel.innerHTML = `<option value="">${escapeHtml(t("console.chooseStatus"))}</option>${moves.map((m) => `<option value="${m.status}" data-note="${m.note_required}">${escapeHtml(statusText(m.status))}${m.note_required ? ` (${escapeHtml(t("console.needsNote"))})` : ""}</option>`).join("")}`;
    sel.dataset.moves = signature;
    sel.value = moves.some((m) => m.status === chosen) ? chosen : "";
  }
  noteHint();
  $("assign-form").hidden = !v.can_assign;
  $("take").hidden = !v.can_take;
  $("note-form").hidden = !(moves.length || v.can_take || v.can_assign || v.assignee === session.sub);
  patchLock();
  $("tv-history").innerHTML = v.timeline.map(historyItem).join("");
  $("tv-card").dataset.taskId = v.task_id;
  placeMini(v);
}

function historyItem(h) {
  const who = h.by_name ? ` · ${escapeHtml(h.by_name)}` : "";
  const text = {
    opened: () => t("console.hOpened"),
    merged: () => t("console.hMerged"),
    status: () => t("console.hStatus", { from: statusText(h.from_status), to: statusText(h.to_status) }),
    // An officer who took the task is named once ("Przyjęto do realizacji · kom. X"), not "Przydzielono: X · X".
    assigned: () => (h.by_name && h.by_name === officerName(h.officer_id) ? t("console.hTook") : t("console.hAssigned", { who: officerName(h.officer_id) })),
    note: () => t("console.hNote"),
    escalated: () => t("console.hEscalated", { unit: unitName(h.to_unit) }),
    lock_taken_over: () => t("console.hTakeover", { name: h.from_name }),
  }[h.kind]?.() || h.kind;
  const handover = h.partner_name
    ? `<p class="handover"><strong>${escapeHtml(t("console.hHandover", { partner: h.partner_name }))}</strong> · ${escapeHtml(deliveryText(h.delivery))}</p>`
    : "";
  return `<li><p><strong>${escapeHtml(text)}</strong>${who} · <time datetime="${escapeHtml(h.at)}">${escapeHtml(fmtDate(h.at))}</time></p>${handover}${h.note ? `<p class="note-text">${escapeHtml(h.note)}</p>` : ""}</li>`;
}

let officers = [];
let partners = [];

async function loadPartners() {
  partners = [];
  if (!view) return;
  const r = await api(`/api/v1/units/${encodeURIComponent(view.unit_id)}/partners`);
  partners = r.ok && Array.isArray(r.data) ? r.data : [];
  $("tv-partner").innerHTML = `<option value="">${escapeHtml(t("console.choosePartner"))}</option>${partners.map((p) => `<option value="${escapeHtml(p.partner_id)}">${escapeHtml(p.name_pl)}${p.name_pl === p.kind_pl ? "" : ` (${escapeHtml(p.kind_pl)})`}${p.has_webhook ? ` · ${escapeHtml(t("console.partnerWebhook"))}` : ""}</option>`).join("")}`;
}

/** "doręczono 14:20" / "wysyłanie (próby: 2)" / "nie doręczono po 12 próbach: HTTP 503" / no webhook. */
function deliveryText(d) {
  if (!d) return t("delivery.none");
  if (d.state === "delivered") return t("delivery.delivered", { at: fmtDate(d.delivered_at) });
  if (d.state === "failed") return t("delivery.failed", { n: fmtNumber(d.attempts), error: d.last_error || "" });
  return t("delivery.pending", { n: fmtNumber(d.attempts) });
}
const officerName = (id) => officers.find((o) => o.officer_id === id)?.name || (id === session.sub ? session.name : id);

async function loadOfficers() {
  officers = [];
  if (!view) return;
  const r = await api(`/api/v1/units/${encodeURIComponent(view.unit_id)}/officers`);
  officers = r.ok && Array.isArray(r.data) ? r.data : [];
  $("tv-officer").innerHTML = `<option value="">${escapeHtml(t("console.chooseOfficer"))}</option>${officers.map((o) => `<option value="${escapeHtml(o.officer_id)}">${escapeHtml(o.name)}${o.has_beat ? ` (${escapeHtml(t("console.beat"))})` : ""}</option>`).join("")}`;
}

function placeMini(v) {
  if (!miniMap) return;
  if (miniMarker) miniMarker.remove();
  miniMarker = statusMarker(v.lat, v.lon, v.status, catName(v.category)).addTo(miniMap);
  miniMap.setView([v.lat, v.lon], 14);
  setTimeout(() => miniMap.invalidateSize(), 50);
}

async function fetchBlob(path) {
  const resp = await fetch(path, { headers: { Authorization: `Bearer ${session.token}` } });
  if (!resp.ok) throw new Error(String(resp.status));
  return URL.createObjectURL(await resp.blob());
}

function loadThumbs() {
  for (const img of document.querySelectorAll("#tv-reports img[data-attachment]")) {
    const id = img.dataset.attachment;
    const key = `${id}:thumb`;
    const set = (url) => { img.src = url; };
    if (blobs.has(key)) { set(blobs.get(key)); continue; }
    fetchBlob(`/api/v1/attachments/${encodeURIComponent(id)}/thumbnail`)
      .then((url) => { blobs.set(key, url); set(url); })
      .catch(() => { img.alt = t("console.photoUnavailable"); });
  }
}

async function openAttachment(ev) {
  const link = ev.target.closest("[data-open]");
  if (!link) return;
  ev.preventDefault();
  const id = link.dataset.open;
  try {
    if (!blobs.has(id)) blobs.set(id, await fetchBlob(`/api/v1/attachments/${encodeURIComponent(id)}`));
    const a = document.createElement("a");
    a.href = blobs.get(id);
    if (link.dataset.download) a.download = link.dataset.download;
    else a.target = "_blank";
    a.rel = "noopener";
    document.body.append(a);
    a.click();
    a.remove();
  } catch {
    confirmBox(t("console.photoUnavailable"), "error");
  }
}

async function downloadCard() {
  try {
    const url = await fetchBlob(serviceUrl("notifier", `/api/v1/tasks/${encodeURIComponent(view.task_id)}/card.pdf`));
    const a = document.createElement("a");
    a.href = url;
    a.download = `karta-weryfikacji-${view.task_id.slice(0, 8)}.pdf`;
    document.body.append(a);
    a.click();
    a.remove();
  } catch {
    confirmBox(t("console.cardFailed"), "error");
  }
}

// -- acting ----------------------------------------------------------------------------------

function confirmBox(text, kind = "ok") {
  $("tv-confirm-box").hidden = false;
  $("tv-confirm-box").dataset.kind = kind;
  announce("tv-confirm", text, kind);
}

function clearFieldErrors() {
  for (const el of document.querySelectorAll("#task-view .field-error")) { el.textContent = ""; el.hidden = true; }
  for (const el of document.querySelectorAll("#task-view [aria-invalid]")) el.removeAttribute("aria-invalid");
}

function fieldError(inputId, text) {
  const err = $(`${inputId}-error`);
  err.textContent = text;
  err.hidden = false;
  $(inputId).setAttribute("aria-invalid", "true");
  $(inputId).focus();
}

/** Shows a refusal next to its field when the API names one, else in the confirmation box. */
function refusal(r, fields, fallback) {
  const field = r.data?.error?.details?.find((d) => d.field)?.field?.split(".").pop();
  const message = r.data?.error?.message || errorMessage(r.data, fallback);
  if (field && fields[field]) fieldError(fields[field], message);
  else confirmBox(message, "error");
}

function noteHint() {
  const opt = $("tv-move").selectedOptions[0];
  const needed = opt?.dataset.note === "true";
  $("tv-status-note-hint").textContent = needed ? t("console.noteRequired") : t("console.noteOptional");
  $("tv-status-note").required = needed;
  $("tv-partner-field").hidden = $("tv-move").value !== "POTWIERDZONE_PRZEKAZANE";
}

async function changeStatus(ev) {
  ev.preventDefault();
  clearFieldErrors();
  const status = $("tv-move").value;
  if (!status) return fieldError("tv-move", t("console.chooseStatusError"));
  const note = $("tv-status-note").value;
  const body = { status, note: note.trim() || null, version: view.version };
  // The notifier says (next to the field) when the partner is missing or not on the unit's list.
  if (status === "POTWIERDZONE_PRZEKAZANE") body.partner_id = $("tv-partner").value || null;
  const r = await api(`/api/v1/tasks/${encodeURIComponent(view.task_id)}/status`, { method: "POST", body });
  if (r.status === 409 || r.status === 423) {
    // Someone changed or holds the task: show it as it is now; the typed note stays in its field.
    await refreshView();
    return confirmBox(errorMessage(r.data, t("console.saveFailed")), "error");
  }
  if (!r.ok) return refusal(r, { note: "tv-status-note", status: "tv-move", partner_id: "tv-partner" }, t("console.saveFailed"));
  wantLock = false; // saved: the notifier released the lock
  $("status-form").reset();
  confirmBox(t("console.savedStatus", { status: statusText(status) }));
  await showTask(view.task_id);
  loadTasks();
}

async function addNote(ev) {
  ev.preventDefault();
  clearFieldErrors();
  const r = await api(`/api/v1/tasks/${encodeURIComponent(view.task_id)}/notes`, { method: "POST", body: { note: $("tv-note").value } });
  if (!r.ok) return refusal(r, { note: "tv-note" }, t("console.noteFailed"));
  $("note-form").reset();
  view = r.data;
  patchView();
  confirmBox(t("console.noteSaved"));
}

async function assign(officerId) {
  clearFieldErrors();
  if (!officerId) return fieldError("tv-officer", t("console.chooseOfficerError"));
  const r = await api(`/api/v1/tasks/${encodeURIComponent(view.task_id)}/assignee`, { method: "POST", body: { officer_id: officerId } });
  if (r.status === 423) {
    await refreshView();
    return confirmBox(errorMessage(r.data, t("console.assignFailed")), "error");
  }
  if (!r.ok) return refusal(r, { officer_id: "tv-officer" }, t("console.assignFailed"));
  view = r.data;
  patchView();
  confirmBox(t("console.assigned", { who: officerName(officerId) }));
  loadTasks();
}

// -- start -----------------------------------------------------------------------------------

async function loadUnitNames() {
  const r = await call("geo-router", "/api/v1/units?limit=1000");
  for (const u of asItems(r.data)) unitNames[u.unit_id] = u.name_pl;
}

function fitList() {
  map.invalidateSize(); // the scope switch above may have moved the map
  if (tasks.size) map.fitBounds(layer.getBounds(), { maxZoom: beatFirst() ? 14 : 12, padding: [20, 20] });
}

/** A community officer with a beat sees it first, with the switch to the whole unit. */
async function loadBeat() {
  const r = await api("/api/v1/me/beat");
  beat = r.ok && r.data?.cells ? r.data : null;
  $("scope").hidden = !beat;
  if (beat) $("scope-hint").textContent = t("console.scopeBeatHint");
}

async function changeScope() {
  seen = null; // another list, not new tasks
  fresh.clear();
  page = 0;
  $("scope-hint").hidden = !beatFirst();
  await loadTasks();
  fitList();
}

async function start() {
  $("login-section").hidden = true;
  $("tasks-section").hidden = false;
  $("who").textContent = t("console.hello", { name: session.name, units: session.units.join(", ") });
  if (!map) {
    map = await createMap($("map"));
    layer = L.featureGroup().addTo(map);
    miniMap = await createMap($("tv-map"), { zoom: 13 });
  }
  const [r] = await Promise.all([call("intake", "/api/v1/categories"), loadUnitNames()]);
  categories = r.ok && Array.isArray(r.data) ? r.data : [];
  await loadBeat();
  await loadTasks();
  fitList();
  for (const unit of session.units) follow(unit);
  if (taskIdFromHash()) await showTask(taskIdFromHash());
  document.body.dataset.ready = "true";
}

function main() {
  initPage();
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  $("filters").addEventListener("change", () => { page = 0; render(); });
  $("scope").addEventListener("change", changeScope);
  $("prev").addEventListener("click", () => { page -= 1; render(); });
  $("next").addEventListener("click", () => { page += 1; render(); });
  $("status-form").addEventListener("submit", changeStatus);
  $("tv-move").addEventListener("change", noteHint);
  $("note-form").addEventListener("submit", addNote);
  $("assign-form").addEventListener("submit", (ev) => { ev.preventDefault(); assign($("tv-officer").value); });
  $("take").addEventListener("click", () => assign(session.sub));
  $("tv-reports").addEventListener("click", openAttachment);
  $("tv-card").addEventListener("click", downloadCard);
  $("tv-confirm-dismiss").addEventListener("click", () => { $("tv-confirm-box").hidden = true; announce("tv-confirm", ""); });
  $("tv-takeover").addEventListener("click", takeOver);
  for (const id of ["status-form", "assign-form"]) $(id).addEventListener("focusin", resumeWork);
  // Refreshed only while the page is in front: a task left open in a background tab frees itself in 5 minutes.
  setInterval(() => { if (view?.lock?.mine && document.visibilityState === "visible") takeLock(); }, LOCK_REFRESH_MS);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible" && wantLock) takeLock(); });
  window.addEventListener("pagehide", releaseLock);
  $("tv-close").addEventListener("click", () => { releaseLock(); wantLock = false; view = null; $("task-view").hidden = true; history.replaceState(null, "", location.pathname + location.search); render(); });
  window.addEventListener("hashchange", () => { const id = taskIdFromHash(); if (id && session) showTask(id); });
  try {
    session = JSON.parse(sessionStorage.getItem("kmzb.session") || "null");
  } catch {
    session = null;
  }
  if (session && session.sub && (claims(session.token).exp || Infinity) * 1000 > Date.now()) start();
  else document.body.dataset.ready = "true";
}

main();
