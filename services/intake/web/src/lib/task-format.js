// How the officer console writes a task's facts: dates, numbers and time left in the reader's
// locale, recurrence in words, attachments by type. A status is shown by basemap's badge.
import { escapeHtml } from "./basemap.js";
import { lang, t } from "./i18n.js";

const locale = lang === "en" ? "en-GB" : "pl-PL";
const numbers = new Intl.NumberFormat(locale);
// Polish time wherever the reader is: the notifier's messages and the PDF card say the same.
const dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Warsaw" });
const relative = new Intl.RelativeTimeFormat(locale, { numeric: "always" });

export const fmtNumber = (n) => numbers.format(n ?? 0);
export const fmtDate = (iso) => (iso ? dates.format(new Date(iso)) : "—");
const clock = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Warsaw" });
/** "14:35", Polish time (what the notifier's 423 message says too). */
export const fmtTime = (iso) => (iso ? clock.format(new Date(iso)) : "—");

/** "12.03.2026, 10:00 (za 2 dni)" or "… (po terminie: 3 godz. temu)". */
export function dueText(iso, now = Date.now()) {
  if (!iso) return "—";
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const [value, unit] = abs >= 86400000 ? [Math.round(ms / 86400000), "day"] : abs >= 3600000 ? [Math.round(ms / 3600000), "hour"] : [Math.round(ms / 60000), "minute"];
  const when = relative.format(value, unit);
  return ms < 0 ? `${fmtDate(iso)} (${t("console.overdue")}: ${when})` : `${fmtDate(iso)} (${when})`;
}

export function recurrenceText(rec) {
  const bands = (rec.time_bands || []).map((b) => t(`band.${b}`));
  const days = (rec.days_of_week || []).map((d) => t(`day.${d}`));
  return [bands.join(", "), days.join(", ")].filter(Boolean).join("; ") || "—";
}

const EXT = { "application/pdf": "pdf", "video/3gpp": "3gp", "video/quicktime": "mov", "application/msword": "doc", "text/plain": "txt" };

/** A thumbnail that opens the full photo, or a download button for a video or document. */
export function attachmentLink(a) {
  const id = escapeHtml(a.attachment_id);
  const type = a.content_type || "";
  if (!type || type.startsWith("image/")) {
    return `<li><a href="#" data-open="${id}" class="thumb"><img data-attachment="${id}" alt="${escapeHtml(t("console.photo"))}" width="160" height="120"><span class="visually-hidden"> ${escapeHtml(t("console.openFull"))}</span></a></li>`;
  }
  const ext = EXT[type] || "bin";
  return `<li><a href="#" data-open="${id}" data-download="zalacznik-${id.slice(0, 8)}.${ext}" class="file">⬇ ${escapeHtml(t("console.download", { type: ext.toUpperCase() }))}</a></li>`;
}
