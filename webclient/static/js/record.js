// The doctor's record panel during a call: the patient's earlier consultations, SOAP notes, ICD-10
// coded diagnoses (searched on the server's code list), medication rows, disposition and advice,
// attachments. Every change is saved as a draft (a debounced PUT of the whole record); a save that
// cannot reach the server is kept in this tab's sessionStorage and retried, so a dropped connection
// or a reload loses nothing. doctor.js calls RecordPanel.mount(id) when a call starts and
// RecordPanel.submitEnd() when the doctor ends it.
import { LANG, T } from "./lib/texts.js";
import { api } from "./lib/api.js";
import { esc, showError, toast } from "./lib/dom.js";
import { date, time } from "./lib/dates.js";
import { COLON, department, disposition, medication, series } from "./lib/labels.js";

export const RecordPanel = (function () {
  const SAVE_DELAY_MS = 800;
  const RETRY_MS = 5000;
  const SOAP = ["subjective", "objective", "assessment", "plan"];
  const TEXT_FIELDS = ["notes", "diagnosis", "advice"];
  const panel = { id: null, diagnoses: [], autoDiagnosis: "", timer: null, retry: null, saving: null,
                  ended: false, dirty: false, pendingError: false, searchTimer: null, filesTimer: null };

  const form = () => document.getElementById("record-form");
  const field = (name) => form().elements.namedItem(name);
  const storageKey = (id) => `clinic.record.${id}`;

  function status(key, extra = "") {
    const el = document.getElementById("draft-status");
    if (el) { el.textContent = key ? T(key) + extra : ""; el.dataset.state = key || ""; }
  }

  // ---- the record as data -----------------------------------------------------------------------
  function medicationRows() { return Array.from(document.querySelectorAll("#medication-rows tr")); }

  function collect() {
    const medications = medicationRows().map((row) => {
      const get = (cls) => row.querySelector(cls).value.trim();
      const days = parseInt(get(".med-days"), 10);
      return { drug: get(".med-drug"), dose: get(".med-dose"), frequency: get(".med-frequency"), days: Number.isFinite(days) ? days : null };
    }).filter((m) => m.drug);
    const record = {
      soap: Object.fromEntries(SOAP.map((k) => [k, field(k).value])),
      diagnoses: panel.diagnoses.map((d) => ({ code: d.code, name: d.name })),
      medications,
      disposition: field("disposition").value || null,
    };
    TEXT_FIELDS.forEach((k) => { record[k] = field(k).value; });
    return record;
  }

  function fill(record, onlyEmpty) {
    const set = (el, value) => { if (el && value != null && (!onlyEmpty || !el.value)) el.value = value; };
    SOAP.forEach((k) => set(field(k), (record.soap || {})[k]));
    TEXT_FIELDS.forEach((k) => set(field(k), record[k]));
    if (record.disposition && (!onlyEmpty || !panel.dirty)) field("disposition").value = record.disposition;
    if (!onlyEmpty || !panel.diagnoses.length) panel.diagnoses = (record.diagnoses || []).map((d) => ({ ...d }));
    if (!onlyEmpty || !medicationRows().some((r) => r.querySelector(".med-drug").value)) {
      document.getElementById("medication-rows").innerHTML = "";
      (record.medications || []).forEach(addMedication);
    }
    renderDiagnoses();
  }

  // ---- autosave ---------------------------------------------------------------------------------
  function keep(record, synced) {
    try { sessionStorage.setItem(storageKey(panel.id), JSON.stringify({ record, synced, at: Date.now() })); } catch (e) { /* storage full or off */ }
  }

  function changed() {
    if (!panel.id || panel.ended) return;
    panel.dirty = true;
    keep(collect(), false);
    clearTimeout(panel.timer);
    panel.timer = setTimeout(save, SAVE_DELAY_MS);
  }

  async function save() {
    if (!panel.id || panel.ended) return;
    if (panel.saving) { await panel.saving; }
    clearTimeout(panel.retry);
    const id = panel.id;
    const record = collect();
    status("draft_saving");
    panel.saving = api("PUT", `/api/consultations/${id}/record`, record).then(() => {
      if (panel.id !== id) return;
      keep(record, true);
      panel.pendingError = false;
      status("draft_saved", ` · ${time(new Date())}`);
    }).catch((e) => {
      if (panel.id !== id) return;
      if (e.status === 409) { panel.ended = true; status(""); return; }
      if (e.status === 422 || e.status === 403) { panel.pendingError = true; status(""); showError("record-form", e); return; }
      status("draft_offline");  // network or server trouble: kept in this tab, tried again
      panel.retry = setTimeout(save, RETRY_MS);
    }).finally(() => { panel.saving = null; });
    return panel.saving;
  }

  // ---- ICD-10 -----------------------------------------------------------------------------------
  function renderDiagnoses() {
    const list = document.getElementById("record-diagnoses");
    list.innerHTML = panel.diagnoses.map((d, i) => `<li><span class="code">${esc(d.code)}</span> ${esc(d.name)}
      <button type="button" class="link remove-diagnosis" data-index="${i}" aria-label="${esc(T("remove"))} ${esc(d.code)}">×</button></li>`).join("");
    list.querySelectorAll(".remove-diagnosis").forEach((b) => {
      b.onclick = () => { panel.diagnoses.splice(Number(b.dataset.index), 1); syncDiagnosisText(); renderDiagnoses(); changed(); };
    });
  }

  function syncDiagnosisText() {
    // The free-text diagnosis follows the coded ones until the doctor writes their own.
    const input = field("diagnosis");
    const text = panel.diagnoses.map((d) => d.name).join("; ");
    if (!input.value || input.value === panel.autoDiagnosis) { input.value = text; panel.autoDiagnosis = text; }
  }

  function pick(code) {
    if (!panel.diagnoses.some((d) => d.code === code.code)) {
      panel.diagnoses.push({ code: code.code, name: LANG === "zh" ? code.zh : code.en });
      syncDiagnosisText();
      renderDiagnoses();
      changed();
    }
    const query = document.getElementById("icd10-query");
    query.value = ""; document.getElementById("icd10-results").innerHTML = ""; query.focus();
  }

  async function search(q) {
    const results = document.getElementById("icd10-results");
    if (!q.trim()) { results.innerHTML = ""; return; }
    try {
      const data = await api("GET", `/api/icd10?q=${encodeURIComponent(q)}`);
      if (document.getElementById("icd10-query").value !== q) return;  // a newer query is on its way
      // Only the page language: a Chinese page shows the Chinese name beside the code.
      results.innerHTML = data.results.map((c, i) => `<li role="option" aria-selected="false"><button type="button" class="link icd10-pick" data-i="${i}">
        <span class="code">${esc(c.code)}</span> ${esc(c[LANG] || c.en)}</button></li>`).join("");
      results.querySelectorAll(".icd10-pick").forEach((b) => { b.onclick = () => pick(data.results[Number(b.dataset.i)]); });
    } catch (e) { toast(e.message); }
  }

  // ---- medications ------------------------------------------------------------------------------
  function addMedication(m = {}) {
    const row = document.createElement("tr");
    row.innerHTML = `
      <td><input class="med-drug" maxlength="200" aria-label="${esc(T("drug"))}" value="${esc(m.drug || "")}"></td>
      <td><input class="med-dose" maxlength="100" aria-label="${esc(T("dose"))}" value="${esc(m.dose || "")}"></td>
      <td><input class="med-frequency" maxlength="100" aria-label="${esc(T("frequency"))}" value="${esc(m.frequency || "")}"></td>
      <td><input class="med-days" type="number" min="1" max="365" aria-label="${esc(T("days"))}" value="${esc(m.days ?? "")}"></td>
      <td><button type="button" class="link remove-medication" aria-label="${esc(T("remove"))}">×</button></td>`;
    row.querySelector(".remove-medication").onclick = () => { row.remove(); changed(); };
    document.getElementById("medication-rows").appendChild(row);
    return row;
  }

  // ---- earlier consultations and files ----------------------------------------------------------
  function renderHistory(items, homeCalls = []) {
    const box = document.getElementById("patient-history");
    if (!box) return;
    // The doctor's notes of video calls into the patient's home (home watch) are part of the record too.
    const calls = homeCalls.length ? `<details open class="home-call-notes"><summary>${esc(T("hw.call.record_title"))} (${homeCalls.length})</summary><ul>${
      homeCalls.map((c) => `<li><strong>${esc(date(c.started_at))}</strong> · <span class="name">${esc(c.caller)}</span>${COLON}${
        c.notes.map((n) => esc(n.text)).join(" / ")}</li>`).join("")}</ul></details>` : "";
    box.innerHTML = `<details ${items.length ? "open" : ""}><summary>${esc(T("earlier_consultations"))} (${items.length})</summary>` +
      (items.length ? `<ul>${items.map((h) => `<li><strong>${esc(date(h.started_at))}</strong> · ${esc(department(h.department))} · <span class="name">${esc(h.doctor)}</span>${COLON}
        ${esc(h.diagnosis || "-")}${h.disposition ? ` · ${esc(disposition(h.disposition))}` : ""}${h.amended ? ` · <em>${esc(T("amended"))}</em>` : ""}
        ${h.medications.length ? `<br><small>${esc(series(h.medications.map(medication)))}</small>` : ""}</li>`).join("")}</ul>`
        : `<p>${esc(T("no_earlier"))}</p>`) + "</details>" + calls;
  }

  async function refreshFiles() {
    const id = panel.id;
    if (!id) return;
    try {
      const files = await api("GET", `/api/consultations/${id}/attachments`);
      if (panel.id !== id) return;
      document.getElementById("attachment-list").innerHTML = files.map((f) => `<li><a href="${esc(f.url)}">${esc(f.filename)}</a>
        <small>${esc(T("uploaded_by_" + f.uploaded_by))} · ${Math.ceil(f.size_bytes / 1024)} KB</small></li>`).join("");
    } catch (e) { /* shown again on the next refresh */ }
  }

  async function upload(input) {
    const file = input.files[0];
    if (!file || !panel.id) return;
    const body = new FormData();
    body.append("file", file, file.name);
    try { await api("POST", `/api/consultations/${panel.id}/attachments`, body); await refreshFiles(); }
    catch (e) { toast(e.message); }
    input.value = "";
  }

  // ---- wiring -----------------------------------------------------------------------------------
  let wired = false;
  function wire() {
    if (wired) return;
    wired = true;
    const f = form();
    f.addEventListener("input", (e) => { if (e.target.id !== "icd10-query" && e.target.id !== "attachment-file") changed(); });
    f.addEventListener("change", (e) => { if (e.target.name === "disposition") changed(); });
    // Enter in a one-line field must never end the consultation by accident.
    f.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || e.target.tagName !== "INPUT" || e.target.type === "submit") return;
      e.preventDefault();
      if (e.target.id === "icd10-query") { const first = document.querySelector("#icd10-results .icd10-pick"); if (first) first.click(); }
    });
    const query = document.getElementById("icd10-query");
    query.addEventListener("input", () => { clearTimeout(panel.searchTimer); panel.searchTimer = setTimeout(() => search(query.value), 200); });
    document.getElementById("add-medication").onclick = () => { addMedication().querySelector(".med-drug").focus(); };
    document.getElementById("attachment-file").addEventListener("change", (e) => upload(e.target));
    window.addEventListener("online", () => { if (panel.id && !panel.ended) save(); });
  }

  function reset() {
    clearTimeout(panel.timer); clearTimeout(panel.retry); clearInterval(panel.filesTimer);
    Object.assign(panel, { diagnoses: [], autoDiagnosis: "", ended: false, dirty: false, pendingError: false });
    form().reset();
    document.getElementById("medication-rows").innerHTML = "";
    document.getElementById("icd10-results").innerHTML = "";
    document.getElementById("attachment-list").innerHTML = "";
    renderDiagnoses();
    status("");
  }

  async function mount(consultationId, { onHistory } = {}) {
    const id = String(consultationId);
    if (panel.id === id) return;
    wire();
    reset();
    panel.id = id;
    let local = null;
    try { local = JSON.parse(sessionStorage.getItem(storageKey(id)) || "null"); } catch (e) { local = null; }
    try {
      const record = await api("GET", `/api/consultations/${id}/record`);
      if (panel.id !== id) return;
      renderHistory(record.history || [], record.home_calls || []);
      panelApi.history = record.history || [];
      if (onHistory) onHistory(panelApi.history);
      if (record.state !== "draft") { panel.ended = true; return; }
      if (local && !local.synced) { fill(local.record, panel.dirty); save(); }  // this tab had changes the server never got
      else fill(record, panel.dirty);
    } catch (e) {
      if (local && panel.id === id) { fill(local.record, panel.dirty); if (!local.synced) panel.retry = setTimeout(save, RETRY_MS); }
      toast(e.message);
    }
    refreshFiles();
    panel.filesTimer = setInterval(refreshFiles, 15000);  // the patient may add photos during the call
  }

  async function submitEnd() {
    if (!panel.id) throw new Error(T("error_next"));
    clearTimeout(panel.timer); clearTimeout(panel.retry);
    if (panel.saving) await panel.saving.catch(() => {});
    const id = panel.id;
    const consultation = await api("POST", `/api/consultations/${id}/end`, collect());
    panel.ended = true;
    clearInterval(panel.filesTimer);
    try { sessionStorage.removeItem(storageKey(id)); } catch (e) { /* nothing kept */ }
    status("");
    panel.id = null;
    return consultation;
  }

  const panelApi = { mount, submitEnd, collect, refreshFiles, history: null };
  return panelApi;
})();
