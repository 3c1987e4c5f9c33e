// The home page ringing: who calls, big Answer and Decline buttons. With the resident's recorded
// consent to auto-answer, a countdown (the number on screen and a beep each second, WebAudio) runs
// before the page answers by itself; Decline still works during it. The server checks the consent
// again at that moment: withdrawn, the answer is refused and the page waits for a tap.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { toast } from "../lib/dom.js";
import { chime } from "../lib/alerts.js";
import { closeCall, endedText, openCall } from "./home-call.js";

let audio = null;

/** Make sound possible (browsers allow it after a tap on the page). */
export function unlockAudio() {
  try { audio = audio || new AudioContext(); if (audio.state === "suspended") audio.resume(); } catch (e) { audio = null; }
}

function beep(freq, seconds = 0.18) {
  try {
    unlockAudio();
    const osc = audio.createOscillator(); const gain = audio.createGain();
    const at = audio.currentTime;
    osc.frequency.value = freq; gain.gain.setValueAtTime(0.35, at); gain.gain.exponentialRampToValueAtTime(0.001, at + seconds);
    osc.connect(gain).connect(audio.destination); osc.start(at); osc.stop(at + seconds + 0.02);
    window.hwBeeps = (window.hwBeeps || 0) + 1;  // tests and support read how many sounded
  } catch (e) { /* no audio device: the number on screen still counts down */ }
}

const el = (id) => document.getElementById(id);

export class HomeRinger {
  constructor(socket) {
    this.socket = socket; this.call = null; this.active = null; this.timers = [];
    el("ring-answer").addEventListener("click", () => this.answer(false));
    el("ring-decline").addEventListener("click", () => this.decline());
  }

  /** A call as the server has it now (live `homecall:update`, or the open calls after a reload). */
  update(call) {
    if (call.status === "ringing") this.ring(call);
    else if (call.status === "active" && !this.active && !this.opening) this.open(call);  // a reload mid-call rejoins
    else if (call.status === "ended" && this.call && this.call.id === call.id && !this.active) {
      this.stop(); toast(endedText(call.end_reason));
    }
  }

  ring(call) {
    if (this.call && this.call.id === call.id) {
      // The consent was withdrawn while it rings (here or by the operator): the countdown stops at
      // once and only a tap answers.
      if (this.call.auto_answer && !call.auto_answer && !this.active && !this.opening) {
        this.clearTimers(); this.call = call; this.tapToAnswer(); this.giveUpLater(call);
      }
      return;
    }
    this.stop();
    this.call = call;
    el("page-content").hidden = true;
    el("call-ring").hidden = false;
    el("ring-title").textContent = T("hw.call.incoming").replace("{name}", `${T(`hw.call.by_${call.caller.role}`)} ${call.caller.name}`);
    if (call.auto_answer) this.countdown(call);
    else this.tapToAnswer();
    this.giveUpLater(call);
  }

  /** Stop ringing a little after the ring time even if the server's "ended" does not arrive. */
  giveUpLater(call) {
    const giveUp = Date.parse(call.started_at) + call.ring_seconds * 1000;
    this.timers.push(setTimeout(() => { if (this.call === call && !this.active) this.stop(); },
                                Math.max(0, giveUp - Date.now()) + 2000));
  }

  tapToAnswer() {
    el("ring-countdown").hidden = true;
    el("ring-hint").textContent = T("hw.call.tap_to_answer");
    const tone = () => { chime(true); if (navigator.vibrate) navigator.vibrate([400, 200, 400]); };
    tone();
    this.timers.push(setInterval(tone, 2500));
  }

  countdown(call) {
    const due = Date.parse(call.auto_answer_at);
    const number = el("ring-countdown");
    number.hidden = false;
    el("ring-hint").textContent = T("hw.call.countdown_hint");
    let last = null;
    const tick = () => {
      const left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      if (left !== last) {
        last = left;
        number.textContent = T("hw.call.countdown").replace("{n}", left);
        number.dataset.seconds = String(left);
        if (left > 0) beep(left <= 3 ? 1175 : 880);
        if (navigator.vibrate && left > 0) navigator.vibrate(120);
      }
      if (left === 0) { this.clearTimers(); this.answer(true); }
    };
    tick();
    this.timers.push(setInterval(tick, 200));
  }

  async answer(auto) {
    const call = this.call;
    if (!call || this.opening) return;
    try {
      const answered = await api("POST", `/api/homewatch/calls/${call.id}/answer`, { auto });
      await this.open(answered);
    } catch (e) {
      if (e.code === "countdown_running") { this.timers.push(setTimeout(() => this.answer(true), 400)); return; }
      if (e.code === "consent_required") { this.clearTimers(); toast(e.message); this.tapToAnswer(); return; }
      if (e.code === "not_ringing" || e.code === "call_not_found") { this.stop(); }
      toast(e.message);
    }
  }

  async decline() {
    const call = this.call;
    if (!call) return;
    this.stop();
    try { await api("POST", `/api/homewatch/calls/${call.id}/end`, { reason: "declined" }); }
    catch (e) { if (e.code !== "ended") toast(e.message); }
  }

  async open(call) {
    // Our own answer and its live echo (homecall:update, active) may arrive in either order: one call.
    if (this.opening || this.active) return;
    this.stop();
    this.opening = true;
    this.call = call;
    try {
      this.active = await openCall(this.socket, call, (reason) => {
        this.active = null; this.call = null; closeCall(); toast(endedText(reason));
      });
    } finally { this.opening = false; }
  }

  clearTimers() {
    this.timers.forEach((t) => { clearInterval(t); clearTimeout(t); });
    this.timers = [];
  }

  stop() {
    this.clearTimers();
    if (navigator.vibrate) navigator.vibrate(0);
    el("call-ring").hidden = true;
    if (!this.active) { el("page-content").hidden = false; this.call = null; }
  }
}
