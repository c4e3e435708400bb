// Leaflet plugins (markercluster) expect a global L.
import L from "leaflet";

window.L = L;
export default L;
