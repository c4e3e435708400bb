// Numbers, dates and plural forms in the page language (pl-PL first): Intl does the work.
import { lang } from "./i18n.js";

const LOCALE = lang === "en" ? "en-GB" : "pl-PL";
const rules = new Intl.PluralRules(LOCALE);
const numbers = new Map();

/** 1234,5 in Polish, 1,234.5 in English; `digits` decimals at most. */
export function formatNumber(value, digits = 0) {
  if (!numbers.has(digits)) numbers.set(digits, new Intl.NumberFormat(LOCALE, { maximumFractionDigits: digits }));
  return numbers.get(digits).format(Number(value));
}

/** A date as the reader writes it (default: 3 gru 2026 / 3 Dec 2026), in Polish time. */
export function formatDate(date, options = { day: "numeric", month: "short", year: "numeric" }) {
  return new Intl.DateTimeFormat(LOCALE, { timeZone: "Europe/Warsaw", ...options }).format(date);
}

/**
 * The form of a word for a count: forms is {one, few, many, other} (Polish uses one/few/many,
 * English one/other); "{n}" in the chosen form is replaced by the formatted count.
 */
export function plural(n, forms) {
  const form = forms[rules.select(n)] ?? forms.other ?? forms.many;
  return form.replace("{n}", formatNumber(n));
}
