// Getting someone's attention when the page may be in the background: a tone, a vibration (phones),
// a system notification (once allowed) and the tab title. Browsers allow sound only after a tap,
// so `unlock()` is called from the first click on the page.
let audio = null;

/** Prepare sound from a user gesture (browsers block audio before one). */
export function unlock() {
  try { audio = audio || new AudioContext(); if (audio.state === "suspended") audio.resume(); } catch (e) { audio = null; }
}

/** A short tone: two rising notes, or three when urgent. */
export function chime(urgent = false) {
  try {
    audio = audio || new AudioContext();
    const notes = urgent ? [660, 880, 1046] : [660, 880];
    notes.forEach((freq, i) => {
      const osc = audio.createOscillator(); const gain = audio.createGain();
      const at = audio.currentTime + i * 0.25;
      osc.frequency.value = freq; gain.gain.setValueAtTime(0.25, at); gain.gain.exponentialRampToValueAtTime(0.001, at + 0.22);
      osc.connect(gain).connect(audio.destination); osc.start(at); osc.stop(at + 0.24);
    });
  } catch (e) { /* no audio device: the vibration, notification and title still tell */ }
}

/** Everything at once: tone, vibration, notification (when allowed) and a marked tab title. */
export function alertUser(message, { urgent = false, tag = "clinic" } = {}) {
  chime(urgent);
  if (navigator.vibrate) navigator.vibrate(urgent ? [300, 150, 300, 150, 300] : [300, 150, 300]);
  if (window.Notification && Notification.permission === "granted" && document.visibilityState !== "visible") {
    try { new Notification(message, { tag, requireInteraction: urgent }); } catch (e) { /* some phones only notify from a service worker */ }
  }
  if (document.visibilityState !== "visible") {
    const title = document.title;
    document.title = `🔔 ${message}`;
    document.addEventListener("visibilitychange", () => { document.title = title; }, { once: true });
  }
}

/** Ask for notification permission (from a click). */
export async function askNotifications() {
  unlock();
  if (window.Notification && Notification.permission === "default") await Notification.requestPermission();
  return window.Notification ? Notification.permission : "unsupported";
}
