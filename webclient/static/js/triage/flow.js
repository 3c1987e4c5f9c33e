// The triage questionnaire on a phone, in three screens: who and what -> yes / no / not sure questions
// (most dangerous first, stopping as soon as the answer is decided) -> the result (call 120 / see a
// doctor / look after it at home). The rules and the result come from the server; TriageRules only
// orders the questions. The page hands in what happens next (join the queue, back to waiting).
// Imported by the patient's page (patient.js).
import { T, pick } from "../lib/texts.js";
import { api } from "../lib/api.js";
import { esc, formObject, showError, text, toast } from "../lib/dom.js";
import { TriageRules } from "./rules.js";

export const TriageFlow = (() => {
  // Presentations where pregnancy changes the rules: only there is a woman of 12-55 asked about it.
  const PREGNANCY_CHARTS = new Set(["abdominal_pain", "womens_health", "headache", "vomiting", "urinary",
    "back_pain", "leg_swelling", "breathing", "fever", "collapse", "dizziness", "unwell_older"]);
  const COMMON = ["cold_flu", "fever", "cough", "abdominal_pain", "headache", "diarrhoea", "chest_pain", "stroke_signs",
    "breathing", "rash"];
  const s = { q: null, rules: null, hooks: {}, who: null, person: null, dependantId: null, codes: [], answers: {},
    pregnant: null, reassess: false, profile: null, dependants: [], answerCount: 0, lastBody: null };

  const $ = (id) => document.getElementById(id);
  const L = pick;
  const screens = ["tf-start", "tf-questions", "tf-result"];
  // Each thing shown (question, measurements, result) bumps data-step, so a page (or a test) can
  // tell that the answer was taken.
  function bump() { $("tf").dataset.step = String(Number($("tf").dataset.step || 0) + 1); }
  function screen(id) {
    screens.forEach((x) => { $(x).hidden = x !== id; });
    $("tf").dataset.screen = id;
    if (id !== "tf-start") focusFlow();
    window.scrollTo(0, 0);
    const heading = $(id).querySelector("h1, h2, .tf-question");
    if (heading) heading.focus({ preventScroll: true });
  }

  // ---- screen 1: who and what ------------------------------------------------------------------
  function ageOf(isoDate) {
    const born = new Date(isoDate + "T00:00:00");
    return Math.max(0, Math.round(((Date.now() - born.getTime()) / (365.25 * 86400000)) * 100) / 100);
  }

  // Once the person has begun, the page is the questionnaire alone (as in a call, the site's links are
  // hidden): each screen then fits a 390x844 phone. A fresh start shows them again.
  function focusFlow() { document.body.classList.add("in-triage"); }

  function chooseWho(who) {
    focusFlow();
    s.who = who; s.dependantId = null; s.person = null; s.answerCount += 1;
    document.querySelectorAll("#tf-who button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.who === who)));
    const self = who === "self";
    $("tf-person").hidden = self;
    if (self) {
      const p = s.profile || {};
      $("tf-self-missing").hidden = Boolean(p.birth_date && p.sex);
      if (p.birth_date && p.sex) s.person = { age: p.age_years, sex: p.sex, proxy: false };
    } else {
      $("tf-self-missing").hidden = true;
      renderDependants();
    }
    refreshNext();
  }

  function renderDependants() {
    const mine = s.dependants.filter((d) => d.relation === s.who);
    const box = $("tf-dependants");
    box.innerHTML = mine.map((d) => `<button type="button" class="tf-chip" data-dependant="${esc(d.id)}" aria-pressed="false">
      ${esc(d.name || T("for_" + d.relation))} · ${esc(d.birth_date)}</button>`).join("");
    box.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => pickDependant(b.dataset.dependant)));
    $("tf-dependant-form").hidden = mine.length > 0 && !$("tf-dependant-form").dataset.open;
    $("tf-dependant-new").hidden = mine.length === 0;
  }

  function pickDependant(id) {
    const d = s.dependants.find((x) => x.id === id);
    s.dependantId = id; s.answerCount += 1;
    s.person = { age: d.age_years, sex: d.sex, proxy: true };
    document.querySelectorAll("#tf-dependants button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.dependant === id)));
    $("tf-guardian").hidden = d.age_years >= 6;
    refreshNext();
  }

  async function saveDependant(event) {
    event.preventDefault();
    const data = formObject(event.target);
    try {
      const d = await api("POST", "/api/me/dependants", { relation: s.who, name: data.name || T("for_" + s.who), birth_date: data.birth_date, sex: data.sex });
      s.dependants.push(d);
      event.target.reset(); delete event.target.dataset.open;
      renderDependants(); pickDependant(d.id);
    } catch (e) { showError("tf-dependant-form", e); }
  }

  function saveSelf(event) {
    event.preventDefault();
    const data = formObject(event.target);
    if (!data.birth_date || !data.sex) return;
    s.profile = { birth_date: data.birth_date, age_years: ageOf(data.birth_date), sex: data.sex };
    s.person = { age: s.profile.age_years, sex: data.sex, proxy: false };
    $("tf-self-missing").hidden = true;
    refreshNext();
  }

  function chipHtml(code, chosen) {
    const c = s.rules.charts[code];
    return `<button type="button" class="tf-chip" data-code="${esc(code)}" aria-pressed="${chosen}">${esc(L(c.label))}${chosen ? " ✕" : ""}</button>`;
  }

  function renderChips() {
    const age = s.person ? s.person.age : undefined;
    const term = $("tf-search").value;
    // Common problems are offered until one is chosen; after that only what the person types.
    let codes = term.trim() ? s.rules.search(term, age) : s.codes.length ? [] : COMMON.filter((c) => {
      const chart = s.rules.charts[c]; return age === undefined || (chart.ages[0] <= age && age < chart.ages[1]);
    });
    codes = codes.filter((c) => !s.codes.includes(c));
    $("tf-suggestions").innerHTML = codes.map((c) => chipHtml(c, false)).join("");
    $("tf-no-match").hidden = !(term.trim() && codes.length === 0);
    $("tf-chosen").innerHTML = s.codes.map((c) => chipHtml(c, true)).join("");
    document.querySelectorAll("#tf-suggestions button").forEach((b) => b.addEventListener("click", () => toggleCode(b.dataset.code)));
    document.querySelectorAll("#tf-chosen button").forEach((b) => b.addEventListener("click", () => toggleCode(b.dataset.code)));
    refreshNext();
  }

  function toggleCode(code) {
    if (s.codes.includes(code)) s.codes = s.codes.filter((c) => c !== code);
    else if (s.codes.length < s.q.max_presentations) { s.codes.push(code); s.answerCount += 1; $("tf-search").value = ""; }
    renderChips();
  }

  function refreshNext() { $("tf-next").disabled = !(s.person && s.codes.length); }

  // ---- screen 2: the questions -------------------------------------------------------------------
  function needsPregnancy() {
    const p = s.person;
    return p.sex !== "male" && p.age >= 12 && p.age < 55 && !s.codes.includes("pregnancy")
      && s.codes.some((c) => PREGNANCY_CHARTS.has(c));
  }

  function person() {
    return { ...s.person, pregnant: s.codes.includes("pregnancy") || s.pregnant === "yes" || s.pregnant === "unsure" };
  }

  function startQuestions() {
    if (s.codes.includes("pregnancy")) s.pregnant = "yes";
    else if (!needsPregnancy()) s.pregnant = null;
    screen("tf-questions");
    $("tf-feel-worse-note").hidden = !s.reassess;
    $("tf-measure").hidden = true;
    $("tf-card").hidden = false;
    ask();
  }

  function renderAnswered() {
    const texts = {};
    s.rules.questions(s.codes, person()).forEach((q) => { texts[q.id] = q.text; });
    const items = Object.entries(s.answers).filter(([id]) => texts[id]).map(([id, a]) =>
      `<li><button type="button" class="tf-answered-item" data-id="${esc(id)}">${esc(L(texts[id]))} <strong>${esc(T("answer_" + a))}</strong></button></li>`);
    if (s.pregnant !== null && needsPregnancy()) {
      items.unshift(`<li><button type="button" class="tf-answered-item" data-id="__pregnant">${esc(T(s.person.proxy ? "pregnant_question_other" : "pregnant_question"))} <strong>${esc(T("answer_" + s.pregnant))}</strong></button></li>`);
    }
    $("tf-answered").innerHTML = items.slice(-4).join("");   // the last few: the question stays on screen
    // Tapping an earlier answer asks it again (a reassessment can only move answers up).
    document.querySelectorAll(".tf-answered-item").forEach((b) => b.addEventListener("click", () => {
      if (b.dataset.id === "__pregnant") s.pregnant = null; else delete s.answers[b.dataset.id];
      ask();
    }));
  }

  function ask() {
    renderAnswered();
    if (s.pregnant === null && needsPregnancy()) return showQuestion({ id: "__pregnant" },
      T(s.person.proxy ? "pregnant_question_other" : "pregnant_question"));
    const next = s.rules.nextQuestion(s.codes, person(), s.answers);
    if (next) return showQuestion(next, L(next.text));
    const emergency = s.rules.fired(s.codes, s.answers, person()).some((d) => d.emergency);
    if (emergency) { $("tf-card").hidden = true; return submit(); }   // an emergency answer ends the questions at once
    $("tf-card").hidden = true;
    $("tf-answered").innerHTML = "";   // the measurements card takes the whole screen
    $("tf-measure").hidden = false;
    bump();
    $("tf-measure").querySelector("input").focus({ preventScroll: true });
  }

  function showQuestion(question, wording) {
    $("tf-card").hidden = false;
    $("tf-measure").hidden = true;
    $("tf-card").dataset.question = question.id;
    text("tf-question", wording);
    $("tf-question").focus({ preventScroll: true });
    bump();
  }

  function answer(value) {
    const id = $("tf-card").dataset.question;
    s.answerCount += 1;
    if (id === "__pregnant") s.pregnant = value; else s.answers[id] = value;
    ask();
  }

  // ---- submit and screen 3 -----------------------------------------------------------------------
  function body() {
    const p = person();
    const answers = { age_years: s.person.age, symptoms: [], presentations: s.codes, discriminators: s.answers,
      for_whom: s.who || "self" };
    if (s.person.sex) answers.sex = s.person.sex;
    if (p.pregnant) answers.pregnant = true;
    const m = formObject($("tf-measure"));
    if (m.temperature_c) answers.temperature_c = Number(m.temperature_c);
    if (m.spo2) answers.spo2 = Number(m.spo2);
    if (m.duration_days) answers.duration_days = Number(m.duration_days);
    const out = { answers };
    if (s.dependantId) out.for_dependant_id = s.dependantId;
    return out;
  }

  async function submit(event) {
    if (event) event.preventDefault();
    const m = formObject($("tf-measure"));
    s.answerCount += ["temperature_c", "spo2", "duration_days"].filter((k) => m[k]).length;
    const request = body();
    s.lastBody = request;
    try {
      if (s.reassess) {
        const result = await api("POST", "/api/queue/me/reassess", { answers: request.answers });
        if (result.entry.status !== "escalated") { s.hooks.onWaiting && s.hooks.onWaiting(result.entry); return; }
        return showResult(result.assessment);
      }
      showResult(await api("POST", "/api/triage/assessments", request));
    } catch (e) { showError("tf-measure", e); toast(e.message || T("error_next")); }
  }

  function list(items, cls) { return `<ul class="${cls}">${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>`; }

  function showResult(result) {
    s.result = result;
    const box = $("tf-result-box");
    const reasons = (result.red_flags.length ? result.red_flags.slice(0, 1) : result.reasons.slice(0, 2)).map((r) => r.text);
    $("tf-result").dataset.disposition = result.disposition;
    $("tf-result").dataset.answers = String(s.answerCount);
    if (result.disposition === "emergency") {
      box.innerHTML = `<div class="tf-emergency">
        <h1 tabindex="-1">${esc(T("triage_emergency_title"))}</h1>
        <a class="tf-call" id="tf-call" href="${esc(result.call || "tel:120")}">${esc(T("emergency_call"))}</a>
        ${list(reasons, "tf-reasons")}
        <h2>${esc(T("emergency_meanwhile"))}</h2>${list(result.emergency_advice || [], "tf-meanwhile")}</div>`;
    } else if (result.disposition === "self_care") {
      box.innerHTML = `<h1 tabindex="-1">${esc(T("self_care_title"))}</h1>
        <h2>${esc(T("care_advice"))}</h2>${list(result.care_advice || [], "tf-advice")}
        <h2>${esc(T("safety_net_title"))}</h2>
        ${list(result.safety_net || [], "tf-safety-net")}
        <p class="tf-reminder">${esc(T("reassess_reminder"))}</p>`;
    } else {
      box.innerHTML = `<h1 tabindex="-1">${esc(T("online_title"))}</h1>
        <p class="instruction tf-timeframe">${esc(T("timeframe_" + result.timeframe))}</p>
        ${list(reasons, "tf-reasons")}`;
    }
    $("tf-join").hidden = result.disposition !== "online_consult";
    $("tf-anyway").hidden = result.disposition !== "self_care";
    screen("tf-result");
    bump();
  }

  // ---- start ---------------------------------------------------------------------------------------
  async function start(options) {
    s.q = options.questionnaire; s.rules = TriageRules.make(s.q); s.hooks = options;
    document.body.classList.remove("in-triage");
    s.reassess = Boolean(options.reassess); s.answerCount = 0; s.pregnant = null; s.result = null;
    const prefill = options.prefill || {};
    s.codes = (prefill.presentations || []).slice(); s.answers = { ...(prefill.discriminators || {}) };
    try {
      [s.profile, s.dependants] = await Promise.all([api("GET", "/api/triage/me"), api("GET", "/api/me/dependants")]);
    } catch (e) { s.profile = null; s.dependants = []; }
    $("tf").hidden = false;
    $("tf-search").value = "";
    if (s.reassess && prefill.age_years !== undefined) {
      // "I feel worse": the same person and presentations; only what is new is asked.
      s.who = prefill.for_whom || "self";
      s.person = { age: prefill.age_years, sex: prefill.sex || null, proxy: s.who !== "self" };
      if (prefill.pregnant) s.pregnant = "yes";
      return startQuestions();
    }
    s.who = null; s.person = null; s.dependantId = null;
    document.querySelectorAll("#tf-who button").forEach((b) => b.setAttribute("aria-pressed", "false"));
    $("tf-person").hidden = true; $("tf-self-missing").hidden = true; $("tf-guardian").hidden = true;
    renderChips();
    screen("tf-start");
  }

  function wire() {
    document.querySelectorAll("#tf-who button").forEach((b) => b.addEventListener("click", () => chooseWho(b.dataset.who)));
    $("tf-search").addEventListener("input", renderChips);
    $("tf-next").addEventListener("click", startQuestions);
    $("tf-back").addEventListener("click", () => screen("tf-start"));
    document.querySelectorAll("#tf-card [data-answer]").forEach((b) => b.addEventListener("click", () => answer(b.dataset.answer)));
    $("tf-measure").addEventListener("submit", submit);
    $("tf-dependant-form").addEventListener("submit", saveDependant);
    $("tf-self-form").addEventListener("submit", saveSelf);
    $("tf-dependant-new").addEventListener("click", () => { $("tf-dependant-form").dataset.open = "1"; $("tf-dependant-form").hidden = false; });
    $("tf-join").addEventListener("click", () => s.hooks.onJoin && s.hooks.onJoin(s.result));
    $("tf-anyway").addEventListener("click", () => s.hooks.onJoin && s.hooks.onJoin(s.result));
    $("tf-restart").addEventListener("click", () => start({ ...s.hooks, reassess: false, prefill: null }));
  }

  if ($("tf")) wire();  // a module runs once the page is parsed
  return { start, state: s };
})();
