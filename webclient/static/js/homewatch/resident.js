// The resident's home page: one big help button; "help is coming: <carer> is on the way"; "I'm OK"
// while nobody has taken the call yet. A video call from the doctor or a carer rings here
// (ringing.js); the resident's consent to auto-answer is shown and can be withdrawn at once.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { connect } from "./lib.js";
import { HomeRinger, unlockAudio } from "./ringing.js";
import "../lib/page.js";

let home = null;
let current = null;

function show() {
  const state = document.getElementById("help-state");
  const ok = document.getElementById("im-ok");
  if (!current || current.status === "closed") { state.textContent = ""; ok.hidden = true; return; }
  const name = current.owner ? current.owner.name : "";
  state.textContent = current.status === "raised" ? T("hw.help_sent")
    : current.status === "acknowledged" ? T("hw.help_taken").replace("{name}", name)
    : T("hw.help_coming").replace("{name}", name);
  ok.hidden = current.status !== "raised";
}

function showConsent() {
  const box = document.getElementById("auto-answer");
  box.hidden = !home;
  if (!home) return;
  const on = Boolean(home.consent && home.consent.video_auto_answer);
  document.getElementById("auto-answer-state").textContent = T(on ? "hw.call.consent_on" : "hw.call.consent_off");
  const button = document.getElementById("auto-answer-toggle");
  button.textContent = T(on ? "hw.call.withdraw" : "hw.call.grant");
  button.dataset.granted = String(on);
}

async function reload() {
  const me = await api("GET", "/api/homewatch/me");
  home = me.homes[0] || null;
  showConsent();
  const open = await api("GET", "/api/homewatch/alerts?status=open");
  current = open.find((a) => a.kind === "button") || null;
  show();
  for (const call of await api("GET", "/api/homewatch/calls")) ringer.update(call);  // rings again after a reload
}
document.getElementById("help").addEventListener("click", async () => {
  if (!home) return;
  try { current = await api("POST", `/api/homewatch/homes/${home.id}/help`); show(); }
  catch (error) { toast(error.message || T("hw.error")); }
});
document.getElementById("im-ok").addEventListener("click", async () => {
  try { current = await api("POST", `/api/homewatch/alerts/${current.id}/cancel`); show(); }
  catch (error) { toast(error.message || T("hw.error")); }
});
document.getElementById("auto-answer-toggle").addEventListener("click", async (event) => {
  const granted = event.target.dataset.granted !== "true";
  try {
    const consent = await api("POST", `/api/homewatch/homes/${home.id}/consent`, { purpose: "video_auto_answer", granted });
    home.consent = consent;
    showConsent();
  } catch (error) { toast(error.message || T("hw.error")); }
});
// Sound needs one tap on the page first (browsers refuse it otherwise): any tap will do.
document.addEventListener("pointerdown", unlockAudio, { once: true });
const socket = connect((alert) => {
  if (alert.kind !== "button") return;
  if (!current || current.id !== alert.id || alert.timeline.length >= current.timeline.length) current = alert;
  show();
}, reload);
const ringer = new HomeRinger(socket);
socket.on("homecall:update", (call) => ringer.update(call));
