// The API client: JSON in and out, the CSRF header on every change, errors as ApiError (the server
// words `message` in the page language, field names included).
import { LANG } from "./texts.js";

let csrfToken = null;

/** An error answer of the API: status, code, field and the message to show. */
export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || "");
    this.status = status; this.code = err.code; this.field = err.field;
  }
}

/** Call the API; resolves to the JSON body (null for 204), rejects with ApiError. */
export async function api(method, path, body) {
  return (await call(method, path, body)).data;
}

/** One page of a paged list: its rows and the path of the next page (`Link: <...>; rel="next"`), or null. */
export async function apiPage(path) {
  const { data, response } = await call("GET", path);
  const next = /<([^>]*)>\s*;\s*rel="next"/.exec(response.headers.get("Link") || "");
  return { rows: data, next: next ? next[1] : null };
}

async function call(method, path, body) {
  const headers = { "Accept": "application/json", "Accept-Language": LANG };
  if (method !== "GET" && csrfToken === null && !path.startsWith("/api/auth/")) await loadMe();
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  if (response.status === 204) return { data: null, response };
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  if (data && data.csrf_token) csrfToken = data.csrf_token;
  return { data, response };
}

/** The signed-in user (and the session's CSRF token), or null. */
export async function loadMe() {
  try { const me = await api("GET", "/api/me"); csrfToken = me.csrf_token; return me.user; }
  catch (e) { if (e.status === 401) return null; throw e; }
}

/** The CSRF token, for an upload sent with XMLHttpRequest (progress events). */
export const csrf = () => csrfToken;

/** Sign-out button in the header. */
export function wireSignOut() {
  const out = document.getElementById("sign-out");
  if (out) out.addEventListener("click", async () => {
    try { await api("POST", "/api/auth/logout"); } finally { window.location.href = "/"; }
  });
}
