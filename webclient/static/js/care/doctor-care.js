// The doctor's care panel during a consultation: visit type (first / confirmed follow-up), the guardian of a
// young child, and e-prescriptions for a pharmacist to review (server/visits, server/prescriptions).
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { formObject, show, showError, text, toast } from "../lib/dom.js";
import { COLON } from "../lib/labels.js";
import { prescriptionHtml } from "./prescriptions-view.js";

const panel = document.getElementById("care-panel");
const callStep = document.getElementById("step-call");
let consultationId = null;

function lines(value) { return (value || "").split("\n").map((s) => s.trim()).filter(Boolean); }

function renderCare(care) {
  const who = care.for_dependant ? `${T("care_for_dependant")}${COLON}${care.for_dependant.name}` : "";
  text("care-subject", who);
  show("guardian-form", care.guardian_required && !(care.guardian && care.guardian.present));
  if (care.guardian && care.guardian.present) text("care-subject", `${who} · ${T("guardian_recorded")}${COLON}${care.guardian.name}`);
  text("visit-state", T(care.visit === "follow_up" && care.visit_confirmed ? "visit_state_follow_up" : "visit_state_first"));
  const form = document.getElementById("visit-form");
  form.elements.visit.value = care.visit;
  if (care.prior_diagnosis) {
    form.elements.hospital.value = care.prior_diagnosis.hospital;
    form.elements.date.value = care.prior_diagnosis.date;
    form.elements.icd10.value = care.prior_diagnosis.icd10;
  }
  if (care.current_medicines.length) form.elements.current_medicines.value = care.current_medicines.join("\n");
  if (care.allergies.length) form.elements.allergies.value = care.allergies.join("\n");
  if (care.guardian_required && !care.guardian && care.for_dependant) {
    document.querySelector("#guardian-form [name=name]").placeholder = "";
  }
}

async function refresh() {
  const consultation = await api("GET", `/api/consultations/${consultationId}`);
  renderCare(consultation.care);
  const prescriptions = await api("GET", `/api/consultations/${consultationId}/prescriptions`);
  document.getElementById("prescription-list").innerHTML = prescriptions.map((p) => prescriptionHtml(p)).join("");
}

async function open() {
  const call = window.clinicCall;
  if (!call || call.id === consultationId) return;
  consultationId = call.id;
  panel.hidden = false;
  await refresh().catch((e) => toast(e.message));
}

document.getElementById("guardian-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const body = { present: true, ...formObject(event.target) };
    renderCare(await api("POST", `/api/consultations/${consultationId}/guardian`, body));
    // The call starts by itself: both pages ask to join again every 2 s while the guardian is missing (call.js).
  } catch (e) { showError("guardian-form", e); }
});

document.getElementById("visit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = event.target.elements;
  const body = { visit: f.visit.value, current_medicines: lines(f.current_medicines.value), allergies: lines(f.allergies.value) };
  if (body.visit === "follow_up") body.prior_diagnosis = { hospital: f.hospital.value, date: f.date.value, icd10: f.icd10.value };
  try { renderCare(await api("POST", `/api/consultations/${consultationId}/visit-type`, body)); }
  catch (e) { showError("visit-form", e); }
});

document.getElementById("prescription-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const item = formObject(event.target);
  item.days = Number(item.days);
  try {
    await api("POST", `/api/consultations/${consultationId}/prescriptions`, { items: [item] });
    event.target.reset();
    await refresh();
  } catch (e) { showError("prescription-form", e); }
});

// doctor.js shows the call step when a consultation opens; the panel follows it. A pharmacist's review
// arrives live (prescription:reviewed) on the doctor's own socket room; the list is simply re-read.
new MutationObserver(() => { if (!callStep.hidden) setTimeout(open, 300); else consultationId = null; })
  .observe(callStep, { attributes: true, attributeFilter: ["hidden"] });
setInterval(() => { if (consultationId && !callStep.hidden) refresh().catch(() => {}); }, 10000);
