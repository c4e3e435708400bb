// What every page does first: texts in the chosen language and the current page marked in the menu.
import { applyI18n, lang } from "./i18n.js";

const pick = (path) => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), window.KMZB_CONFIG || {});

/**
 * Fills elements marked data-config="a.b" with the deployment's facts from /config.js (data-config-kind:
 * date, email or tel); a row marked data-config-row whose value is empty is removed.
 */
function fillConfig() {
  for (const el of document.querySelectorAll("[data-config]")) {
    const value = pick(el.dataset.config);
    if (value == null || value === "") {
      el.closest("[data-config-row]")?.remove();
      continue;
    }
    const kind = el.dataset.configKind;
    if (kind === "date") {
      el.dateTime = value;
      el.textContent = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "pl-PL", { dateStyle: "long", timeZone: "UTC" }).format(new Date(value));
    } else if (kind === "email" || kind === "tel") {
      el.href = `${kind === "email" ? "mailto" : "tel"}:${String(value).replace(/\s+/g, "")}`;
      el.textContent = value;
    } else {
      el.textContent = value;
    }
  }
}

export function initPage() {
  applyI18n();
  fillConfig();
  for (const link of document.querySelectorAll("nav a[href]")) {
    if (new URL(link.href, location.href).pathname === location.pathname) link.setAttribute("aria-current", "page");
  }
}

/** Writes a message into a live region so screen readers announce it. */
export function announce(id, text, kind = "info") {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text;
  el.dataset.kind = kind;
}
