// The contracted doctor's home watch page: their homes with open alerts, a video call into a home
// (about an alert or not), the note of each call (it goes into the person's record) and the calls
// made before. Opened from the workspace in a tab of its own: the queue there is not touched.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { stamp } from "../lib/dates.js";
import { connect } from "./lib.js";
import { Caller } from "./caller.js";
import "../lib/page.js";

let caller = null;

function alertItem(alert) {
  const li = document.createElement("li");
  li.className = `level-${alert.level}`;
  const label = document.createElement("span");
  label.textContent = `${T(`hw.kind.${alert.kind}`)} · ${T(`hw.status.${alert.status}`)} · ${stamp(alert.raised_at)}`;
  li.append(label);
  if (alert.status === "raised") {
    const take = document.createElement("button");
    take.type = "button"; take.className = "secondary hw-big accept"; take.textContent = T("hw.accept");
    take.onclick = async () => { try { await api("POST", `/api/homewatch/alerts/${alert.id}/acknowledge`, {}); render(); } catch (e) { toast(e.message); } };
    li.append(take);
  }
  const call = document.createElement("button");
  call.type = "button"; call.className = "hw-big video-call-alert"; call.textContent = T("hw.call.start");
  call.onclick = () => caller.start(alert.home_id, alert.id);
  li.append(call);
  return li;
}

function callItem(call) {
  const li = document.createElement("li");
  const notes = (call.notes || []).filter((n) => n.current).map((n) => n.text).join(" / ");
  li.textContent = `${stamp(call.started_at)} · ${call.caller.name} · ${T(`hw.call.end_${call.end_reason || "hung_up"}`)}${notes ? " — " + notes : ""}`;
  return li;
}

async function card(home, alerts) {
  const node = document.getElementById("home-template").content.firstElementChild.cloneNode(true);
  node.dataset.homeId = home.id;
  node.querySelector(".resident").textContent = home.resident.name;
  node.querySelector(".consent").textContent = T(home.consent && home.consent.video_auto_answer ? "hw.call.auto_on" : "hw.call.auto_off");
  node.querySelector(".address").textContent = `${home.address} (${home.community})`;
  node.querySelector(".conditions").textContent = home.conditions || "—";
  node.querySelector(".medicines").textContent = home.medicines || "—";
  node.querySelector(".open-alerts").replaceChildren(...alerts.map(alertItem));
  node.querySelector(".video-call").addEventListener("click", () => caller.start(home.id));
  const calls = await api("GET", `/api/homewatch/homes/${home.id}/calls`);
  node.querySelector(".call-list").replaceChildren(...calls.filter((c) => c.status === "ended").map(callItem));
  return node;
}

async function render() {
  const [homes, alerts] = await Promise.all([api("GET", "/api/homewatch/homes"), api("GET", "/api/homewatch/alerts?status=open")]);
  document.getElementById("no-homes").hidden = homes.length > 0;
  const cards = await Promise.all(homes.map((h) => card(h, alerts.filter((a) => a.home_id === h.id))));
  document.getElementById("homes").replaceChildren(...cards);
}

async function reload() {
  try { await render(); await caller.resume(); } catch (e) { toast(e.message); }
}

const socket = connect(() => render().catch(() => {}), reload);
caller = new Caller(socket, { onClosed: () => render().catch(() => {}) });
