// The patient's account page: consent per purpose (separate, withdrawable), real name (masked), family, own data.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { esc, formObject, showError, toast } from "../lib/dom.js";
import { dateTime } from "../lib/dates.js";
import "../lib/page.js";

const PURPOSES = ["health_data", "video", "employer_screening", "family_access"];
let dependants = [];

async function renderConsents() {
  const consents = await api("GET", "/api/me/consents");
  const list = document.getElementById("consent-list");
  list.innerHTML = "";
  for (const purpose of PURPOSES) {
    const c = consents.find((x) => x.purpose === purpose) || { granted: false };
    const item = document.createElement("li");
    item.dataset.purpose = purpose;
    const state = c.granted ? T("consent_granted") : (c.at ? T("consent_withdrawn") : T("consent_never"));
    item.innerHTML = `<p>${esc(T("consent." + purpose))}</p>
      <p class="meta"><strong class="${c.granted ? "ok" : "off"}">${esc(state)}</strong>
      ${c.version ? `· ${esc(T("consent_version"))} ${esc(c.version)} · ${esc(dateTime(c.at))}` : ""}</p>`;
    const button = document.createElement("button");
    button.type = "button";
    button.className = c.granted ? "secondary" : "";
    button.textContent = c.granted ? T("consent_withdraw") : T("consent_grant");
    button.addEventListener("click", async () => {
      try { await api("POST", "/api/me/consents", { purpose, granted: !c.granted }); await renderConsents(); }
      catch (e) { toast(e.message); }
    });
    item.appendChild(button);
    list.appendChild(item);
  }
}

function identityLine(who, identity) {
  const state = identity && identity.id_number_masked
    ? `${esc(identity.name)} · ${esc(identity.id_number_masked)} · ${esc(identity.verified ? T("identity_verified") : T("identity_pending"))}`
    : esc(T("identity_none"));
  return `<li><strong>${esc(who)}</strong> ${state}</li>`;
}

async function renderIdentityAndFamily() {
  const [mine, family] = await Promise.all([api("GET", "/api/me/identity"), api("GET", "/api/me/dependants")]);
  dependants = family;
  document.getElementById("identity-state").innerHTML = identityLine(T("identity_self"), mine) +
    family.map((d) => identityLine(d.name, d.identity)).join("");
  document.getElementById("dependant-list").innerHTML = family.map((d) =>
    `<li data-id="${esc(d.id)}"><strong>${esc(d.name)}</strong> · ${esc(T("relation_" + d.relation))} · ${esc(d.age_years)} ${esc(T("years_old"))}</li>`).join("");
  const select = document.getElementById("identity-for");
  select.innerHTML = `<option value="">${esc(T("identity_self"))}</option>` +
    family.map((d) => `<option value="${esc(d.id)}">${esc(d.name)}</option>`).join("");
}

document.getElementById("identity-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = formObject(event.target);
  try {
    await api("POST", "/api/me/identity", body);
    event.target.elements.id_number.value = "";  // the full number is not kept on the page either
    await renderIdentityAndFamily();
  } catch (e) { showError("identity-form", e); }
});

document.getElementById("dependant-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await api("POST", "/api/me/dependants", formObject(event.target));
    event.target.reset();
    await renderIdentityAndFamily();
  } catch (e) { showError("dependant-form", e); }
});

renderConsents();
renderIdentityAndFamily();
