// The patient's page: questionnaire -> result -> waiting room (live position, pre-call check) -> call -> summary.
// Which step to show comes from the server (open consultation, open queue entry), never from local
// state, so a reload lands in the same place.
"use strict";

const STEPS = ["step-questionnaire", "step-result", "step-waiting", "step-call", "step-summary"];
const state = { questionnaire: null, assessment: null, entry: null, call: null, socket: null, consultationId: null };

function showStep(id) { STEPS.forEach((s) => show(s, s === id)); }

// ---- questionnaire ---------------------------------------------------------------------------
function label(obj) { return (obj && (obj[window.LANG] || obj.en)) || ""; }

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

function departmentName(code) {
  const found = ((state.questionnaire && state.questionnaire.departments) || []).find((d) => d.code === code);
  return found ? label(found.label || found.name || found) : code;
}

function renderResult(result) {
  const box = document.getElementById("result-box");
  const items = (list) => list.map((r) => `<li>${esc(r.text)}</li>`).join("");
  const urgent = result.disposition === "emergency";
  box.innerHTML = `
    ${urgent ? `<h2 class="emergency">${esc(T("emergency_title"))}</h2>` : ""}
    <p class="instruction ${urgent ? "emergency" : ""}" id="result-instruction">${esc(result.instruction || "")}</p>
    <p>${esc(T("level"))}: <strong id="result-level">${result.level}</strong> · ${esc(T("department"))}: <strong>${esc(departmentName(result.department))}</strong></p>
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
function renderEntry(entry) {
  state.entry = entry;
  text("queue-position", entry.position ?? "-");
  text("queue-eta", entry.estimated_wait_minutes ?? "-");
  text("queue-department", departmentName(entry.department));
}

function keyLess(a, b) { return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]); }

// Live position. The server sends each department's changes with consecutive sequence numbers;
// we apply them in order to our snapshot. A change may arrive before an earlier one (another
// server process sent it): hold it briefly, and only re-read the snapshot when the gap stays.
const live = { pending: new Map(), resyncing: false, gapTimer: null, retryMs: 1000 };

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
  if (ack.entry.status === "waiting") { renderEntry(ack.entry); drainChanges(); }
  else if (ack.entry.consultation_id) enterCall(ack.entry.consultation_id);
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
    entry.estimated_wait_minutes = Math.max(0, Math.ceil((entry.position - 1) * entry.minutes_per_patient));
    renderEntry(entry);
  }
  clearTimeout(live.gapTimer);
  if (live.pending.size) live.gapTimer = setTimeout(() => { if (live.pending.size) resync(); }, 300 + Math.random() * 300);
}

async function showWaiting(entry) {
  renderEntry(entry);
  showStep("step-waiting");
  if (state.socket.connected) await resync();
}

async function runPrecheck() {
  // Send camera and microphone to the server's aiortc peer, which echoes the video and answers pings.
  const result = document.getElementById("precheck-result");
  result.textContent = T("loading");
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
    const pc = new RTCPeerConnection({ iceServers: [] });
    stream.getTracks().forEach((t) => pc.addTrack(t, stream));
    const channel = pc.createDataChannel("ping");
    const rtts = [];
    channel.onmessage = (e) => rtts.push(performance.now() - Number(e.data));
    channel.onopen = () => { let n = 0; const timer = setInterval(() => { channel.send(String(performance.now())); if (++n >= 5) clearInterval(timer); }, 200); };
    pc.ontrack = (e) => { document.getElementById("precheck-video").srcObject = e.streams[0] || new MediaStream([e.track]); };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve();
      pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === "complete") resolve(); };
      setTimeout(resolve, 2000);
    });
    const answer = await api("POST", "/api/rtc/precheck", { sdp: pc.localDescription.sdp, type: "offer" });
    await pc.setRemoteDescription(answer);
    await new Promise((r) => setTimeout(r, 2500));
    const rtt = rtts.length ? Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length) : null;
    const ok = rtt !== null && stream.getVideoTracks().length > 0 && stream.getAudioTracks().length > 0;
    result.textContent = ok ? `${T("precheck_ok")} · ${T("round_trip")}: ${rtt}` : T("precheck_fail");
    result.dataset.rttMs = rtt ?? "";
    await api("POST", "/api/queue/me/precheck", {
      camera: stream.getVideoTracks().length > 0, microphone: stream.getAudioTracks().length > 0, rtt_ms: rtt,
    }).catch(() => {});
    setTimeout(() => { pc.close(); stream.getTracks().forEach((t) => t.stop()); }, 3000);
  } catch (e) {
    result.textContent = T("precheck_fail");
  }
}

// ---- call and summary -----------------------------------------------------------------------
async function enterCall(consultationId) {
  if (state.call && state.call.id === String(consultationId)) return;
  state.consultationId = String(consultationId);
  showStep("step-call");
  state.call = new ConsultCall({ socket: state.socket, consultationId, role: "patient", onEnded: (reason) => afterCall(consultationId, reason) });
  await state.call.start();
}

async function showSummary(consultationId) {
  // The summary in the patient's language (diagnosis, advice, medications, next steps); the same as
  // the printable page /consultations/{id}/summary, which the links below open.
  const s = await api("GET", `/api/consultations/${consultationId}/summary`);
  const when = (iso) => new Date(iso).toLocaleString(window.LANG === "zh" ? "zh-CN" : "en");
  const meds = s.medications.map((m) => `<li><strong>${esc(m.drug)}</strong> ${esc([m.dose, m.frequency,
    m.days ? T("for_days").replace("{n}", m.days) : ""].filter(Boolean).join(", "))}</li>`).join("");
  const box = document.getElementById("summary-box");
  box.innerHTML = `
    <p><strong>${esc(T("diagnosis"))}:</strong> <span id="summary-diagnosis">${esc(s.diagnosis)}</span></p>
    ${s.diagnoses.length ? `<ul>${s.diagnoses.map((d) => `<li>${esc(d.code)} ${esc(d.name)}</li>`).join("")}</ul>` : ""}
    <p><strong>${esc(T("advice"))}:</strong> <span id="summary-advice">${esc(s.advice)}</span></p>
    ${meds ? `<p><strong>${esc(T("medications"))}:</strong></p><ul id="summary-medications">${meds}</ul>` : ""}
    <p><strong>${esc(T("disposition"))}:</strong> ${esc(s.disposition.text)}</p>
    <p><strong>${esc(T("next_steps"))}:</strong></p><ol>${s.next_steps.map((n) => `<li>${esc(n)}</li>`).join("")}</ol>
    <p>${esc(s.doctor.name)} · ${esc(when(s.ended_at))}</p>
    <p><a href="/consultations/${esc(s.id)}/summary">${esc(T("printable_summary"))}</a> ·
       <a href="/patient/history">${esc(T("my_consultations"))}</a></p>`;
  state.consultationId = String(consultationId);
  showStep("step-summary");
}

const REQUEUE_NOTES = { returned: "returned_to_queue", transferred: "moved_department", doctor_left: "doctor_left_note", patient_absent: "absent_note" };

function afterCall(consultationId, reason) {
  // A completed consultation shows its summary; any other ending puts the patient back in a queue.
  state.call = null;
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
  const ended = new URLSearchParams(window.location.search).get("summary");
  if (ended) return showSummary(ended);
  return showQuestionnaire();
}

document.addEventListener("DOMContentLoaded", async () => {
  await loadMe();
  state.socket = connectSocket();
  state.socket.on("connect", () => { if (state.entry && state.entry.status === "waiting") resync(); });
  state.socket.on("queue:update", onQueueUpdate);
  state.socket.on("consult:ready", (m) => { toast(T("doctor_ready")); enterCall(m.consultation_id); });

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
  document.getElementById("feel-worse").onclick = async () => {
    state.reassessing = true;
    await showQuestionnaire();
    text("questionnaire-note", T("feel_worse_intro"));
  };
  document.getElementById("join-queue").onclick = joinQueue;
  document.getElementById("restart-questionnaire").onclick = () => { state.reassessing = false; showQuestionnaire(); };
  document.getElementById("new-consult").onclick = showQuestionnaire;
  document.getElementById("leave-queue").onclick = async () => {
    await api("DELETE", "/api/queue/me").catch(() => {});
    state.entry = null; showQuestionnaire();
  };
  document.getElementById("precheck-start").onclick = runPrecheck;
  document.getElementById("rating-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = formObject(event.target);
    try {
      await api("POST", `/api/consultations/${state.consultationId}/rating`, { rating: Number(data.rating), comment: data.comment || null });
      event.target.innerHTML = `<p>${esc(T("thanks"))}</p>`;
    } catch (e) { toast(e.message); }
  });
  try {
    state.questionnaire = await api("GET", "/api/triage/questionnaire");
    await route();
  } catch (e) { toast(e.message || T("error_next")); }
});
