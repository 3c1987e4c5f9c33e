// Start page: sign in or register, then go to the page of one's role.
import { api } from "./lib/api.js";
import { formObject, showError } from "./lib/dom.js";
import "./lib/page.js";
import { wireCodeSignIn } from "./care/sign-in-code.js";
const HOME = { patient: "/patient", doctor: "/doctor", employer: "/employer", admin: "/admin", pharmacist: "/pharmacy",
  street_operator: "/homewatch/carer", carer: "/homewatch/carer", family: "/homewatch/family" };

function afterSignIn(user) {
  const next = new URLSearchParams(window.location.search).get("next");
  window.location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : HOME[user.role];
}

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try { afterSignIn((await api("POST", "/api/auth/login", formObject(event.target))).user); }
  catch (e) {
    if (e.code === "totp_required") { // an admin with a second factor: ask for the code, then sign in again
      document.getElementById("login-totp").hidden = false;
      event.target.elements.totp.focus();
    }
    showError("login-form", e);
  }
});

document.getElementById("register-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try { afterSignIn((await api("POST", "/api/auth/register", formObject(event.target))).user); }
  catch (e) { showError("register-form", e); }
});

wireCodeSignIn(afterSignIn);
