// The page's language and its own texts. The server embeds only the keys this page's modules use
// (server/web/i18n.py finds them by reading these files), in a JSON block: the CSP forbids inline script.
const data = JSON.parse((document.getElementById("page-data") || { textContent: "{}" }).textContent || "{}");

/** The page language: "zh" or "en". */
export const LANG = data.lang === "en" ? "en" : "zh";
/** The BCP 47 tag of the page language, for Intl. */
export const LOCALE = LANG === "zh" ? "zh-CN" : "en-GB";
const TEXTS = data.texts || {};

/** The text of `key` in the page language; `{name}` placeholders are filled from `values`. */
export function T(key, values) {
  const found = TEXTS[key];
  if (found === undefined) { console.warn("missing text", key); return ""; }
  return values ? found.replace(/\{(\w+)\}/g, (m, k) => (values[k] ?? "")) : found;
}

/** The page-language member of a {zh, en} object (questionnaire labels, department names). */
export function pick(obj) { return (obj && (obj[LANG] || obj.zh || obj.en)) || ""; }
