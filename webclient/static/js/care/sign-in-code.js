// Start page: sign in with an SMS code, or reset a forgotten password with one (server/accounts/codes.py).
// Uses the page's shared helpers (common.js) and afterSignIn (home.js).

async function sendCode(formId) {
  const form = document.getElementById(formId);
  const phone = form.elements.phone.value;
  try {
    await api("POST", "/api/auth/code", { phone });
    toast(T("code_sent"));
    form.elements.code.focus();
  } catch (e) { showError(formId, e); }
}

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
