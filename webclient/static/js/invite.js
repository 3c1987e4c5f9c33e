// Invitation page (/invite/{token}): register or sign in as a patient, accept, then do today's health check.
import { T } from "./lib/texts.js";
import { api } from "./lib/api.js";
import { formObject, show, showError, toast } from "./lib/dom.js";
import { dateTime } from "./lib/dates.js";
import "./lib/page.js";

const inviteToken = decodeURIComponent(window.location.pathname.split("/").pop());

async function acceptInvite() {
  await api("POST", `/api/invitations/${encodeURIComponent(inviteToken)}/accept`);
  show("invite-done");
  window.location.href = "/screening";
}

async function signInThenAccept(formId, path, event, extra = {}) {
  event.preventDefault();
  try {
    const { user } = await api("POST", path, { ...formObject(event.target), ...extra });
    if (user.role !== "patient") { toast(T("inv_wrong_role")); return; }
    await acceptInvite();
  } catch (e) { showError(formId, e); }
}

document.addEventListener("DOMContentLoaded", () => {
  const expires = document.getElementById("invite-expires");
  if (expires) expires.textContent = dateTime(expires.dateTime);
  const accept = document.getElementById("accept-invite");
  if (accept) accept.addEventListener("click", () => acceptInvite().catch((e) => showError("invite-main", e)));
  const register = document.getElementById("invite-register-form");
  if (register) register.addEventListener("submit", (e) => signInThenAccept("invite-register-form", "/api/auth/register", e,
    { invitation: inviteToken }));
  const login = document.getElementById("invite-login-form");
  if (login) login.addEventListener("submit", (e) => signInThenAccept("invite-login-form", "/api/auth/login", e));
});
