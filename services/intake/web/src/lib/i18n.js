// Polish first; English through the language switch (?lang=en, remembered in localStorage).
const DICT = {
  pl: {
    "app.title": "Krajowa Mapa Zagrożeń Bezpieczeństwa",
    "skip": "Przejdź do treści",
    "footer": "KMZB: otwarta, zdarzeniowa Krajowa Mapa Zagrożeń Bezpieczeństwa. Granice: Natural Earth (domena publiczna).",
    "embed.title": "Mapa zagrożeń jednostki",
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
    "map.label": "Mapa zagrożeń",
    "map.attribution": "Granice: Natural Earth (domena publiczna)",
    "map.threats.none": "Brak danych o zagrożeniach na mapie.",
    "map.threats.count": "Zagrożenia na mapie: {n}",
    "filters.title": "Filtry",
    "filters.category": "Kategoria",
    "filters.all": "Wszystkie kategorie",
    "filters.status": "Status",
    "filters.period": "Okres",
    "period.7": "Ostatnie 7 dni",
    "period.30": "Ostatnie 30 dni",
    "period.90": "Ostatnie 90 dni",
    "period.365": "Ostatni rok",
    "legend.title": "Legenda",
    "status.NOWE": "Nowe",
    "status.WERYFIKACJA": "Weryfikacja",
    "status.POTWIERDZONE": "Potwierdzone",
    "status.POTWIERDZONE_WYELIMINOWANE": "Potwierdzone (wyeliminowane)",
    "status.POTWIERDZONE_PRZEKAZANE": "Potwierdzone (przekazane poza Policję)",
    "status.NIEPOTWIERDZONE": "Niepotwierdzone",
    "status.ZART_LUB_POMYLKA": "Żart lub pomyłka",
    "report.title": "Zgłoś zagrożenie",
    "report.intro": "Kliknij miejsce na mapie albo wpisz miejscowość lub współrzędne.",
    "report.place": "Miejscowość",
    "report.place.hint": "Np. Kraków; wybór ustawia współrzędne centrum miejscowości.",
    "report.place.unknown": "Nie znamy tej miejscowości. Wpisz współrzędne.",
    "report.lat": "Szerokość geograficzna",
    "report.lon": "Długość geograficzna",
    "report.category": "Kategoria zagrożenia",
    "report.category.choose": "Wybierz kategorię",
    "report.description": "Opis (opcjonalnie, do 500 znaków)",
    "report.chars": "Pozostało znaków: {n}",
    "report.occurred": "Data i godzina zdarzenia (opcjonalnie)",
    "report.recurrence": "Zagrożenie się powtarza (opcjonalnie)",
    "report.bands": "Pora dnia",
    "report.days": "Dni tygodnia",
    "band.rano": "rano (6–10)", "band.dzien": "w dzień (10–16)", "band.popoludnie": "po południu (16–20)",
    "band.wieczor": "wieczorem (20–24)", "band.noc": "w nocy (0–6)",
    "day.1": "pon.", "day.2": "wt.", "day.3": "śr.", "day.4": "czw.", "day.5": "pt.", "day.6": "sob.", "day.7": "niedz.",
    "report.attachments": "Załączniki (opcjonalnie: do 3 plików, razem do 5 MB; JPG, PDF, 3GP, MOV, DOC, TXT)",
    "report.attachments.tooMany": "Można dołączyć najwyżej 3 pliki o łącznym rozmiarze do 5 MB.",
    "report.attachments.failed": "Zgłoszenie przyjęto, ale załączników nie udało się przesłać.",
    "report.terms": "Akceptuję regulamin i rozumiem, że KMZB nie służy do powiadamiania o nagłych zdarzeniach.",
    "report.submit": "Wyślij zgłoszenie",
    "report.sending": "Wysyłanie…",
    "report.accepted": "Dziękujemy! Zgłoszenie przyjęte. Numer: {id}.",
    "report.routed": "Zgłoszenie trafiło do jednostki: {unit}.",
    "report.mine": "Twoje zgłoszenie",
    "report.error": "Nie udało się wysłać zgłoszenia.",
    "report.needLocation": "Wskaż miejsce na mapie albo wpisz współrzędne.",
    "report.needCategory": "Wybierz kategorię zagrożenia.",
    "report.needTerms": "Zaakceptuj regulamin.",
    "report.located": "Wybrano miejsce: {lat}, {lon}.",
    "dup.title": "Podobne zgłoszenia w pobliżu",
    "dup.intro": "Jeśli to samo zagrożenie, potwierdź je zamiast zgłaszać ponownie.",
    "dup.plus": "+1 potwierdzam",
    "dup.done": "Dziękujemy za potwierdzenie.",
    "dup.failed": "Nie udało się potwierdzić.",
    "embed.open": "Otwórz pełną mapę i zgłoś zagrożenie",
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
    "embed.title": "The unit's threat map",
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
    "map.label": "Threat map",
    "map.attribution": "Boundaries: Natural Earth (public domain)",
    "map.threats.none": "No threat data on the map.",
    "map.threats.count": "Threats on the map: {n}",
    "filters.title": "Filters",
    "filters.category": "Category",
    "filters.all": "All categories",
    "filters.status": "Status",
    "filters.period": "Period",
    "period.7": "Last 7 days", "period.30": "Last 30 days", "period.90": "Last 90 days", "period.365": "Last year",
    "legend.title": "Legend",
    "status.NOWE": "New",
    "status.WERYFIKACJA": "Under verification",
    "status.POTWIERDZONE": "Confirmed",
    "status.POTWIERDZONE_WYELIMINOWANE": "Confirmed (eliminated)",
    "status.POTWIERDZONE_PRZEKAZANE": "Confirmed (referred outside the Police)",
    "status.NIEPOTWIERDZONE": "Not confirmed",
    "status.ZART_LUB_POMYLKA": "Joke or mistake",
    "report.title": "Report a threat",
    "report.intro": "Click a place on the map or type a town or coordinates.",
    "report.place": "Town",
    "report.place.hint": "E.g. Kraków; choosing one sets the coordinates of its centre.",
    "report.place.unknown": "Unknown town. Type the coordinates.",
    "report.lat": "Latitude",
    "report.lon": "Longitude",
    "report.category": "Threat category",
    "report.category.choose": "Choose a category",
    "report.description": "Description (optional, up to 500 characters)",
    "report.chars": "Characters left: {n}",
    "report.occurred": "Date and time (optional)",
    "report.recurrence": "The threat recurs (optional)",
    "report.bands": "Time of day",
    "report.days": "Days of the week",
    "band.rano": "morning (6–10)", "band.dzien": "daytime (10–16)", "band.popoludnie": "afternoon (16–20)",
    "band.wieczor": "evening (20–24)", "band.noc": "night (0–6)",
    "day.1": "Mon", "day.2": "Tue", "day.3": "Wed", "day.4": "Thu", "day.5": "Fri", "day.6": "Sat", "day.7": "Sun",
    "report.attachments": "Attachments (optional: up to 3 files, 5 MB in total; JPG, PDF, 3GP, MOV, DOC, TXT)",
    "report.attachments.tooMany": "At most 3 files of 5 MB in total.",
    "report.attachments.failed": "The report was accepted but the attachments could not be uploaded.",
    "report.terms": "I accept the terms of use and understand that KMZB is not for emergencies.",
    "report.submit": "Send the report",
    "report.sending": "Sending…",
    "report.accepted": "Thank you! Report accepted. Number: {id}.",
    "report.routed": "The report went to: {unit}.",
    "report.mine": "Your report",
    "report.error": "The report could not be sent.",
    "report.needLocation": "Pick a place on the map or type the coordinates.",
    "report.needCategory": "Choose a threat category.",
    "report.needTerms": "Accept the terms of use.",
    "report.located": "Place chosen: {lat}, {lon}.",
    "dup.title": "Similar reports nearby",
    "dup.intro": "If it is the same threat, confirm it instead of reporting it again.",
    "dup.plus": "+1 confirm",
    "dup.done": "Thank you for confirming.",
    "dup.failed": "Could not confirm.",
    "embed.open": "Open the full map and report a threat",
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
