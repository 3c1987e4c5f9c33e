// Plain SVG charts for the operator's report, built with DOM calls (no library, no inline style:
// geometry and colours are SVG attributes set with setAttribute, or classes from homewatch.css).
// Each chart is an <svg role="img"> whose aria-label says what it shows, followed by a table of the
// same figures for screen readers and anyone who prefers numbers.
import { T } from "../lib/texts.js";
import { dayMonth } from "../lib/dates.js";

const NS = "http://www.w3.org/2000/svg";
const H = 260, PAD = { left: 44, right: 14, top: 14, bottom: 56 };
// Drawn at the width it is shown (320-640 px), so its text stays at its real size on a phone.
let W = 640;

function sizeTo(target) {
  W = Math.round(Math.max(300, Math.min(640, target.clientWidth || 640)));
}

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(label, height = H) {
  return el("svg", { viewBox: `0 0 ${W} ${height}`, role: "img", "aria-label": label, class: "hw-chart-svg",
                     preserveAspectRatio: "xMidYMid meet" });
}

/** Every day of the last `days` (ISO dates, oldest first), so days without calls show as gaps. The
 * days are those of `zone` (the homes' wall time, in which the report counts them), not the browser's:
 * a browser on another clock would otherwise drop today's calls or show tomorrow empty. */
export function lastDays(days, zone, now = new Date()) {
  // en-CA writes dates as YYYY-MM-DD; the day at noon UTC then steps back a day at a time.
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  const noon = Date.parse(`${today}T12:00:00Z`);
  const out = [];
  for (let i = days - 1; i >= 0; i -= 1) out.push(new Date(noon - i * 86400000).toISOString().slice(0, 10));
  return out;
}

function niceMax(value) {
  // Four grid steps of 1, 2 or 5 times a power of ten: whole numbers for counts, round minutes.
  if (value <= 4) return 4;
  const raw = value / 4, magnitude = 10 ** Math.floor(Math.log10(raw));
  return 4 * [1, 2, 5, 10].map((m) => m * magnitude).find((step) => step >= raw);
}

function axes(root, days, yMax, yMin, x, y, unit = "") {
  const ticks = 4;
  for (let i = 0; i <= ticks; i += 1) {
    const v = yMin + ((yMax - yMin) * i) / ticks;
    root.append(el("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "hw-grid" }));
    root.append(el("text", { x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end", class: "hw-tick" },
                   `${Math.round(v * 10) / 10}${unit}`));
  }
  const every = Math.max(1, Math.ceil(days.length / Math.floor((W - PAD.left) / 56)));
  days.forEach((day, i) => {
    if ((days.length - 1 - i) % every) return;  // the last day always has its label
    const anchor = i === days.length - 1 ? "end" : i === 0 ? "start" : "middle";  // the ends stay inside
    root.append(el("text", { x: x(i), y: H - PAD.bottom + 16, "text-anchor": anchor, class: "hw-tick" }, dayMonth(day)));
  });
}

function legend(root, series, top = H - 16) {
  let left = PAD.left;
  for (const s of series) {
    const width = 28 + s.label.length * (/[\u4e00-\u9fff]/.test(s.label) ? 13 : 7.5);
    if (left + width > W && left > PAD.left) { left = PAD.left; top += 18; }  // wrap on a narrow chart
    root.append(el("rect", { x: left, y: top - 10, width: 12, height: 12, class: `hw-key ${s.cls}` }));
    root.append(el("text", { x: left + 16, y: top, class: "hw-legend" }, s.label));
    left += width;
  }
  root.setAttribute("viewBox", `0 0 ${W} ${Math.max(H, top + 8)}`);  // room for a wrapped row
}

function table(caption, head, rows) {
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = T("hw.chart.figures");
  const wrap = document.createElement("div");
  wrap.className = "hw-scroll";
  wrap.tabIndex = 0;  // a table wider than a phone scrolls: reachable by keyboard
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", caption);
  const t = document.createElement("table");
  const cap = document.createElement("caption");
  cap.textContent = caption;
  const thead = document.createElement("thead");
  const tr = document.createElement("tr");
  for (const h of head) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; tr.append(th); }
  thead.append(tr);
  const tbody = document.createElement("tbody");
  for (const row of rows) {
    const r = document.createElement("tr");
    for (const value of row) { const td = document.createElement("td"); td.textContent = value ?? "—"; r.append(td); }
    tbody.append(r);
  }
  t.append(cap, thead, tbody);
  wrap.append(t);
  details.append(summary, wrap);
  return details;
}

function empty(target) {
  const p = document.createElement("p");
  p.className = "hw-chart-empty";
  p.textContent = T("hw.chart.none");
  target.replaceChildren(p);
}

/** Per-day rows (GET /api/homewatch/reports?by=day) keyed by date. */
function byDay(rows) { return new Map(rows.map((r) => [r.date, r])); }

const KINDS = [
  { key: "button", cls: "hw-s-button" }, { key: "stay", cls: "hw-s-stay" },
  { key: "inactivity", cls: "hw-s-inactivity" }, { key: "device", cls: "hw-s-device" },
];

/** Calls per day, stacked by kind. */
export function kindsChart(target, rows, days) {
  sizeTo(target);
  const data = byDay(rows);
  const series = KINDS.map((k) => ({ ...k, label: T(`hw.series.${k.key}`) }));
  const totals = days.map((d) => KINDS.reduce((sum, k) => sum + ((data.get(d) || {})[k.key] || 0), 0));
  const total = totals.reduce((a, b) => a + b, 0);
  if (!total) return empty(target);
  const most = Math.max(...totals);
  const label = `${T("hw.chart.kinds")}: ${T("hw.chart.kinds_summary", { days: days.length, total,
    day: dayMonth(days[totals.indexOf(most)]), most })}`;
  const root = svg(label);
  const yMax = niceMax(most);
  const band = (W - PAD.left - PAD.right) / days.length;
  const x = (i) => PAD.left + band * (i + 0.5);
  const y = (v) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * v) / yMax;
  axes(root, days, yMax, 0, x, y);
  days.forEach((day, i) => {
    let base = 0;
    for (const s of series) {
      const v = (data.get(day) || {})[s.key] || 0;
      if (!v) continue;
      const bar = el("rect", { x: x(i) - band * 0.35, width: band * 0.7, y: y(base + v), height: y(base) - y(base + v),
                               class: `hw-bar ${s.cls}` });
      bar.append(el("title", {}, `${dayMonth(day)} ${s.label}: ${v}`));
      root.append(bar);
      base += v;
    }
  });
  legend(root, series);
  target.replaceChildren(root, table(T("hw.chart.kinds"), [T("hw.r.date"), ...series.map((s) => s.label)],
    days.filter((d) => data.has(d)).map((d) => [d, ...KINDS.map((k) => data.get(d)[k.key])])));
}

function lines(target, { title, summary, days, series, values, targets = [], unit = "", yMin = 0, yMax }) {
  const root = svg(`${title}: ${summary}`);
  const x = (i) => PAD.left + ((W - PAD.left - PAD.right) * (days.length === 1 ? 0.5 : i / (days.length - 1)));
  const y = (v) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * (v - yMin)) / (yMax - yMin);
  axes(root, days, yMax, yMin, x, y, unit);
  for (const line of targets) {
    root.append(el("line", { x1: PAD.left, x2: W - PAD.right, y1: y(line.value), y2: y(line.value), class: `hw-target ${line.cls}` }));
    root.append(el("text", { x: PAD.left + 6, y: y(line.value) + line.dy, class: `hw-target-label ${line.cls}` }, line.label));
  }
  for (const s of series) {
    let d = "", pen = false;  // a day without figures lifts the pen: a gap, not a made-up line
    days.forEach((day, i) => {
      const v = values(day, s.key);
      if (v == null) { pen = false; return; }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    if (d) root.append(el("path", { d: d.trim(), class: `hw-line ${s.cls}` }));
    days.forEach((day, i) => {
      const v = values(day, s.key);
      if (v == null) return;
      const dot = el("circle", { cx: x(i), cy: y(v), r: 3.5, class: `hw-dot ${s.cls}` });
      dot.append(el("title", {}, `${dayMonth(day)} ${s.label}: ${v}${unit}`));
      root.append(dot);
    });
  }
  legend(root, series);
  target.replaceChildren(root);
}

/** Taken within 60 s and 180 s (%) per day, against the 98.5 % and 99 % lines. */
export function ackChart(target, rows, days) {
  sizeTo(target);
  const data = byDay(rows);
  const shown = days.filter((d) => data.has(d) && data.get(d).raised);
  if (!shown.length) return empty(target);
  const sum = (key) => shown.reduce((a, d) => a + (data.get(d)[key] || 0), 0);
  const raised = sum("raised");
  const pct = (n) => Math.round((1000 * n) / raised) / 10;
  const series = [{ key: "acknowledged_60s_pct", cls: "hw-s-ack60", label: T("hw.series.ack60") },
                  { key: "acknowledged_180s_pct", cls: "hw-s-ack180", label: T("hw.series.ack180") }];
  const lowest = Math.min(...shown.flatMap((d) => series.map((s) => data.get(d)[s.key] ?? 100)));
  lines(target, {
    title: T("hw.chart.ack"), days, series, unit: "%", yMax: 100, yMin: Math.min(90, Math.floor(lowest / 10) * 10),
    summary: T("hw.chart.ack_summary", { a60: pct(sum("acknowledged_60s")), a180: pct(sum("acknowledged_180s")) }),
    values: (day, key) => (data.get(day) && data.get(day).raised ? data.get(day)[key] : null),
    targets: [{ value: 98.5, cls: "hw-s-ack60", label: T("hw.chart.target60"), dy: 14 },
              { value: 99, cls: "hw-s-ack180", label: T("hw.chart.target180"), dy: -5 }],
  });
  target.append(table(T("hw.chart.ack"), [T("hw.r.date"), T("hw.r.raised"), T("hw.r.ack60"), T("hw.r.ack180")],
    shown.map((d) => [d, data.get(d).raised, data.get(d).acknowledged_60s_pct, data.get(d).acknowledged_180s_pct])));
}

/** Time to arrival per day: median and 90th percentile, in minutes. */
export function arrivalChart(target, rows, days) {
  sizeTo(target);
  const data = byDay(rows);
  const minutes = (s) => (s == null ? null : Math.round(s / 6) / 10);
  const shown = days.filter((d) => data.has(d) && data.get(d).arrival_median_s != null);
  if (!shown.length) return empty(target);
  const series = [{ key: "arrival_median_s", cls: "hw-s-median", label: T("hw.series.median") },
                  { key: "arrival_p90_s", cls: "hw-s-p90", label: T("hw.series.p90") }];
  const top = Math.max(...shown.map((d) => minutes(data.get(d).arrival_p90_s) || 0));
  lines(target, {
    title: T("hw.chart.arrival"), days, series, yMax: niceMax(top || 1), yMin: 0,
    summary: T("hw.chart.arrival_summary", { median: Math.max(...shown.map((d) => minutes(data.get(d).arrival_median_s))), p90: top }),
    values: (day, key) => (data.get(day) ? minutes(data.get(day)[key]) : null),
  });
  target.append(table(T("hw.chart.arrival"), [T("hw.r.date"), T("hw.series.median"), T("hw.series.p90")],
    shown.map((d) => [d, minutes(data.get(d).arrival_median_s), minutes(data.get(d).arrival_p90_s)])));
}

/** False alarms per home (most first), horizontal bars. */
export function falseAlarmChart(target, homes) {
  sizeTo(target);
  const top = homes.filter((h) => h.false_alarms > 0).slice(0, 10);
  if (!top.length) return empty(target);
  const row = 28, height = PAD.top + row * top.length + 10, labelWidth = Math.round(W * 0.45);
  const root = svg(`${T("hw.chart.false_alarms")}: ${T("hw.chart.false_alarms_summary", { address: top[0].address, count: top[0].false_alarms })}`, height);
  const most = niceMax(top[0].false_alarms);
  const scale = (v) => ((W - labelWidth - 40) * v) / most;
  top.forEach((h, i) => {
    const yTop = PAD.top + row * i;
    const fits = Math.floor(labelWidth / 7.5) - 1;
    const name = h.address.length > fits ? `${h.address.slice(0, fits - 1)}…` : h.address;
    root.append(el("text", { x: labelWidth - 8, y: yTop + 17, "text-anchor": "end", class: "hw-tick" }, name));
    const bar = el("rect", { x: labelWidth, y: yTop + 4, height: row - 8, width: Math.max(2, scale(h.false_alarms)), class: "hw-bar hw-s-false" });
    bar.append(el("title", {}, `${h.address}: ${h.false_alarms}`));
    root.append(bar, el("text", { x: labelWidth + scale(h.false_alarms) + 6, y: yTop + 17, class: "hw-tick" }, String(h.false_alarms)));
  });
  target.replaceChildren(root, table(T("hw.chart.false_alarms"), [T("hw.address"), T("hw.r.false_alarms")],
    top.map((h) => [h.address, h.false_alarms])));
}
