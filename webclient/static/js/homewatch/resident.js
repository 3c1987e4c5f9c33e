// The resident's home page: one big help button; "help is coming: <carer> is on the way"; "I'm OK"
// while nobody has taken the call yet.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { connect } from "./lib.js";
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

async function reload() {
  const me = await api("GET", "/api/homewatch/me");
  home = me.homes[0] || null;
  const open = await api("GET", "/api/homewatch/alerts?status=open");
  current = open.find((a) => a.kind === "button") || null;
  show();
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
connect((alert) => {
  if (alert.kind !== "button") return;
  if (!current || current.id !== alert.id || alert.timeline.length >= current.timeline.length) current = alert;
  show();
}, reload);
