// The doctor's workspace: the live department queue, duty status, take next, and during a call the
// call beside the patient's answers with the record beside it (record.js). Keyboard: Alt+N takes
// the next patient; Ctrl+Enter in the record ends the consultation.
import { T } from "./lib/texts.js";
import { api, loadMe } from "./lib/api.js";
import { esc, show, showError, text, toast } from "./lib/dom.js";
import { connectSocket } from "./lib/socket.js";
import { dateTime } from "./lib/dates.js";
import { COLON, level, list, medication, series, sex } from "./lib/labels.js";
import { table } from "./lib/tables.js";
import { alertUser, askNotifications } from "./lib/alerts.js";
import { ConsultCall } from "./call.js";
import { RecordPanel } from "./record.js";
import "./triage/feedback.js";
import "./care/doctor-care.js";
import "./care/guest-call.js";
import "./lib/page.js";

const doc = { socket: null, call: null, consultationId: null, alerts: 0, entries: [], status: "offline" };

function words(w) {
  // The patient's own words first, then what they ticked: what a doctor reads before taking them.
  if (!w) return "";
  const parts = [];
  if (w.free_text) parts.push(`<p class="words">“${esc(w.free_text)}”</p>`);
  if (w.symptoms.length) parts.push(`<p>${esc(T("symptoms"))}${COLON}${esc(list(w.symptoms))}</p>`);
  if (w.duration_days != null) parts.push(`<p>${esc(T("duration"))}${COLON}${esc(T("n_days", { n: w.duration_days }))}</p>`);
  if (w.chronic.length) parts.push(`<p>${esc(T("chronic_conditions"))}${COLON}${esc(list(w.chronic))}</p>`);
  return parts.join("");
}

function precheck(p) {
  if (!p) return `<p class="meta">${esc(T("precheck_none"))}</p>`;
  const ok = p.camera && p.microphone;
  return `<p class="meta">${esc(T("precheck"))}${COLON}${esc(T(ok ? "precheck_devices_ok" : "precheck_devices_missing"))}${p.rtt_ms != null ? ` · ${Math.round(p.rtt_ms)} ms` : ""}</p>`;
}

function renderQueue(data) {
  doc.entries = data.entries;
  const offline = doc.status === "offline";
  document.getElementById("queue-rows").innerHTML = data.entries.map((e) => `
    <li class="queue-item level-${e.level}${e.overdue ? " overdue" : ""}" data-entry="${esc(e.id)}">
      <h3><span>${e.position}. <span class="name">${esc(e.patient.name)}</span>${e.patient.age_years != null ? ` · ${esc(T("age_n", { n: e.patient.age_years }))}` : ""}${e.patient.sex ? ` · ${esc(sex(e.patient.sex))}` : ""}</span>
        <span class="level-badge">${esc(level(e.level))}</span></h3>
      <p class="meta">${esc(T("waited_of_target", { n: e.waited_minutes, target: e.target_wait_minutes ?? "" }))}${e.overdue ? ` · <strong>${esc(T("overdue"))}</strong>` : ""}</p>
      ${words(e.words)}
      ${(e.triage.red_flags || []).concat(e.triage.reasons || []).length ? `<ul>${(e.triage.red_flags || []).concat(e.triage.reasons || []).map((r) => `<li>${esc(r.text)}</li>`).join("")}</ul>` : ""}
      ${precheck(e.precheck)}
      <button type="button" class="take-entry" data-entry="${esc(e.id)}"${offline ? " disabled" : ""}>${esc(T("take"))}</button>
    </li>`).join("");
  text("waiting-count", data.entries.length);
  show("queue-empty", data.entries.length === 0);
  document.querySelectorAll(".take-entry").forEach((b) => b.addEventListener("click", () => take(b.dataset.entry)));
}

let refreshTimer = null;
function refreshQueue() {
  // Coalesce bursts of queue:update into one read.
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => { try { renderQueue(await api("GET", "/api/doctor/queue")); } catch (e) { toast(e.message); } }, 150);
}

function setStatus(status) {
  // An offline doctor cannot take anyone: the buttons say so rather than failing on the server.
  doc.status = status;
  document.getElementById("doctor-status").value = status;
  document.getElementById("take-next").disabled = status === "offline";
  show("offline-note", status === "offline");
  document.querySelectorAll(".take-entry").forEach((b) => { b.disabled = status === "offline"; });
}

async function take(entryId) {
  if (doc.status === "offline" || doc.call) return;
  try {
    const consultation = await api("POST", "/api/doctor/claim", entryId ? { entry_id: entryId } : {});
    await enterCall(consultation.id);
  } catch (e) { toast(e.message); }
}

function renderBanner(c) {
  const b = c.banner || {};
  const flags = [b.first_visit ? T("first_visit") : T("follow_up_visit")];
  if (b.guardian_present) flags.push(T("guardian_present"));
  else if (b.guardian_required) flags.push(T("guardian_required"));
  doc.banner = b;
  document.getElementById("patient-banner").innerHTML = `
    <p class="who" id="banner-name"><span class="name">${esc(c.patient.name)}</span>${b.age_years != null ? ` · ${esc(T("age_n", { n: b.age_years }))}` : ""}${b.sex ? ` · ${esc(sex(b.sex))}` : ""}
      ${flags.map((f) => `<span class="flag">${esc(f)}</span>`).join("")}</p>
    <dl>
      <dt>${esc(T("allergies"))}</dt><dd id="banner-allergies" class="${(b.allergies || []).length ? "allergy" : ""}">${esc((b.allergies || []).length ? list(b.allergies) : T("allergies_none_known"))}</dd>
      <dt>${esc(T("current_medicines"))}</dt><dd id="banner-medicines">${esc(T("loading"))}</dd>
    </dl>`;
}

function renderMedicines(history) {
  // Current medicines: what the doctor recorded in this visit, else those of earlier
  // consultations here whose course has not run out yet.
  const recorded = (doc.banner && doc.banner.current_medicines) || [];
  const now = Date.now();
  const current = history.flatMap((h) => h.medications.filter((m) => !m.days || new Date(h.started_at).getTime() + m.days * 86400000 > now));
  const lines = recorded.length ? recorded : current.map(medication);
  text("banner-medicines", lines.length ? series(lines) : T("medicines_none_known"));
}

function renderTriage(consultation) {
  const t = consultation.triage || {};
  document.getElementById("patient-triage").innerHTML = `
    <h2>${esc(T("patient_answers"))} · ${esc(level(t.level ?? "-"))}</h2>
    ${words((consultation.banner || {}).words)}
    <ul>${(t.red_flags || []).concat(t.reasons || []).map((r) => `<li>${esc(r.text)}</li>`).join("")}</ul>`;
}

async function enterCall(consultationId) {
  if (doc.call && doc.call.id === String(consultationId)) return;
  doc.consultationId = String(consultationId);
  show("step-call", true); show("record-panel", true);
  document.getElementById("workspace").classList.add("in-call");
  doc.call = new ConsultCall({ socket: doc.socket, consultationId, role: "doctor", onEnded: leaveCall });
  doc.call.onFiles = () => RecordPanel.refreshFiles();
  RecordPanel.mount(consultationId, { onHistory: renderMedicines });
  const consultation = await doc.call.start();
  renderBanner(consultation);
  renderTriage(consultation);
  if (RecordPanel.history) renderMedicines(RecordPanel.history);
  document.querySelector("#record-form textarea").focus({ preventScroll: true });
}

async function refreshHistory() {
  // The doctor's recent consultations; a summary page is where corrections (amendments) are made.
  try {
    const items = (await api("GET", "/api/consultations/history")).slice(0, 20);
    document.getElementById("history-rows").innerHTML = table([
      { head: T("day"), cell: (c) => esc(dateTime(c.started_at)) },
      { head: T("name"), cell: (c) => `<span class="name">${esc(c.patient)}</span>` },
      { head: T("diagnosis"), cell: (c) => esc(c.diagnosis || T("reason_" + (c.end_reason || c.status))) },
      { head: T("summary"), cell: (c) => (c.status === "ended" && c.diagnosis ? `<a href="/consultations/${esc(c.id)}/summary">${esc(T("open_summary"))}</a>` : "") },
    ], items, { empty: T("no_consultations") });
  } catch (e) { /* the list is a convenience; the queue matters more */ }
}

function leaveCall() {
  doc.call = null; doc.consultationId = null;
  show("interrupted-actions", false);
  refreshHistory();
  show("step-call", false); show("record-panel", false);
  document.getElementById("workspace").classList.remove("in-call");
  document.getElementById("record-form").reset();
  refreshQueue();
}

function onAlert(alert) {
  // Alerts name the patient (from the event, else from the queue on screen).
  doc.alerts += 1;
  const entry = doc.entries.find((e) => e.id === alert.entry_id);
  const name = alert.patient_name || (entry && entry.patient.name) || "";
  const message = name ? T(`alert_${alert.kind}_named`, { name }) : T(`alert_${alert.kind}`);
  const urgent = alert.kind === "escalated" || alert.level <= 2;
  alertUser(message, { urgent, tag: `clinic-${alert.kind}-${alert.entry_id}` });
  document.title = `(${doc.alerts}) ${T("doctor_dashboard")}`;
  toast(message, urgent ? 15000 : 6000);
  text("last-alert", message);
  refreshQueue();
}

document.addEventListener("DOMContentLoaded", async () => {
  const me = await loadMe();
  setStatus(me.status || "offline");
  doc.socket = connectSocket();
  doc.socket.on("queue:update", refreshQueue);
  doc.socket.on("queue:alert", onAlert);
  doc.socket.on("consult:ready", (m) => enterCall(m.consultation_id));
  doc.socket.on("consult:notified", (m) => { if (doc.call && doc.call.id === m.consultation_id) { doc.call.notifiedAt = m.at; doc.call.showNotified(m.at); } });
  doc.socket.on("connect", refreshQueue);
  window.addEventListener("focus", () => { doc.alerts = 0; document.title = T("doctor_dashboard"); });

  document.getElementById("doctor-status").addEventListener("change", async (e) => {
    try { setStatus((await api("POST", "/api/doctor/status", { status: e.target.value })).status); refreshQueue(); }
    catch (err) { toast(err.message); }
  });
  document.getElementById("take-next").addEventListener("click", () => take(null));
  document.addEventListener("keydown", (e) => { if (e.altKey && (e.key === "n" || e.key === "N")) { e.preventDefault(); take(null); } });
  document.getElementById("enable-alerts").addEventListener("click", askNotifications);
  document.getElementById("auto-assign").checked = !!me.auto_assign;
  document.getElementById("auto-assign").addEventListener("change", async (e) => {
    try { await api("POST", "/api/doctor/status", { status: doc.status, auto_assign: e.target.checked }); }
    catch (err) { toast(err.message); }
  });
  const handBack = async (path, body) => {
    try { await api("POST", `/api/consultations/${doc.consultationId}/${path}`, body); if (doc.call) doc.call.finish("returned"); }
    catch (e) { toast(e.message); }
  };
  document.getElementById("btn-return").addEventListener("click", () => handBack("return"));
  document.getElementById("btn-transfer").addEventListener("click", () => handBack("transfer", { department: document.getElementById("transfer-department").value }));
  document.getElementById("btn-call-back").addEventListener("click", async () => {
    try { await api("POST", `/api/consultations/${doc.consultationId}/recall`); show("interrupted-actions", false); }
    catch (e) { toast(e.message); }
  });
  const form = document.getElementById("record-form");
  form.addEventListener("keydown", (e) => { if (e.ctrlKey && e.key === "Enter") { e.preventDefault(); form.requestSubmit(); } });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await RecordPanel.submitEnd();
      if (doc.call) doc.call.finish();
    } catch (e) { showError("record-form", e); }
  });
  refreshQueue();
  refreshHistory();
  try { const current = await api("GET", "/api/consultations/current"); await enterCall(current.id); }
  catch (e) { if (e.status !== 404) toast(e.message); }
});
