// The consultation summary a patient reads and prints: rendered here once, for the patient page
// (after the call) and the printable page /consultations/{id}/summary.
import { T } from "./texts.js";
import { esc } from "./dom.js";
import { dateTime } from "./dates.js";
import { COLON, medication } from "./labels.js";

/** The summary (GET /api/consultations/{id}/summary) as HTML. */
export function renderSummary(s) {
  const codes = s.diagnoses.length
    ? `<ul class="codes">${s.diagnoses.map((d) => `<li><span class="code">${esc(d.code)}</span> ${esc(d.name)}</li>`).join("")}</ul>` : "";
  const meds = s.medications.length
    ? `<dt>${esc(T("medications"))}</dt><dd><ul id="summary-medications">${s.medications.map((m) => `<li>${esc(medication(m))}</li>`).join("")}</ul></dd>` : "";
  const files = (s.attachments || []).length
    ? `<dt>${esc(T("attachments"))}</dt><dd><ul>${s.attachments.map((a) => `<li><a href="${esc(a.url)}">${esc(a.filename)}</a></li>`).join("")}</ul></dd>` : "";
  return `
    <p class="summary-who"><span class="name">${esc(s.patient.name)}</span> · ${esc(T("your_doctor"))}${COLON}<span class="name">${esc(s.doctor.name)}</span> · ${esc(s.department.name)} · ${esc(dateTime(s.ended_at))}</p>
    <dl class="summary-list">
      <dt>${esc(T("diagnosis"))}</dt><dd><span id="summary-diagnosis">${esc(s.diagnosis)}</span>${codes}</dd>
      <dt>${esc(T("advice"))}</dt><dd id="summary-advice">${esc(s.advice)}</dd>
      ${meds}
      <dt>${esc(T("disposition"))}</dt><dd id="summary-disposition">${esc(s.disposition.text)}</dd>
      <dt>${esc(T("next_steps"))}</dt><dd><ol id="summary-next-steps">${s.next_steps.map((n) => `<li>${esc(n)}</li>`).join("")}</ol></dd>
      ${files}
    </dl>
    ${s.amended ? `<p class="note">${esc(T("amended_note"))} (${esc(dateTime(s.amended_at))})</p>` : ""}`;
}
