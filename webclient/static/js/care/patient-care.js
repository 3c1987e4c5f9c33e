// The patient page's care parts: "who is this for" (a dependant) and the approved prescriptions in the summary.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { esc, show } from "../lib/dom.js";
import { prescriptionHtml } from "./prescriptions-view.js";

async function fillForWhom() {
  const family = await api("GET", "/api/me/dependants").catch(() => []);
  if (!family.length) return;
  const select = document.getElementById("for-whom");
  for (const d of family) {
    const option = document.createElement("option");
    option.value = d.id; option.textContent = `${d.name} (${d.age_years} ${T("years_old")})`; option.dataset.age = d.age_years;
    select.appendChild(option);
  }
  show("for-whom-label", true);
  select.addEventListener("change", () => {
    // The questionnaire asks the age of the person seen: take it from the dependant chosen.
    const age = document.querySelector("#triage-form [name=age_years]");
    const chosen = select.selectedOptions[0];
    if (age && chosen.dataset.age !== undefined) age.value = chosen.dataset.age;
  });
}

/** The prescriptions a pharmacist approved, under the summary of `consultationId` (patient.js calls it). */
export async function showApproved(consultationId) {
  const box = document.getElementById("approved-prescriptions");
  if (!consultationId || !box) return;
  const approved = await api("GET", `/api/consultations/${consultationId}/prescriptions`).catch(() => []);
  box.innerHTML = approved.length
    ? `<h2>${esc(T("rx_approved_title"))}</h2><ul class="care-list">${approved.map((p) => prescriptionHtml(p, { showStatus: false })).join("")}</ul>`
    : "";
}

fillForWhom();
