// Finding the place of a report: town suggestions and typed or pasted coordinates.
import { getJSON } from "./api.js";

/** Suggestions for typed text (the geo-router's place search: prefix, any case, diacritics optional). */
export async function searchPlaces(text) {
  const r = await getJSON("geo-router", `/api/v1/places?${new URLSearchParams({ q: text, limit: "8" })}`);
  return r.ok && Array.isArray(r.data?.places) ? r.data.places : [];
}

/** "Wieliczka, gm. Wieliczka, pow. wielicki, woj. małopolskie": ambiguous names told apart. */
export function placeLabel(p) {
  const parts = [p.name];
  if (p.gmina) parts.push(`gm. ${p.gmina}`);
  if (p.powiat) parts.push(p.powiat);
  if (p.voivodeship) parts.push(`woj. ${p.voivodeship}`);
  return parts.join(", ");
}

const NUMBER = /^[+-]?\d{1,3}(?:[.,]\d+)?$/;

function number(text) {
  const s = text.trim().replace(/°$/, "");
  return NUMBER.test(s) ? Number(s.replace(",", ".")) : null;
}

function pair(text) {
  const s = text.trim().replace(/°/g, "");
  for (const sep of [/\s*;\s*/, /,\s+/, /\s+/]) {
    const parts = s.split(sep);
    if (parts.length === 2) {
      const [a, b] = parts.map(number);
      if (a !== null && b !== null) return [a, b];
    }
  }
  // "50,0614,19,9366" (decimal commas, no space) or "50.0614,19.9366"
  const m = s.match(/^([+-]?\d{1,3},\d+),([+-]?\d{1,3},\d+)$/) || s.match(/^([+-]?\d{1,3}(?:\.\d+)?),([+-]?\d{1,3}(?:\.\d+)?)$/);
  return m ? [number(m[1]), number(m[2])] : null;
}

/**
 * {lat, lon} from the two fields, accepting a decimal comma; or from one text holding both
 * ("50,0614, 19,9366", "50.0614 19.9366"). Null for anything else.
 */
export function parseCoordinates(latText, lonText = "") {
  let lat;
  let lon;
  if (!lonText.trim()) {
    const both = pair(latText || "");
    if (!both) return null;
    [lat, lon] = both;
  } else {
    lat = number(latText || "");
    lon = number(lonText);
  }
  if (lat === null || lon === null || !Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { lat, lon };
}
