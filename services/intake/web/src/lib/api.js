// Calls to the KMZB services. Every call resolves (never throws): pages show "brak danych"
// when a service or an endpoint is missing rather than breaking.
import { lang } from "./i18n.js";

const config = window.KMZB_CONFIG || { services: {} };

export function serviceUrl(service, path) {
  const base = service === "intake" ? "" : config.services[service] || "";
  return base + path;
}

export async function call(service, path, { method = "GET", body, token, form, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", "Accept-Language": lang, ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (form) {
    init.body = form;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    const resp = await fetch(serviceUrl(service, path), init);
    let data = null;
    const type = resp.headers.get("content-type") || "";
    if (type.includes("json")) data = await resp.json().catch(() => null);
    return { ok: resp.ok, status: resp.status, data };
  } catch {
    return { ok: false, status: 0, data: null };
  }
}

export const getJSON = (service, path, opts) => call(service, path, opts);

/** The message of a KMZB error body (asked in the page language), or the fallback. */
export function errorMessage(data, fallback) {
  const err = data && data.error;
  if (err && err.message) {
    const detail = (err.details || []).map((d) => d.message).filter(Boolean).join("; ");
    return detail ? `${err.message} (${detail})` : err.message;
  }
  if (data && Array.isArray(data.detail) && data.detail[0]?.msg) return data.detail[0].msg;
  return fallback;
}

export const tileConfig = () => ({ url: config.tileUrl || null, attribution: config.tileAttribution || "" });

/** The optional street-address geocoder: {url, attribution, timeoutMs}; url null when off. */
export const geocoderConfig = () => ({ url: null, attribution: "", timeoutMs: 4000, ...config.geocoder });

/** The longest description the intake accepts, in characters (kmzb_intake.domain.validation.MAX_DESCRIPTION). */
export const maxDescription = () => config.maxDescription || 500;

/** The largest box an alert feed covers, [degrees of longitude, of latitude] (kmzb_contracts.FEED_MAX_SPAN). */
export const feedMaxSpan = () => config.feedMaxSpan || [0, 0];

/** Features of a response that may be GeoJSON, {items|threats|tasks: [...]} or a plain list. */
export function asItems(data) {
  if (!data) return [];
  if (Array.isArray(data)) return data;
  if (Array.isArray(data.features)) {
    return data.features.map((f) => ({
      ...f.properties,
      lat: f.properties?.lat ?? f.geometry?.coordinates?.[1],
      lon: f.properties?.lon ?? f.geometry?.coordinates?.[0],
    }));
  }
  for (const key of ["items", "threats", "tasks", "results"]) if (Array.isArray(data[key])) return data[key];
  return [];
}
