// The offline basemap: Poland and its 16 voivodeships from our own static data; an optional
// tile server only when one is configured (none by default, so nothing is fetched elsewhere).
import L from "./leaflet.js";
import { tileConfig } from "./api.js";
import { t } from "./i18n.js";
import { PLACES } from "./places.js";

export const POLAND = { center: [52.07, 19.48], zoom: 6 };

export const STATUS_COLOURS = {
  NOWE: "#1a7f37",
  WERYFIKACJA: "#d4a017",
  POTWIERDZONE: "#c62828",
  POTWIERDZONE_WYELIMINOWANE: "#6a1b9a",
  POTWIERDZONE_PRZEKAZANE: "#1565c0",
  NIEPOTWIERDZONE: "#757575",
  ZART_LUB_POMYLKA: "#424242",
};
export const PUBLIC_STATUSES = ["NOWE", "WERYFIKACJA", "POTWIERDZONE", "POTWIERDZONE_WYELIMINOWANE", "POTWIERDZONE_PRZEKAZANE", "NIEPOTWIERDZONE"];

export async function createMap(element, { center = POLAND.center, zoom = POLAND.zoom } = {}) {
  const map = L.map(element, { center, zoom, minZoom: 5, maxZoom: 18, zoomSnap: 0.5 });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  const tiles = tileConfig();
  if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(map);
  element.setAttribute("aria-label", t("map.label"));
  try {
    const resp = await fetch("/static/data/outlines.geojson");
    const outlines = await resp.json();
    L.geoJSON(outlines, {
      interactive: false,
      attribution: t("map.attribution"),
      style: (f) => f.properties.kind === "country"
        ? { color: "#1f3b73", weight: 2, fillColor: "#eef3fb", fillOpacity: tiles.url ? 0 : 1 }
        : { color: "#5b6f99", weight: 1, dashArray: "4 3", fill: false },
    }).addTo(map);
  } catch {
    // the map still works on tiles or with no background
  }
  if (!tiles.url) townLabels(map);
  return map;
}

/** A status-coloured marker that keyboard users can reach and screen readers can name. */
export function statusMarker(lat, lon, status, title, extraClass = "") {
  const colour = STATUS_COLOURS[status] || "#757575";
  const icon = L.divIcon({
    className: `kmzb-pin ${extraClass}`.trim(),
    html: `<span class="kmzb-pin-dot" style="background:${colour}"></span>`,
    iconSize: [20, 20],
    iconAnchor: [10, 10],
  });
  return L.marker([lat, lon], { icon, title, alt: title, keyboard: true, riseOnHover: true });
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Town names for orientation on the offline basemap, from zoom 7 up. */
function townLabels(map) {
  const layer = L.layerGroup();
  for (const [name, [lat, lon]] of Object.entries(PLACES)) {
    L.circleMarker([lat, lon], { radius: 3, color: "#1f3b73", weight: 1, fillOpacity: 1, interactive: false })
      // Below the markers (shadowPane), so threats and clusters stay readable over the names.
      .bindTooltip(name, { permanent: true, direction: "right", className: "kmzb-town", interactive: false, pane: "shadowPane" })
      .addTo(layer);
  }
  const toggle = () => (map.getZoom() >= 7 ? layer.addTo(map) : layer.remove());
  map.on("zoomend", toggle);
  toggle();
}
