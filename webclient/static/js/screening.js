// The person's daily health check (/screening): the form, the result, "consult now", and their employer links.
import { T, pick } from "./lib/texts.js";
import { api } from "./lib/api.js";
import { esc, formObject, show, showError, text, toast } from "./lib/dom.js";
import { dateTime } from "./lib/dates.js";
import "./lib/page.js";

// The symptoms a daily check asks about; labels come from the triage questionnaire.
const CHECK_SYMPTOMS = ["fever", "chills", "cough", "sore_throat", "runny_nose", "loss_of_smell_taste",
  "shortness_of_breath", "severe_breathing_difficulty", "chest_pain", "fatigue", "headache", "muscle_pain",
  "nausea", "vomiting", "diarrhea"];
const EPI_FIELDS = ["close_contact", "travel_risk_area", "cluster"];
const screeningState = { latest: null };

const label = pick;
const when = dateTime;

async function buildForm() {
  const q = await api("GET", "/api/triage/questionnaire");
  const labels = Object.fromEntries(q.symptoms.map((s) => [s.code, label(s.label)]));
  document.getElementById("screening-symptoms").innerHTML = CHECK_SYMPTOMS.filter((c) => labels[c]).map(
    (c) => `<label class="check"><input type="checkbox" name="symptoms" value="${esc(c)}"> ${esc(labels[c])}</label>`).join("");
  const questions = Object.fromEntries(q.questions.map((x) => [x.field || x.id, x]));
  document.getElementById("screening-epi").innerHTML = EPI_FIELDS.map((f) => {
    const question = questions[`epi.${f}`];
    return `<label class="check"><input type="checkbox" name="epi.${f}" value="true"> ${esc(question ? label(question.label) : f)}</label>`;
  }).join("");
}

function collect(form) {
  const answers = { symptoms: [], epi: {} };
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.name === "symptoms") { if (el.checked) answers.symptoms.push(el.value); continue; }
    if (el.name.startsWith("epi.")) { answers.epi[el.name.slice(4)] = el.checked; continue; }
    if (el.value === "") continue;
    answers[el.name] = ["temperature_c", "age_years"].includes(el.name) ? Number(el.value) : el.value;
  }
  return answers;
}

function showResult(result) {
  screeningState.latest = result;
  const cleared = result.result === "cleared";
  const headline = document.getElementById("result-headline");
  headline.textContent = `${T(cleared ? "scr_cleared" : "scr_not_cleared")} (${when(result.screened_at)})`;
  headline.className = cleared ? "status-cleared" : "status-not_cleared";
  show("result-valid", Boolean(result.valid_until));
  text("result-valid-until", when(result.valid_until));
  const instruction = document.getElementById("result-instruction");
  instruction.textContent = cleared ? "" : result.assessment.instruction;
  instruction.classList.toggle("emergency", result.assessment.disposition === "emergency");
  show("consult-now", result.can_consult_now);
  show("screening-result");
}

async function loadLinks() {
  const links = await api("GET", "/api/me/employers");
  document.getElementById("links-list").innerHTML = links.map((l) =>
    `<li>${esc(l.organisation)} (${esc(l.employee_ref)}) - ${esc(T("scr_linked_since"))} ${esc(when(l.bound_at))} ` +
    `<button type="button" class="secondary withdraw" data-id="${esc(l.id)}">${esc(T("scr_withdraw"))}</button></li>`).join("");
  show("links-none", links.length === 0);
  show("not-enrolled", links.length === 0);
  return links;
}

document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("screening-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    document.querySelector('.form-error[data-for="screening-form"]').hidden = true;
    try { showResult(await api("POST", "/api/screenings", { answers: collect(form) })); }
    catch (e) { showError("screening-form", e); }
  });
  document.getElementById("consult-now").addEventListener("click", async () => {
    try {
      await api("POST", "/api/queue", { assessment_id: screeningState.latest.assessment.id });
    } catch (e) {
      if (e.code !== "already_queued") { toast(e.message); return; }
    }
    window.location.href = "/patient";
  });
  document.getElementById("links-list").addEventListener("click", async (event) => {
    const button = event.target.closest("button.withdraw");
    if (!button || !window.confirm(T("scr_withdraw_confirm"))) return;
    try { await api("DELETE", `/api/me/employers/${encodeURIComponent(button.dataset.id)}`); toast(T("scr_withdrawn")); await loadLinks(); }
    catch (e) { toast(e.message); }
  });
  try {
    await Promise.all([buildForm(), loadLinks()]);
    showResult(await api("GET", "/api/screenings/latest"));
  } catch (e) { if (e.status !== 404) toast(e.message); }
});
