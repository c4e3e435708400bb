// The offline basemap: Poland and its 16 voivodeships from our own static data; an optional
// tile server only when one is configured (none by default, so nothing is fetched elsewhere).
import L from "./leaflet.js";
import { tileConfig } from "./api.js";
import { t } from "./i18n.js";
import { statusBadge } from "./status.js";

export const POLAND = { center: [52.07, 19.48], zoom: 6 };

// Large towns named on the offline basemap, for orientation (not a place search).
const TOWNS = {
  "Białystok": [53.1325, 23.1688], "Bydgoszcz": [53.1235, 18.0084], "Częstochowa": [50.8118, 19.1203],
  "Gdańsk": [54.352, 18.6466], "Gdynia": [54.5189, 18.5305], "Gliwice": [50.2945, 18.6714],
  "Gorzów Wielkopolski": [52.7368, 15.2288], "Katowice": [50.2649, 19.0238], "Kielce": [50.8661, 20.6286],
  "Koszalin": [54.1944, 16.1722], "Kraków": [50.0614, 19.9366], "Lublin": [51.2465, 22.5684],
  "Łódź": [51.7592, 19.456], "Olsztyn": [53.7784, 20.4801], "Opole": [50.6751, 17.9213],
  "Płock": [52.5463, 19.7065], "Poznań": [52.4064, 16.9252], "Radom": [51.4027, 21.1471],
  "Rzeszów": [50.0412, 21.9991], "Szczecin": [53.4285, 14.5528], "Tarnów": [50.0121, 20.9858],
  "Toruń": [53.0138, 18.5984], "Warszawa": [52.2297, 21.0122], "Wrocław": [51.1079, 17.0385],
  "Zielona Góra": [51.9356, 15.5062],
};

export async function createMap(element, { center = POLAND.center, zoom = POLAND.zoom } = {}) {
  const map = L.map(element, { center, zoom, minZoom: 5, maxZoom: 18, zoomSnap: 0.5, zoomControl: false });
  // Leaflet's own zoom buttons are named in English ("Zoom in"): named in the page's language.
  L.control.zoom({ zoomInTitle: t("map.zoomIn"), zoomOutTitle: t("map.zoomOut") }).addTo(map);
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

/** A status-coloured marker with the status symbol that keyboard users can reach and screen readers can name. */
export function statusMarker(lat, lon, status, title, extraClass = "") {
  const icon = L.divIcon({
    className: `kmzb-pin ${extraClass}`.trim(),
    html: statusBadge(status, "kmzb-pin-dot"),
    // 44 px: the touch target around the 20 px dot.
    iconSize: [44, 44],
    iconAnchor: [22, 22],
  });
  const marker = L.marker([lat, lon], { icon, title, alt: title, keyboard: true, riseOnHover: true });
  // A div icon has no alt: its badge symbol ("+", "?") would be the button's whole name.
  marker.on("add", () => marker.getElement()?.setAttribute("aria-label", title));
  return marker;
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Town names for orientation on the offline basemap, from zoom 7 up. */
function townLabels(map) {
  const layer = L.layerGroup();
  for (const [name, [lat, lon]] of Object.entries(TOWNS)) {
    L.circleMarker([lat, lon], { radius: 3, color: "#1f3b73", weight: 1, fillOpacity: 1, interactive: false })
      // Below the markers (shadowPane), so threats and clusters stay readable over the names.
      .bindTooltip(name, { permanent: true, direction: "right", className: "kmzb-town", interactive: false, pane: "shadowPane" })
      .addTo(layer);
  }
  const toggle = () => (map.getZoom() >= 7 ? layer.addTo(map) : layer.remove());
  map.on("zoomend", toggle);
  toggle();
}
