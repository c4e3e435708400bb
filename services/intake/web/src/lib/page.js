// What every page does first: texts in the chosen language and the current page marked in the menu.
import { applyI18n } from "./i18n.js";

export function initPage() {
  applyI18n();
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
