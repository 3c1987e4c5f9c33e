// Admin dashboard: departments now, the figures per department and day (inline SVG charts, no
// library), and the audit log with filters.
import { T } from "./lib/texts.js";
import { api } from "./lib/api.js";
import { esc, formObject, text, toast } from "./lib/dom.js";
import { dateTime, dayMonth } from "./lib/dates.js";
import { auditAction, department, role } from "./lib/labels.js";
import { table } from "./lib/tables.js";
import "./lib/page.js";

const admin = { names: {}, stats: null };
const COLOURS = ["#1f6f5c", "#c0392b", "#2e86c1", "#b9770e", "#7d3c98", "#117a65", "#d35400", "#34495e", "#a93226"];
const METRICS = [
  ["claimed", "claimed", 0], ["completion_rate", "completion_rate", 2], ["rating_avg", "satisfaction", 2],
  ["wait_median_minutes", "wait_median", 1], ["wait_p90_minutes", "wait_p90", 1],
  ["length_median_minutes", "length_median", 1], ["length_p90_minutes", "length_p90", 1],
  ["poor_quality_calls", "poor_quality_calls", 0], ["interrupted", "interrupted_calls", 0],
];

const fmt = (v, digits = 1) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits).replace(/\.0+$/, ""));
const pct = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`);
const deptName = (code) => admin.names[code] || code;

async function loadDepartments() {
  const box = document.getElementById("admin-content");
  try {
    const depts = await api("GET", "/api/departments");
    depts.forEach((d) => { admin.names[d.code] = d.name; });
    box.innerHTML = `<table><thead><tr><th>${esc(T("department"))}</th><th>${esc(T("waiting_patients"))}</th><th>${esc(T("available"))}</th><th>${esc(T("estimated_wait"))}</th></tr></thead><tbody>` +
      depts.map((d) => `<tr><td>${esc(d.name)}</td><td>${d.waiting}</td><td>${d.doctors_available}</td><td>${d.estimated_wait_minutes}</td></tr>`).join("") + "</tbody></table>";
    const select = document.getElementById("stats-department");
    select.innerHTML = `<option value="">${esc(T("all_departments"))}</option>` +
      depts.map((d) => `<option value="${esc(d.code)}">${esc(d.name)}</option>`).join("");
  } catch (e) { box.textContent = e.message; }
}

// One small line chart: x = the days of the window, one line per department; null values leave gaps.
function lineChart(title, dayList, series, digits) {
  const W = 320, H = 150, L = 34, R = 8, T0 = 10, B = 22;
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = values.length ? Math.max(...values) : 0;
  const top = max > 0 ? max * 1.1 : 1;
  const x = (i) => L + (dayList.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (dayList.length - 1));
  const y = (v) => H - B - (v / top) * (H - T0 - B);
  const grid = [0, top / 2, top].map((v) => `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e9e7"/>` +
    `<text x="${L - 4}" y="${y(v) + 3}" text-anchor="end">${esc(fmt(v, digits))}</text>`).join("");
  const ticks = [0, Math.floor((dayList.length - 1) / 2), dayList.length - 1].filter((v, i, a) => a.indexOf(v) === i)
    .map((i) => `<text x="${x(i)}" y="${H - 6}" text-anchor="middle">${esc(dayList[i].slice(5))}</text>`).join("");
  const lines = series.map((s) => {
    let path = ""; let pen = false; const dots = [];
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) { pen = false; return; }
      path += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)} `; pen = true;
      dots.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.2" fill="${s.colour}"><title>${esc(deptName(s.department))} ${esc(dayList[i])}: ${esc(fmt(v, digits))}</title></circle>`);
    });
    return `<path d="${path}" fill="none" stroke="${s.colour}" stroke-width="1.6"/>${dots.join("")}`;
  }).join("");
  return `<figure class="chart"><h3>${esc(title)}</h3><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${grid}${ticks}${lines}</svg></figure>`;
}

function renderStats() {
  const data = admin.stats;
  const chosen = document.getElementById("stats-department").value;
  const departments = data.departments.filter((d) => !chosen || d.department === chosen);
  const colour = Object.fromEntries(data.departments.map((d, i) => [d.department, COLOURS[i % COLOURS.length]]));
  document.getElementById("stats-legend").innerHTML = departments.map((d) =>
    `<span><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" fill="${esc(colour[d.department])}"/></svg>${esc(deptName(d.department))}</span>`).join("");
  const charts = document.getElementById("stats-charts");
  if (!departments.length) {
    charts.innerHTML = `<p>${esc(T("no_data"))}</p>`;
    document.getElementById("stats-totals").innerHTML = ""; document.getElementById("stats-days").innerHTML = "";
    return;
  }
  charts.innerHTML = METRICS.map(([key, label, digits]) => {
    const series = departments.map((d) => {
      const byDay = Object.fromEntries(d.days.map((row) => [row.day, row]));
      // A day without consultations has no rate or wait (null) but zero counts.
      const counted = ["claimed", "poor_quality_calls", "interrupted"].includes(key);
      return { department: d.department, colour: colour[d.department],
               values: data.day_list.map((day) => (byDay[day] ? byDay[day][key] : (counted ? 0 : null))) };
    });
    return lineChart(T(label), data.day_list, series, digits);
  }).join("");

  const head = `<tr><th>${esc(T("department"))}</th>` + ["day", "claimed", "completed", "completion_rate", "satisfaction", "ratings_count",
    "wait_median", "wait_p90", "length_median", "length_p90", "poor_quality_calls", "interrupted_calls"]
    .map((k, i) => `<th${i ? ' class="num"' : ""}>${esc(T(k))}</th>`).join("") + "</tr>";
  const row = (dept, day, f) => `<tr><td>${esc(deptName(dept))}</td><td>${esc(day)}</td><td class="num">${f.claimed}</td><td class="num">${f.completed}</td>
    <td class="num">${pct(f.completion_rate)}</td><td class="num">${fmt(f.rating_avg, 2)}</td><td class="num">${f.ratings}</td>
    <td class="num">${fmt(f.wait_median_minutes)}</td><td class="num">${fmt(f.wait_p90_minutes)}</td>
    <td class="num">${fmt(f.length_median_minutes)}</td><td class="num">${fmt(f.length_p90_minutes)}</td>
    <td class="num">${f.poor_quality_calls} / ${f.calls_reported}</td><td class="num">${f.interrupted}</td></tr>`;
  document.getElementById("stats-totals").innerHTML = `<table><thead>${head}</thead><tbody>` +
    departments.map((d) => row(d.department, `${data.from} – ${data.to}`, d.total)).join("") + "</tbody></table>";
  document.getElementById("stats-days").innerHTML = `<table id="stats-day-table"><thead>${head}</thead><tbody>` +
    departments.flatMap((d) => d.days.slice().reverse().map((f) => row(d.department, f.day, f))).join("") + "</tbody></table>";
}

async function loadStats() {
  const days = document.querySelector("#stats-form [name=days]").value;
  try {
    admin.stats = await api("GET", `/api/admin/stats?days=${encodeURIComponent(days)}`);
    renderStats();
  } catch (e) { document.getElementById("stats-charts").textContent = e.message; }
}

async function loadAudit() {
  const params = new URLSearchParams(formObject(document.getElementById("audit-form")));
  const body = document.getElementById("audit-rows");
  try {
    const { entries } = await api("GET", `/api/admin/audit?${params}`);
    body.innerHTML = entries.map((e) => `<tr class="${e.allowed ? "" : "refused"}">
      <td>${esc(dateTime(e.at))}</td>
      <td>${esc(e.actor_name || "-")} <small>${esc(e.actor_role || "")} #${esc(e.actor_id || "-")}</small></td>
      <td>${esc(e.action)}</td><td>${esc(e.object_type)} #${esc(e.object_id || "-")}</td>
      <td>${esc(T(e.allowed ? "allowed_yes" : "allowed_no"))}</td><td>${esc(e.ip || "")}</td></tr>`).join("") ||
      `<tr><td colspan="6">${esc(T("no_data"))}</td></tr>`;
  } catch (e) { body.innerHTML = `<tr><td colspan="6">${esc(e.message)}</td></tr>`; }
}

document.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("stats-form").addEventListener("submit", (e) => { e.preventDefault(); loadStats(); });
  document.getElementById("stats-department").addEventListener("change", () => { if (admin.stats) renderStats(); });
  document.getElementById("audit-form").addEventListener("submit", (e) => { e.preventDefault(); loadAudit(); });
  await loadDepartments();
  await Promise.all([loadStats(), loadAudit()]);
});
