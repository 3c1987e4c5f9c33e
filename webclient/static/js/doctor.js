// The doctor's dashboard: live department queue, duty status, take next, the call and the record.
"use strict";

const doc = { socket: null, call: null, consultationId: null, alerts: 0 };

function renderQueue(data) {
  const rows = document.getElementById("queue-rows");
  rows.innerHTML = data.entries.map((e) => `
    <tr data-entry="${esc(e.id)}" class="level-${e.level}${e.overdue ? " overdue" : ""}">
      <td>${e.position}</td><td>${e.level}</td>
      <td>${esc(e.patient.name)}${e.patient.age_years != null ? ` (${esc(e.patient.age_years)})` : ""}</td>
      <td>${e.waited_minutes}${e.overdue ? ` <strong>${esc(T("overdue"))}</strong>` : ""}</td>
      <td><small>${esc(e.why_here)}</small><ul>${(e.triage.reasons || []).map((r) => `<li>${esc(r.text)}</li>`).join("")}</ul>
        ${e.precheck ? `<small>${esc(T("precheck"))}: ${e.precheck.camera ? "📷" : "✗"} ${e.precheck.microphone ? "🎤" : "✗"} ${e.precheck.rtt_ms ?? "-"} ms</small>` : ""}</td>
      <td><button type="button" class="take-entry" data-entry="${esc(e.id)}">${esc(T("take"))}</button></td>
    </tr>`).join("");
  text("waiting-count", data.entries.length);
  show("queue-empty", data.entries.length === 0);
  rows.querySelectorAll(".take-entry").forEach((b) => { b.onclick = () => take(b.dataset.entry); });
}

let refreshTimer = null;
function refreshQueue() {
  // Coalesce bursts of queue:update into one read.
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => { try { renderQueue(await api("GET", "/api/doctor/queue")); } catch (e) { toast(e.message); } }, 150);
}

async function take(entryId) {
  try {
    const consultation = await api("POST", "/api/doctor/claim", entryId ? { entry_id: entryId } : {});
    await enterCall(consultation.id);
  } catch (e) { toast(e.message); }
}

function renderTriage(consultation) {
  const t = consultation.triage || {};
  document.getElementById("patient-triage").innerHTML = `
    <h2>${esc(consultation.patient.name)} · ${esc(T("level"))} ${t.level ?? "-"}</h2>
    <ul>${(t.red_flags || []).concat(t.reasons || []).map((r) => `<li>${esc(r.text)}</li>`).join("")}</ul>`;
}

async function enterCall(consultationId) {
  if (doc.call && doc.call.id === String(consultationId)) return;
  doc.consultationId = String(consultationId);
  show("step-call", true);
  doc.call = new ConsultCall({ socket: doc.socket, consultationId, role: "doctor", onEnded: leaveCall });
  RecordPanel.mount(consultationId);
  renderTriage(await doc.call.start());
}

async function refreshHistory() {
  // The doctor's recent consultations; a summary page is where corrections (amendments) are made.
  try {
    const items = await api("GET", "/api/consultations/history");
    document.getElementById("history-rows").innerHTML = items.slice(0, 20).map((c) => `
      <tr><td>${esc(new Date(c.started_at).toLocaleString(window.LANG === "zh" ? "zh-CN" : "en"))}</td>
        <td>${esc(c.patient)}</td><td>${esc(c.diagnosis || T("reason_" + (c.end_reason || c.status)))}</td>
        <td>${c.status === "ended" && c.diagnosis ? `<a href="/consultations/${esc(c.id)}/summary">${esc(T("summary"))}</a>` : ""}</td></tr>`).join("");
  } catch (e) { /* the list is a convenience; the queue matters more */ }
}

function leaveCall() {
  doc.call = null; doc.consultationId = null;
  show("interrupted-actions", false);
  refreshHistory();
  show("step-call", false);
  document.getElementById("record-form").reset();
  refreshQueue();
}

// Alerts a doctor cannot miss: a sound, a browser notification (once allowed) and a count in the title.
let audioContext = null;
function beep(urgent) {
  try {
    audioContext = audioContext || new AudioContext();
    const osc = audioContext.createOscillator(); const gain = audioContext.createGain();
    osc.frequency.value = urgent ? 880 : 660; gain.gain.value = 0.2;
    osc.connect(gain).connect(audioContext.destination);
    osc.start(); osc.stop(audioContext.currentTime + (urgent ? 0.6 : 0.25));
  } catch (e) { /* no audio device: the title and the notification still tell */ }
}

function onAlert(alert) {
  doc.alerts += 1;
  document.title = `(${doc.alerts}) ${T("doctor_dashboard")}`;
  const message = T("alert_" + alert.kind);
  const urgent = alert.kind === "escalated" || alert.level <= 2;
  beep(urgent);
  if (window.Notification && Notification.permission === "granted") {
    new Notification(message, { tag: `clinic-${alert.kind}-${alert.entry_id}`, requireInteraction: urgent });
  }
  toast(message, urgent ? 15000 : 6000);
  text("last-alert", message);
  refreshQueue();
}

document.addEventListener("DOMContentLoaded", async () => {
  const me = await loadMe();
  document.getElementById("doctor-status").value = me.status || "offline";
  doc.socket = connectSocket();
  doc.socket.on("queue:update", refreshQueue);
  doc.socket.on("queue:alert", onAlert);
  doc.socket.on("consult:ready", (m) => enterCall(m.consultation_id));
  doc.socket.on("connect", refreshQueue);
  window.addEventListener("focus", () => { doc.alerts = 0; document.title = T("doctor_dashboard"); });

  document.getElementById("doctor-status").onchange = async (e) => {
    try { await api("POST", "/api/doctor/status", { status: e.target.value }); } catch (err) { toast(err.message); }
  };
  document.getElementById("take-next").onclick = () => take(null);
  document.getElementById("enable-alerts").onclick = async () => {
    beep(false);  // a click lets the page play sound from now on
    if (window.Notification && Notification.permission === "default") await Notification.requestPermission();
  };
  document.getElementById("auto-assign").checked = !!me.auto_assign;
  document.getElementById("auto-assign").onchange = async (e) => {
    try { await api("POST", "/api/doctor/status", { status: document.getElementById("doctor-status").value, auto_assign: e.target.checked }); }
    catch (err) { toast(err.message); }
  };
  const handBack = async (path, body) => {
    try { await api("POST", `/api/consultations/${doc.consultationId}/${path}`, body); if (doc.call) doc.call.finish("returned"); }
    catch (e) { toast(e.message); }
  };
  document.getElementById("btn-return").onclick = () => handBack("return");
  document.getElementById("btn-transfer").onclick = () => handBack("transfer", { department: document.getElementById("transfer-department").value });
  document.getElementById("btn-call-back").onclick = async () => {
    try { await api("POST", `/api/consultations/${doc.consultationId}/recall`); show("interrupted-actions", false); }
    catch (e) { toast(e.message); }
  };
  document.getElementById("record-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await RecordPanel.submitEnd();  // the structured record (record.js), with API.md's four fields
      if (doc.call) doc.call.finish();
    } catch (e) { showError("record-form", e); }
  });
  refreshQueue();
  refreshHistory();
  try { const current = await api("GET", "/api/consultations/current"); await enterCall(current.id); }
  catch (e) { if (e.status !== 404) toast(e.message); }
});
