// One way to show a prescription (the patient's summary, the doctor's panel, the pharmacist's queue).
import { T } from "../lib/texts.js";
import { esc } from "../lib/dom.js";
import { COLON, list } from "../lib/labels.js";

export function itemLine(item) {
  return esc(`${item.drug}${COLON}${list([item.dose, item.route, item.frequency, T("for_days", { n: item.days }), item.quantity])}`);
}

export function prescriptionHtml(p, { showStatus = true } = {}) {
  const warnings = (p.warnings || []).map((w) => `<li class="warning">${esc(w.text)} <small>(${esc(w.source)})</small></li>`).join("");
  return `<li class="prescription" data-id="${esc(p.id)}" data-status="${esc(p.status)}">
    ${showStatus ? `<strong class="status-${esc(p.status)}">${esc(T("rx_status_" + p.status))}</strong>` : ""}
    <ul>${p.items.map((i) => `<li>${itemLine(i)}</li>`).join("")}</ul>
    ${warnings ? `<p>${esc(T("rx_warnings"))}</p><ul>${warnings}</ul>` : ""}
    ${p.reason ? `<p class="reason">${esc(T("rx_reason"))}${COLON}${esc(p.reason)}</p>` : ""}
    <p class="meta"><span class="name">${esc(p.doctor.name)}</span> ${esc(p.doctor.title || "")} · <span class="code">${esc(p.doctor.licence_number || "")}</span>
      ${p.reviewed_by ? ` · <span class="name">${esc(p.reviewed_by.name)}</span>` : ""}</p>
  </li>`;
}
