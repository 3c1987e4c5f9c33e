// The patient's page: questionnaire -> result -> waiting room (live position, pre-call check) -> call -> summary.
// Which step to show comes from the server (open consultation, open queue entry), never from local
// state, so a reload lands in the same place.
import { T, pick } from "./lib/texts.js";
import { api, loadMe } from "./lib/api.js";
import { esc, formObject, show, showError, text, toast } from "./lib/dom.js";
import { connectSocket, emitAck } from "./lib/socket.js";
import { COLON, department } from "./lib/labels.js";
import { renderSummary } from "./lib/summary.js";
import { alertUser, askNotifications } from "./lib/alerts.js";
import { ConsultCall } from "./call.js";
import { DeviceCheck } from "./device-check.js";
import { TriageFlow } from "./triage/flow.js";
import { showApproved } from "./care/patient-care.js";
import "./care/guest-call.js";
import "./lib/page.js";

const STEPS = ["step-questionnaire", "step-result", "step-waiting", "step-call", "step-summary"];
const state = { questionnaire: null, assessment: null, entry: null, call: null, socket: null, consultationId: null };

function showStep(id) {
  STEPS.forEach((s) => show(s, s === id));
  if (id !== "step-questionnaire") document.body.classList.remove("in-triage");  // set by triage/flow.js
}

// ---- questionnaire ---------------------------------------------------------------------------
const label = pick;

function renderQuestion(q) {
  const name = q.field || q.id;
  const wrap = document.createElement("div");
  wrap.className = "question";
  const required = q.required ? " required" : "";
  if (q.type === "symptoms" || name === "symptoms") {
    const groups = {};
    state.questionnaire.symptoms.forEach((s) => { (groups[s.group] = groups[s.group] || []).push(s); });
    const groupLabels = Object.fromEntries((state.questionnaire.symptom_groups || []).map((g) => [g.code, label(g.label)]));
    let html = `<fieldset><legend>${esc(label(q.label))}</legend>`;
    for (const [group, items] of Object.entries(groups)) {
      html += `<div class="symptom-group"><h3>${esc(groupLabels[group] || group)}</h3>`;
      html += items.map((s) => `<label class="check"><input type="checkbox" name="symptoms" value="${esc(s.code)}"> ${esc(label(s.label))}</label>`).join("");
      html += "</div>";
    }
    wrap.innerHTML = html + "</fieldset>";
  } else if (name === "chronic") {
    wrap.innerHTML = `<fieldset><legend>${esc(label(q.label))}</legend>` + state.questionnaire.chronic_conditions.map(
      (c) => `<label class="check"><input type="checkbox" name="chronic" value="${esc(c.code)}"> ${esc(label(c.label))}</label>`).join("") + "</fieldset>";
  } else if (q.type === "boolean") {
    wrap.innerHTML = `<label class="check"><input type="checkbox" name="${esc(name)}" value="true"> ${esc(label(q.label))}</label>`;
  } else if (q.options) {
    const options = q.options.map((o) => (typeof o === "object" ? o : { value: o, label: { en: o, zh: o } }));
    wrap.innerHTML = `<label>${esc(label(q.label))} <select name="${esc(name)}"${required}><option value=""></option>` +
      options.map((o) => `<option value="${esc(o.value)}">${esc(label(o.label))}</option>`).join("") + "</select></label>";
  } else if (q.type === "object" && q.fields) {
    wrap.innerHTML = `<fieldset><legend>${esc(label(q.label))}</legend>` + q.fields.map(
      (f) => `<label class="check"><input type="checkbox" name="${esc(name)}.${esc(f.field || f.id)}" value="true"> ${esc(label(f.label))}</label>`).join("") + "</fieldset>";
  } else if (q.type === "text") {
    wrap.innerHTML = `<label>${esc(label(q.label))} <textarea name="${esc(name)}" maxlength="${q.max_length || 2000}"></textarea></label>`;
  } else {
    const step = q.step || (q.type === "integer" ? 1 : "any");
    const bounds = (q.min !== undefined ? ` min="${q.min}"` : "") + (q.max !== undefined ? ` max="${q.max}"` : "");
    wrap.innerHTML = `<label>${esc(label(q.label))} <input type="number" step="${step}" name="${esc(name)}"${bounds}${required}></label>`;
  }
  return wrap;
}

// The complaint-first flow (static/js/triage/) when the current questionnaire has presentations.
async function startTriage(reassess) {
  const prefill = reassess && state.assessment ? state.assessment.answers : null;
  show("legacy-questionnaire", false);
  showStep("step-questionnaire");
  await TriageFlow.start({
    questionnaire: state.questionnaire, reassess, prefill,
    onJoin: (assessment) => { state.assessment = assessment; return joinQueue(); },
    onWaiting: (entry) => { state.reassessing = false; return showWaiting(entry); },
  });
}

async function showQuestionnaire() {
  text("questionnaire-note", "");
  if (!state.questionnaire) state.questionnaire = await api("GET", "/api/triage/questionnaire");
  if (state.questionnaire.presentations) return startTriage(state.reassessing);
  show("tf", false);
  show("legacy-questionnaire", true);
  const form = document.getElementById("triage-form");
  form.innerHTML = "";
  state.questionnaire.questions.forEach((q) => form.appendChild(renderQuestion(q)));
  const error = document.createElement("p"); error.className = "form-error"; error.dataset.for = "triage-form"; error.hidden = true;
  const submit = document.createElement("button"); submit.type = "submit"; submit.textContent = T("submit");
  form.append(error, submit);
  showStep("step-questionnaire");
}

function collectAnswers(form) {
  const answers = { symptoms: [] };
  const numeric = new Set(state.questionnaire.questions.filter((q) => ["number", "integer"].includes(q.type)).map((q) => q.field || q.id));
  for (const el of form.elements) {
    if (!el.name || el.type === "submit") continue;
    if (el.type === "checkbox") {
      if (!el.checked) continue;
      if (el.name === "symptoms" || el.name === "chronic") { (answers[el.name] = answers[el.name] || []).push(el.value); continue; }
      const [outer, inner] = el.name.split(".");
      if (inner) { answers[outer] = answers[outer] || {}; answers[outer][inner] = true; } else answers[outer] = true;
    } else if (el.value !== "") {
      answers[el.name] = numeric.has(el.name) ? Number(el.value) : el.value;
    }
  }
  return answers;
}

const departmentName = department;

function renderResult(result) {
  const box = document.getElementById("result-box");
  const items = (list) => list.map((r) => `<li>${esc(r.text)}</li>`).join("");
  const urgent = result.disposition === "emergency";
  box.innerHTML = `
    ${urgent ? `<h2 class="emergency">${esc(T("emergency_title"))}</h2>` : ""}
    <p class="instruction ${urgent ? "emergency" : ""}" id="result-instruction">${esc(result.instruction || "")}</p>
    <p>${esc(T("level"))}${COLON}<strong id="result-level">${result.level}</strong> · ${esc(T("department"))}${COLON}<strong>${esc(departmentName(result.department))}</strong></p>
    ${result.red_flags.length ? `<ul class="red-flags">${items(result.red_flags)}</ul>` : ""}
    <h3>${esc(T("reasons"))}</h3><ul>${items(result.reasons)}</ul>`;
  show("join-queue", result.disposition === "online_consult" || result.disposition === "self_care");
  document.getElementById("result-box").dataset.disposition = result.disposition;
  showStep("step-result");
}

async function joinQueue() {
  try { await showWaiting(await api("POST", "/api/queue", { assessment_id: state.assessment.id })); }
  catch (e) { if (e.code === "already_queued") route(); else toast(e.message); }
}

// ---- waiting room ----------------------------------------------------------------------------
// The position and estimate are announced (aria-live) whenever they change. No minutes figure is
// shown while no doctor of the department is on duty: a number would promise what nobody keeps.
function renderEntry(entry) {
  state.entry = entry;
  const ahead = Math.max(0, (entry.position ?? 1) - 1);
  text("queue-position", entry.position ?? "");
  text("queue-position-text", entry.position == null ? T("loading") : ahead === 0 ? T("position_next") : T("position_ahead", { n: ahead }));
  const doctors = entry.doctors || { available: 1, away: 0 };
  if (doctors.available > 0) {
    const minutes = entry.estimated_wait_minutes;
    text("queue-eta", minutes == null ? "" : minutes <= 1 ? T("eta_soon") : T("eta_minutes", { n: minutes }));
    text("queue-duty", T("doctors_on_duty", { n: doctors.available }));
  } else {
    text("queue-eta", T("no_doctor_online"));
    text("queue-duty", doctors.away > 0 ? T("doctor_back_soon") : T("doctor_next_on_duty"));
  }
  document.getElementById("wait-status").dataset.doctors = String(doctors.available);
  document.getElementById("queue-eta").dataset.minutes = doctors.available > 0 ? (entry.estimated_wait_minutes ?? "") : "";
  text("queue-department", departmentName(entry.department));
}

function keyLess(a, b) { return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]); }

// Live position. The server sends each department's changes with consecutive sequence numbers;
// we apply them in order to our snapshot. A change may arrive before an earlier one (another
// server process sent it): hold it briefly, and only re-read the snapshot when the gap stays.
const live = { pending: new Map(), resyncing: false, gapTimer: null, retryMs: 1000, dutyTimer: null };

async function resync() {
  if (live.resyncing) return;
  live.resyncing = true;
  const ack = await emitAck(state.socket, "queue:subscribe", {});
  live.resyncing = false;
  if (!ack || !ack.ok) {
    if (ack && ack.error && ack.error.code === "not_queued") return route();
    setTimeout(resync, live.retryMs * (1 + Math.random()));   // back off, and not all at once
    live.retryMs = Math.min(live.retryMs * 2, 30000);
    return;
  }
  live.retryMs = 1000;
  if (ack.entry.status === "waiting") { renderEntry(ack.entry); drainChanges(); return; }
  // Called (or in a consultation): the queue is no longer ours to follow. Left "waiting", every later
  // batch would show the gap of our own claim and resync twice a second for the whole call.
  state.entry = ack.entry;
  clearTimeout(live.gapTimer);
  live.pending.clear();
  if (ack.entry.consultation_id) enterCall(ack.entry.consultation_id);
}

function onQueueUpdate(update) {
  const entry = state.entry;
  if (!entry || entry.status !== "waiting" || update.department !== entry.department) return;
  if (update.position !== undefined) {                     // the server pushed our position itself
    if (update.entry_id === entry.id) { Object.assign(entry, { position: update.position, estimated_wait_minutes: update.estimated_wait_minutes }); renderEntry(entry); }
    return;
  }
  for (const change of update.changes) live.pending.set(change.seq, change);
  entry.minutes_per_patient = update.minutes_per_patient;
  drainChanges();
}

function drainChanges() {
  if (live.resyncing || !state.entry) return;               // kept for after the snapshot
  const entry = state.entry;
  let moved = false;
  for (;;) {
    for (const seq of live.pending.keys()) if (seq <= entry.seq) live.pending.delete(seq);   // already counted
    const change = live.pending.get(entry.seq + 1);
    if (!change) break;
    live.pending.delete(change.seq);
    if (change.removed.concat(change.inserted).some((e) => e.id === entry.id)) { resync(); return; }  // our own place changed
    change.removed.forEach((e) => { if (keyLess(e.key, entry.sort_key)) entry.position -= 1; });
    change.inserted.forEach((e) => { if (keyLess(e.key, entry.sort_key)) entry.position += 1; });
    entry.seq = change.seq;
    moved = true;
  }
  if (moved) {
    entry.position = Math.max(1, entry.position);
    if (entry.estimated_wait_minutes != null) entry.estimated_wait_minutes = Math.max(0, Math.ceil((entry.position - 1) * entry.minutes_per_patient));
    renderEntry(entry);
  }
  clearTimeout(live.gapTimer);
  if (live.pending.size) live.gapTimer = setTimeout(() => { if (live.pending.size) resync(); }, 300 + Math.random() * 300);
}

async function showWaiting(entry) {
  renderEntry(entry);
  showStep("step-waiting");
  // Doctors come on and off duty without a queue change: re-read the snapshot now and then.
  clearInterval(live.dutyTimer);
  live.dutyTimer = setInterval(() => { if (state.entry && state.socket.connected) resync(); }, 45000 + Math.random() * 15000);
  if (state.socket.connected) await resync();
}

function leaveWaiting() {
  clearInterval(live.dutyTimer);
  if (state.devices) state.devices.stop();
}

// ---- call and summary -----------------------------------------------------------------------
function whenVisible() {
  // A hidden page does not enter the room: the clinic then reaches the patient by SMS, and the
  // call starts the moment the page is looked at.
  if (document.visibilityState === "visible") return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => { if (document.visibilityState === "visible") { document.removeEventListener("visibilitychange", check); resolve(); } };
    document.addEventListener("visibilitychange", check);
  });
}

async function enterCall(consultationId) {
  if (state.call && state.call.id === String(consultationId)) return;
  if (state.entering === String(consultationId)) return;
  state.entering = String(consultationId);
  await whenVisible();
  state.entering = null;
  if (state.call && state.call.id === String(consultationId)) return;
  leaveWaiting();
  state.consultationId = String(consultationId);
  showStep("step-call");
  document.body.classList.add("in-call");
  state.call = new ConsultCall({ socket: state.socket, consultationId, role: "patient", onEnded: (reason) => afterCall(consultationId, reason) });
  await state.call.start();
}

const SUMMARY_KEY = "clinic.summary";
const DISMISSED_KEY = "clinic.summary_dismissed";
const remember = (key, value) => { try { localStorage.setItem(key, value); } catch (e) { /* private mode */ } };
const recall = (key) => { try { return localStorage.getItem(key); } catch (e) { return null; } };

async function showSummary(consultationId) {
  // The summary in the patient's language; it stays on this page (reloads included) until the
  // patient starts anew, and is the same as the printable page /consultations/{id}/summary.
  const s = await api("GET", `/api/consultations/${consultationId}/summary`);
  document.getElementById("summary-box").innerHTML = renderSummary(s) +
    `<p><a href="/consultations/${esc(s.id)}/summary">${esc(T("printable_summary"))}</a></p>`;
  state.consultationId = String(consultationId);
  remember(SUMMARY_KEY, state.consultationId);
  const consultation = await api("GET", `/api/consultations/${consultationId}`).catch(() => null);
  const rated = consultation && consultation.rating != null;
  show("rating-form", !rated); show("rating-done", rated);
  showStep("step-summary");
  showApproved(state.consultationId);
}

async function lastSummary() {
  // The consultation that ended last, unless the patient has moved on from it (started anew).
  const dismissed = recall(DISMISSED_KEY);
  const kept = recall(SUMMARY_KEY);
  if (kept && kept !== dismissed) return kept;
  const items = await api("GET", "/api/consultations/history").catch(() => []);
  const last = items[0];
  const recent = last && last.ended_at && Date.now() - new Date(last.ended_at).getTime() < 12 * 3600 * 1000;
  return recent && last.status !== "interrupted" && last.id !== dismissed ? last.id : null;
}

function startAnew() {
  if (state.consultationId) remember(DISMISSED_KEY, state.consultationId);
  state.reassessing = false;
  showQuestionnaire();
}

const REQUEUE_NOTES = { returned: "returned_to_queue", transferred: "moved_department", doctor_left: "doctor_left_note", patient_absent: "absent_note" };

function afterCall(consultationId, reason) {
  // A completed consultation shows its summary; any other ending puts the patient back in a queue.
  state.call = null;
  document.body.classList.remove("in-call");
  if (reason === "completed" || !REQUEUE_NOTES[reason]) return showSummary(consultationId);
  toast(T(REQUEUE_NOTES[reason]), 10000);
  return route();
}

async function route() {
  try {
    const current = await api("GET", "/api/consultations/current");
    return enterCall(current.id);
  } catch (e) { if (e.status !== 404) throw e; }
  try {
    const entry = await api("GET", "/api/queue/me");
    if (entry.status === "waiting") return showWaiting(entry);
  } catch (e) { if (e.status !== 404) throw e; }
  const ended = new URLSearchParams(window.location.search).get("summary") || await lastSummary();
  if (ended) return showSummary(ended).catch(() => showQuestionnaire());
  return showQuestionnaire();
}

function wireWaitingRoom() {
  document.getElementById("feel-worse").addEventListener("click", async () => {
    state.reassessing = true;
    leaveWaiting();
    await showQuestionnaire();
    text("questionnaire-note", T("feel_worse_intro"));
  });
  // Leaving costs the patient their place: ask first, with "stay" as the default answer.
  const dialog = document.getElementById("leave-dialog");
  document.getElementById("leave-queue").addEventListener("click", () => { dialog.showModal(); document.getElementById("leave-cancel").focus(); });
  document.getElementById("leave-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("leave-confirm").addEventListener("click", async () => {
    dialog.close();
    await api("DELETE", "/api/queue/me").catch(() => {});
    leaveWaiting();
    state.entry = null; showQuestionnaire();
  });
  document.getElementById("enable-notify").addEventListener("click", async () => {
    const permission = await askNotifications();
    text("notify-state", T(permission === "granted" ? "notify_on" : "notify_off"));
  });
  state.devices = new DeviceCheck({ onResult: (result) => api("POST", "/api/queue/me/precheck", result).catch(() => {}) });
}

document.addEventListener("DOMContentLoaded", async () => {
  await loadMe();
  state.socket = connectSocket();
  state.socket.on("connect", () => { if (state.entry && state.entry.status === "waiting") resync(); });
  state.socket.on("queue:update", onQueueUpdate);
  state.socket.on("consult:ready", (m) => {
    // The moment the patient waited for: sound, vibration and a notification if the page is hidden.
    alertUser(T("doctor_ready"), { urgent: true, tag: `clinic-call-${m.consultation_id}` });
    toast(T("doctor_ready"));
    enterCall(m.consultation_id);
  });

  document.getElementById("triage-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answers = collectAnswers(event.target);
      if (state.reassessing) {
        // "I feel worse": urgency can only rise; an emergency takes the patient out of the online queue.
        const result = await api("POST", "/api/queue/me/reassess", { answers });
        state.reassessing = false;
        if (result.entry.status === "escalated") { state.entry = null; renderResult(result.assessment); return; }
        return showWaiting(result.entry);
      }
      const forWhom = document.getElementById("for-whom").value;  // a dependant (care/patient-care.js) or oneself
      state.assessment = await api("POST", "/api/triage/assessments", forWhom ? { answers, for_dependant_id: forWhom } : { answers });
      renderResult(state.assessment);
    } catch (e) { showError("triage-form", e); }
  });
  document.getElementById("join-queue").addEventListener("click", joinQueue);
  document.getElementById("restart-questionnaire").addEventListener("click", () => { state.reassessing = false; showQuestionnaire(); });
  document.getElementById("new-consult").addEventListener("click", startAnew);
  wireWaitingRoom();
  document.getElementById("rating-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = formObject(event.target);
    try {
      await api("POST", `/api/consultations/${state.consultationId}/rating`, { rating: Number(data.rating), comment: data.comment || null });
      show("rating-form", false); show("rating-done", true);
    } catch (e) { toast(e.message); }
  });
  try {
    state.questionnaire = await api("GET", "/api/triage/questionnaire");
    await route();
  } catch (e) { toast(e.message || T("error_next")); }
});
