// Field errors for the operator's forms: each message sits under its own field (announced, linked
// with aria-describedby, the field marked aria-invalid); checks run before sending, and the
// server's 4xx (which names its field) lands on the same field.
import { T } from "../lib/texts.js";

let counter = 0;

/** Remove every error shown in `form`. */
export function clearErrors(form) {
  for (const note of form.querySelectorAll(".field-error")) note.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
  const general = form.querySelector(".form-error");
  if (general) { general.textContent = ""; general.hidden = true; }
}

/** Show `message` under the field called `name` (or at the form's foot when there is none). */
export function fieldError(form, name, message) {
  const input = form.querySelector(`[name="${name}"]`);
  if (!input) {
    const general = form.querySelector(".form-error");
    if (general) { general.textContent = message; general.hidden = false; }
    return;
  }
  const note = document.createElement("p");
  note.className = "field-error";
  note.id = `field-error-${++counter}`;
  note.setAttribute("role", "alert");
  note.textContent = message;
  (input.closest("label") || input).after(note);
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", note.id);
}

/** An API error on its field: `family_logins[1]` lands on `family_logins`, prefixed with its line. */
export function apiError(form, error) {
  const field = (error && error.field) || "";
  const match = field.match(/^(\w+)\[(\d+)\]$/);
  const name = match ? match[1] : field.split(".").pop();
  const message = (error && error.status && error.message) || T("hw.error");
  fieldError(form, name, match ? `${T("hw.line_n", { n: Number(match[2]) + 1 })}${message}` : message);
  const input = name && form.querySelector(`[name="${name}"]`);
  if (input) input.focus();
}

/** A whole number from `min` to `max` in the field, or null with the error shown ("" is allowed when `optional`). */
export function wholeNumber(form, name, min, max, optional = false) {
  const raw = form.elements[name].value.trim();
  if (raw === "" && optional) return null;
  if (raw === "") { fieldError(form, name, T("hw.err.required")); return undefined; }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    fieldError(form, name, T("hw.err.whole_number", { min, max }));
    return undefined;
  }
  return value;
}

/** An HH:MM clock in the field, or undefined with the error shown. */
export function clock(form, name) {
  const raw = form.elements[name].value.trim();
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(raw)) { fieldError(form, name, T("hw.err.clock")); return undefined; }
  return raw;
}

/** Focus the first field with an error; true when the form has none. */
export function valid(form) {
  const first = form.querySelector("[aria-invalid]");
  if (first) first.focus();
  return !first;
}
