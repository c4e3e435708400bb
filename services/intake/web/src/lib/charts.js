// Charts drawn with Observable Plot (SVG, axes with units), each with its data as a table
// beside it for screen readers and anyone who prefers numbers; sizes follow the container.
import * as Plot from "@observablehq/plot";
import { escapeHtml } from "./basemap.js";
import { formatDate, formatNumber } from "./format.js";

const INK = "#1b1b1b";
const BAR = "#0b4fa8";

function frame(container, { caption, headers, rows }) {
  // The figure holds the chart; the table below it is the same data, collapsed by default.
  container.innerHTML = `<figure class="chart-figure"><div class="chart-plot"></div>`
    + `<figcaption class="visually-hidden">${escapeHtml(caption)}</figcaption></figure>`
    + `<details class="chart-data"><summary>${escapeHtml(headers.summary)}</summary>`
    + `<div class="table-wrap">${tableHtml([headers.label, headers.value], rows)}</div>`
    + `</details>`;
  return container.querySelector(".chart-plot");
}

// The chart is one image with a name (its caption); the table beside it carries the numbers. Plot's
// names of its parts (aria-label on plain groups, which ARIA forbids) become data-mark attributes.
function accessible(svg) {
  svg.setAttribute("role", "img");
  for (const g of svg.querySelectorAll("[aria-label]")) {
    g.dataset.mark = g.getAttribute("aria-label");
    g.removeAttribute("aria-label");
  }
  return svg;
}

function draw(container, holder, render) {
  const paint = () => {
    const width = Math.max(260, Math.floor(holder.clientWidth || container.clientWidth || 320));
    holder.replaceChildren(accessible(render(width)));
  };
  paint();
  // Redraw when the panel changes width (phone rotation, window resize), not on every frame.
  let last = holder.clientWidth;
  new ResizeObserver(() => {
    if (Math.abs(holder.clientWidth - last) > 24) {
      last = holder.clientWidth;
      paint();
    }
  }).observe(container);
}

/** Horizontal bars (label → value); labels wrap inside the left margin instead of being clipped. */
export function barChart(container, rows, { caption, xLabel, headers }) {
  if (!rows.length) return false;
  const holder = frame(container, { caption, headers, rows: rows.map((r) => [r.label, formatNumber(r.value)]) });
  draw(container, holder, (width) => {
    // On a phone the labels go above their bars, at full width, instead of into a narrow margin.
    const narrow = width < 480;
    const marginLeft = narrow ? 8 : 210;
    const band = narrow ? 60 : 32;
    return Plot.plot({
      width,
      height: rows.length * band + 50,
      marginLeft,
      marginRight: 48,
      style: { fontSize: "13px", color: INK, background: "transparent" },
      ariaLabel: caption,
      x: { label: xLabel, labelAnchor: "right", grid: true, tickFormat: (v) => formatNumber(v), ticks: narrow ? 3 : 6 },
      // No implicit y axis: the axisY mark below (wide) or the text above each bar (narrow) labels the bars once.
      y: { label: null, domain: rows.map((r) => r.label), padding: narrow ? 0.55 : 0.2, axis: null },
      marks: [
        Plot.barX(rows, { x: "value", y: "label", fill: BAR }),
        Plot.text(rows, { x: "value", y: "label", text: (r) => formatNumber(r.value), dx: 4, textAnchor: "start", fill: INK }),
        narrow
          ? Plot.text(rows, { x: 0, y: "label", text: "label", dy: -(band * 0.45) / 2 - 3, lineAnchor: "bottom", textAnchor: "start", fill: INK, lineWidth: (width - 30) / 13, className: "kmzb-bar-label" })
          : Plot.axisY({ lineWidth: (marginLeft - 12) / 7, textOverflow: null, tickSize: 0, fontSize: 12, className: "kmzb-bar-label" }),
        Plot.ruleX([0], { stroke: INK }),
      ],
    });
  });
  return true;
}

/** A daily line over time with a y-axis; withheld points (below k) are gaps, not zeros. */
export function lineChart(container, points, { caption, yLabel, xLabel, headers, withheld }) {
  if (points.length < 2) return false;
  const rows = points.map((p) => [formatDate(p.date), p.value == null ? withheld : formatNumber(p.value)]);
  const holder = frame(container, { caption, headers, rows });
  draw(container, holder, (width) => Plot.plot({
    width,
    height: 240,
    marginLeft: 48,
    marginBottom: 40,
    style: { fontSize: "13px", color: INK, background: "transparent" },
    ariaLabel: caption,
    x: { type: "utc", label: xLabel, labelAnchor: "right", ticks: width < 480 ? 2 : 6, tickFormat: (d) => formatDate(d, { day: "numeric", month: "short" }) },
    y: { label: yLabel, labelAnchor: "top", grid: true, zero: true, nice: true, tickFormat: (v) => formatNumber(v) },
    marks: [
      Plot.ruleY([0], { stroke: INK }),
      Plot.lineY(points, { x: "date", y: "value", stroke: BAR, strokeWidth: 2 }),
      Plot.dot(points, { x: "date", y: "value", fill: BAR, r: 2.5 }),
    ],
  }));
  return true;
}

function tableHtml(headers, rows) {
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join("")}</tr>`).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A plain table (first column as row headers); false when there are no rows. */
export function table(container, headers, rows) {
  if (!rows.length) return false;
  container.innerHTML = tableHtml(headers, rows);
  return true;
}
