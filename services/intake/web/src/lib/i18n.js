// Polish first; English through the language switch (?lang=en, remembered in localStorage).
// The residents' pages (map, report, follow-up, lists) keep their texts in i18n-resident.js,
// the console's edit locks, handovers and beat in i18n-console.js.
import { CONSOLE_TEXTS } from "./i18n-console.js";
import { RESIDENT_TEXTS } from "./i18n-resident.js";

const DICT = {
  pl: {
    "app.title": "Krajowa Mapa Zagrożeń Bezpieczeństwa",
    "skip": "Przejdź do treści",
    "footer": "KMZB: otwarta, zdarzeniowa Krajowa Mapa Zagrożeń Bezpieczeństwa. Granice: Natural Earth (domena publiczna).",
    "footer.nav": "Informacje o serwisie",
    "footer.a11y": "Deklaracja dostępności",
    "footer.terms": "Regulamin i dane osobowe",
    "footer.list": "Lista zagrożeń (bez mapy)",
    "nav.label": "Nawigacja główna",
    "nav.map": "Mapa zagrożeń",
    "nav.dashboard": "Panel operacyjny",
    "nav.deadlines": "Terminowość",
    "nav.console": "Konsola funkcjonariusza",
    "nav.help": "Instrukcja obsługi",
    "lang.switch": "English",
    "lang.switch.label": "Switch to English",
    "notice.emergency": "KMZB nie służy do powiadamiania o zdarzeniach wymagających natychmiastowej interwencji. W nagłych wypadkach dzwoń pod 112 lub 997.",
    "nodata": "brak danych",
    "map.zoomIn": "Przybliż mapę",
    "map.zoomOut": "Oddal mapę",
    "loading": "Wczytywanie…",
    "status.NOWE": "Nowe",
    "status.WERYFIKACJA": "Weryfikacja",
    "status.POTWIERDZONE": "Potwierdzone",
    "status.POTWIERDZONE_WYELIMINOWANE": "Potwierdzone (wyeliminowane)",
    "status.POTWIERDZONE_PRZEKAZANE": "Potwierdzone (przekazane poza Policję)",
    "status.NIEPOTWIERDZONE": "Niepotwierdzone",
    "status.ZART_LUB_POMYLKA": "Żart lub pomyłka",
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
    // officer console: task view, acting, filters
    "console.close": "Zamknij podgląd zadania",
    "console.dismiss": "Ukryj komunikat",
    "console.reports": "Zgłoszenia",
    "console.history": "Historia (od najnowszych)",
    "console.final": "Status końcowy: dalsze zmiany nie są możliwe.",
    "console.changeStatus": "Zmiana statusu",
    "console.assignTitle": "Przydział",
    "console.officer": "Funkcjonariusz",
    "console.assign": "Przydziel",
    "console.take": "Przypisz do mnie",
    "console.internalNote": "Notatka wewnętrzna",
    "console.noteLabel": "Treść notatki (widzą ją tylko funkcjonariusze)",
    "console.addNote": "Dodaj notatkę",
    "console.card": "Pobierz kartę weryfikacji (PDF)",
    "console.filters": "Filtry",
    "console.fStatus": "Status",
    "console.all": "Wszystkie",
    "console.open": "Otwarte",
    "console.fCategory": "Kategoria",
    "console.fUnit": "Jednostka",
    "console.fWho": "Przydział",
    "console.mine": "Przydzielone do mnie",
    "console.unassigned": "Nieprzydzielone",
    "console.fSort": "Kolejność",
    "console.sortOverdue": "Po terminie najpierw",
    "console.sortNewest": "Najnowsze",
    "console.sortOldest": "Najstarsze",
    "console.sortDue": "Najbliższy termin",
    "console.sortReports": "Najwięcej zgłoszeń i +1",
    "console.fOverdue": "Tylko po terminie",
    "console.prev": "Poprzednia",
    "console.next": "Następna",
    "console.page": "Strona {n} z {of}",
    "console.summary": "Na liście: {shown} z {total} zadań",
    "console.countsCaption": "Zadania na liście według jednostek",
    "console.unit": "Jednostka",
    "console.count": "Zadań",
    "console.newTag": "nowe",
    "console.newCount": "Nowe zadania od otwarcia strony: {n}",
    "console.reportsShort": "zgłoszeń: {n}, +1: {c}",
    "console.assignedTo": "przydzielone: {who}",
    "console.taskMissing": "Nie udało się otworzyć zadania.",
    "console.place": "Miejsce",
    "console.unitChain": "Jednostki",
    "console.assignee": "Przydzielone",
    "console.reviewDue": "Termin przeglądu",
    "console.verificationDue": "Termin weryfikacji",
    "console.done": "dotrzymany lub zamknięty",
    "console.reportsAndPlus": "Zgłoszenia i +1",
    "console.reportsLong": "zgłoszeń: {n}, potwierdzeń +1: {c}",
    "console.reportN": "Zgłoszenie {n}",
    "console.noDescription": "bez opisu",
    "console.submitted": "Wysłane",
    "console.occurred": "Zdarzenie",
    "console.recurrence": "Powtarza się",
    "console.chooseStatus": "— wybierz —",
    "console.needsNote": "wymaga notatki",
    "console.hOpened": "Zadanie utworzone",
    "console.hMerged": "Dołączono zgłoszenie",
    "console.hStatus": "Status: {from} → {to}",
    "console.hAssigned": "Przydzielono: {who}",
    "console.hTook": "Przyjęto do realizacji",
    "console.hNote": "Notatka wewnętrzna",
    "console.hEscalated": "Przekroczony termin – eskalacja do: {unit}",
    "console.chooseOfficer": "— wybierz funkcjonariusza —",
    "console.beat": "rejon",
    "console.photo": "Zdjęcie ze zgłoszenia",
    "console.openFull": "(otwórz w pełnym rozmiarze)",
    "console.download": "Pobierz plik {type}",
    "console.photoUnavailable": "Nie udało się pobrać załącznika.",
    "console.cardFailed": "Nie udało się pobrać karty weryfikacji.",
    "console.noteRequired": "Przy tym statusie notatka jest wymagana: co ustalono i dlaczego.",
    "console.noteOptional": "Notatka nieobowiązkowa, do 2000 znaków, zwykły tekst.",
    "console.chooseStatusError": "Wybierz nowy status.",
    "console.savedStatus": "Status zmieniony na: {status}.",
    "console.noteFailed": "Nie udało się dodać notatki.",
    "console.noteSaved": "Notatka dodana do historii.",
    "console.chooseOfficerError": "Wybierz funkcjonariusza z listy.",
    "console.assignFailed": "Nie udało się przydzielić zadania.",
    "console.assigned": "Zadanie przydzielone: {who}.",
    "channel.web": "strona internetowa",
    "channel.open311": "Open311",
    "channel.officer": "funkcjonariusz (kontakt lub debata)",
    "channel.police_system": "systemy policyjne",
  },
  en: {
    "app.title": "National Security Threat Map (KMZB)",
    "skip": "Skip to content",
    "footer": "KMZB: the open, event-driven National Security Threat Map. Boundaries: Natural Earth (public domain).",
    "footer.nav": "About this service",
    "footer.a11y": "Accessibility statement",
    "footer.terms": "Terms and personal data",
    "footer.list": "List of threats (no map)",
    "nav.label": "Main navigation",
    "nav.map": "Threat map",
    "nav.dashboard": "Operations dashboard",
    "nav.deadlines": "Deadlines",
    "nav.console": "Officer console",
    "nav.help": "User guide",
    "lang.switch": "Polski",
    "lang.switch.label": "Przełącz na polski",
    "notice.emergency": "KMZB is not for reporting events that need immediate intervention. In an emergency call 112 or 997.",
    "nodata": "no data",
    "map.zoomIn": "Zoom in",
    "map.zoomOut": "Zoom out",
    "loading": "Loading…",
    "status.NOWE": "New",
    "status.WERYFIKACJA": "Under verification",
    "status.POTWIERDZONE": "Confirmed",
    "status.POTWIERDZONE_WYELIMINOWANE": "Confirmed (eliminated)",
    "status.POTWIERDZONE_PRZEKAZANE": "Confirmed (referred outside the Police)",
    "status.NIEPOTWIERDZONE": "Not confirmed",
    "status.ZART_LUB_POMYLKA": "Joke or mistake",
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
    // officer console: task view, acting, filters
    "console.close": "Close the task view",
    "console.dismiss": "Hide message",
    "console.reports": "Reports",
    "console.history": "History (newest first)",
    "console.final": "Final status: no further changes.",
    "console.changeStatus": "Change status",
    "console.assignTitle": "Assignment",
    "console.officer": "Officer",
    "console.assign": "Assign",
    "console.take": "Assign to me",
    "console.internalNote": "Internal note",
    "console.noteLabel": "Note (seen by officers only)",
    "console.addNote": "Add note",
    "console.card": "Download verification card (PDF)",
    "console.filters": "Filters",
    "console.fStatus": "Status",
    "console.all": "All",
    "console.open": "Open",
    "console.fCategory": "Category",
    "console.fUnit": "Unit",
    "console.fWho": "Assignment",
    "console.mine": "Assigned to me",
    "console.unassigned": "Unassigned",
    "console.fSort": "Order",
    "console.sortOverdue": "Overdue first",
    "console.sortNewest": "Newest",
    "console.sortOldest": "Oldest",
    "console.sortDue": "Nearest deadline",
    "console.sortReports": "Most reports and +1",
    "console.fOverdue": "Overdue only",
    "console.prev": "Previous",
    "console.next": "Next",
    "console.page": "Page {n} of {of}",
    "console.summary": "Listed: {shown} of {total} tasks",
    "console.countsCaption": "Listed tasks by unit",
    "console.unit": "Unit",
    "console.count": "Tasks",
    "console.newTag": "new",
    "console.newCount": "New tasks since the page opened: {n}",
    "console.reportsShort": "reports: {n}, +1: {c}",
    "console.assignedTo": "assigned: {who}",
    "console.taskMissing": "The task could not be opened.",
    "console.place": "Place",
    "console.unitChain": "Units",
    "console.assignee": "Assigned to",
    "console.reviewDue": "Review due",
    "console.verificationDue": "Verification due",
    "console.done": "met or closed",
    "console.reportsAndPlus": "Reports and +1",
    "console.reportsLong": "reports: {n}, +1 confirmations: {c}",
    "console.reportN": "Report {n}",
    "console.noDescription": "no description",
    "console.submitted": "Sent",
    "console.occurred": "Event",
    "console.recurrence": "Recurs",
    "console.chooseStatus": "— choose —",
    "console.needsNote": "needs a note",
    "console.hOpened": "Task opened",
    "console.hMerged": "Report merged",
    "console.hStatus": "Status: {from} → {to}",
    "console.hAssigned": "Assigned: {who}",
    "console.hNote": "Internal note",
    "console.hTook": "Taken on",
    "console.hEscalated": "Deadline missed – escalated to: {unit}",
    "console.chooseOfficer": "— choose an officer —",
    "console.beat": "beat",
    "console.photo": "Photo from the report",
    "console.openFull": "(open full size)",
    "console.download": "Download {type} file",
    "console.photoUnavailable": "The attachment could not be fetched.",
    "console.cardFailed": "The verification card could not be fetched.",
    "console.noteRequired": "This status needs a note: what was found and why.",
    "console.noteOptional": "Optional note, up to 2,000 characters, plain text.",
    "console.chooseStatusError": "Choose the new status.",
    "console.savedStatus": "Status changed to: {status}.",
    "console.noteFailed": "The note could not be added.",
    "console.noteSaved": "Note added to the history.",
    "console.chooseOfficerError": "Choose an officer from the list.",
    "console.assignFailed": "The task could not be assigned.",
    "console.assigned": "Task assigned: {who}.",
    "channel.web": "website",
    "channel.open311": "Open311",
    "channel.officer": "officer (contact or debate)",
    "channel.police_system": "police systems",
  },
};

for (const extra of [RESIDENT_TEXTS, CONSOLE_TEXTS]) {
  for (const [code, texts] of Object.entries(extra)) Object.assign(DICT[code], texts);
}

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

/** Adds a page's own texts (the same keys in both languages) to the dictionary. */
export function addTexts(extra) {
  for (const code of Object.keys(DICT)) Object.assign(DICT[code], extra[code]);
}

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
