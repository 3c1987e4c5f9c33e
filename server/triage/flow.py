"""The complaint-first flow over the charts: which questions to ask, in what order, and what fired.

Pure functions, no I/O. `questions` gives the browser (and the handbook) the questions for the chosen
presentations, most dangerous first; `fired` reads the answers. The engine (`engine.assess`) turns
what fired into levels beside the 2026-11.1 rules.

Monotone by construction: a discriminator fires when its question and every question in its `when`
are answered yes or "not sure"; a "no" or a missing answer never fires anything. So changing any
answer from no to not sure, or from not sure to yes, can only add discriminators that fire.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from server.triage import charts as data

ANSWERS = ("yes", "no", "unsure")
POSITIVE = frozenset({"yes", "unsure"})  # "not sure" counts as yes: the safe side on every question
MAX_PRESENTATIONS = 3
# Asked only when someone answers for another person: who fills the form in is awake and talking.
PROXY_ONLY = frozenset({"unresponsive", "hard_to_wake", "seizure"})
QUESTION_IDS: frozenset[str] = frozenset(
    {q for d in data.DISCRIMINATORS_LIST for q in d.covers} |
    {d.question_id for d in data.DISCRIMINATORS_LIST} | {q for d in data.DISCRIMINATORS_LIST for q in d.when}
    | {q for c in data.CHARTS_LIST for q in c.implies})


@dataclass(frozen=True)
class Person:
    """What the rules read about the patient: from the profile or the dependant, not asked again."""

    age: float
    sex: str | None = None
    pregnant: bool = False
    proxy: bool = False  # someone else answers (child, parent, someone else)


def applies(d: data.Discriminator, person: Person) -> bool:
    """Whether a discriminator is asked of (and read for) this person."""
    low, high = d.ages
    if not low <= person.age < high:
        return False
    if d.sex is not None and person.sex not in (d.sex, "other", None):
        return False
    if d.pregnant and not person.pregnant:
        return False
    if d.id in PROXY_ONLY and not person.proxy:
        return False
    return True


def charts_for(codes: Iterable[str]) -> list[data.Chart]:
    """The charts of these presentation codes, in the order given."""
    return [data.CHARTS[code] for code in codes]


def discriminators_for(codes: Iterable[str], person: Person) -> list[tuple[data.Discriminator, data.Chart]]:
    """General discriminators, then each chart's own, with the chart they are read for; duplicates once."""
    charts = charts_for(codes)
    if not charts:
        return []
    out: list[tuple[data.Discriminator, data.Chart]] = []
    seen: set[str] = set()
    general = data.GENERAL + (data.GENERAL_CHILD if person.age < 16 else ())
    for did in general:
        seen.add(did)
        out.append((data.DISCRIMINATORS[did], charts[0]))
    for chart in charts:
        for did in chart.discriminators:
            if did not in seen:
                seen.add(did)
                out.append((data.DISCRIMINATORS[did], chart))
    return [(d, c) for d, c in out if applies(d, person)]


def implied(codes: Iterable[str]) -> frozenset[str]:
    """Questions answered yes by picking the presentations."""
    return frozenset(q for chart in charts_for(codes) for q in chart.implies)


def question_text(question_id: str) -> dict[str, str]:
    """The zh/en wording of a question."""
    if question_id in data.QUESTION_TEXT:
        return dict(data.QUESTION_TEXT[question_id])
    for d in data.DISCRIMINATORS_LIST:
        if d.question_id == question_id:
            return dict(d.question)
    raise KeyError(question_id)


def questions(codes: Iterable[str], person: Person) -> list[dict]:
    """The questions to ask, most dangerous first (emergency before urgent, then by level).

    The first half of a combination is asked right before it. Questions the presentation already
    answers are left out. Each item: {id, text, level, emergency}.
    """
    codes = list(codes)
    skip = implied(codes)
    ranked = sorted(enumerate(discriminators_for(codes, person)),
                    key=lambda item: (not item[1][0].emergency, item[1][0].level, item[0]))
    out: list[dict] = []
    seen: set[str] = set(skip)
    for _, (d, _chart) in ranked:
        for qid in (*d.when, d.question_id):
            if qid in seen:
                continue
            seen.add(qid)
            gate = qid != d.question_id
            out.append({"id": qid, "text": question_text(qid), "level": None if gate else d.level,
                        "emergency": False if gate else d.emergency, "covers": [] if gate else list(d.covers),
                        "rank": list(rank(d))})
    return out


def rank(d: data.Discriminator) -> tuple[int, int]:
    """Sort key, most urgent first: emergencies before the rest, then by level."""
    return (0 if d.emergency else 1, d.level)


def next_question(codes: Iterable[str], person: Person, answers: Mapping[str, str]) -> dict | None:
    """The next question to ask, or None when the flow is done.

    Done when every question is answered, or when something fired that is at least as urgent as every
    question left (telephone triage: the first yes decides, since questions come most urgent first).
    """
    codes = list(codes)
    hits = fired(codes, answers, person)
    best = min((rank(d) for d, _ in hits), default=None)
    for question in questions(codes, person):
        if question["id"] in answers:
            continue
        if best is not None and tuple(question["rank"]) >= best:
            return None
        return question
    return None


def positive(answers: Mapping[str, str], question_id: str, implied_yes: frozenset[str]) -> bool:
    """Yes or not sure (or implied by the presentation)."""
    return question_id in implied_yes or answers.get(question_id) in POSITIVE


def fired(codes: Iterable[str], answers: Mapping[str, str], person: Person
          ) -> list[tuple[data.Discriminator, data.Chart]]:
    """The discriminators whose question (and every `when`) is positive, with their chart."""
    codes = list(codes)
    yes = implied(codes)
    return [(d, c) for d, c in discriminators_for(codes, person)
            if positive(answers, d.question_id, yes) and all(positive(answers, q, yes) for q in d.when)]


def reported_symptoms(codes: Iterable[str], answers: Mapping[str, str], person: Person) -> list[str]:
    """2026-11.1 symptom codes the answers report, so the earlier rules apply to them too."""
    codes = list(codes)
    yes = implied(codes)
    out = [c.symptom for c in charts_for(codes) if c.symptom]
    out += [d.symptom for d, _ in discriminators_for(codes, person)
            if d.symptom and positive(answers, d.question_id, yes)]
    return list(dict.fromkeys(out))


def _shares_two_characters(term: str, word: str) -> bool:
    """A Chinese fallback: some two characters in a row in common (耳朵后面肿 ~ 耳朵痛); for Latin
    script, a whole word in common (my tummy hurts ~ tummy ache)."""
    if term.isascii():
        return bool(set(term.split()) & set(word.split()) - {"pain", "a", "the", "my", "of", "in"})
    return any(term[i:i + 2] in word for i in range(len(term) - 1))


def search(text: str, lang: str | None = None, age: float | None = None, limit: int = 8) -> list[str]:
    """Presentation codes for what someone typed, best first: exact synonym, then synonym inside the
    text, then the text inside a synonym (so 肚痛, 屙肚 or 'tummy ache' find their chart)."""
    term = text.strip().lower()
    if not term:
        return []
    scored: list[tuple[int, int, str]] = []
    for position, chart in enumerate(data.CHARTS_LIST):
        if age is not None and not chart.ages[0] <= age < chart.ages[1]:
            continue
        words = [w.lower() for language, ws in chart.synonyms.items() if lang in (None, language) for w in ws]
        words += [chart.label["zh"].lower(), chart.label["en"].lower()]
        best = 9
        for word in words:
            if term == word:
                best = min(best, 0)
            elif word and word in term:
                best = min(best, 1)
            elif len(term) >= 2 and term in word:
                best = min(best, 2)
            elif _shares_two_characters(term, word):
                best = min(best, 3)
        if best < 9:
            scored.append((best, position, chart.code))
    return [code for _, _, code in sorted(scored)[:limit]]
