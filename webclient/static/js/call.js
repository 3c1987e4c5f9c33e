// The consultation call: WebRTC between the patient's and the doctor's browsers, signaled over Socket.IO.
// The doctor always makes the offer (when both are present, and again whenever the patient
// rejoins); the patient answers each offer with a fresh RTCPeerConnection. So a reload or a
// dropped connection on either side resumes the call without a click.
"use strict";

class ConsultCall {
  constructor({ socket, consultationId, role, onEnded }) {
    this.socket = socket; this.id = String(consultationId); this.role = role; this.onEnded = onEnded;
    this.pc = null; this.local = null; this.pending = []; this.iceServers = [];
    this.lastStats = { framesDecoded: 0 }; this.prevBytes = null; this.timers = [];
    this.poorSamples = 0; this.goodSamples = 0; this.audioOnly = false;
    this.remoteVideo = document.getElementById("remote-video");
    this.localVideo = document.getElementById("local-video");
    window.clinicCall = this;  // lets tests and support staff read the live figures
  }

  status(key, extra = "") { text("call-status", T(key) + extra); }

  async start() {
    this.iceServers = (await api("GET", "/api/rtc/ice-servers")).iceServers;
    try {
      this.local = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
      this.localVideo.srcObject = this.local;
    } catch (e) {
      this.local = null;
      toast(T("camera_blocked"), 12000);
    }
    this.socket.on("signal", (m) => this.onSignal(m));
    this.socket.on("peer:left", (m) => { if (m.consultation_id === this.id) this.status("peer_left"); });
    this.socket.on("peer:joined", (m) => {
      if (m.consultation_id !== this.id) return;
      this.status("peer_joined");
      if (this.role === "doctor") this.offer();
    });
    this.socket.on("chat", (m) => { if (m.consultation_id === this.id) this.showChat(m); });
    this.socket.on("consult:ended", (m) => { if (m.consultation_id === this.id) this.finish(m.reason); });
    this.socket.on("consult:interrupted", (m) => { if (m.consultation_id === this.id) this.onInterrupted(); });
    this.socket.on("connect", () => this.join());  // after a reconnect, rejoin the same room
    this.bindControls();
    const consultation = await api("GET", `/api/consultations/${this.id}`);
    (consultation.messages || []).forEach((m) => this.showChat(m));
    if (this.role === "patient") { show("call-files", true); this.refreshFiles(); }
    if (this.socket.connected) await this.join();
    this.timers.push(setInterval(() => this.collectStats(), 2000));
    this.timers.push(setInterval(() => this.reportQuality(), 5000));
    return consultation;
  }

  async join() {
    const ack = await emitAck(this.socket, "join", { consultation_id: this.id });
    if (!ack || !ack.ok) {
      if (ack && ack.error && ack.error.code === "ended") return this.finish();
      // A child under 6: the call starts once the doctor has recorded the guardian (server/visits); try again.
      if (ack && ack.error && ack.error.code === "guardian_required") {
        this.status("guardian_wait"); clearTimeout(this.retry); this.retry = setTimeout(() => this.join(), 2000); return;
      }
      this.status("call_failed"); show("btn-rejoin", true); return;
    }
    show("btn-rejoin", false);
    if (ack.peers.length === 0) this.status("peer_left");
    else if (this.role === "doctor") await this.offer();
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
    pc.onicecandidate = (event) => {
      if (event.candidate) this.send("candidate", event.candidate.toJSON());
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === "connected") this.status("peer_joined");
      if (pc.connectionState === "failed") {
        this.status("call_failed"); show("btn-rejoin", true);
        if (this.role === "doctor") this.offer();
      }
    };
    this.pc = pc; this.prevBytes = null;
    return pc;
  }

  send(kind, data) {
    this.socket.emit("signal", { consultation_id: this.id, kind, data });
  }

  async offer() {
    const pc = this.newPeerConnection();
    await pc.setLocalDescription(await pc.createOffer());
    this.send("offer", { type: "offer", sdp: pc.localDescription.sdp });
  }

  async onSignal(message) {
    if (message.consultation_id !== this.id || message.from_role === "guest") return;  // a guest: care/guest-call.js
    try {
      if (message.kind === "offer" && this.role === "patient") {
        const pc = this.newPeerConnection();
        await pc.setRemoteDescription(message.data);
        await pc.setLocalDescription(await pc.createAnswer());
        this.send("answer", { type: "answer", sdp: pc.localDescription.sdp });
        await this.flushCandidates();
      } else if (message.kind === "answer" && this.pc && this.pc.signalingState === "have-local-offer") {
        await this.pc.setRemoteDescription(message.data);
        await this.flushCandidates();
      } else if (message.kind === "candidate" && message.data) {
        if (this.pc && this.pc.remoteDescription) await this.pc.addIceCandidate(message.data).catch(() => {});
        else this.pending.push(message.data);
      } else if (message.kind === "hangup") {
        this.status("peer_left");
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
      };
    };
    toggle("btn-mute", "audio");
    toggle("btn-camera", "video");
    document.getElementById("btn-hangup").onclick = () => { this.send("hangup", null); this.hangUp(); this.status("call_failed"); show("btn-rejoin", true); };
    document.getElementById("btn-rejoin").onclick = () => this.join();
    document.getElementById("btn-audio-only").onclick = () => this.setAudioOnly(true);
    document.getElementById("call-file").onchange = (e) => this.shareFile(e.target);
    const form = document.getElementById("chat-form");
    form.onsubmit = async (event) => {
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

  async refreshFiles() {
    const files = await api("GET", `/api/consultations/${this.id}/attachments`).catch(() => []);
    document.getElementById("call-file-list").innerHTML = files.map(
      (f) => `<li><a href="${esc(f.url)}">${esc(f.filename)}</a> <small>${esc(T(f.uploaded_by === this.role ? "you" : "remote"))}</small></li>`).join("");
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
      else if (window.RecordPanel && window.RecordPanel.refreshFiles) window.RecordPanel.refreshFiles();
    }
    const log = document.getElementById("chat-log");
    if (log.querySelector(`[data-id="${message.id}"]`)) return;
    const item = document.createElement("li");
    item.dataset.id = message.id;
    item.className = message.from_role === this.role ? "mine" : "theirs";
    item.innerHTML = `<span class="who">${esc(message.from_role === this.role ? T("you") : T("remote"))}</span> ${esc(message.text)}`;
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
    const indicator = document.getElementById("quality-indicator");
    if (indicator) {
      indicator.textContent = `${T(poor ? "quality_poor" : "quality_good")} · RTT ${Math.round(s.rttMs || 0)} ms · ${T("loss")} ${(s.packetLossPct || 0).toFixed(1)}%`;
      indicator.className = "quality " + (poor ? "poor" : "good");
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
    this.hangUp();
    this.timers.forEach(clearInterval); this.timers = [];
    if (this.local) this.local.getTracks().forEach((t) => t.stop());
    if (this.onEnded) { const cb = this.onEnded; this.onEnded = null; cb(reason); }
  }
}
