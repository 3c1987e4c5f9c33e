// One way to show a prescription (the patient's summary, the doctor's panel).

export function itemLine(item) {
  return `${esc(item.drug)} · ${esc(item.dose)} · ${esc(item.route)} · ${esc(item.frequency)} · ${esc(item.days)}d · ${esc(item.quantity)}`;
}

export function prescriptionHtml(p, { showStatus = true } = {}) {
  const warnings = (p.warnings || []).map((w) => `<li class="warning">${esc(w.text)} <small>(${esc(w.source)})</small></li>`).join("");
  return `<li class="prescription" data-id="${esc(p.id)}" data-status="${esc(p.status)}">
    ${showStatus ? `<strong class="status-${esc(p.status)}">${esc(T("rx_status_" + p.status))}</strong>` : ""}
    <ul>${p.items.map((i) => `<li>${itemLine(i)}</li>`).join("")}</ul>
    ${warnings ? `<p>${esc(T("rx_warnings"))}</p><ul>${warnings}</ul>` : ""}
    ${p.reason ? `<p class="reason">${esc(T("rx_reason"))}: ${esc(p.reason)}</p>` : ""}
    <p class="meta">${esc(p.doctor.name)} ${esc(p.doctor.title || "")} · ${esc(p.doctor.licence_number || "")}
      ${p.reviewed_by ? ` · ${esc(p.reviewed_by.name)}` : ""}</p>
  </li>`;
}
