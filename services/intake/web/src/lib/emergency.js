// The emergency words of the intake (GET /api/v1/emergency/keywords), to warn while a resident
// types. The text is folded as the intake folds it (domain/emergency.py): lower case, ł → l,
// combining marks removed; a stem matches at the start of a word.
import { getJSON } from "./api.js";

export function fold(text) {
  return text.toLowerCase().replaceAll("ł", "l").normalize("NFKD").replace(/\p{M}/gu, "");
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A detector {matches(text)}, or null when the list cannot be fetched (the intake still warns). */
export async function loadEmergencyWords() {
  const r = await getJSON("intake", "/api/v1/emergency/keywords");
  if (!r.ok || !Array.isArray(r.data?.stems) || !r.data.stems.length) return null;
  const alternatives = r.data.stems.map((s) => escapeRegExp(s).replace(/ /g, "\\s+")).join("|");
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})`, "u");
  return { matches: (text) => Boolean(text) && pattern.test(fold(text)) };
}
