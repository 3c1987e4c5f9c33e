// Start page: sign in with an SMS code, or reset a forgotten password with one (server/accounts/codes.py).
import { T } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { formObject, showError, toast } from "../lib/dom.js";

async function sendCode(formId) {
  const form = document.getElementById(formId);
  const phone = form.elements.phone.value;
  try {
    await api("POST", "/api/auth/code", { phone });
    toast(T("code_sent"));
    form.elements.code.focus();
  } catch (e) { showError(formId, e); }
}

/** Wire the code forms; `afterSignIn(user)` goes on to the user's page (home.js). */
export function wireCodeSignIn(afterSignIn) {
  for (const button of document.querySelectorAll("[data-send-code]")) {
    button.addEventListener("click", () => sendCode(button.dataset.sendCode));
  }

  document.getElementById("code-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try { afterSignIn((await api("POST", "/api/auth/login-code", formObject(event.target))).user); }
    catch (e) { showError("code-form", e); }
  });

  document.getElementById("reset-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/auth/reset-password", formObject(event.target));
      event.target.reset();
      toast(T("password_reset_done"), 10000);
      document.querySelector("#login-form [name=login]").focus();
    } catch (e) { showError("reset-form", e); }
  });
}
