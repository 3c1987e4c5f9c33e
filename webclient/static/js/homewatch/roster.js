// The operator's duty roster: the street's carers (put one on or off duty now), a form for a new
// shift (a carer's duty period in a community) and the shifts from yesterday on, each cancellable.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { byId, toast } from "../lib/dom.js";
import { dateTime } from "../lib/dates.js";
import { apiError, clearErrors, fieldError, valid } from "./forms.js";

function button(label, cls, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `secondary hw-big ${cls}`;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function td(value) { const cell = document.createElement("td"); cell.textContent = value ?? "—"; return cell; }

async function loadCarers() {
  const carers = await api("GET", "/api/homewatch/carers");
  const select = byId("shift-form").elements.carer_id;
  const chosen = select.value;
  select.replaceChildren(new Option("—", ""), ...carers.map((c) => new Option(`${c.name}${c.community ? ` (${c.community})` : ""}`, c.id)));
  select.value = chosen;
  byId("no-carers").hidden = carers.length > 0;
  byId("carers").replaceChildren(...carers.map((c) => {
    const li = document.createElement("li");
    li.className = "hw-carer";
    li.dataset.carer = c.id;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `${c.name}${c.community ? ` · ${c.community}` : ""}`;
    const state = document.createElement("span");
    state.className = `hw-badge ${c.on_duty ? "on" : ""}`;
    state.textContent = c.on_duty ? T("hw.duty_on_state") : T("hw.duty_off_state");
    li.append(who, state, button(c.on_duty ? T("hw.take_off_duty") : T("hw.put_on_duty"), "duty-toggle", async () => {
      try { await api("POST", `/api/homewatch/carers/${c.id}/duty`, { on_duty: !c.on_duty }); await loadCarers(); }
      catch (error) { toast(error.message || T("hw.error")); }
    }));
    return li;
  }));
}

async function loadShifts() {
  const shifts = await api("GET", "/api/homewatch/shifts?days=14");
  byId("no-shifts").hidden = shifts.length > 0;
  byId("roster").hidden = shifts.length === 0;
  byId("roster").querySelector("tbody").replaceChildren(...shifts.map((s) => {
    const tr = document.createElement("tr");
    tr.dataset.shift = s.id;
    const action = document.createElement("td");
    if (s.state === "planned" || s.state === "on") {
      action.append(button(s.state === "on" ? T("hw.end_shift_now") : T("hw.cancel_shift"), "shift-cancel", async () => {
        try { await api("DELETE", `/api/homewatch/shifts/${s.id}`); await refresh(); }
        catch (error) { toast(error.message || T("hw.error")); }
      }));
    }
    tr.append(td(s.carer.name), td(s.community), td(dateTime(s.starts_at)), td(dateTime(s.ends_at)),
              td(T(`hw.shift_state.${s.state}`)), action);
    return tr;
  }));
}

async function refresh() {
  await Promise.all([loadCarers(), loadShifts()]);
}

/** A datetime-local value (the browser's wall time) as an ISO instant, or undefined with the error shown. */
function instant(form, name) {
  const raw = form.elements[name].value;
  const when = raw ? new Date(raw) : null;
  if (!when || Number.isNaN(when.getTime())) { fieldError(form, name, T("hw.err.required")); return undefined; }
  return when.toISOString();
}

/** Wire the roster section and load it. */
export function startRoster() {
  const form = byId("shift-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const carer = form.elements.carer_id.value;
    if (!carer) fieldError(form, "carer_id", T("hw.err.choose_carer"));
    const startsAt = instant(form, "starts_at");
    const endsAt = instant(form, "ends_at");
    if (startsAt && endsAt && endsAt <= startsAt) fieldError(form, "ends_at", T("hw.err.end_after_start"));
    if (!valid(form)) return;
    const body = { carer_id: Number(carer), starts_at: startsAt, ends_at: endsAt };
    if (form.elements.community.value.trim()) body.community = form.elements.community.value.trim();
    try {
      await api("POST", "/api/homewatch/shifts", body);
      form.reset();
      toast(T("hw.shift_added"));
      await refresh();
      setTimeout(loadCarers, 1500);  // a shift starting now puts its carer on duty at the next sweep
    } catch (error) { apiError(form, error); }
  });
  refresh().catch((error) => toast(error.message || T("hw.error")));
}
