// Duty doctors: patients of their department told to go to emergency recently, a call-back link and
// the outcome to record.
import { T } from "../lib/texts.js";
import { api, loadMe } from "../lib/api.js";
import { esc, show, toast } from "../lib/dom.js";
import { dateTime } from "../lib/dates.js";
import "../lib/page.js";

const OUTCOMES = ["reached_ed", "ambulance", "not_reached", "declined", "other"];

async function loadEmergencies() {
  const rows = await api("GET", "/api/doctor/emergencies");
  show("emergencies-none", rows.length === 0);
  const body = document.querySelector("#emergencies tbody");
  body.innerHTML = rows.map((r) => `<tr data-id="${esc(r.assessment_id)}">
    <td><span class="name">${esc(r.patient)}</span>${r.for_dependant ? ` (<span class="name">${esc(r.for_dependant)}</span>)` : ""}<br><small>${esc(dateTime(r.created_at))}</small></td>
    <td>${r.red_flags.map((f) => esc(f)).join("<br>")}</td>
    <td>${r.call_back ? `<a class="button" href="${esc(r.call_back)}">${esc(r.phone)}</a>` : ""}</td>
    <td><select data-outcome aria-label="${esc(T("emergencies_outcome"))}">${["", ...OUTCOMES].map((o) => `<option value="${o}"${o === (r.outcome || "") ? " selected" : ""}>${o ? esc(T("outcome_" + o)) : ""}</option>`).join("")}</select></td>
  </tr>`).join("");
  body.querySelectorAll("select[data-outcome]").forEach((select) => select.addEventListener("change", async () => {
    if (!select.value) return;
    const id = select.closest("tr").dataset.id;
    try { await api("POST", `/api/doctor/emergencies/${id}/outcome`, { outcome: select.value }); toast(T("emergencies_saved")); }
    catch (e) { toast(e.message); }
  }));
}

await loadMe();
try { await loadEmergencies(); } catch (e) { toast(e.message); }
