// The consultation call: WebRTC between the patient's and the doctor's browsers, signaled over Socket.IO.
// The doctor always makes the offer (when both are present, and again whenever the patient
// rejoins); the patient answers each offer with a fresh RTCPeerConnection. So a reload or a
// dropped connection on either side resumes the call without a click.
import { T } from "./lib/texts.js";
import { api } from "./lib/api.js";
import { esc, show, text, toast } from "./lib/dom.js";
import { emitAck } from "./lib/socket.js";
import { department } from "./lib/labels.js";
import { time } from "./lib/dates.js";

// A hang-up is not a network failure: the side that hangs up says so ("hangup"), the other side
// shows "the patient hung up" instead of "connection lost", and nobody re-offers until the one who
// hung up taps "rejoin", which asks for a new offer at once ("restart").
//
// The same call carries the home watch's video calls into a home (homewatch/home-call.js): a
// subclass names its own events and id field (`ev`, `idKey`), who offers (`offers`), and what it
// loads (`load`, `listen`).
export class ConsultCall {
  constructor({ socket, consultationId, role, onEnded }) {
    this.socket = socket; this.id = String(consultationId); this.role = role; this.onEnded = onEnded;
    this.offers = role === "doctor";
    this.ev = { join: "join", signal: "signal", peerJoined: "peer:joined", peerLeft: "peer:left" };
    this.idKey = "consultation_id";
    this.pc = null; this.local = null; this.pending = []; this.iceServers = [];
    this.lastStats = { framesDecoded: 0 }; this.prevBytes = null; this.timers = [];
    this.poorSamples = 0; this.goodSamples = 0; this.audioOnly = false;
    this.hungUp = false; this.peerHungUp = false; this.cameras = []; this.cameraIndex = 0; this.onState = null;
    this.remoteVideo = document.getElementById("remote-video");
    this.localVideo = document.getElementById("local-video");
    window.clinicCall = this;  // lets tests and support staff read the live figures
  }

  status(key) {
    text("call-status", T(key));
    document.getElementById("call-status").dataset.state = key;
    if (this.onState) this.onState(key);
  }

  async start() {
    this.iceServers = (await api("GET", "/api/rtc/ice-servers")).iceServers;
    try {
      this.local = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
      this.localVideo.srcObject = this.local;
      this.cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
      show("btn-switch", this.cameras.length > 1);
    } catch (e) {
      this.local = null;
      toast(T("camera_blocked"), 12000);
      // WeChat's in-app browser: say how to open the page in the phone's browser (patient page only).
      if (/MicroMessenger/i.test(navigator.userAgent)) show("wechat-hint", true);
    }
    this.status("call_connecting");
    this.socket.on(this.ev.signal, (m) => this.onSignal(m));
    this.socket.on(this.ev.peerLeft, (m) => {
      if (this.mine(m) && !this.peerHungUp) this.status(`peer_lost_${this.otherRole()}`);
    });
    this.socket.on(this.ev.peerJoined, (m) => {
      if (!this.mine(m)) return;
      this.peerHungUp = false;
      this.status("call_connecting");
      if (this.offers && !this.hungUp) this.offer();
    });
    this.listen();
    this.onConnect = () => this.join();  // after a reconnect, rejoin the same room
    this.socket.on("connect", this.onConnect);
    this.bindControls();
    const details = await this.load();
    if (this.socket.connected) await this.join();
    this.timers.push(setInterval(() => this.collectStats(), 2000));
    this.timers.push(setInterval(() => this.reportQuality(), 5000));
    return details;
  }

  mine(message) { return message && message[this.idKey] === this.id; }

  listen() {
    // The consultation's own events: chat, its end, an interruption.
    this.socket.on("chat", (m) => { if (this.mine(m)) this.showChat(m); });
    this.socket.on("consult:ended", (m) => { if (this.mine(m)) this.finish(m.reason); });
    this.socket.on("consult:interrupted", (m) => { if (this.mine(m)) this.onInterrupted(); });
  }

  async load() {
    const consultation = await api("GET", `/api/consultations/${this.id}`);
    this.showPeer(consultation);
    this.notifiedAt = consultation.patient_notified_at;
    (consultation.messages || []).forEach((m) => this.showChat(m));
    if (this.role === "patient") { show("call-files", true); this.refreshFiles(); }
    return consultation;
  }

  showNotified(at) {
    // The patient was not on the page: the clinic sent them an SMS. Shown until they join.
    if (this.pc && this.pc.connectionState === "connected") return;
    text("call-status", T("patient_notified", { time: time(at) }));
    document.getElementById("call-status").dataset.state = "patient_notified";
  }

  otherRole() { return this.role === "doctor" ? "patient" : "doctor"; }

  showPeer(c) {
    // The patient sees who they are talking to: name, title and department; the doctor the patient's name.
    const name = this.role === "patient" ? c.doctor.name : c.patient.name;
    const rest = this.role === "patient" ? [c.doctor.title, department(c.department)].filter(Boolean) : [];
    document.getElementById("call-peer").innerHTML = `<span class="name">${esc(name)}</span>` + rest.map((r) => ` · ${esc(r)}`).join("");
  }

  async join() {
    if (this.finished) return;
    const ack = await emitAck(this.socket, this.ev.join, { [this.idKey]: this.id });
    if (!ack || !ack.ok) {
      if (ack && ack.error && ack.error.code === "ended") return this.finish();
      // A child under 6: the call starts once the doctor has recorded the guardian (server/visits); try again.
      if (ack && ack.error && ack.error.code === "guardian_required") {
        this.status("guardian_wait"); clearTimeout(this.retry); this.retry = setTimeout(() => this.join(), 2000); return;
      }
      this.status("call_failed"); show("btn-rejoin", true); return;
    }
    show("btn-rejoin", false);
    if (ack.peers.length === 0) {
      this.status(`peer_waiting_${this.otherRole()}`);
      if (this.offers && this.notifiedAt) this.showNotified(this.notifiedAt);
    }
    else if (this.offers) await this.offer();
    else this.send("restart", null);  // a patient who comes back asks for a fresh offer at once
  }

  newPeerConnection() {
    if (this.pc) this.pc.close();
    this.pending = [];
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    if (this.local) this.local.getTracks().forEach((track) => pc.addTrack(track, this.local));
    else { pc.addTransceiver("video", { direction: "recvonly" }); pc.addTransceiver("audio", { direction: "recvonly" }); }
    pc.ontrack = (event) => {
      if (this.remoteVideo.srcObject !== event.streams[0]) this.remoteVideo.srcObject = event.streams[0] || new MediaStream([event.track]);
    };
    const gen = this.gen;
    pc.onicecandidate = (event) => {
      if (event.candidate) this.send("candidate", { ...event.candidate.toJSON(), gen });
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === "connected") this.status("call_connected");
      if (pc.connectionState === "failed" && !this.hungUp && !this.peerHungUp) {
        this.status("call_network_lost");
        if (this.offers) this.offer();
      }
    };
    this.pc = pc; this.prevBytes = null;
    return pc;
  }

  send(kind, data) {
    this.socket.emit(this.ev.signal, { [this.idKey]: this.id, kind, data });
  }

  // Several reasons to offer can arrive together (the patient joins, asks for a restart, the
  // connection fails): they make one offer. Each offer has a number ("gen") that its answer and
  // every candidate carry, so nothing from an older attempt is applied to a newer connection.
  offer() {
    clearTimeout(this.offerTimer);
    return new Promise((resolve) => { this.offerTimer = setTimeout(() => this.makeOffer().then(resolve, resolve), 120); });
  }

  async makeOffer() {
    this.gen = (this.gen || 0) + 1;
    const pc = this.newPeerConnection();
    await pc.setLocalDescription(await pc.createOffer());
    this.send("offer", { type: "offer", sdp: pc.localDescription.sdp, gen: this.gen });
  }

  onSignal(message) {
    // One at a time, in arrival order: an answer must never overtake the offer it answers.
    if (!this.mine(message) || message.from_role === "guest") return;  // a guest: care/guest-call.js
    this.signals = (this.signals || Promise.resolve()).then(() => this.handleSignal(message));
  }

  async handleSignal(message) {
    try {
      const data = message.data || {};
      if (message.kind === "offer" && !this.offers) {
        if (this.hungUp) return;  // we hung up: no silent reconnection
        this.peerHungUp = false;
        this.gen = data.gen;
        const pc = this.newPeerConnection();
        await pc.setRemoteDescription({ type: "offer", sdp: data.sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        this.send("answer", { type: "answer", sdp: pc.localDescription.sdp, gen: data.gen });
        await this.flushCandidates();
      } else if (message.kind === "answer" && this.pc && this.pc.signalingState === "have-local-offer"
                 && (data.gen === undefined || data.gen === this.gen)) {
        await this.pc.setRemoteDescription({ type: "answer", sdp: data.sdp });
        await this.flushCandidates();
      } else if (message.kind === "candidate" && message.data) {
        const { gen, ...candidate } = data;
        if (gen !== undefined && gen !== this.gen) return;  // from an earlier attempt
        if (this.pc && this.pc.remoteDescription) await this.pc.addIceCandidate(candidate).catch(() => {});
        else this.pending.push(candidate);
      } else if (message.kind === "hangup") {
        this.peerHungUp = true;
        if (this.pc) { this.pc.close(); this.pc = null; }
        this.remoteVideo.srcObject = null;
        this.status(`peer_hung_up_${this.otherRole()}`);
      } else if (message.kind === "restart" && this.offers) {
        this.peerHungUp = false;
        if (!this.hungUp) await this.offer();
      }
    } catch (e) {
      console.warn("signal failed", e);
    }
  }

  async flushCandidates() {
    const queued = this.pending; this.pending = [];
    for (const c of queued) await this.pc.addIceCandidate(c).catch(() => {});
  }

  bindControls() {
    const toggle = (id, kind) => {
      const button = document.getElementById(id);
      button.onclick = () => {
        if (!this.local) return;
        const tracks = kind === "audio" ? this.local.getAudioTracks() : this.local.getVideoTracks();
        const enabled = !(tracks[0] && tracks[0].enabled);
        tracks.forEach((t) => { t.enabled = enabled; });
        button.textContent = enabled ? button.dataset.on : button.dataset.off;
        button.setAttribute("aria-pressed", String(!enabled));
      };
    };
    toggle("btn-mute", "audio");
    toggle("btn-camera", "video");
    document.getElementById("btn-switch").onclick = () => this.switchCamera();
    document.getElementById("btn-hangup").onclick = () => {
      this.send("hangup", null); this.hungUp = true; this.hangUp();
      this.remoteVideo.srcObject = null;
      this.status("you_hung_up"); show("btn-rejoin", true); show("btn-hangup", false);
    };
    document.getElementById("btn-rejoin").onclick = () => {
      this.hungUp = false; show("btn-rejoin", false); show("btn-hangup", true);
      this.status("call_connecting");
      if (this.offers) this.offer(); else this.send("restart", null);
    };
    this.makeMovable(this.localVideo);
    document.getElementById("btn-audio-only").onclick = () => this.setAudioOnly(true);
    const file = document.getElementById("call-file");
    if (file) file.onchange = (e) => this.shareFile(e.target);
    const form = document.getElementById("chat-form");  // a home call has no chat
    if (form) form.onsubmit = async (event) => {
      event.preventDefault();
      const input = form.elements.text;
      // One id per message until it is acked: sending again after an error (a database outage says
      // retry) stores it once.
      if (!this.pendingChat || this.pendingChat.text !== input.value) {
        this.pendingChat = { text: input.value, id: Date.now().toString(36) + Math.random().toString(36).slice(2, 10) };
      }
      const ack = await emitAck(this.socket, "chat", { consultation_id: this.id, text: input.value, client_id: this.pendingChat.id });
      if (ack && ack.ok) { input.value = ""; this.pendingChat = null; } else toast((ack && ack.error && ack.error.message) || T("call_failed"));
    };
  }

  async switchCamera() {
    // Front and back camera on a phone: a new video track replaces the old one in the running call.
    if (!this.local || this.cameras.length < 2) return;
    this.cameraIndex = (this.cameraIndex + 1) % this.cameras.length;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: this.cameras[this.cameraIndex].deviceId } } });
      const track = stream.getVideoTracks()[0];
      const old = this.local.getVideoTracks()[0];
      if (old) { this.local.removeTrack(old); old.stop(); }
      this.local.addTrack(track);
      this.localVideo.srcObject = this.local;
      if (this.pc) for (const sender of this.pc.getSenders()) if (sender.track === null || sender.track.kind === "video") await sender.replaceTrack(track).catch(() => {});
    } catch (e) { toast(T("camera_blocked")); }
  }

  makeMovable(el) {
    // The own view is a small inset the patient can drag out of the way (it snaps inside the stage).
    let start = null;
    el.addEventListener("pointerdown", (e) => { start = { x: e.clientX, y: e.clientY, left: el.offsetLeft, top: el.offsetTop }; el.setPointerCapture(e.pointerId); });
    el.addEventListener("pointermove", (e) => {
      if (!start) return;
      const stage = el.parentElement;
      const left = Math.min(Math.max(0, start.left + e.clientX - start.x), stage.clientWidth - el.offsetWidth);
      const top = Math.min(Math.max(0, start.top + e.clientY - start.y), stage.clientHeight - el.offsetHeight);
      Object.assign(el.style, { left: `${left}px`, top: `${top}px`, right: "auto", bottom: "auto" });
    });
    el.addEventListener("pointerup", () => { start = null; });
  }

  async refreshFiles() {
    const files = await api("GET", `/api/consultations/${this.id}/attachments`).catch(() => []);
    document.getElementById("call-file-list").innerHTML = files.map(
      (f) => `<li><a href="${esc(f.url)}">${esc(f.filename)}</a> <small>${esc(f.uploaded_by === this.role ? T("you") : T(`role_${f.uploaded_by}`))}</small></li>`).join("");
  }

  async shareFile(input) {
    // Images and PDFs (a photo of a rash, an old report) go to the record; the chat tells the other side.
    if (!input.files.length) return;
    const body = new FormData();
    body.append("file", input.files[0]);
    try {
      const file = await api("POST", `/api/consultations/${this.id}/attachments`, body);
      await emitAck(this.socket, "chat", { consultation_id: this.id, text: `📎 ${file.filename}` });
      await this.refreshFiles();
    } catch (e) { toast(e.message); }
    input.value = "";
  }

  showChat(message) {
    if (message.text.startsWith("📎")) {
      if (this.role === "patient") this.refreshFiles();
      else if (this.onFiles) this.onFiles();
    }
    const log = document.getElementById("chat-log");
    if (log.querySelector(`[data-id="${message.id}"]`)) return;
    const item = document.createElement("li");
    item.dataset.id = message.id;
    item.className = message.from_role === this.role ? "mine" : "theirs";
    item.innerHTML = `<span class="who">${esc(message.from_role === this.role ? T("you") : T(`role_${message.from_role}`))}</span> ${esc(message.text)}`;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  async collectStats() {
    if (!this.pc) return;
    const stats = await this.pc.getStats();
    const out = { framesDecoded: 0 };
    let bytes = 0, lost = 0, received = 0;
    stats.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") {
        out.framesDecoded = s.framesDecoded || 0; out.frameWidth = s.frameWidth || 0;
        out.jitterMs = (s.jitter || 0) * 1000;
      }
      if (s.type === "inbound-rtp") { bytes += s.bytesReceived || 0; lost += s.packetsLost || 0; received += s.packetsReceived || 0; }
      if (s.type === "candidate-pair" && s.state === "succeeded" && s.currentRoundTripTime !== undefined) out.rttMs = s.currentRoundTripTime * 1000;
    });
    const now = performance.now();
    if (this.prevBytes) out.bitrateKbps = ((bytes - this.prevBytes.bytes) * 8) / (now - this.prevBytes.at);
    this.prevBytes = { bytes, at: now };
    out.packetLossPct = received + lost > 0 ? (100 * lost) / (received + lost) : 0;
    this.lastStats = out;
    this.judgeQuality(out);
  }

  // Poor for three samples in a row (about 6 s): offer audio only; good for five: video comes back.
  judgeQuality(s) {
    const poor = (s.packetLossPct || 0) > 5 || (s.rttMs || 0) > 400 ||
      (!this.audioOnly && s.bitrateKbps !== undefined && s.bitrateKbps < 100);
    this.poorSamples = poor ? this.poorSamples + 1 : 0;
    this.goodSamples = poor ? 0 : this.goodSamples + 1;
    // The patient reads the quality in words; the doctor also gets the figures.
    const word = this.audioOnly ? "quality_audio_only" : poor ? "quality_weak" : "quality_good";
    const indicator = document.getElementById("quality-indicator");
    if (indicator && s.framesDecoded) { indicator.textContent = T(word); indicator.className = `quality ${word}`; }
    if (this.role === "doctor" && s.framesDecoded) {
      text("quality-figures", `${T("rtt_figure", { ms: Math.round(s.rttMs || 0) })} · ${T("loss")} ${(s.packetLossPct || 0).toFixed(1)}%`);
    }
    if (!this.audioOnly && this.poorSamples >= 3) show("btn-audio-only", true);
    if (this.audioOnly && this.goodSamples >= 5) { this.setAudioOnly(false); toast(T("video_back")); }
  }

  async setAudioOnly(on) {
    // Stop sending video (replaceTrack(null) frees its bandwidth); audio carries on untouched.
    this.audioOnly = on;
    show("btn-audio-only", false);
    if (!this.pc || !this.local) return;
    const video = this.local.getVideoTracks()[0] || null;
    for (const sender of this.pc.getSenders()) {
      if ((sender.track && sender.track.kind === "video") || (on === false && sender.track === null)) {
        await sender.replaceTrack(on ? null : video).catch(() => {});
      }
    }
    text("call-mode", on ? T("audio_only_on") : "");
  }

  onInterrupted() {
    this.status("interrupted");
    if (this.role === "doctor") show("interrupted-actions", true);
  }

  async reportQuality() {
    const s = this.lastStats;
    if (!this.pc || !s.framesDecoded) return;
    const clamp = (v) => (v === undefined || Number.isNaN(v) ? null : Math.max(0, v));
    await api("POST", `/api/consultations/${this.id}/quality`, {
      rtt_ms: clamp(s.rttMs), packet_loss_pct: clamp(s.packetLossPct), jitter_ms: clamp(s.jitterMs),
      bitrate_kbps: clamp(s.bitrateKbps), frame_width: s.frameWidth || null, frames_decoded: s.framesDecoded,
    }).catch(() => {});
  }

  hangUp() {
    if (this.pc) { this.pc.close(); this.pc = null; }
  }

  finish(reason = "completed") {
    this.finished = true;
    this.hangUp();
    this.timers.forEach(clearInterval); this.timers = [];
    if (this.local) this.local.getTracks().forEach((t) => t.stop());
    if (this.onEnded) { const cb = this.onEnded; this.onEnded = null; cb(reason); }
  }
}
