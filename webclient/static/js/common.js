// Shared browser helpers: the API client (CSRF header, JSON errors), texts, the live socket.
"use strict";

// The page's language and texts come in a JSON block (no inline script: the CSP forbids it).
(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  window.LANG = data.lang; window.I18N = data.texts;
})();
const T = (key) => (window.I18N && window.I18N[key]) || key;
let csrfToken = null;

class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status; this.code = err.code; this.field = err.field;
  }
}

async function api(method, path, body) {
  // Every state-changing request carries the session's CSRF token (fetched once from /api/me).
  const headers = { "Accept": "application/json", "Accept-Language": window.LANG };
  if (method !== "GET" && csrfToken === null && !path.startsWith("/api/auth/")) await loadMe();
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  if (data && data.csrf_token) csrfToken = data.csrf_token;
  return data;
}

async function loadMe() {
  try { const me = await api("GET", "/api/me"); csrfToken = me.csrf_token; return me.user; }
  catch (e) { if (e.status === 401) return null; throw e; }
}

function toast(message, ms = 6000) {
  const el = document.getElementById("toast");
  el.textContent = message; el.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { el.hidden = true; }, ms);
}

function showError(formId, error) {
  const el = document.querySelector(`.form-error[data-for="${formId}"]`);
  const message = error instanceof ApiError ? error.message : T("error_next");
  if (el) { el.textContent = message; el.hidden = false; } else toast(message);
  if (error.field) {
    const input = document.querySelector(`#${formId} [name="${error.field.split(".").pop()}"]`);
    if (input) input.focus();
  }
}

function formObject(form) {
  const out = {};
  for (const [key, value] of new FormData(form).entries()) {
    if (key.endsWith("[]")) (out[key.slice(0, -2)] ||= []).push(value);  // a group of checkboxes: a list
    else if (value !== "") out[key] = value;
  }
  return out;
}

function show(id, visible = true) { const el = document.getElementById(id); if (el) el.hidden = !visible; }
function text(id, value) { const el = document.getElementById(id); if (el) el.textContent = value; }
// Escapes for text and for quoted attribute values alike: quotes too, so data can never end an attribute.
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };
function esc(s) { return (s == null ? "" : String(s)).replace(/[&<>"'`]/g, (ch) => ESCAPES[ch]); }

function connectSocket() {
  // Websocket only: no sticky sessions needed behind a proxy. Reconnects with backoff on its own.
  const socket = io({ transports: ["websocket"], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
  const banner = document.getElementById("conn-status");
  socket.on("disconnect", (reason) => {
    if (banner) banner.hidden = false;
    // A server-side disconnect does not reconnect by itself in socket.io-client: ask again.
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
  });
  socket.on("connect", () => { if (banner) banner.hidden = true; });
  socket.on("connect_error", (err) => {
    if (err && err.message === "not_signed_in") window.location.href = "/";
  });
  return socket;
}

function emitAck(socket, event, payload, timeoutMs = 8000) {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err, ack) => resolve(err ? { ok: false, error: { code: "timeout" } } : ack));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  // Inline handlers are forbidden by the CSP: buttons say what they do with data-action.
  for (const button of document.querySelectorAll('[data-action="print"]')) button.addEventListener("click", () => window.print());
  const out = document.getElementById("sign-out");
  if (out) out.addEventListener("click", async () => {
    try { await api("POST", "/api/auth/logout"); } finally { window.location.href = "/"; }
  });
});
