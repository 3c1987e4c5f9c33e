// The street operator's page: the report's charts and tables (with CSV), the duty roster, homes with
// their devices, rules, consent and linked accounts, enrolment of homes, devices (secrets shown once)
// and carer / family accounts.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { stamp as time } from "../lib/dates.js";
import { COLON } from "../lib/labels.js";
import "../lib/page.js";
import { ackChart, arrivalChart, falseAlarmChart, kindsChart, lastDays } from "./charts.js";
import { apiError, clearErrors } from "./forms.js";
import { wireHomeEditors } from "./home_edit.js";
import { startRoster } from "./roster.js";

const DAYS = 30;

function cell(value) { const td = document.createElement("td"); td.textContent = value ?? "—"; return td; }

async function loadCharts() {
  const rows = await api("GET", `/api/homewatch/reports?days=${DAYS}&by=day`);
  const days = lastDays(DAYS, document.getElementById("charts").dataset.zone || "Asia/Shanghai");
  kindsChart(document.getElementById("chart-kinds"), rows, days);
  ackChart(document.getElementById("chart-ack"), rows, days);
  arrivalChart(document.getElementById("chart-arrival"), rows, days);
  document.getElementById("charts").dataset.ready = "true";
}

async function loadReport() {
  const rows = await api("GET", `/api/homewatch/reports?days=${DAYS}`);
  document.querySelector("#report tbody").replaceChildren(...rows.map((r) => {
    const tr = document.createElement("tr");
    tr.append(cell(r.date), cell(r.community), cell(r.raised), cell(r.acknowledged_60s_pct),
              cell(r.acknowledged_180s_pct), cell(r.arrival_median_s == null ? null : Math.round(r.arrival_median_s)),
              cell(r.arrival_p90_s == null ? null : Math.round(r.arrival_p90_s)),
              cell(r.completed_pct), cell(r.satisfaction == null ? null : r.satisfaction.toFixed(1)), cell(r.false_alarms));
    return tr;
  }));
}

async function loadHomeFigures() {
  const figures = await api("GET", `/api/homewatch/reports/homes?days=${DAYS}`);
  falseAlarmChart(document.getElementById("chart-false"), figures.false_alarms_per_home);
  document.getElementById("devices-offline").textContent = `${T("hw.devices_offline")}${COLON}${figures.devices_offline}`;
  document.getElementById("false-alarm-homes").replaceChildren(...figures.false_alarms_per_home.map((h) => {
    const li = document.createElement("li");
    li.textContent = `${h.address}${COLON}${h.false_alarms} ${T("hw.r.false_alarms")}`;
    return li;
  }));
}

function homeNode(home) {
  const node = document.getElementById("home-template").content.firstElementChild.cloneNode(true);
  node.querySelector(".address").textContent = home.address;
  node.querySelector(".community").textContent = `(${home.community})`;
  node.querySelector(".resident").textContent = home.resident.name;
  node.dataset.home = home.id;
  wireHomeEditors(node, home);
  node.querySelector(".devices").replaceChildren(...(home.devices || []).map((d) => {
    const li = document.createElement("li");
    li.textContent = `#${d.id} ${T(`hw.device.${d.kind}`)}${d.room ? " · " + T(`hw.room.${d.room}`) : ""} · `
      + (d.last_seen_at ? `${T("hw.last_seen")} ${time(d.last_seen_at)}` : T("hw.never_seen"))
      + (d.battery_pct != null ? ` · ${d.battery_pct}%` : "") + (d.clock_suspect ? ` · ${T("hw.clock_suspect")}` : "");
    return li;
  }));
  node.querySelector(".device-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { kind: form.kind.value };
    if (form.room.value) body.room = form.room.value;
    try {
      const device = await api("POST", `/api/homewatch/homes/${home.id}/devices`, body);
      const secrets = node.querySelector(".secrets");
      secrets.textContent = `${T("hw.secrets_once")}\n token: ${device.token}` + (device.mqtt
        ? `\n mqtt: ${device.mqtt.url}\n user: ${device.mqtt.username}\n password: ${device.mqtt.password}\n topic: ${device.mqtt.topic}` : "");
      secrets.hidden = false;
    } catch (error) { toast(error.message || T("hw.error")); }
  });
  return node;
}

async function loadHomes() {
  const homes = await api("GET", "/api/homewatch/homes");
  document.getElementById("homes").replaceChildren(...homes.map(homeNode));
}

document.getElementById("home-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = event.target;
  clearErrors(f);
  const body = { address: f.address.value, community: f.community.value,
                 resident: { name: f.resident_name.value, ...(f.birth_date.value ? { birth_date: f.birth_date.value } : {}) },
                 consent: { family_daily_summary: f.family_daily_summary.checked,
                            family_movement_history: f.family_movement_history.checked } };
  for (const name of ["key_safe_code", "conditions", "medicines"]) if (f[name].value.trim()) body[name] = f[name].value.trim();
  try { await api("POST", "/api/homewatch/homes", body); f.reset(); await loadHomes(); }
  catch (error) { apiError(f, error); }
});

document.getElementById("user-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = event.target;
  clearErrors(f);
  const body = { role: f.role.value, name: f.name.value, phone: f.phone.value, password: f.password.value };
  if (f.role.value === "carer" && f.community.value.trim()) body.community = f.community.value.trim();
  try { const answer = await api("POST", "/api/homewatch/users", body); f.reset(); toast(`${T("hw.created")}${COLON}${answer.user.name}`); }
  catch (error) { apiError(f, error); }
});
loadCharts();
loadReport();
loadHomeFigures();
loadHomes();
startRoster();
