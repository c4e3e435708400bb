// Polish first; English through the language switch (?lang=en, remembered in localStorage).
// The residents' pages (map, report, follow-up, lists) keep their texts in i18n-resident.js.
import { RESIDENT_TEXTS } from "./i18n-resident.js";

const DICT = {
  pl: {
    "app.title": "Krajowa Mapa Zagrożeń Bezpieczeństwa",
    "skip": "Przejdź do treści",
    "footer": "KMZB: otwarta, zdarzeniowa Krajowa Mapa Zagrożeń Bezpieczeństwa. Granice: Natural Earth (domena publiczna).",
    "nav.label": "Nawigacja główna",
    "nav.map": "Mapa zagrożeń",
    "nav.dashboard": "Panel operacyjny",
    "nav.console": "Konsola funkcjonariusza",
    "nav.help": "Instrukcja obsługi",
    "lang.switch": "English",
    "lang.switch.label": "Switch to English",
    "notice.emergency": "KMZB nie służy do powiadamiania o zdarzeniach wymagających natychmiastowej interwencji. W nagłych wypadkach dzwoń pod 112 lub 997.",
    "nodata": "brak danych",
    "loading": "Wczytywanie…",
    "status.NOWE": "Nowe",
    "status.WERYFIKACJA": "Weryfikacja",
    "status.POTWIERDZONE": "Potwierdzone",
    "status.POTWIERDZONE_WYELIMINOWANE": "Potwierdzone (wyeliminowane)",
    "status.POTWIERDZONE_PRZEKAZANE": "Potwierdzone (przekazane poza Policję)",
    "status.NIEPOTWIERDZONE": "Niepotwierdzone",
    "status.ZART_LUB_POMYLKA": "Żart lub pomyłka",
    "dash.title": "Panel operacyjny",
    "dash.hotspots": "Hotspoty (Gi*) w siatce heksagonalnej",
    "dash.hex.count": "Heksagony na mapie: {n}",
    "dash.categories": "Zgłoszenia według kategorii",
    "dash.trends": "Trendy",
    "dash.units": "Jednostki: przyjęte i zaległe",
    "dash.patrols": "Rekomendacje patroli",
    "dash.top": "Najgorętsze heksagony",
    "dash.cell": "Komórka H3", "dash.total": "Zgłoszenia", "dash.z": "Gi* z",
    "dash.unit": "Jednostka", "dash.intake": "Nowe dziś", "dash.overdue": "Po terminie",
    "dash.units.login": "zaloguj się w konsoli funkcjonariusza",
    "dash.window": "Okno czasowe", "window.7d": "7 dni", "window.28d": "28 dni",
    "dash.unitFilter": "Jednostka (np. KMP-1261)",
    "console.title": "Konsola funkcjonariusza",
    "console.login": "Logowanie",
    "console.username": "Login",
    "console.password": "Hasło",
    "console.signin": "Zaloguj",
    "console.signout": "Wyloguj",
    "console.loginFailed": "Logowanie nieudane. Sprawdź login i hasło.",
    "console.loginUnavailable": "Logowanie chwilowo niedostępne.",
    "console.hello": "Zalogowano: {name} ({units})",
    "console.tasks": "Zadania moich jednostek",
    "console.none": "Brak zadań.",
    "console.overdue": "po terminie",
    "console.status": "Nowy status",
    "console.note": "Notatka",
    "console.save": "Zmień status",
    "console.saved": "Status zmieniony.",
    "console.saveFailed": "Nie udało się zmienić statusu.",
    "console.live": "Na żywo",
    "console.task": "Zadanie",
    "console.created": "Utworzone",
  },
  en: {
    "app.title": "National Security Threat Map (KMZB)",
    "skip": "Skip to content",
    "footer": "KMZB: the open, event-driven National Security Threat Map. Boundaries: Natural Earth (public domain).",
    "nav.label": "Main navigation",
    "nav.map": "Threat map",
    "nav.dashboard": "Operations dashboard",
    "nav.console": "Officer console",
    "nav.help": "User guide",
    "lang.switch": "Polski",
    "lang.switch.label": "Przełącz na polski",
    "notice.emergency": "KMZB is not for reporting events that need immediate intervention. In an emergency call 112 or 997.",
    "nodata": "no data",
    "loading": "Loading…",
    "status.NOWE": "New",
    "status.WERYFIKACJA": "Under verification",
    "status.POTWIERDZONE": "Confirmed",
    "status.POTWIERDZONE_WYELIMINOWANE": "Confirmed (eliminated)",
    "status.POTWIERDZONE_PRZEKAZANE": "Confirmed (referred outside the Police)",
    "status.NIEPOTWIERDZONE": "Not confirmed",
    "status.ZART_LUB_POMYLKA": "Joke or mistake",
    "dash.title": "Operations dashboard",
    "dash.hotspots": "Hotspots (Gi*) on a hexagonal grid",
    "dash.hex.count": "Hexagons on the map: {n}",
    "dash.categories": "Reports by category",
    "dash.trends": "Trends",
    "dash.units": "Units: intake and overdue",
    "dash.patrols": "Patrol recommendations",
    "dash.top": "Hottest hexagons",
    "dash.cell": "H3 cell", "dash.total": "Reports", "dash.z": "Gi* z",
    "dash.unit": "Unit", "dash.intake": "New today", "dash.overdue": "Overdue",
    "dash.units.login": "sign in to the officer console",
    "dash.window": "Window", "window.7d": "7 days", "window.28d": "28 days",
    "dash.unitFilter": "Unit (e.g. KMP-1261)",
    "console.title": "Officer console",
    "console.login": "Sign in",
    "console.username": "Username",
    "console.password": "Password",
    "console.signin": "Sign in",
    "console.signout": "Sign out",
    "console.loginFailed": "Sign-in failed. Check the username and password.",
    "console.loginUnavailable": "Sign-in is unavailable right now.",
    "console.hello": "Signed in: {name} ({units})",
    "console.tasks": "My units' tasks",
    "console.none": "No tasks.",
    "console.overdue": "overdue",
    "console.status": "New status",
    "console.note": "Note",
    "console.save": "Change status",
    "console.saved": "Status changed.",
    "console.saveFailed": "Could not change the status.",
    "console.live": "Live",
    "console.task": "Task",
    "console.created": "Created",
  },
};

for (const [code, texts] of Object.entries(RESIDENT_TEXTS)) Object.assign(DICT[code], texts);

function detect() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (fromUrl === "pl" || fromUrl === "en") {
    try { localStorage.setItem("kmzb.lang", fromUrl); } catch { /* private mode */ }
    return fromUrl;
  }
  try {
    const stored = localStorage.getItem("kmzb.lang");
    if (stored === "pl" || stored === "en") return stored;
  } catch { /* private mode */ }
  return "pl";
}

export const lang = detect();

export function t(key, vars = {}) {
  const text = DICT[lang][key] ?? DICT.pl[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** Fills elements marked data-i18n (text) and data-i18n-attr ("attr:key;attr:key"). */
export function applyI18n(root = document) {
  document.documentElement.lang = lang;
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-attr]").forEach((el) => {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  });
  root.querySelectorAll("[data-lang]").forEach((el) => { el.hidden = el.dataset.lang !== lang; });
  const sw = document.getElementById("lang-switch");
  if (sw) {
    const other = lang === "pl" ? "en" : "pl";
    const url = new URL(location.href);
    url.searchParams.set("lang", other);
    sw.href = url.pathname + url.search;
    sw.setAttribute("lang", other);
  }
}

/** A number in the reader's locale (pl-PL: decimal comma). */
export function formatNumber(n, options = {}) {
  return new Intl.NumberFormat(lang === "en" ? "en-GB" : "pl-PL", { useGrouping: false, ...options }).format(n);
}

/** A distance in metres as "120 m" or "1,2 km". */
export function formatDistance(metres) {
  if (metres == null || !Number.isFinite(Number(metres))) return "";
  const m = Number(metres);
  return m < 1000 ? `${formatNumber(Math.round(m / 10) * 10)} m` : `${formatNumber(m / 1000, { maximumFractionDigits: 1 })} km`;
}
