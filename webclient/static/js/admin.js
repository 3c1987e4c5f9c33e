// The admin screens: departments now; doctors, employer accounts and organisations (create,
// disable, a doctor's department, title and licence number); the figures per department and day
// (SVG charts with labels of at least 12 px and axes that fit what they show); the audit log in pages.
import { T } from "./lib/texts.js";
import { api } from "./lib/api.js";
import { esc, formObject, show, showError, text, toast } from "./lib/dom.js";
import { dateTime, dayMonth } from "./lib/dates.js";
import { department, departments, role } from "./lib/labels.js";
import { table } from "./lib/tables.js";
import "./lib/page.js";

const admin = { stats: null, auditPages: [null], organisations: [] };
const COLOURS = ["#1f6f5c", "#b3261e", "#1f5fa8", "#8a5a00", "#6b3591", "#0b7a68", "#a8440b", "#34495e", "#8c1d46"];
// [key, label, kind]: kind fixes the axis: a count, a rate (0-100 %), a rating (1-5), minutes.
const METRICS = [
  ["claimed", "claimed", "count"], ["completion_rate", "completion_rate", "rate"], ["rating_avg", "satisfaction", "rating"],
  ["wait_median_minutes", "wait_median", "minutes"], ["wait_p90_minutes", "wait_p90", "minutes"],
  ["length_median_minutes", "length_median", "minutes"], ["length_p90_minutes", "length_p90", "minutes"],
  ["poor_quality_calls", "poor_quality_calls", "count"], ["interrupted", "interrupted_calls", "count"],
];

const fmt = (v, digits = 1) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits).replace(/\.0+$/, ""));
const pct = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`);

// ---- departments now --------------------------------------------------------------------------
async function loadDepartments() {
  const box = document.getElementById("admin-content");
  try {
    const depts = await api("GET", "/api/departments");
    box.innerHTML = table([
      { head: T("department"), cell: (d) => esc(d.name) },
      { head: T("waiting_patients"), cell: (d) => String(d.waiting), className: "num" },
      { head: T("available"), cell: (d) => String(d.doctors_available), className: "num" },
      { head: T("estimated_wait"), cell: (d) => (d.doctors_available ? String(d.estimated_wait_minutes) : "–"), className: "num" },
    ], depts);
    document.getElementById("stats-department").innerHTML = `<option value="">${esc(T("all_departments"))}</option>` +
      depts.map((d) => `<option value="${esc(d.code)}">${esc(d.name)}</option>`).join("");
  } catch (e) { box.textContent = e.message; }
}

// ---- people -----------------------------------------------------------------------------------
function departmentSelect(current, id) {
  return `<select class="doctor-department" data-id="${esc(id)}" aria-label="${esc(T("department"))}">` +
    departments().map(([code, name]) => `<option value="${esc(code)}"${code === current ? " selected" : ""}>${esc(name)}</option>`).join("") + "</select>";
}

function stateButton(u) {
  return `<button type="button" class="secondary toggle-account" data-id="${esc(u.id)}" data-name="${esc(u.name)}" data-disabled="${u.disabled}">${esc(T(u.disabled ? "enable" : "disable"))}</button>`;
}

async function loadPeople() {
  const [doctors, employers, organisations] = await Promise.all([
    api("GET", "/api/admin/users?role=doctor"), api("GET", "/api/admin/users?role=employer"), api("GET", "/api/admin/organisations")]);
  admin.organisations = organisations;
  document.getElementById("employer-organisation").innerHTML = organisations.map((o) => `<option value="${esc(o.id)}">${esc(o.name)}</option>`).join("");
  const state = (u) => esc(T(u.disabled ? "account_disabled" : "account_active"));
  document.getElementById("doctor-list").innerHTML = table([
    { head: T("name"), cell: (u) => `<span class="name">${esc(u.name)}</span>` },
    { head: T("email"), cell: (u) => `<span class="name">${esc(u.email || "")}</span>` },
    { head: T("department"), cell: (u) => departmentSelect(u.department, u.id) },
    { head: T("doctor_title"), cell: (u) => `<input class="doctor-title" data-id="${esc(u.id)}" maxlength="50" value="${esc(u.title || "")}" aria-label="${esc(T("doctor_title"))}">` },
    { head: T("licence_number"), cell: (u) => `<input class="doctor-licence" data-id="${esc(u.id)}" maxlength="50" value="${esc(u.licence_number || "")}" aria-label="${esc(T("licence_number"))}">` },
    { head: T("account_state"), cell: (u) => `${state(u)} ${stateButton(u)}` },
  ], doctors, { id: "doctor-table", empty: T("no_data") });
  document.getElementById("employer-list").innerHTML = table([
    { head: T("name"), cell: (u) => `<span class="name">${esc(u.name)}</span>` },
    { head: T("email"), cell: (u) => `<span class="name">${esc(u.email || "")}</span>` },
    { head: T("organisation"), cell: (u) => esc(u.organisation ? u.organisation.name : "") },
    { head: T("account_state"), cell: (u) => `${state(u)} ${stateButton(u)}` },
  ], employers, { id: "employer-table", empty: T("no_data") });
  document.getElementById("organisation-list").innerHTML = table([
    { head: T("name"), cell: (o) => esc(o.name) },
    { head: T("employer_count"), cell: (o) => String(o.employers), className: "num" },
  ], organisations, { empty: T("no_data") });
}

async function change(id, body) {
  try { await api("PATCH", `/api/admin/users/${encodeURIComponent(id)}`, body); toast(T("saved")); await loadPeople(); }
  catch (e) { toast(e.message); }
}

function wirePeople() {
  const create = (formId, build) => document.getElementById(formId).addEventListener("submit", async (event) => {
    event.preventDefault();
    try { await build(formObject(event.target)); event.target.reset(); toast(T("created")); await loadPeople(); }
    catch (e) { showError(formId, e); }
  });
  create("doctor-form", (data) => api("POST", "/api/admin/users", { ...data, role: "doctor" }));
  create("employer-form", (data) => api("POST", "/api/admin/users", { ...data, role: "employer" }));
  create("organisation-form", (data) => api("POST", "/api/admin/organisations", data));
  const people = document.getElementById("admin-people");
  people.addEventListener("change", (e) => {
    const id = e.target.dataset.id;
    if (e.target.matches(".doctor-department")) change(id, { department: e.target.value });
    if (e.target.matches(".doctor-title")) change(id, { title: e.target.value });
    if (e.target.matches(".doctor-licence")) change(id, { licence_number: e.target.value });
  });
  people.addEventListener("click", (e) => {
    const button = e.target.closest(".toggle-account");
    if (!button) return;
    const disable = button.dataset.disabled !== "true";
    if (disable && !window.confirm(T("disable_confirm", { name: button.dataset.name }))) return;
    change(button.dataset.id, { disabled: disable });
  });
}

// ---- charts -----------------------------------------------------------------------------------
function niceStep(max) {
  // 1, 2 or 5 times a power of ten, so that about four steps cover the data.
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
}

function axis(kind, values) {
  // The scale a reader expects: rates 0-100 %, ratings 0-5, counts in whole numbers, no repeated tick.
  if (kind === "rate") return { top: 1, ticks: [0, 0.25, 0.5, 0.75, 1], label: (v) => `${Math.round(v * 100)}%` };
  if (kind === "rating") return { top: 5, ticks: [0, 1, 2, 3, 4, 5], label: (v) => String(v) };
  const max = Math.max(0, ...values);
  const step = kind === "count" ? Math.max(1, Math.ceil(niceStep(Math.max(max, 1)))) : niceStep(Math.max(max, 1));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks = [];
  for (let v = 0; v <= top + 1e-9; v += step) ticks.push(Number(v.toFixed(6)));
  return { top, ticks, label: (v) => fmt(v, 1) };
}

function lineChart(title, dayList, series, kind) {
  const W = 360, H = 190, L = 46, R = 22, T0 = 12, B = 30;
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const { top, ticks, label } = axis(kind, values);
  const x = (i) => L + (dayList.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (dayList.length - 1));
  const y = (v) => H - B - (v / top) * (H - T0 - B);
  const grid = ticks.map((v) => `<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>` +
    `<text x="${L - 6}" y="${(y(v) + 5).toFixed(1)}" text-anchor="end">${esc(label(v))}</text>`).join("");
  // First and last day anchored inside the chart, so no label is cut at the edge.
  const tickDays = [...new Set([0, Math.floor((dayList.length - 1) / 2), dayList.length - 1])];
  const dayTicks = tickDays.map((i) => {
    const anchor = dayList.length === 1 ? "middle" : i === 0 ? "start" : i === dayList.length - 1 ? "end" : "middle";
    return `<text x="${x(i).toFixed(1)}" y="${H - 8}" text-anchor="${anchor}">${esc(dayMonth(dayList[i]))}</text>`;
  }).join("");
  const lines = series.map((s) => {
    let path = ""; let pen = false; const dots = [];
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) { pen = false; return; }
      path += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)} `; pen = true;
      dots.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.colour}"><title>${esc(department(s.department))} ${esc(dayMonth(dayList[i]))}: ${esc(label(v))}</title></circle>`);
    });
    return `<path d="${path}" fill="none" stroke="${s.colour}" stroke-width="2"/>${dots.join("")}`;
  }).join("");
  return `<figure class="chart"><h3>${esc(title)}</h3><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${grid}${dayTicks}${lines}</svg></figure>`;
}

function renderStats() {
  const data = admin.stats;
  const chosen = document.getElementById("stats-department").value;
  const depts = data.departments.filter((d) => !chosen || d.department === chosen);
  const colour = Object.fromEntries(data.departments.map((d, i) => [d.department, COLOURS[i % COLOURS.length]]));
  document.getElementById("stats-legend").innerHTML = depts.map((d) =>
    `<span><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" fill="${esc(colour[d.department])}"/></svg>${esc(department(d.department))}</span>`).join("");
  const charts = document.getElementById("stats-charts");
  if (!depts.length) {
    charts.innerHTML = `<p>${esc(T("no_data"))}</p>`;
    document.getElementById("stats-totals").innerHTML = ""; document.getElementById("stats-days").innerHTML = "";
    return;
  }
  charts.innerHTML = METRICS.map(([key, labelKey, kind]) => {
    const series = depts.map((d) => {
      const byDay = Object.fromEntries(d.days.map((row) => [row.day, row]));
      // A day without consultations has no rate or wait (null) but zero counts.
      return { department: d.department, colour: colour[d.department],
               values: data.day_list.map((day) => (byDay[day] ? byDay[day][key] : (kind === "count" ? 0 : null))) };
    });
    return lineChart(T(labelKey), data.day_list, series, kind);
  }).join("");
  const columns = [
    { head: T("department"), cell: (r) => esc(department(r.department)) },
    { head: T("day"), cell: (r) => esc(r.day) },
    { head: T("claimed"), cell: (r) => String(r.f.claimed), className: "num" },
    { head: T("completed"), cell: (r) => String(r.f.completed), className: "num" },
    { head: T("completion_rate"), cell: (r) => pct(r.f.completion_rate), className: "num" },
    { head: T("satisfaction"), cell: (r) => fmt(r.f.rating_avg, 2), className: "num" },
    { head: T("ratings_count"), cell: (r) => String(r.f.ratings), className: "num" },
    { head: T("wait_median"), cell: (r) => fmt(r.f.wait_median_minutes), className: "num" },
    { head: T("wait_p90"), cell: (r) => fmt(r.f.wait_p90_minutes), className: "num" },
    { head: T("length_median"), cell: (r) => fmt(r.f.length_median_minutes), className: "num" },
    { head: T("length_p90"), cell: (r) => fmt(r.f.length_p90_minutes), className: "num" },
    { head: T("poor_quality_calls"), cell: (r) => `${r.f.poor_quality_calls} / ${r.f.calls_reported}`, className: "num" },
    { head: T("interrupted_calls"), cell: (r) => String(r.f.interrupted), className: "num" },
  ];
  document.getElementById("stats-totals").innerHTML = table(columns,
    depts.map((d) => ({ department: d.department, day: `${dayMonth(data.from)} – ${dayMonth(data.to)}`, f: d.total })));
  document.getElementById("stats-days").innerHTML = table(columns,
    depts.flatMap((d) => d.days.slice().reverse().map((f) => ({ department: d.department, day: dayMonth(f.day), f }))), { id: "stats-day-table" });
}

async function loadStats() {
  const days = document.querySelector("#stats-form [name=days]").value;
  try {
    admin.stats = await api("GET", `/api/admin/stats?days=${encodeURIComponent(days)}`);
    renderStats();
  } catch (e) { document.getElementById("stats-charts").textContent = e.message; }
}

// ---- audit log, in pages ----------------------------------------------------------------------
// The log keeps codes ("record.read"); the screen shows words (server/admin/texts.py).
const auditAction = (action) => T(`act_${String(action).replace(/\./g, "_")}`) || action;
const objectName = (type) => T(`obj_${type}`) || type;

async function loadAudit(page = 0) {
  const params = new URLSearchParams(formObject(document.getElementById("audit-form")));
  params.set("limit", "50");
  if (admin.auditPages[page]) params.set("before", admin.auditPages[page]);
  const body = document.getElementById("audit-rows");
  try {
    const { entries, next_before: next } = await api("GET", `/api/admin/audit?${params}`);
    body.innerHTML = entries.map((e) => `<tr class="${e.allowed ? "" : "refused"}">
      <td>${esc(dateTime(e.at))}</td>
      <td><span class="name">${esc(e.actor_name || "–")}</span> <small>${esc(e.actor_role ? role(e.actor_role) : "")} #${esc(e.actor_id || "–")}</small></td>
      <td>${esc(auditAction(e.action))}</td><td>${esc(objectName(e.object_type))} #${esc(e.object_id || "–")}</td>
      <td>${esc(T(e.allowed ? "allowed_yes" : "allowed_no"))}</td><td>${esc(e.ip || "")}</td></tr>`).join("") ||
      `<tr><td colspan="6">${esc(T("no_data"))}</td></tr>`;
    admin.auditPage = page;
    admin.auditPages[page + 1] = next;
    show("audit-older", !!next); show("audit-newest", page > 0);
    text("audit-page", T("page_n", { n: page + 1 }));
  } catch (e) { body.innerHTML = `<tr><td colspan="6">${esc(e.message)}</td></tr>`; }
}

// ---- second factor: with ADMIN_TOTP_REQUIRED, nothing else opens before it is set up ------------
async function needsTotp() {
  const me = await api("GET", "/api/me"); // also keeps the session's CSRF token for the changes below
  if (!me.totp_enrolment_required) return false;
  document.querySelectorAll("main section.card").forEach((section) => { section.hidden = section.id !== "admin-totp"; });
  document.getElementById("totp-begin").addEventListener("click", async (e) => {
    try {
      const { secret, otpauth_url: url, qr } = await api("POST", "/api/me/totp");
      document.getElementById("totp-qr").src = qr;
      text("totp-secret", secret.replace(/(.{4})/g, "$1 ").trim());
      document.getElementById("totp-link").href = url;
      e.target.hidden = true;
      show("totp-setup");
    } catch (err) { toast(err.message); }
  });
  document.getElementById("totp-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/me/totp/confirm", formObject(event.target));
      toast(T("totp_done"));
      window.location.reload();
    } catch (err) { showError("totp-form", err); }
  });
  return true;
}

document.addEventListener("DOMContentLoaded", async () => {
  if (await needsTotp()) return;
  document.getElementById("stats-form").addEventListener("submit", (e) => { e.preventDefault(); loadStats(); });
  document.getElementById("stats-department").addEventListener("change", () => { if (admin.stats) renderStats(); });
  document.getElementById("audit-form").addEventListener("submit", (e) => { e.preventDefault(); admin.auditPages = [null]; loadAudit(0); });
  document.getElementById("audit-older").addEventListener("click", () => loadAudit(admin.auditPage + 1));
  document.getElementById("audit-newest").addEventListener("click", () => loadAudit(0));
  wirePeople();
  await loadDepartments();
  await Promise.all([loadPeople().catch((e) => toast(e.message)), loadStats(), loadAudit(0)]);
});
