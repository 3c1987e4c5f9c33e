"""The decision: every rule's hits for a case, the most urgent of them, the department, and whether
self-care may be offered (2026-11.1 form) or the charts' home care stands (2026-12.1). `assess` is
a maximum over independent hits, so anything added can only make a case more urgent."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from server.triage import charts, flow
from server.triage.answers import TriageInput
from server.triage.constants import (
    DEPARTMENT_ORDER,
    LANGS,
    PEDIATRIC_AGE,
    PEDIATRIC_EXCEPTIONS,
    PREGNANCY_EXCEPTIONS,
    QUESTIONNAIRE_VERSION,
    SELF_CARE_AGES,
    SELF_CARE_COMPLAINTS,
    SELF_CARE_MAX_DAYS,
    TARGET_WAIT_MINUTES,
)
from server.triage.findings import Assessment, Case, Finding, Hit, make_finding
from server.triage.news2 import news2
from server.triage.red_flags import combination_hits, fever_clinic_hits, note_hits, symptom_hits
from server.triage.vitals import adult_vital_hits, child_vital_hits, general_vital_hits, news2_hits, obstetric_hits

_RULES = (symptom_hits, combination_hits, fever_clinic_hits, general_vital_hits, adult_vital_hits,
          news2_hits, child_vital_hits, obstetric_hits, note_hits)


def _self_care_blockers(case: Case) -> list[Finding]:
    """Why an otherwise minor complaint still needs a doctor (each one alone is enough)."""
    blockers = []
    low, high = SELF_CARE_AGES
    if case.age < low:
        blockers.append(make_finding("child_needs_doctor"))
    if case.age >= high:
        blockers.append(make_finding("older_age_review"))
    if case.pregnant:
        blockers.append(make_finding("pregnancy_review"))
    if case.chronic:
        blockers.append(make_finding("chronic_condition_review"))
    if case.epi_flags:
        blockers.append(make_finding("exposure_reported"))
    if case.inp.duration_days is not None and case.inp.duration_days > SELF_CARE_MAX_DAYS:
        blockers.append(make_finding("symptoms_persisting", value=case.inp.duration_days))
    return blockers


def _department(case: Case, hits: list[Hit]) -> str:
    """Fever clinic first; else the department of the most urgent complaint, adjusted for children and pregnancy."""
    if any(h.department == "fever" for h in hits):
        return "fever"
    candidates = [h for h in hits if h.department]
    lead = min(candidates, key=lambda h: (h.level, not h.emergency, DEPARTMENT_ORDER.index(h.department)),
               default=None)
    department = lead.department if lead else "internal"
    if case.pregnant and department not in PREGNANCY_EXCEPTIONS:
        return "obstetrics"
    if case.age < PEDIATRIC_AGE and department not in PEDIATRIC_EXCEPTIONS:
        return "pediatrics"
    if department == "pediatrics":  # a baby's complaint chosen for an older person
        return "internal"
    return department


def _unique(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    seen: set[str] = set()
    out = []
    for finding in findings:
        if finding.code not in seen:
            seen.add(finding.code)
            out.append(finding)
    return tuple(out)


def _person(inp: TriageInput) -> flow.Person:
    return flow.Person(age=inp.age_years, sex=inp.sex, pregnant=inp.pregnant is True,
                       proxy=inp.for_whom not in (None, "self"))


def _discriminator_finding(d: charts.Discriminator) -> Finding:
    """A fired discriminator as a finding: plain why for the patient, clinical meaning and source for the doctor."""
    return Finding(d.id, dict(d.patient), {lang: f"{d.clinical[lang]} [{d.source}]" for lang in LANGS})


# Self-care in the 2026-12.1 flow is never offered alone to these (issue: infants under one and people
# over 75 never get unattended self-care); they see a doctor online today instead.
NO_SELF_CARE_UNDER = 1
NO_SELF_CARE_FROM = 75


def _chart_blockers(inp: TriageInput, case: Case, chosen: list[charts.Chart]) -> list[Finding]:
    """Why a home-care result still needs a doctor (2026-12.1)."""
    blockers = []
    if case.age < NO_SELF_CARE_UNDER:
        blockers.append(make_finding("infant_needs_doctor"))
    if case.age >= NO_SELF_CARE_FROM:
        blockers.append(make_finding("older_needs_doctor"))
    if case.pregnant:
        blockers.append(make_finding("pregnancy_review"))
    if "immunosuppressed" in case.chronic:
        blockers.append(make_finding("chronic_condition_review"))
    if case.epi_flags:
        blockers.append(make_finding("exposure_reported"))
    limit = min(chart.self_care_max_days for chart in chosen)
    if inp.duration_days is not None and inp.duration_days > limit:
        blockers.append(make_finding("symptoms_persisting_chart", value=inp.duration_days, limit=limit))
    return blockers


def _assess_presentations(inp: TriageInput) -> Assessment:
    """2026-12.1: the charts' discriminators beside every 2026-11.1 rule; self-care where the charts allow it."""
    person = _person(inp)
    codes = list(inp.presentations or ())
    answers = inp.answer_map()
    symptoms = tuple(dict.fromkeys((*inp.symptoms, *flow.reported_symptoms(codes, answers, person))))
    merged = replace(inp, symptoms=symptoms)
    case = Case(merged, frozenset(symptoms), frozenset(inp.chronic or ()), inp.epi.flags() if inp.epi else ())
    legacy = [hit for rule in _RULES for hit in rule(case)]
    chosen = flow.charts_for(codes)
    fired = flow.fired(codes, answers, person)
    chart_hits = [Hit(d.level, _discriminator_finding(d), d.emergency, d.department or chart.department)
                  for d, chart in fired]
    hits = legacy + chart_hits
    emergency = any(h.emergency for h in hits)
    home = all(chart.home_care for chart in chosen) and not fired
    # The 2026-11.1 rules still veto home care when they find anything more than routine: a red flag,
    # a level 1-3 finding, or a risk factor that makes the complaint more dangerous.
    vetoed = any(h.emergency or h.level <= 3 or h.finding.code.startswith("risk_") for h in legacy)
    extra: list[Finding] = []
    disposition = "emergency" if emergency else "online_consult"
    if not emergency and home and not vetoed:
        blockers = _chart_blockers(inp, case, chosen)
        if blockers:
            extra.extend(blockers)
            level = min([h.level for h in hits] + [4])
        else:
            disposition, level = "self_care", 5
            extra.append(make_finding("self_care_suitable"))
    else:
        # Nothing fired: each chart's own level; a home-care chart not given self-care is seen today.
        defaults = [chart.default_level if not chart.home_care else 4 for chart in chosen]
        level = min([h.level for h in hits] + defaults)
    department = _department(case, [*hits, *(Hit(c.default_level, make_finding("no_urgent_features"), False,
                                                   c.department) for c in chosen)])
    ordered = sorted(hits, key=lambda h: (h.level, not h.emergency))
    reasons = _unique([h.finding for h in ordered] + extra) or (make_finding("no_urgent_features"),)
    return Assessment(
        level=level, disposition=disposition, department=department,
        red_flags=_unique(h.finding for h in ordered if h.emergency), reasons=reasons,
        target_wait_minutes=TARGET_WAIT_MINUTES[level], news2=news2(merged),
        questionnaire_version=QUESTIONNAIRE_VERSION, presentations=tuple(codes),
    )


def assess(inp: TriageInput) -> Assessment:
    """Triage validated answers: the most urgent of all rule contributions, with every rule that fired."""
    if inp.presentations:
        return _assess_presentations(inp)
    case = Case(inp, frozenset(inp.symptoms), frozenset(inp.chronic or ()),
                 inp.epi.flags() if inp.epi else ())
    hits = [hit for rule in _RULES for hit in rule(case)]
    emergency = any(h.emergency for h in hits)
    level = min((h.level for h in hits), default=5)
    department = _department(case, hits)

    disposition = "emergency" if emergency else "online_consult"
    extra: list[Finding] = []
    minor = not case.symptoms or any(case.symptoms <= group for group in SELF_CARE_COMPLAINTS)
    if not emergency and level == 5 and minor:
        blockers = _self_care_blockers(case)
        if blockers:
            extra.extend(blockers)
        else:
            disposition = "self_care"
            extra.append(make_finding("self_care_suitable"))

    ordered = sorted(hits, key=lambda h: (h.level, not h.emergency))  # stable: rule order within a level
    reasons = _unique([h.finding for h in ordered] + extra)
    if not reasons:
        reasons = (make_finding("no_urgent_features"),)
    return Assessment(
        level=level,
        disposition=disposition,
        department=department,
        red_flags=_unique(h.finding for h in ordered if h.emergency),
        reasons=reasons,
        target_wait_minutes=TARGET_WAIT_MINUTES[level],
        news2=news2(inp),
        questionnaire_version=QUESTIONNAIRE_VERSION,
    )
