// The waiting room's device check, in the manner of doxy.me's check-in: the camera preview, a
// microphone level meter, a speaker test tone, a choice of camera and microphone, and plain words
// when permission is refused. Then a short connection test against the server's aiortc echo peer,
// reported to the doctor's queue (camera, microphone, round trip) but shown to the patient in words.
import { T } from "./lib/texts.js";
import { api } from "./lib/api.js";
import { show, text } from "./lib/dom.js";
import { chime } from "./lib/alerts.js";

const IN_WECHAT = /MicroMessenger/i.test(navigator.userAgent);

export class DeviceCheck {
  constructor({ onResult }) {
    this.onResult = onResult; this.stream = null; this.audio = null; this.meterFrame = 0; this.heard = false;
    document.getElementById("device-start").addEventListener("click", () => this.start());
    document.getElementById("device-retry").addEventListener("click", () => this.start());
    document.getElementById("camera-select").addEventListener("change", () => this.start());
    document.getElementById("mic-select").addEventListener("change", () => this.start());
    document.getElementById("speaker-test").addEventListener("click", () => { chime(false); text("speaker-state", T("speaker_heard_question")); });
    // WeChat's in-app browser often has no camera access at all: say how to open the page elsewhere.
    if (IN_WECHAT && !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) show("wechat-hint", true);
  }

  async start() {
    this.stop();
    const camera = document.getElementById("camera-select").value;
    const mic = document.getElementById("mic-select").value;
    try {
      if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) throw Object.assign(new Error("unsupported"), { name: "NotSupportedError" });
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: camera ? { deviceId: { exact: camera } } : { width: 640, height: 480 },
        audio: mic ? { deviceId: { exact: mic } } : true,
      });
    } catch (e) {
      show("device-panel", false); show("device-denied", true);
      if (IN_WECHAT) show("wechat-hint", true);
      this.onResult({ camera: false, microphone: false, rtt_ms: null });
      return;
    }
    show("device-denied", false); show("device-panel", true); show("device-start", false);
    document.getElementById("precheck-video").srcObject = this.stream;
    await this.listDevices();
    this.meter();
    this.connectionTest();
  }

  async listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const fill = (id, kind, current) => {
      const select = document.getElementById(id);
      const items = devices.filter((d) => d.kind === kind);
      select.innerHTML = "";
      items.forEach((d, i) => {
        const option = document.createElement("option");
        option.value = d.deviceId; option.textContent = d.label || T(kind === "videoinput" ? "camera_n" : "microphone_n", { n: i + 1 });
        option.selected = d.deviceId === current;
        select.appendChild(option);
      });
    };
    const track = (kind) => (kind === "video" ? this.stream.getVideoTracks() : this.stream.getAudioTracks())[0];
    fill("camera-select", "videoinput", track("video") && track("video").getSettings().deviceId);
    fill("mic-select", "audioinput", track("audio") && track("audio").getSettings().deviceId);
  }

  meter() {
    // The level of the microphone, 0-100, from the loudest sample of each frame.
    try {
      this.audio = new AudioContext();
      const analyser = this.audio.createAnalyser();
      analyser.fftSize = 512;
      this.audio.createMediaStreamSource(this.stream).connect(analyser);
      const data = new Uint8Array(analyser.fftSize);
      const meter = document.getElementById("mic-meter");
      const tick = () => {
        analyser.getByteTimeDomainData(data);
        let peak = 0;
        for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
        const level = Math.min(100, Math.round((peak / 128) * 140));
        meter.value = level;
        if (level > 8 && !this.heard) { this.heard = true; text("mic-state", T("mic_heard")); }
        this.meterFrame = requestAnimationFrame(tick);
      };
      tick();
    } catch (e) { text("mic-state", ""); }
  }

  async connectionTest() {
    // Camera and microphone go to the server's echo peer; the data channel measures the round trip.
    text("precheck-result", T("connection_testing"));
    let pc = null;
    try {
      pc = new RTCPeerConnection({ iceServers: [] });
      this.stream.getTracks().forEach((t) => pc.addTrack(t, this.stream));
      const channel = pc.createDataChannel("ping");
      const rtts = [];
      channel.onmessage = (e) => rtts.push(performance.now() - Number(e.data));
      channel.onopen = () => { let n = 0; const timer = setInterval(() => { channel.send(String(performance.now())); if (++n >= 5) clearInterval(timer); }, 200); };
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === "complete") return resolve();
        pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === "complete") resolve(); };
        setTimeout(resolve, 2000);
      });
      const answer = await api("POST", "/api/rtc/precheck", { sdp: pc.localDescription.sdp, type: "offer" });
      await pc.setRemoteDescription(answer);
      await new Promise((r) => setTimeout(r, 2500));
      const rtt = rtts.length ? Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length) : null;
      const result = document.getElementById("precheck-result");
      result.dataset.rttMs = rtt ?? "";
      text("precheck-result", rtt === null ? T("connection_failed") : rtt > 400 ? T("connection_weak") : T("connection_good"));
      this.onResult({ camera: this.stream.getVideoTracks().length > 0, microphone: this.stream.getAudioTracks().length > 0, rtt_ms: rtt });
    } catch (e) {
      text("precheck-result", T("connection_failed"));
    } finally {
      setTimeout(() => { if (pc) pc.close(); }, 1000);
    }
  }

  stop() {
    cancelAnimationFrame(this.meterFrame);
    if (this.audio) { this.audio.close().catch(() => {}); this.audio = null; }
    if (this.stream) { this.stream.getTracks().forEach((t) => t.stop()); this.stream = null; }
  }
}
