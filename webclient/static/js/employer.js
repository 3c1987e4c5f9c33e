// Employer pages: the dashboard (summary chart, CSV import with progress, staff status, colleagues)
// and the printable invitation list (/employer/invitations). Employers only ever get statuses and dates.
import { LANG, T } from "./lib/texts.js";
import { ApiError, api, apiPage, csrf, loadMe } from "./lib/api.js";
import { esc, formObject, show, showError, text, toast } from "./lib/dom.js";
import { dateTime, dayMonth } from "./lib/dates.js";
import "./lib/page.js";

const PAGE_SIZE = 200; // rows the server sends a page; "show more" asks for the next one
const ALL_PAGE_SIZE = 1000; // the server's largest page, when every row is wanted (invitations)
const INVITE_BATCH = 100; // QR codes are drawn on the server; a batch stays well under its limit
const INVITE_REFS_KEY = "clinic.invite_refs";
// The staff table: rows shown so far, the next page's path (null: none), the summary's counts for the total.
const staffState = { shown: 0, next: null, counts: null, status: "" };

const when = dateTime;
function statusLabel(status) { return T(`emp_st_${status}`); }

// ---- summary and its chart -------------------------------------------------------------------
function drawChart(days) {
  // Stacked bars per day, plain SVG: cleared (green) below not cleared (red).
  const W = 700, H = 220, pad = { l: 36, r: 8, t: 10, b: 40 };
  const max = Math.max(1, ...days.map((d) => d.cleared + d.not_cleared));
  const bw = (W - pad.l - pad.r) / days.length;
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  let bars = "";
  days.forEach((d, i) => {
    const x = pad.l + i * bw + bw * 0.15, w = bw * 0.7;
    const yc = y(d.cleared), yn = y(d.cleared + d.not_cleared);
    bars += `<rect x="${x}" y="${yc}" width="${w}" height="${H - pad.b - yc}" fill="#2e7d32"><title>${esc(d.date)}: ${d.cleared}</title></rect>`;
    bars += `<rect x="${x}" y="${yn}" width="${w}" height="${yc - yn}" fill="#c62828"><title>${esc(d.date)}: ${d.not_cleared}</title></rect>`;
    bars += `<text x="${x + w / 2}" y="${H - pad.b + 14}" font-size="10" text-anchor="middle">${esc(d.date.slice(5))}</text>`;
  });
  const axis = `<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#888"/>` +
    `<text x="${pad.l - 4}" y="${y(max) + 4}" font-size="10" text-anchor="end">${max}</text>` +
    `<text x="${pad.l - 4}" y="${H - pad.b + 4}" font-size="10" text-anchor="end">0</text>`;
  document.getElementById("summary-chart").innerHTML =
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(T("emp_summary_title"))}">${axis}${bars}</svg>` +
    `<p class="legend"><span><i class="swatch cleared"></i>${esc(T("emp_st_cleared"))}</span>` +
    `<span><i class="swatch not-cleared"></i>${esc(T("emp_st_not_cleared"))}</span></p>`;
}

async function loadSummary() {
  const summary = await api("GET", "/api/employer/summary");
  for (const [key, value] of Object.entries(summary.counts)) text(`count-${key}`, String(value));
  staffState.counts = summary.counts;
  showCount();
  drawChart(summary.days);
}

// ---- staff table ------------------------------------------------------------------------------
function staffRow(s) {
  const yes = T("emp_yes"), no = T("emp_no");
  return `<tr data-ref="${esc(s.employee_ref)}"><td><input type="checkbox" class="pick" value="${esc(s.employee_ref)}" aria-label="${esc(T("emp_pick", { name: s.name }))}"></td>` +
    `<td>${esc(s.employee_ref)}</td><td>${esc(s.name)}</td><td>${esc(s.department || "")}</td>` +
    `<td class="status-${esc(s.status)}">${esc(statusLabel(s.status))}</td><td>${esc(when(s.screened_at))}</td>` +
    `<td>${esc(when(s.valid_until))}</td><td>${s.invited ? yes : no}</td><td>${s.bound ? yes : no}</td></tr>`;
}

function showCount() {
  // The total of the filter comes from the summary's counts (the list itself is paged).
  const total = staffState.counts ? staffState.counts[staffState.status || "total"] : staffState.shown;
  text("staff-count", T("emp_showing").replace("{shown}", staffState.shown).replace("{total}", Math.max(total, staffState.shown)));
}

function appendPage({ rows, next }) {
  document.getElementById("staff-rows").insertAdjacentHTML("beforeend", rows.map(staffRow).join(""));
  staffState.shown += rows.length;
  staffState.next = next;
  showCount();
  show("staff-more", next !== null);
}

async function loadStaff() {
  const status = document.getElementById("status-filter").value;
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(status ? { status } : {}) });
  const page = await apiPage(`/api/employer/staff?${query}`);
  Object.assign(staffState, { shown: 0, status });
  document.getElementById("staff-rows").innerHTML = "";
  document.getElementById("select-all").checked = false;
  show("staff-empty", page.rows.length === 0 && !status);
  appendPage(page);
}

async function loadMore() {
  const button = document.getElementById("staff-more");
  if (!staffState.next) return;
  button.disabled = true;
  try { appendPage(await apiPage(staffState.next)); } catch (e) { toast(e.message); } finally { button.disabled = false; }
}

/** Every staff member, page after page (the printable invitations of everyone not linked yet). */
async function allStaff() {
  const rows = [];
  for (let path = `/api/employer/staff?limit=${ALL_PAGE_SIZE}`; path;) {
    const page = await apiPage(path);
    rows.push(...page.rows);
    path = page.next;
  }
  return rows;
}

function openInvitations(refs) {
  sessionStorage.setItem(INVITE_REFS_KEY, JSON.stringify(refs));
  window.location.href = "/employer/invitations";
}

// ---- CSV import with upload progress ----------------------------------------------------------
function uploadCsv(file, onProgress) {
  // XMLHttpRequest rather than fetch: only it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/employer/staff/import");
    xhr.setRequestHeader("X-CSRF-Token", csrf() || "");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Accept-Language", LANG);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.upload.onload = () => onProgress(1);
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body); else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}

function showImportResult(result) {
  text("import-created", String(result.created));
  text("import-updated", String(result.updated));
  text("import-unchanged", String(result.unchanged));
  text("import-error-count", String(result.errors.length));
  const table = document.getElementById("import-errors");
  table.tBodies[0].innerHTML = result.errors.map((e) =>
    `<tr><td>${e.row}</td><td>${esc(T(`emp_col_${e.field}`))}</td><td>${esc(e.message)}</td></tr>`).join("");
  table.hidden = result.errors.length === 0;
  show("import-result");
}

async function onImport(event) {
  event.preventDefault();
  const form = event.target;
  const file = form.elements.file.files[0];
  if (!file) return;
  document.querySelector('.form-error[data-for="import-form"]').hidden = true;
  if (csrf() === null) await loadMe();
  const bar = document.getElementById("import-progress");
  show("import-status"); show("import-result", false);
  bar.value = 0; text("import-phase", T("emp_uploading"));
  form.querySelector("button").disabled = true;
  try {
    const result = await uploadCsv(file, (fraction) => {
      bar.value = Math.round(fraction * 100);
      if (fraction >= 1) { bar.removeAttribute("value"); text("import-phase", T("emp_processing")); }
    });
    bar.value = 100; text("import-phase", "");
    showImportResult(result);
    await Promise.all([loadStaff(), loadSummary()]);
  } catch (e) {
    show("import-status", false);
    showError("import-form", e);
  } finally {
    form.querySelector("button").disabled = false;
  }
}

async function dashboard() {
  document.getElementById("import-form").addEventListener("submit", onImport);
  document.getElementById("status-filter").addEventListener("change", () => loadStaff().catch((e) => toast(e.message)));
  document.getElementById("staff-more").addEventListener("click", loadMore);
  document.getElementById("select-all").addEventListener("change", (e) => {
    document.querySelectorAll("#staff-rows .pick").forEach((box) => { box.checked = e.target.checked; });
  });
  document.getElementById("invite-selected").addEventListener("click", () => {
    const refs = [...document.querySelectorAll("#staff-rows .pick:checked")].map((box) => box.value);
    if (!refs.length) { toast(T("emp_select_first")); return; }
    openInvitations(refs);
  });
  document.getElementById("invite-unlinked").addEventListener("click", () => openInvitations(null));
  document.getElementById("colleague-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const { user } = await api("POST", "/api/employer/colleagues", formObject(event.target));
      event.target.reset();
      toast(`${T("emp_colleague_added")} ${user.name}`);
    } catch (e) { showError("colleague-form", e); }
  });
  try { await Promise.all([loadSummary(), loadStaff()]); } catch (e) { toast(e.message); }
}

// ---- printable invitations --------------------------------------------------------------------
function inviteCard(item) {
  return `<div class="invite-card"><img class="qr" alt="QR" src="${esc(item.qr)}"><div>` +
    `<strong>${esc(item.name)}</strong> <span>(${esc(item.employee_ref)})</span><br>` +
    `<small>${esc(T("inv_scan"))}</small><br><code class="invite-url" translate="no">${esc(item.url)}</code><br>` +
    `<small>${esc(T("inv_expires"))} ${esc(when(item.expires_at))}</small></div></div>`;
}

async function invitationsPage() {
  const box = document.getElementById("invite-cards");
  let refs = JSON.parse(sessionStorage.getItem(INVITE_REFS_KEY) || "null");
  try {
    if (!refs) refs = (await allStaff()).filter((s) => !s.bound).map((s) => s.employee_ref);
    let issued = 0;
    for (let i = 0; i < refs.length; i += INVITE_BATCH) {
      const items = await api("POST", "/api/employer/staff/invitations", { employee_refs: refs.slice(i, i + INVITE_BATCH), qr: true });
      box.insertAdjacentHTML("beforeend", items.map(inviteCard).join(""));
      issued += items.length;
      text("invite-count", T("inv_issued").replace("{n}", issued));
    }
    show("invite-none", issued === 0);
  } catch (e) { toast(e.message); }
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.body.dataset.page === "employer-invitations") invitationsPage();
  else dashboard();
});
