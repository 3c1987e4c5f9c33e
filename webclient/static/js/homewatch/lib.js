// What the home watch pages share beyond js/lib/: the live alert feed and alerts that ring.
import { T } from "../lib/texts.js";
import { connectSocket } from "../lib/socket.js";
import { askNotifications, chime } from "../lib/alerts.js";

// Live events and answers may arrive out of order: keep the state with the longer timeline.
export function keepNewer(map, alert) {
  const known = map.get(alert.id);
  if (!known || (alert.timeline || []).length >= (known.timeline || []).length) map.set(alert.id, alert);
}

/** The live connection: `onAlert` for each homewatch:alert, `onConnect` on every (re)connect to resync. */
export function connect(onAlert, onConnect) {
  const socket = connectSocket();
  socket.on("connect", onConnect);
  socket.on("homewatch:alert", onAlert);
  return socket;
}

/** Sound and notifications need a tap first (browsers refuse them otherwise). */
export async function enableRinging() {
  await askNotifications();
}

/** A tone, a vibration and a system notification: a carer may have the phone in a pocket. */
export function ring(alert) {
  window.hwRings = (window.hwRings || 0) + 1;
  chime(alert.level === 1);
  if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
  if ("Notification" in window && Notification.permission === "granted") {
    const n = new Notification(T("hw.new_alert"), { body: T(`hw.kind.${alert.kind}`), tag: `hw-${alert.id}` });
    window.hwNotifications = (window.hwNotifications || 0) + 1;
    n.onclick = () => window.focus();
  }
}
