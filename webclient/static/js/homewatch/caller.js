// The caller's side of a video call into a home (the doctor's and the carer's pages): ring the home,
// say whether it will open by itself after the countdown, the call, the doctor's note, and closing
// the alert the call was about with outcome "doctor called by video". After a reload the page finds
// its open call again and rejoins it.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { closeCall, endedText, notes, openCall } from "./home-call.js";

const el = (id) => document.getElementById(id);

export class Caller {
  constructor(socket, { onClosed } = {}) {
    this.socket = socket; this.call = null; this.active = null; this.onClosed = onClosed;
    socket.on("homecall:update", (call) => { if (this.call && call.id === this.call.id) this.updated(call); });
    el("call-back").addEventListener("click", () => this.back());
    el("call-resolve").addEventListener("click", () => this.resolveAlert());
  }

  /** Ring a home (about one of its alerts, or not). */
  async start(homeId, alertId = null) {
    if (this.active) return;
    try {
      const call = await api("POST", `/api/homewatch/homes/${homeId}/calls`, alertId ? { alert_id: Number(alertId) } : {});
      await this.open(call);
    } catch (e) { toast(e.message); }
  }

  /** After a (re)load: rejoin a call this person started that still rings or runs. */
  async resume() {
    if (this.active) return;
    const open = (await api("GET", "/api/homewatch/calls")).find((c) => c.my_role === "caller");
    if (open) await this.open(open);
  }

  async open(call) {
    this.call = call;
    el("call-back").hidden = true;
    el("call-resolve").hidden = !call.alert_id;
    if (call.notes) notes(call.id, call.notes);
    this.updated(call);
    this.active = await openCall(this.socket, call, (reason) => this.ended(reason));
    // Nobody answered: asking for the open calls ends it on the server ("no answer") and tells both pages.
    clearTimeout(this.giveUp);
    const left = Date.parse(call.started_at) + call.ring_seconds * 1000 - Date.now();
    this.giveUp = setTimeout(() => { if (this.call && this.call.status === "ringing") api("GET", "/api/homewatch/calls").catch(() => {}); },
                             Math.max(0, left) + 1500);
  }

  updated(call) {
    this.call = call;
    const state = el("call-ring-state");
    state.hidden = call.status !== "ringing";
    state.textContent = call.auto_answer ? T("hw.call.ringing_auto").replace("{n}", call.countdown_seconds)
      : T("hw.call.ringing_caller");
  }

  ended(reason) {
    this.active = null;
    el("call-ring-state").hidden = true;
    el("call-screen").classList.add("ended");
    el("call-back").hidden = false;
    el("call-status").textContent = endedText(reason);
    toast(endedText(reason));
  }

  async resolveAlert() {
    if (!this.call || !this.call.alert_id) return;
    try {
      await api("POST", `/api/homewatch/calls/${this.call.id}/resolve-alert`, {});
      el("call-resolve").hidden = true;
      toast(T("hw.call.alert_closed"));
    } catch (e) { toast(e.message); }
  }

  async back() {
    if (this.active) await this.active.end();
    this.call = null;
    closeCall();
    if (this.onClosed) this.onClosed();
  }
}
