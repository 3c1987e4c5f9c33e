// The operator's editors on one home's card: its rules (shown in minutes and hours, sent in seconds),
// away mode, the resident's consent (whose word it is), and the accounts linked to the home.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { dateTime } from "../lib/dates.js";
import { list } from "../lib/labels.js";
import { apiError, clearErrors, clock, valid, wholeNumber } from "./forms.js";

const PURPOSES = ["family_daily_summary", "family_movement_history", "video_auto_answer"];
// Field -> (seconds per unit shown, smallest, largest): the server's limits in the units a person types.
const RULE_UNITS = {
  living_room_max_seconds: [60, 1, 1440], bathroom_max_seconds: [60, 1, 1440],
  inactivity_seconds: [3600, 1, 168], heartbeat_timeout_seconds: [60, 1, 1440],
};

function fillRules(form, rules) {
  for (const [name, [unit]] of Object.entries(RULE_UNITS)) {
    const seconds = rules[name];
    form.elements[name].value = seconds == null ? "" : Math.max(1, Math.round(seconds / unit));
  }
  form.elements.battery_low_pct.value = rules.battery_low_pct;
  form.elements.sleep_start.value = rules.sleep_start;
  form.elements.sleep_end.value = rules.sleep_end;
}

function wireRules(node, home) {
  const form = node.querySelector(".rules-form");
  fillRules(form, home.rules || {});
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = {};
    for (const [name, [unit, min, max]] of Object.entries(RULE_UNITS)) {
      const value = wholeNumber(form, name, min, max, name === "inactivity_seconds");
      if (value !== undefined && value !== null) body[name] = value * unit;
    }
    body.battery_low_pct = wholeNumber(form, "battery_low_pct", 1, 100);
    body.sleep_start = clock(form, "sleep_start");
    body.sleep_end = clock(form, "sleep_end");
    if (!valid(form)) return;
    try {
      const stored = await api("PUT", `/api/homewatch/homes/${home.id}/rules`, body);
      fillRules(form, stored);
      toast(T("hw.rules_saved"));
    } catch (error) { apiError(form, error); }
  });
}

function wireAway(node, home) {
  const button = node.querySelector(".away-toggle");
  const badge = node.querySelector(".away-badge");
  let away = home.away;
  const show = () => {
    button.textContent = away ? T("hw.away_set_off") : T("hw.away_set_on");
    button.setAttribute("aria-pressed", String(away));
    badge.hidden = !away;
  };
  show();
  button.addEventListener("click", async () => {
    try { away = (await api("POST", `/api/homewatch/homes/${home.id}/away`, { away: !away })).away; show(); }
    catch (error) { toast(error.message || T("hw.error")); }
  });
}

function showConsent(form, records) {
  for (const purpose of PURPOSES) {
    const record = records[purpose];
    form.elements[purpose].checked = Boolean(record && record.granted);
    const note = form.querySelector(`.consent-at[data-purpose="${purpose}"]`);
    note.textContent = record && record.at
      ? T("hw.consent_since", { at: dateTime(record.at), by: T(`hw.given_by.${record.given_by || "resident"}`) }) : "";
  }
}

function wireConsent(node, home) {
  const form = node.querySelector(".consent-form");
  let records = home.consent_records || {};
  showConsent(form, records);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const givenBy = form.elements.given_by.value;
    try {
      for (const purpose of PURPOSES) {
        const granted = form.elements[purpose].checked;
        if (granted === Boolean(records[purpose] && records[purpose].granted)) continue;  // unchanged: nothing to record
        await api("POST", `/api/homewatch/homes/${home.id}/consent`, { purpose, granted, given_by: givenBy });
      }
      records = (await api("GET", `/api/homewatch/homes/${home.id}`)).consent_records || {};
      showConsent(form, records);
      toast(T("hw.consent_recorded"));
    } catch (error) { apiError(form, error); }
  });
}

function showPeople(node, form, people) {
  form.elements.family_logins.value = people.family.map((p) => p.login).join("\n");
  form.elements.resident_login.value = people.resident ? people.resident.login : "";
  form.elements.doctor_login.value = people.doctor ? people.doctor.login : "";
  const names = [...people.family.map((p) => p.name), people.resident && people.resident.name, people.doctor && people.doctor.name]
    .filter(Boolean);
  node.querySelector(".people-names").textContent = names.length ? list(names) : T("hw.nobody");
}

function wirePeople(node, home) {
  const form = node.querySelector(".people-form");
  showPeople(node, form, home.people || { family: [] });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const lines = form.elements.family_logins.value.split(/\n/).map((s) => s.trim()).filter(Boolean);
    const body = { family_logins: lines };
    for (const name of ["resident_login", "doctor_login"]) {
      const value = form.elements[name].value.trim();
      body[name] = value || null;
    }
    try {
      const updated = await api("PUT", `/api/homewatch/homes/${home.id}/people`, body);
      showPeople(node, form, updated.people);
      toast(T("hw.people_saved"));
    } catch (error) { apiError(form, error); }
  });
}

/** Wire every editor of a home's card. */
export function wireHomeEditors(node, home) {
  wireRules(node, home);
  wireAway(node, home);
  wireConsent(node, home);
  wirePeople(node, home);
}
