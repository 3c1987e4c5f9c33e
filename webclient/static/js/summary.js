// The patient's printable consultation summary (/consultations/{id}/summary) and their list of
// consultations (/patient/history). Everything comes from the API in the page's language.
"use strict";

function localTime(iso) {
  return iso ? new Date(iso).toLocaleString(window.LANG === "zh" ? "zh-CN" : "en", { dateStyle: "medium", timeStyle: "short" }) : "";
}

function medicationLine(m) {
  const parts = [m.dose, m.frequency, m.days ? T("for_days").replace("{n}", m.days) : ""].filter(Boolean);
  return `<strong>${esc(m.drug)}</strong>${parts.length ? "：" + esc(parts.join("，")) : ""}`;
}

function renderSummary(s) {
  const codes = s.diagnoses.length
    ? `<ul class="codes">${s.diagnoses.map((d) => `<li><span class="code">${esc(d.code)}</span>${esc(d.name)}</li>`).join("")}</ul>` : "";
  const meds = s.medications.length
    ? `<dt>${esc(T("medications"))}</dt><dd><ul id="summary-medications">${s.medications.map((m) => `<li>${medicationLine(m)}</li>`).join("")}</ul></dd>` : "";
  const files = (s.attachments || []).length
    ? `<dt>${esc(T("attachments"))}</dt><dd><ul>${s.attachments.map((a) => `<li><a href="${esc(a.url)}">${esc(a.filename)}</a></li>`).join("")}</ul></dd>` : "";
  return `
    <p>${esc(s.patient.name)} · ${esc(T("your_doctor"))}: ${esc(s.doctor.name)} · ${esc(s.department.name)} · ${esc(localTime(s.ended_at))}</p>
    <dl>
      <dt>${esc(T("diagnosis"))}</dt><dd><span id="summary-diagnosis">${esc(s.diagnosis)}</span>${codes}</dd>
      <dt>${esc(T("advice"))}</dt><dd id="summary-advice">${esc(s.advice)}</dd>
      ${meds}
      <dt>${esc(T("disposition"))}</dt><dd id="summary-disposition">${esc(s.disposition.text)}</dd>
      <dt>${esc(T("next_steps"))}</dt><dd><ol id="summary-next-steps">${s.next_steps.map((n) => `<li>${esc(n)}</li>`).join("")}</ol></dd>
      ${files}
    </dl>
    ${s.amended ? `<p class="note">${esc(T("amended_note"))} (${esc(localTime(s.amended_at))})</p>` : ""}`;
}

function renderHistory(items) {
  if (!items.length) return `<p>${esc(T("no_consultations"))}</p>`;
  return `<table id="history-table"><thead><tr><th>${esc(T("day"))}</th><th>${esc(T("department"))}</th><th>${esc(T("your_doctor"))}</th><th>${esc(T("diagnosis"))}</th><th></th></tr></thead><tbody>` +
    items.map((c) => `<tr><td>${esc(localTime(c.started_at))}</td><td>${esc(c.department)}</td><td>${esc(c.doctor)}</td>
      <td>${esc(c.diagnosis || "")}</td>
      <td>${c.status === "ended" && c.diagnosis ? `<a href="/consultations/${esc(c.id)}/summary">${esc(T("open_summary"))}</a>` : ""}</td></tr>`).join("") +
    "</tbody></table>";
}

// ---- the doctor of the consultation corrects it: amendments keep the original ------------------
const amend = { record: null };

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
    <strong>${esc(a.field)}</strong> · ${esc(a.author.name)} · ${esc(localTime(a.at))}<br>
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
