// The live connection (Socket.IO, vendored in /static/vendor/ and loaded before the page's module).

/** A websocket-only Socket.IO connection that shows #conn-status while it is down. */
export function connectSocket() {
  // Websocket only: no sticky sessions needed behind a proxy. Reconnects with backoff on its own.
  const socket = window.io({ transports: ["websocket"], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
  const banner = document.getElementById("conn-status");
  socket.on("disconnect", (reason) => {
    if (banner) banner.hidden = false;
    // A server-side disconnect does not reconnect by itself in socket.io-client: ask again.
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
  });
  socket.on("connect", () => { if (banner) banner.hidden = true; });
  socket.on("connect_error", (err) => { if (err && err.message === "not_signed_in") window.location.href = "/"; });
  return socket;
}

/** Emit with an acknowledgement; a missing answer becomes {ok: false, error: {code: "timeout"}}. */
export function emitAck(socket, event, payload, timeoutMs = 8000) {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err, ack) => resolve(err ? { ok: false, error: { code: "timeout" } } : ack));
  });
}
