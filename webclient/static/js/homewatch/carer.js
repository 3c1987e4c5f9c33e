// The carer's phone page: open alerts, most urgent and newest first; take, go, arrive, close.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { stamp as time } from "../lib/dates.js";
import { connect, enableRinging, keepNewer, ring } from "./lib.js";
import { COLON } from "../lib/labels.js";
import { Caller } from "./caller.js";
import "../lib/page.js";

const alerts = new Map();
let me = null;
let caller = null;  // video calls into a home (caller.js)

function order(a, b) {
  return (a.level - b.level) || (Date.parse(b.raised_at) - Date.parse(a.raised_at));
}

function render() {
  const list = document.getElementById("alerts");
  const open = [...alerts.values()].filter((a) => a.status !== "closed").sort(order);
  document.getElementById("no-alerts").hidden = open.length > 0;
  // A live update must not wipe what the carer is typing: keep the outcome and note per alert.
  const typed = new Map([...list.querySelectorAll(".hw-alert")].map((el) => [el.dataset.alertId,
    { outcome: el.querySelector("[name=outcome]").value, note: el.querySelector("[name=note]").value }]));
  list.replaceChildren(...open.map(card));
  for (const el of list.querySelectorAll(".hw-alert")) {
    const kept = typed.get(el.dataset.alertId);
    if (kept) { el.querySelector("[name=outcome]").value = kept.outcome; el.querySelector("[name=note]").value = kept.note; }
  }
}

function card(alert) {
  const node = document.getElementById("alert-template").content.firstElementChild.cloneNode(true);
  node.dataset.alertId = alert.id;
  node.classList.add(`level-${alert.level}`);
  node.querySelector(".kind").textContent = T(`hw.kind.${alert.kind}`);
  node.querySelector(".status").textContent = T(`hw.status.${alert.status}`);
  node.querySelector(".when").textContent = `${T("hw.raised_at")}${COLON}${time(alert.raised_at)}`;
  const mine = alert.owner && alert.owner.id === me.id;
  node.querySelector(".owner").textContent = alert.owner ? `${T("hw.taken_by")}${COLON}${alert.owner.name}` : "";
  const home = alert.home || {};
  node.querySelector(".address").textContent = `${home.address || ""} (${home.community || ""})`;
  node.querySelector(".key-safe").textContent = home.key_safe_code || "—";
  node.querySelector(".conditions").textContent = home.conditions || "—";
  node.querySelector(".medicines").textContent = home.medicines || "—";
  const contacts = node.querySelector(".contacts");
  for (const c of home.contacts || []) {
    const a = document.createElement("a");
    a.href = `tel:${c.phone}`; a.textContent = `${c.name}${c.relation ? " (" + c.relation + ")" : ""} ${c.phone}`;
    contacts.append(a);
  }
  if (!alert.home) node.querySelector(".home").hidden = true;
  node.querySelector(".accept").hidden = alert.status !== "raised";
  node.querySelector(".en-route").hidden = !(mine && alert.status === "acknowledged");
  node.querySelector(".on-site").hidden = !(mine && ["acknowledged", "en_route"].includes(alert.status));
  node.querySelector(".resolve").hidden = !(mine && ["acknowledged", "en_route", "on_site"].includes(alert.status));
  // A video call into the home: on duty, or while this carer has the alert.
  node.querySelector(".video-call").hidden = !(alert.home_id && (me.on_duty || mine));
  node.querySelector(".video-call").addEventListener("click", () => caller.start(alert.home_id, alert.id));
  node.querySelector(".accept").addEventListener("click", () => act(alert, "acknowledge", {}));
  node.querySelector(".en-route").addEventListener("click", () => act(alert, "progress", { step: "en_route" }));
  node.querySelector(".on-site").addEventListener("click", () => act(alert, "progress", { step: "on_site" }));
  node.querySelector(".resolve").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { outcome: form.outcome.value };
    if (form.note.value.trim()) body.note = form.note.value.trim();
    act(alert, "resolve", body);
  });
  const timeline = node.querySelector(".timeline");
  for (const step of alert.timeline || []) {
    const li = document.createElement("li");
    li.textContent = `${time(step.at)} ${T(`hw.event.${step.event}`)}${step.by ? " · " + step.by.name : ""}`;
    timeline.append(li);
  }
  return node;
}

async function act(alert, action, body) {
  try {
    const updated = await api("POST", `/api/homewatch/alerts/${alert.id}/${action}`, body);
    keepNewer(alerts, updated);
    render();
  } catch (error) {
    toast(error.code === "alert_taken" ? T("hw.taken_by_other") : (error.message || T("hw.error")));
  }
}

async function reload() {
  for (const alert of await api("GET", "/api/homewatch/alerts?status=open")) keepNewer(alerts, alert);
  render();
}

function showDuty() {
  document.getElementById("duty-state").textContent = T(me.on_duty ? "hw.duty_on_state" : "hw.duty_off_state");
  document.getElementById("duty-toggle").textContent = T(me.on_duty ? "hw.off_duty" : "hw.on_duty");
}

async function main() {
  const [who, duty] = await Promise.all([api("GET", "/api/me"), api("GET", "/api/homewatch/me")]);
  me = { ...duty, id: who.user.id };
  showDuty();
  document.getElementById("duty-toggle").addEventListener("click", async () => {
    const answer = await api("POST", "/api/homewatch/duty", { on_duty: !me.on_duty });
    me.on_duty = answer.on_duty; showDuty(); reload();
  });
  const enable = document.getElementById("enable-alerts");
  enable.addEventListener("click", async () => { await enableRinging(); enable.hidden = true; });
  const socket = connect((alert) => {
    keepNewer(alerts, alert);
    render();
    if (alert.ring) ring(alert);
  }, async () => { await reload(); await caller.resume(); });
  caller = new Caller(socket, { onClosed: reload });
}

main();
