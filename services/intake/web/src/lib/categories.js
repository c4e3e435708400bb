// Names of the intake's categories (GET /api/v1/categories) in the page language.
import { lang } from "./i18n.js";

/** A catalogue entry's name in the page language. */
export const localName = (c) => (lang === "en" ? c.name_en : c.name_pl);

/** The name of `code` from the catalogue `categories` (an array, or a Map by code), else `fallback`. */
export function categoryName(categories, code, fallback = code) {
  const c = categories instanceof Map ? categories.get(code) : categories.find((x) => x.code === code);
  return c ? localName(c) : fallback;
}
