// Finding the place of a report: town suggestions (and street addresses when a geocoder is
// configured) and typed or pasted coordinates.
import { geocoderConfig, getJSON } from "./api.js";
import { lang, t } from "./i18n.js";

async function offlinePlaces(text) {
  const r = await getJSON("geo-router", `/api/v1/places?${new URLSearchParams({ q: text, limit: "8" })}`);
  return r.ok && Array.isArray(r.data?.places) ? r.data.places : [];
}

/**
 * Street addresses from a Nominatim-compatible geocoder (format=jsonv2, Poland only). Throws when it
 * fails or does not answer within the configured time, so the caller falls back.
 */
async function geocode(text, { url, timeoutMs }) {
  const q = new URLSearchParams({ q: text, format: "jsonv2", countrycodes: "pl", limit: "5", "accept-language": lang });
  const resp = await fetch(`${url}?${q}`, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: "application/json" } });
  if (!resp.ok) throw new Error(`geocoder ${resp.status}`);
  const rows = await resp.json();
  if (!Array.isArray(rows)) throw new Error("geocoder answer is not a list");
  return rows
    .map((row) => ({ name: String(row.display_name || "").split(", ").slice(0, 4).join(", "), lat: Number(row.lat), lon: Number(row.lon), address: true }))
    .filter((p) => p.name && Number.isFinite(p.lat) && Number.isFinite(p.lon));
}

/**
 * Suggestions for typed text: the geo-router's offline place search (prefix, any case, diacritics
 * optional) and, for text with a house number when a geocoder is configured, street addresses first.
 * Resolves to {places, notice}; notice says when the geocoder failed and only towns are offered.
 */
export async function searchPlaces(text) {
  const geocoder = geocoderConfig();
  const offline = offlinePlaces(text);
  if (!geocoder.url || !/\d/.test(text)) return { places: await offline, notice: "" };
  try {
    const addresses = await geocode(text, geocoder);
    return { places: [...addresses, ...(await offline)], notice: "" };
  } catch {
    return { places: await offline, notice: t("report.geocoder.failed") };
  }
}

/** "Wieliczka, gm. Wieliczka, pow. wielicki, woj. małopolskie": ambiguous names told apart. */
export function placeLabel(p) {
  const parts = [p.name];
  if (p.gmina) parts.push(`gm. ${p.gmina}`);
  // A city with powiat rights is its own powiat: "Kraków, woj. małopolskie", "Grzegórzki, Kraków, …".
  if (p.powiat && p.powiat !== p.name) parts.push(p.powiat);
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
