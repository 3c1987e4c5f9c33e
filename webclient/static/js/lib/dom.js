// Small DOM helpers shared by every page: escaping, showing and hiding, messages, forms.
import { T } from "./texts.js";

// Escapes for text and for quoted attribute values alike: quotes too, so data can never end an attribute.
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };
/** `s` as HTML text or a quoted attribute value. */
export function esc(s) { return (s == null ? "" : String(s)).replace(/[&<>"'`]/g, (ch) => ESCAPES[ch]); }
/** Show or hide the element with this id. */
export function show(id, visible = true) { const el = document.getElementById(id); if (el) el.hidden = !visible; }
/** Set the text of the element with this id. */
export function text(id, value) { const el = document.getElementById(id); if (el) el.textContent = value ?? ""; }
/** The element with this id. */
export const byId = (id) => document.getElementById(id);

/** A short message at the bottom of the screen, read out by screen readers. */
export function toast(message, ms = 6000) {
  const el = byId("toast");
  if (!el) return;
  el.textContent = message; el.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { el.hidden = true; }, ms);
}

/** Show an API error beside its form (the message is already in the page language) and focus the field. */
export function showError(formId, error) {
  const el = document.querySelector(`.form-error[data-for="${formId}"]`);
  const message = (error && error.status && error.message) || T("error_next");
  if (el) { el.textContent = message; el.hidden = false; } else toast(message);
  if (error && error.field) {
    const input = document.querySelector(`#${formId} [name="${error.field.split(".").pop()}"]`);
    if (input) input.focus();
  }
}

/** A form's non-empty values as an object; `name[]` checkboxes become a list. */
export function formObject(form) {
  const out = {};
  for (const [key, value] of new FormData(form).entries()) {
    if (key.endsWith("[]")) (out[key.slice(0, -2)] ||= []).push(value);  // a group of checkboxes: a list
    else if (value !== "") out[key] = value;
  }
  return out;
}

/** Buttons that say what they do with data-action (inline handlers are forbidden by the CSP). */
export function wireActions(root = document) {
  for (const button of root.querySelectorAll('[data-action="print"]')) button.addEventListener("click", () => window.print());
}
