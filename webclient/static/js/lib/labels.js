// Words for the codes the API returns: departments, dispositions, levels, sexes, roles,
// and list punctuation in the page language (Chinese lists use full-width commas).
import { LANG, T } from "./texts.js";

const data = JSON.parse((document.getElementById("page-data") || { textContent: "{}" }).textContent || "{}");
const DEPARTMENTS = data.departments || {};  // code -> name in the page language, from the server

/** A department's name in the page language (never its code). */
export const department = (code) => DEPARTMENTS[code] || (code ? T("department_unknown") : "");
/** Every department as [code, name]. */
export const departments = () => Object.entries(DEPARTMENTS);
/** What happens next after a consultation (advice, prescription, referral ...). */
export const disposition = (code) => (code ? T(`disp_${code}`) : "");
/** "Level 2" / "2级". */
export const level = (n) => T("level_n", { n });
/** Female / male / other. */
export const sex = (code) => (code ? T(code === "female" || code === "male" ? code : "other") : "");
/** A user's role in words. */
export const role = (code) => T(`role_${code}`);

/** Items joined as a list in the page language: "a, b" / "a，b". */
export const list = (items) => items.filter((x) => x !== null && x !== undefined && x !== "").join(LANG === "zh" ? "，" : ", ");
/** Items joined as separate statements: "a; b" / "a；b". */
export const series = (items) => items.filter(Boolean).join(LANG === "zh" ? "；" : "; ");
/** The colon after a label in the page language. */
export const COLON = LANG === "zh" ? "：" : ": ";
/** Label and value: "Drug: x" / "药品：x". */
export const labelled = (label, value) => `${label}${COLON}${value}`;

/** A medication as one line of text: dose, frequency and days, punctuated for the page language. */
export function medication(m) {
  const parts = list([m.dose, m.frequency, m.days ? T("for_days", { n: m.days }) : ""]);
  return parts ? labelled(m.drug, parts) : m.drug;
}
