// Home watch pages: the API client, texts, the live socket, alerts that ring. An ES module; the
// texts come from a JSON data block, never an inline script (the pages run under a strict CSP).

const TEXTS = JSON.parse(document.getElementById("hw-texts").textContent);
export const LANG = JSON.parse(document.getElementById("hw-lang").textContent);
export const T = (key) => TEXTS[key] || key;
let csrf = null;

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status; this.code = err.code; this.field = err.field;
  }
}

export async function api(method, path, body) {
  // State-changing requests carry the session's CSRF token (read once from /api/me).
  const headers = { "Accept": "application/json", "Accept-Language": LANG };
  if (method !== "GET" && csrf === null) csrf = (await api("GET", "/api/me")).csrf_token;
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, credentials: "same-origin",
                                       body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Live events and answers may arrive out of order: keep the state with the longer timeline.
export function keepNewer(map, alert) {
  const known = map.get(alert.id);
  if (!known || (alert.timeline || []).length >= (known.timeline || []).length) map.set(alert.id, alert);
}

export function toast(message, ms = 6000) {
  const el = document.getElementById("toast");
  el.textContent = message; el.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { el.hidden = true; }, ms);
}

export function time(iso) {
  return iso ? new Date(iso).toLocaleString(LANG === "zh" ? "zh-CN" : "en-GB",
    { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "";
}

export function connect(onAlert, onConnect) {
  // Websocket only (no sticky sessions behind the proxy); reconnects by itself, resyncs on connect.
  const socket = window.io({ transports: ["websocket"], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
  const banner = document.getElementById("conn-status");
  socket.on("connect", () => { banner.hidden = true; onConnect(); });
  socket.on("disconnect", (reason) => {
    banner.hidden = false;
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
  });
  socket.on("connect_error", (err) => { if (err && err.message === "not_signed_in") window.location.href = "/"; });
  socket.on("homewatch:alert", onAlert);
  return socket;
}

// Sound and notifications need a tap first (browsers refuse them otherwise).
let audio = null;
export async function enableRinging() {
  audio = audio || new AudioContext();
  await audio.resume();
  if ("Notification" in window && Notification.permission === "default") await Notification.requestPermission();
}

export function ring(alert) {
  // A tone, a vibration and a system notification: a carer may have the phone in a pocket.
  window.hwRings = (window.hwRings || 0) + 1;
  if (audio) {
    const osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = alert.level === 1 ? 880 : 660;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start(); osc.stop(audio.currentTime + 0.6);
  }
  if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
  if ("Notification" in window && Notification.permission === "granted") {
    const n = new Notification(T("hw.new_alert"), { body: T(`hw.kind.${alert.kind}`), tag: `hw-${alert.id}` });
    window.hwNotifications = (window.hwNotifications || 0) + 1;
    n.onclick = () => window.focus();
  }
}

export function wireSignOut() {
  document.getElementById("sign-out").addEventListener("click", async () => {
    try { await api("POST", "/api/auth/logout"); } finally { window.location.href = "/"; }
  });
}
