// A third participant in the call (server/guests, signaling/guests.py). The guest keeps one
// RTCPeerConnection with each member and makes the offers; patient and doctor answer them beside their
// own call (call.js, untouched), and both sides show who joined. The guest page's module; the patient's
// and doctor's pages import it.
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { esc, formObject, showError, toast } from "../lib/dom.js";
import { emitAck } from "../lib/socket.js";
import "../lib/page.js";

const tiles = new Map();  // role -> { figure, video, caption, pc, pending }

function videosBox() { return document.querySelector("#guest-call .videos") || document.getElementById("guest-videos"); }

function tile(role, label) {
  let t = tiles.get(role);
  if (!t) {
    const figure = document.createElement("figure");
    figure.className = "guest-tile"; figure.dataset.role = role;
    const video = document.createElement("video"); video.autoplay = true; video.playsInline = true;
    const caption = document.createElement("figcaption");
    figure.append(video, caption);
    videosBox().appendChild(figure);
    t = { figure, video, caption, pc: null, pending: [] };
    tiles.set(role, t);
  }
  if (label) t.caption.textContent = label;
  return t;
}

function drop(role) {
  const t = tiles.get(role);
  if (!t) return;
  if (t.pc) t.pc.close();
  t.figure.remove(); tiles.delete(role);
}

function connection(t, send, stream, iceServers) {
  if (t.pc) t.pc.close();
  t.pending = [];
  const pc = new RTCPeerConnection({ iceServers });
  if (stream) stream.getTracks().forEach((track) => pc.addTrack(track, stream));
  else { pc.addTransceiver("video", { direction: "recvonly" }); pc.addTransceiver("audio", { direction: "recvonly" }); }
  pc.ontrack = (e) => { t.video.srcObject = e.streams[0] || new MediaStream([e.track]); };
  pc.onicecandidate = (e) => { if (e.candidate) send("candidate", e.candidate.toJSON()); };
  t.pc = pc;
  return pc;
}

async function addCandidate(t, data) {
  if (t.pc && t.pc.remoteDescription) await t.pc.addIceCandidate(data).catch(() => {});
  else t.pending.push(data);
}

async function flush(t) {
  const queued = t.pending; t.pending = [];
  for (const c of queued) await t.pc.addIceCandidate(c).catch(() => {});
}

// Decoded frames per tile, read by tests and support staff like window.clinicCall's figures.
window.guestCalls = {
  async framesDecoded(role) {
    const t = tiles.get(role);
    if (!t || !t.pc) return 0;
    let frames = 0;
    (await t.pc.getStats()).forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "video") frames = s.framesDecoded || 0; });
    return frames;
  },
};

function announce(textValue) {
  let el = document.getElementById("guest-status");
  if (!el) {
    el = document.createElement("p"); el.id = "guest-status"; el.className = "call-status"; el.setAttribute("role", "status");
    videosBox().before(el);
  }
  el.textContent = textValue;
}

// ---- patient and doctor: answer the guest's offer, show who joined --------------------------------
function asMember(call) {
  const socket = call.socket;
  const send = (kind, data) => socket.emit("signal", { consultation_id: call.id, kind, data, to: "guest" });
  let guestLabel = "";
  socket.on("guest:joined", (m) => {
    if (m.consultation_id !== call.id) return;
    guestLabel = `${m.name} (${T("guest_relation_" + m.relation)})`;
    announce(`${guestLabel} ${T("guest_joined")}`);
    tile("guest", guestLabel);
  });
  socket.on("guest:left", (m) => {
    if (m.consultation_id !== call.id) return;
    announce(`${m.name} ${T("guest_left")}`); drop("guest");
  });
  socket.on("signal", async (m) => {
    if (m.consultation_id !== call.id || m.from_role !== "guest") return;
    const t = tile("guest", guestLabel);
    try {
      if (m.kind === "offer") {
        const pc = connection(t, send, call.local, call.iceServers);
        await pc.setRemoteDescription(m.data);
        await pc.setLocalDescription(await pc.createAnswer());
        send("answer", { type: "answer", sdp: pc.localDescription.sdp });
        await flush(t);
      } else if (m.kind === "candidate" && m.data) await addCandidate(t, m.data);
      else if (m.kind === "hangup") drop("guest");
    } catch (e) { console.warn("guest signal failed", e); }
  });
  if (call.role === "patient") inviteForm(call);
}

function inviteForm(call) {
  // The patient invites (with their family_access consent, asked for here when missing).
  const form = document.createElement("form");
  form.id = "guest-invite-form"; form.className = "guest-invite";
  form.innerHTML = `<h2>${esc(T("guest_invite"))}</h2>
    <label>${esc(T("guest_name"))} <input name="name" maxlength="100" required></label>
    <label>${esc(T("relation"))} <select name="relation"><option value="family">${esc(T("guest_relation_family"))}</option>
      <option value="interpreter">${esc(T("guest_relation_interpreter"))}</option></select></label>
    <p class="form-error" data-for="guest-invite-form" hidden></p>
    <button type="submit">${esc(T("guest_invite"))}</button><p class="guest-link" hidden></p>`;
  document.querySelector("#step-call .controls").after(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = formObject(form);
    const invite = () => api("POST", `/api/consultations/${call.id}/guests`, body);
    try {
      let guest;
      try { guest = await invite(); }
      catch (e) {
        if (e.code !== "consent_required" || !window.confirm(T("guest_consent"))) throw e;
        await api("POST", "/api/me/consents", { purpose: "family_access", granted: true });
        guest = await invite();
      }
      const link = form.querySelector(".guest-link");
      link.textContent = `${T("guest_link")} ${window.location.origin}${guest.url}`;
      link.dataset.url = guest.url; link.hidden = false;
    } catch (e) { showError("guest-invite-form", e); }
  });
}

// ---- the guest: offer to each member present, again whenever one (re)joins -------------------------
async function asGuest(token) {
  let local = null, consultationId = null;
  try {
    local = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    document.getElementById("local-video").srcObject = local;
  } catch (e) { toast(T("camera_blocked"), 12000); }
  // Connect only now, with every handler below registered before the first "connect" can arrive.
  const socket = window.io({ transports: ["websocket"], auth: { guest_token: token }, reconnectionDelay: 500, autoConnect: false });
  const labels = { patient: T("guest_patient"), doctor: T("guest_doctor") };
  async function offer(role) {
    const send = (kind, data) => socket.emit("signal", { consultation_id: consultationId, kind, data, to: role });
    const t = tile(role, labels[role]);
    const pc = connection(t, send, local, []);  // no session, so no TURN credentials: direct or STUN only
    await pc.setLocalDescription(await pc.createOffer());
    send("offer", { type: "offer", sdp: pc.localDescription.sdp });
  }
  socket.on("connect", async () => {
    consultationId = document.getElementById("guest-call").dataset.consultationId || consultationId;
    const ack = await emitAck(socket, "join", { consultation_id: consultationId });
    if (!ack || !ack.ok) { announce((ack && ack.error && ack.error.message) || T("call_failed")); return; }
    announce("");
    for (const role of ack.peers) if (labels[role]) await offer(role);
  });
  socket.on("peer:joined", (m) => { if (labels[m.role]) offer(m.role); });
  socket.on("signal", async (m) => {
    const t = tiles.get(m.from_role);
    if (!t || !t.pc) return;
    try {
      if (m.kind === "answer" && t.pc.signalingState === "have-local-offer") { await t.pc.setRemoteDescription(m.data); await flush(t); }
      else if (m.kind === "candidate" && m.data) await addCandidate(t, m.data);
    } catch (e) { console.warn("guest signal failed", e); }
  });
  socket.on("consult:ended", () => { announce(T("guest_ended")); for (const role of [...tiles.keys()]) drop(role); socket.close(); });
  socket.on("connect_error", () => announce(T("call_failed")));
  socket.connect();
}

const guestPage = document.getElementById("guest-call");
if (guestPage) asGuest(guestPage.dataset.token);
else {
  // The patient's and doctor's pages: attach once their call has started.
  const wait = setInterval(() => {
    if (window.clinicCall && window.clinicCall.socket) { clearInterval(wait); asMember(window.clinicCall); }
  }, 300);
}
