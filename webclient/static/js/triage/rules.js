// The complaint-first flow's order and stopping rule, read from the questionnaire's charts: a line-by-line
// port of server/triage/flow.py (questions, fired, next_question, search). The server decides the
// result; this only decides what to ask next, so a mismatch can cost a question, never urgency
// (tests/test_triage_browser.py checks the answer counts against the Python flow).

export const TriageRules = (() => {
  const POSITIVE = new Set(["yes", "unsure"]);   // "not sure" counts as yes

  function make(q) {
    const discriminators = Object.fromEntries(q.discriminators.map((d) => [d.id, d]));
    const charts = Object.fromEntries(q.presentations.map((c) => [c.code, c]));
    const proxyOnly = new Set(q.proxy_only);

    function applies(d, person) {
      if (!(d.ages[0] <= person.age && person.age < d.ages[1])) return false;
      if (d.sex !== null && ![d.sex, "other", null, undefined].includes(person.sex)) return false;
      if (d.pregnant && !person.pregnant) return false;
      if (proxyOnly.has(d.id) && !person.proxy) return false;
      return true;
    }

    function discriminatorsFor(codes, person) {
      const chosen = codes.map((c) => charts[c]);
      if (!chosen.length) return [];
      const out = []; const seen = new Set();
      const general = q.general.concat(person.age < 16 ? q.general_child : []);
      general.forEach((id) => { seen.add(id); out.push(discriminators[id]); });
      chosen.forEach((c) => c.discriminators.forEach((id) => { if (!seen.has(id)) { seen.add(id); out.push(discriminators[id]); } }));
      return out.filter((d) => applies(d, person));
    }

    const implied = (codes) => new Set(codes.flatMap((c) => charts[c].implies));
    const rank = (d) => [d.emergency ? 0 : 1, d.level];
    const before = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

    function questionText(id) {
      if (q.question_texts[id]) return q.question_texts[id];
      const d = q.discriminators.find((x) => x.question_id === id);
      return d ? d.question : { zh: id, en: id };
    }

    function questions(codes, person) {
      const skip = implied(codes);
      const ranked = discriminatorsFor(codes, person).map((d, i) => [i, d])
        .sort((a, b) => (before(rank(a[1]), rank(b[1])) ? -1 : before(rank(b[1]), rank(a[1])) ? 1 : a[0] - b[0]));
      const out = []; const seen = new Set(skip);
      for (const [, d] of ranked) {
        for (const id of d.when.concat([d.question_id])) {
          if (seen.has(id)) continue;
          seen.add(id);
          const gate = id !== d.question_id;
          out.push({ id, text: questionText(id), level: gate ? null : d.level, emergency: gate ? false : d.emergency, rank: rank(d) });
        }
      }
      return out;
    }

    function fired(codes, answers, person) {
      const yes = implied(codes);
      const positive = (id) => yes.has(id) || POSITIVE.has(answers[id]);
      return discriminatorsFor(codes, person).filter((d) => positive(d.question_id) && d.when.every(positive));
    }

    function nextQuestion(codes, person, answers) {
      const hits = fired(codes, answers, person);
      let best = null;
      hits.forEach((d) => { if (best === null || before(rank(d), best)) best = rank(d); });
      for (const question of questions(codes, person)) {
        if (question.id in answers) continue;
        if (best !== null && !before(question.rank, best)) return null;
        return question;
      }
      return null;
    }

    function sharesTwo(term, word) {
      if (/^[\x00-\x7f]*$/.test(term)) {
        const stop = new Set(["pain", "a", "the", "my", "of", "in"]);
        const words = new Set(word.split(/\s+/));
        return term.split(/\s+/).some((t) => !stop.has(t) && words.has(t));
      }
      for (let i = 0; i + 2 <= term.length; i += 1) if (word.includes(term.slice(i, i + 2))) return true;
      return false;
    }

    function search(text, age) {
      const term = text.trim().toLowerCase();
      if (!term) return [];
      const scored = [];
      q.presentations.forEach((c, position) => {
        if (age !== undefined && age !== null && !(c.ages[0] <= age && age < c.ages[1])) return;
        const words = [...c.synonyms.zh, ...c.synonyms.en, c.label.zh, c.label.en].map((w) => w.toLowerCase());
        let best = 9;
        for (const word of words) {
          if (term === word) best = Math.min(best, 0);
          else if (word && term.includes(word)) best = Math.min(best, 1);
          else if (term.length >= 2 && word.includes(term)) best = Math.min(best, 2);
          else if (sharesTwo(term, word)) best = Math.min(best, 3);
        }
        if (best < 9) scored.push([best, position, c.code]);
      });
      return scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, 8).map((s) => s[2]);
    }

    return { charts, discriminators, questions, fired, nextQuestion, search };
  }

  return { make };
})();
