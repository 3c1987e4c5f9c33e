// The printable consultation summary (/consultations/{id}/summary) and the patient's list of
// consultations (/patient/history). Everything comes from the API in the page's language.
import { T } from "./lib/texts.js";
import { api } from "./lib/api.js";
import { esc, show, showError, toast } from "./lib/dom.js";
import { dateTime } from "./lib/dates.js";
import { department } from "./lib/labels.js";
import { renderSummary } from "./lib/summary.js";
import { table } from "./lib/tables.js";
import "./lib/page.js";

const localTime = dateTime;

function renderHistory(items) {
  // One labelled card per consultation on a phone (tables.js), a table on a wide screen.
  return table([
    { head: T("day"), cell: (c) => esc(dateTime(c.started_at)) },
    { head: T("department"), cell: (c) => esc(department(c.department)) },
    { head: T("your_doctor"), cell: (c) => `<span class="name">${esc(c.doctor)}</span>` },
    { head: T("diagnosis"), cell: (c) => esc(c.diagnosis || "") },
    { head: T("summary"), cell: (c) => (c.status === "ended" && c.diagnosis ? `<a href="/consultations/${esc(c.id)}/summary">${esc(T("open_summary"))}</a>` : "") },
  ], items, { id: "history-table", empty: T("no_consultations") });
}

// ---- the doctor of the consultation corrects it: amendments keep the original ------------------
const amend = { record: null };

const FIELD_KEYS = { "soap.subjective": "soap_subjective", "soap.objective": "soap_objective", "soap.assessment": "soap_assessment",
                     "soap.plan": "soap_plan", diagnosis: "diagnosis", advice: "advice", disposition: "disposition", notes: "notes",
                     diagnoses: "coded_diagnoses", medications: "medications" };
const fieldName = (field) => (FIELD_KEYS[field] ? T(FIELD_KEYS[field]) : field);

function valueOf(record, field) {
  return field.startsWith("soap.") ? record.soap[field.slice(5)] : record[field];
}

function shown(value) {
  if (Array.isArray(value)) return value.map((v) => v.code ? `${v.code} ${v.name}` : v.drug).join("; ");
  return value == null ? "" : String(value);
}

async function loadAmendments(id) {
  const form = document.getElementById("amend-form");
  amend.record = await api("GET", `/api/consultations/${id}/record`);
  document.getElementById("amendment-list").innerHTML = amend.record.amendments.map((a) => `<li>
    <strong>${esc(fieldName(a.field))}</strong> · <span class="name">${esc(a.author.name)}</span> · ${esc(localTime(a.at))}<br>
    <del>${esc(shown(a.old_value))}</del> → <ins>${esc(shown(a.new_value))}</ins><br><small>${esc(a.reason)}</small></li>`).join("");
  prefill(form);
  show("amend-section", true);
}

function prefill(form) {
  const field = form.elements.field.value;
  const isChoice = field === "disposition";
  show("amend-text", !isChoice); show("amend-choice", isChoice);
  const current = valueOf(amend.record, field);
  if (isChoice) form.elements.disposition_value.value = current || "advice";
  else form.elements.value.value = current || "";
}

function wireAmendments(id) {
  const form = document.getElementById("amend-form");
  if (!form) return;
  form.elements.field.addEventListener("change", () => prefill(form));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const field = form.elements.field.value;
    const value = field === "disposition" ? form.elements.disposition_value.value : form.elements.value.value;
    try {
      await api("POST", `/api/consultations/${id}/amendments`, { field, value, reason: form.elements.reason.value });
      form.elements.reason.value = "";
      toast(T("amendment_saved"));
      document.getElementById("summary-content").innerHTML = renderSummary(await api("GET", `/api/consultations/${id}/summary`));
      await loadAmendments(id);
    } catch (e) { showError("amend-form", e); }
  });
  loadAmendments(id).catch(() => {});
}

document.addEventListener("DOMContentLoaded", async () => {
  const page = document.getElementById("summary-page");
  const box = document.getElementById("summary-content");
  const print = document.getElementById("summary-print");
  if (print) print.onclick = () => window.print();
  try {
    if (page.dataset.mode === "history") {
      box.innerHTML = renderHistory(await api("GET", "/api/consultations/history"));
    } else {
      box.innerHTML = renderSummary(await api("GET", `/api/consultations/${page.dataset.consultationId}/summary`));
      if (page.dataset.role === "doctor") wireAmendments(page.dataset.consultationId);
    }
  } catch (e) {
    box.textContent = e.code === "not_ended" ? T("summary_not_ready") : e.message;
  }
});
