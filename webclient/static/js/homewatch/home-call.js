// A video call into a home: the consultation call (../call.js) over the home call's own events.
// The caller (doctor or carer) offers, the home answers; a reload or a dropped network rejoins the
// same call (the page finds it again with GET /api/homewatch/calls). Hanging up ends the call for
// both (its room closes); the doctor's note is saved to the person's record (notes()).
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { esc, toast } from "../lib/dom.js";
import { stamp } from "../lib/dates.js";
import { ConsultCall } from "../call.js";

export class HomeCall extends ConsultCall {
  constructor({ socket, call, onEnded }) {
    super({ socket, consultationId: call.id, role: call.my_role, onEnded });
    this.offers = call.my_role === "caller";
    this.ev = { join: "homecall:join", signal: "homecall:signal", peerJoined: "homecall:peer_joined",
                peerLeft: "homecall:peer_left" };
    this.idKey = "call_id";
    this.details = call;
  }

  otherRole() { return this.role === "caller" ? "home" : "caller"; }

  listen() {
    this.socket.on("homecall:update", (call) => {
      if (call.id !== this.id) return;
      this.details = call;
      if (call.status === "ended") this.finish(call.end_reason);
    });
  }

  async load() {
    const c = this.details;
    // The home sees who calls: "your doctor" or "carer", and the name.
    const name = this.role === "caller" ? c.resident.name : `${T(`hw.call.by_${c.caller.role}`)} · ${c.caller.name}`;
    const where = this.role === "caller" && c.address ? ` · ${esc(c.address)}` : "";
    document.getElementById("call-title").textContent = T("hw.call.start");
    document.getElementById("call-peer").innerHTML = `<span class="name">${esc(name)}</span>${where}`;
    return c;
  }

  bindControls() {
    super.bindControls();
    // Hanging up a home call ends it for both; there is no "rejoin" after that.
    document.getElementById("btn-hangup").onclick = () => this.end();
  }

  async end() {
    try { await api("POST", `/api/homewatch/calls/${this.id}/end`, { reason: "hung_up" }); }
    catch (e) { if (e.code !== "ended") { toast(e.message); return; } }
    this.finish("hung_up");
  }

  async reportQuality() { /* the figures of queue consultations only */ }
}

/** Show the call screen (#call-screen) in place of the page (#page-content) and start the call. */
export async function openCall(socket, call, onEnded) {
  document.getElementById("page-content").hidden = true;
  document.getElementById("call-screen").hidden = false;
  document.getElementById("call-screen").classList.remove("ended");
  document.getElementById("btn-hangup").hidden = false;
  document.getElementById("remote-video").srcObject = null;
  const homeCall = new HomeCall({ socket, call, onEnded: (reason) => onEnded(reason) });
  await homeCall.start();
  return homeCall;
}

/** Back from the call screen to the page. */
export function closeCall() {
  document.getElementById("call-screen").hidden = true;
  document.getElementById("page-content").hidden = false;
  const remote = document.getElementById("remote-video");
  if (remote) remote.srcObject = null;
}

/** Why a call ended, as the page says it. */
export function endedText(reason) {
  return T(`hw.call.end_${reason || "hung_up"}`);
}

/** The doctor's notes of a call: the list (current ones; corrections marked) and the form. */
export function notes(callId, list) {
  const box = document.getElementById("call-notes");
  if (!box) return;
  box.hidden = false;
  const form = document.getElementById("note-form");
  const items = document.getElementById("note-list");
  let shown = list || [];
  const render = () => {
    items.replaceChildren(...shown.filter((n) => n.current).map((n) => {
      const li = document.createElement("li");
      li.innerHTML = `<small>${esc(stamp(n.written_at))}${n.replaces_id ? ` · ${esc(T("amended"))}` : ""}</small> <span class="text">${esc(n.text)}</span> `;
      const button = document.createElement("button");
      button.type = "button"; button.className = "link correct"; button.textContent = T("hw.call.correct");
      button.onclick = () => {
        form.dataset.replaces = n.id; form.elements.text.value = n.text;
        form.querySelector(".reason").hidden = false; form.elements.text.focus();
      };
      li.append(button);
      return li;
    }));
  };
  form.dataset.replaces = ""; form.elements.text.value = ""; form.querySelector(".reason").hidden = true;
  form.onsubmit = async (event) => {
    event.preventDefault();
    const body = { text: form.elements.text.value.trim() };
    if (form.dataset.replaces) { body.replaces_id = Number(form.dataset.replaces); body.reason = form.elements.reason.value.trim(); }
    try {
      const note = await api("POST", `/api/homewatch/calls/${callId}/notes`, body);
      shown = shown.map((n) => (n.id === note.replaces_id ? { ...n, current: false } : n)).concat([note]);
      form.dataset.replaces = ""; form.elements.text.value = ""; form.elements.reason.value = "";
      form.querySelector(".reason").hidden = true;
      render();
      toast(T("hw.call.note_saved"));
    } catch (e) { toast(e.message); }
  };
  render();
}
