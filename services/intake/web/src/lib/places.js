// A keyboard alternative to clicking the map: the voivodeship capitals and other large towns.
export const PLACES = {
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

export function findPlace(name) {
  const wanted = name.trim().toLocaleLowerCase("pl");
  const hit = Object.keys(PLACES).find((p) => p.toLocaleLowerCase("pl") === wanted);
  return hit ? { name: hit, lat: PLACES[hit][0], lon: PLACES[hit][1] } : null;
}
