// Small SVG charts without a chart library; each has a text alternative (role=img + label).
import { escapeHtml } from "./basemap.js";

export function barChart(container, rows, { label }) {
  if (!rows.length) return false;
  const max = Math.max(...rows.map((r) => r.value), 1);
  const rowH = 22;
  const width = 520;
  const labelW = 230;
  const h = rows.length * rowH + 4;
  const bars = rows.map((r, i) => {
    const w = Math.max(1, ((width - labelW - 50) * r.value) / max);
    const y = i * rowH + 2;
    return `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${escapeHtml(r.label)}</text>`
      + `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" fill="#0b4fa8"></rect>`
      + `<text x="${labelW + w + 4}" y="${y + 15}">${r.value}</text>`;
  }).join("");
  const summary = `${label}: ${rows.map((r) => `${r.label} ${r.value}`).join(", ")}`;
  container.innerHTML = `<svg viewBox="0 0 ${width} ${h}" role="img" aria-label="${escapeHtml(summary)}">${bars}</svg>`;
  return true;
}

export function lineChart(container, points, { label }) {
  if (points.length < 2) return false;
  const width = 520;
  const height = 200;
  const pad = 30;
  const max = Math.max(...points.map((p) => p.value), 1);
  const x = (i) => pad + (i * (width - 2 * pad)) / (points.length - 1);
  const y = (v) => height - pad - (v * (height - 2 * pad)) / max;
  const path = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  const first = points[0];
  const last = points[points.length - 1];
  const summary = `${label}: ${first.label} ${first.value} … ${last.label} ${last.value}`;
  container.innerHTML = `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(summary)}">`
    + `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#4a4a4a"></line>`
    + `<path d="${path}" fill="none" stroke="#0b4fa8" stroke-width="2"></path>`
    + `<text x="${pad}" y="${height - 8}">${escapeHtml(first.label)}</text>`
    + `<text x="${width - pad}" y="${height - 8}" text-anchor="end">${escapeHtml(last.label)}</text>`
    + `<text x="${pad}" y="${pad - 10}">max ${max}</text></svg>`;
  return true;
}

export function table(container, headers, rows) {
  if (!rows.length) return false;
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("");
  container.innerHTML = `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  return true;
}
