// The pharmacist's review page (desktop): pending prescriptions oldest first; approve, or return with a reason.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { esc, show } from "../lib/dom.js";
import { COLON, list } from "../lib/labels.js";
import { itemLine } from "./prescriptions-view.js";
import "../lib/page.js";

function card(p) {
  const patient = p.patient;
  const prior = patient.prior_diagnosis
    ? `<span class="code">${esc(patient.prior_diagnosis.icd10)}</span> · ${esc(patient.prior_diagnosis.hospital)} · ${esc(patient.prior_diagnosis.date)}` : "";
  const warnings = p.warnings.map((w) => `<li class="warning" data-code="${esc(w.code)}">${esc(w.text)} <small>${esc(w.source)}</small></li>`).join("");
  return `<li class="rx-card" data-id="${esc(p.id)}">
    <div class="rx-grid">
      <div><h2>${esc(T("pharmacy_patient"))}</h2>
        <p><strong class="name">${esc(patient.name)}</strong> · ${esc(patient.age_years ?? "")} ${esc(T("years_old"))} · ${esc(patient.id_number_masked || "")}</p>
        <p>${esc(T("pharmacy_prior"))}${COLON}${prior}</p>
        <p>${esc(T("pharmacy_current"))}${COLON}${esc(list(patient.current_medicines) || "-")}</p>
        <p>${esc(T("pharmacy_allergies"))}${COLON}${esc(list(patient.allergies) || "-")}</p></div>
      <div><h2>${esc(T("rx_title"))}</h2><ul>${p.items.map((i) => `<li>${itemLine(i)}</li>`).join("")}</ul>
        ${warnings ? `<h3>${esc(T("rx_warnings"))}</h3><ul>${warnings}</ul>` : ""}
        <p class="meta">${esc(T("pharmacy_prescriber"))}${COLON}<span class="name">${esc(p.doctor.name)}</span> ${esc(p.doctor.title || "")} · <span class="code">${esc(p.doctor.licence_number || "")}</span></p></div>
      <form class="review-form">
        <button type="button" data-decision="approve">${esc(T("pharmacy_approve"))}</button>
        <label>${esc(T("rx_reason"))} <textarea name="reason" maxlength="2000"></textarea></label>
        <button type="button" class="danger" data-decision="return">${esc(T("pharmacy_return"))}</button>
        <p class="form-error" data-for="review-${esc(p.id)}" hidden></p>
      </form>
    </div></li>`;
}

async function load() {
  const queue = await api("GET", "/api/pharmacy/queue");
  document.getElementById("pharmacy-queue").innerHTML = queue.map(card).join("");
  show("pharmacy-empty", queue.length === 0);
}

document.getElementById("pharmacy-queue").addEventListener("click", async (event) => {
  const button = event.target.closest("[data-decision]");
  if (!button) return;
  const item = button.closest(".rx-card");
  const body = { decision: button.dataset.decision };
  const reason = item.querySelector("[name=reason]").value.trim();
  if (reason) body.reason = reason;
  try {
    await api("POST", `/api/prescriptions/${item.dataset.id}/review`, body);
    item.classList.add("done"); item.querySelector(".review-form").innerHTML = `<p>${esc(T("pharmacy_reviewed"))}</p>`;
    setTimeout(load, 800);
  } catch (e) {
    const error = item.querySelector(".form-error");
    error.textContent = e.message; error.hidden = false;
  }
});
document.getElementById("pharmacy-refresh").addEventListener("click", load);
setInterval(load, 15000);
load();
