// Public statuses, their colours and symbols: status is never told by colour alone (WCAG 1.4.1),
// each has a symbol on its pin, in the legend and in the list view.
export const STATUS_COLOURS = {
  NOWE: "#1a7f37",
  WERYFIKACJA: "#d4a017",
  POTWIERDZONE: "#c62828",
  POTWIERDZONE_WYELIMINOWANE: "#6a1b9a",
  POTWIERDZONE_PRZEKAZANE: "#1565c0",
  NIEPOTWIERDZONE: "#757575",
  ZART_LUB_POMYLKA: "#424242",
};
export const STATUS_SYMBOLS = {
  NOWE: "+",
  WERYFIKACJA: "?",
  POTWIERDZONE: "!",
  POTWIERDZONE_WYELIMINOWANE: "✓",
  POTWIERDZONE_PRZEKAZANE: "→",
  NIEPOTWIERDZONE: "–",
  ZART_LUB_POMYLKA: "×",
};
const DARK_SYMBOL = new Set(["WERYFIKACJA"]);

export const PUBLIC_STATUSES = ["NOWE", "WERYFIKACJA", "POTWIERDZONE", "POTWIERDZONE_WYELIMINOWANE", "POTWIERDZONE_PRZEKAZANE", "NIEPOTWIERDZONE"];

/** A status's colour and symbol as a badge (hidden from screen readers: the label beside it names the status). */
export function statusBadge(status, className) {
  const colour = STATUS_COLOURS[status] || "#757575";
  const ink = DARK_SYMBOL.has(status) ? "#1b1b1b" : "#fff";
  return `<span class="${className}" style="background:${colour};color:${ink}" aria-hidden="true">${STATUS_SYMBOLS[status] || ""}</span>`;
}

/** The legend's (and filters') sample of a status: its colour and its symbol. */
export function statusLegendItem(status) {
  return statusBadge(status, "status-badge");
}
