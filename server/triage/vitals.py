"""The rules on measurements: consciousness, oxygen, pain and temperature at every age; adults' danger
values and NEWS2 bands; children's age-band thresholds; pregnancy's obstetric (MEOWS-style)
triggers. Real physiological derangement (level 1-3) belongs to internal medicine."""
from __future__ import annotations

from server.triage import texts as data
from server.triage.answers import TriageInput
from server.triage.constants import CONSCIOUSNESS_ORDER, FEBRILE_INFANT_AGE, child_band, child_hypotension_limit
from server.triage.findings import Case, Finding, Hit, join_words, make_finding
from server.triage.news2 import news2_applies, news2_components


def _vital(level: int, finding: Finding, emergency: bool = False) -> Hit:
    """A measurement's hit: real physiological derangement (level 1-3) belongs to internal medicine."""
    return Hit(level, finding, emergency, "internal" if level <= 3 else None)


def general_vital_hits(case: Case) -> list[Hit]:
    """Measurements that matter at every age: consciousness, oxygen, pain, temperature extremes."""
    inp, hits = case.inp, []
    if inp.consciousness is not None and inp.consciousness != "alert":
        level = 2 if inp.consciousness == "voice" else 1  # AVPU P/U: ESI 1 (unresponsive)
        names = dict(zip(CONSCIOUSNESS_ORDER, data.CONSCIOUSNESS_OPTIONS))
        _, zh, en = names[inp.consciousness]
        hits.append(_vital(level, make_finding("reduced_consciousness", value={"zh": zh, "en": en}), True))
    if inp.spo2 is not None:
        if inp.spo2 <= 93:  # China severe COVID-19 criterion; < 90 ESI level 1
            hits.append(_vital(1 if inp.spo2 < 90 else 2, make_finding("low_oxygen", value=inp.spo2), True))
        elif inp.spo2 <= 95 and not news2_applies(inp):  # adults: NEWS2 scores it instead
            hits.append(_vital(3, make_finding("oxygen_borderline", value=inp.spo2)))
    if inp.pain_score is not None:
        if inp.pain_score >= 7:  # China 2011: pain >= 7 is at least level 2 (CTAS: severe pain, level 2)
            hits.append(Hit(2, make_finding("severe_pain", value=inp.pain_score)))
        elif inp.pain_score >= 4:  # CTAS: moderate pain, level 3
            hits.append(Hit(3, make_finding("moderate_pain", value=inp.pain_score)))
    hits += _temperature_hits(case)
    if inp.on_oxygen and not news2_applies(inp):
        hits.append(_vital(3, make_finding("on_oxygen_support")))
    return hits


def _temperature_hits(case: Case) -> list[Hit]:
    """Temperature extremes at any age, and the infants' own thresholds (NICE NG143)."""
    t, hits = case.inp.temperature_c, []
    if t is None:
        return hits
    if t >= 41.0:
        hits.append(_vital(2, make_finding("hyperpyrexia", value=t)))
    elif t >= 40.0:
        hits.append(_vital(3, make_finding("high_fever", value=t)))
    if t <= 35.0:
        hits.append(_vital(2, make_finding("hypothermia", value=t)))
    if case.age < FEBRILE_INFANT_AGE and t <= 36.0:  # NICE NG143: low temperature in young infants
        hits.append(_vital(2, make_finding("young_infant_low_temperature", value=t)))
    if FEBRILE_INFANT_AGE <= case.age < 0.5 and t >= 39.0:  # NICE NG143: 3-6 months >= 39 C
        hits.append(_vital(2, make_finding("infant_high_fever", value=t)))
    return hits


def adult_vital_hits(case: Case) -> list[Hit]:
    """Adults (16+, pregnant or not): single danger values that end the online path."""
    if not case.adult:
        return []
    inp, hits = case.inp, []
    if inp.resp_rate is not None:
        if inp.resp_rate >= 30:  # China severe COVID-19 criterion
            hits.append(_vital(2, make_finding("very_fast_breathing", value=inp.resp_rate), True))
        elif inp.resp_rate <= 8:  # NEWS2 3; hypoventilation (e.g. opioid toxicity)
            hits.append(_vital(2, make_finding("very_slow_breathing", value=inp.resp_rate), True))
    if inp.heart_rate is not None:
        if inp.heart_rate > 130:
            hits.append(_vital(2, make_finding("very_fast_heart_rate", value=inp.heart_rate), True))
        elif inp.heart_rate < 40:
            hits.append(_vital(2, make_finding("very_slow_heart_rate", value=inp.heart_rate), True))
    if inp.systolic_bp is not None and inp.systolic_bp <= 90:  # shock range; NEWS2 3
        hits.append(_vital(2, make_finding("low_blood_pressure", value=inp.systolic_bp), True))
    return hits


def news2_hits(case: Case) -> list[Hit]:
    """NEWS2 bands (RCP 2017): >= 7 emergency, 5-6 or any single 3 urgent (level 2), 3-4 level 3, 1-2 level 4."""
    if not news2_applies(case.inp):
        return []
    parts = news2_components(case.inp)
    if not parts:
        return []
    score = sum(parts.values())
    hits = []
    if score >= 7:
        hits.append(_vital(2, make_finding("news2_high", score=score), True))
    elif score >= 5:
        hits.append(_vital(2, make_finding("news2_medium", score=score)))
    else:
        hits.append(_vital(3 if score >= 3 else 4 if score >= 1 else 5, make_finding("news2_low", score=score)))
    threes = [name for name, points in parts.items() if points == 3]
    if threes:
        hits.append(_vital(2, make_finding("news2_single_parameter",
                                     param=join_words(data.NEWS2_PARAMETER_NAMES[n] for n in threes))))
    return hits


def child_vital_hits(case: Case) -> list[Hit]:
    """Children under 16: age-band thresholds instead of NEWS2 (see _CHILD_BANDS)."""
    if case.adult:
        return []
    inp, band, hits = case.inp, child_band(case.age), []
    if inp.resp_rate is not None:
        if inp.resp_rate > band.rr_red:
            hits.append(_vital(2, make_finding("child_very_fast_breathing", value=inp.resp_rate,
                                           limit=band.rr_red + 1), True))
        elif inp.resp_rate > band.rr_amber:
            hits.append(_vital(3, make_finding("child_fast_breathing", value=inp.resp_rate, limit=band.rr_amber)))
        elif inp.resp_rate <= band.rr_low:
            hits.append(_vital(2, make_finding("child_slow_breathing", value=inp.resp_rate, limit=band.rr_low), True))
    if inp.heart_rate is not None:
        if inp.heart_rate > band.hr_red:
            hits.append(_vital(2, make_finding("child_very_fast_heart_rate", value=inp.heart_rate, limit=band.hr_red + 1),
                             True))
        elif inp.heart_rate > band.hr_amber:
            hits.append(_vital(3, make_finding("child_fast_heart_rate", value=inp.heart_rate, limit=band.hr_amber)))
        elif inp.heart_rate < band.hr_low:
            hits.append(_vital(2, make_finding("child_slow_heart_rate", value=inp.heart_rate, limit=band.hr_low), True))
    if inp.systolic_bp is not None and inp.systolic_bp < child_hypotension_limit(case.age):
        hits.append(_vital(2, make_finding("child_low_blood_pressure", value=inp.systolic_bp,
                                     limit=child_hypotension_limit(case.age)), True))
    return hits


def _obstetric_triggers(inp: TriageInput) -> dict[str, str]:
    """Per parameter 'red' or 'amber', in the spirit of the Modified Early Obstetric Warning Score
    (MEOWS; CEMACH 'Saving Mothers' Lives' 2007, Singh et al. 2012): pregnancy shifts normal ranges,
    so NEWS2 is not used."""
    bands = {
        # parameter: (value, red_high, amber_high, amber_low, red_low); None = no such band
        "resp_rate": (inp.resp_rate, 30, 21, None, 10),
        "heart_rate": (inp.heart_rate, 120, 100, 50, 40),
        "systolic_bp": (inp.systolic_bp, 160, 150, 100, 90),
        "temperature_c": (inp.temperature_c, 38.0, 37.5, 36.0, 35.0),
        "spo2": (inp.spo2, None, None, 95, 94),
    }
    out: dict[str, str] = {}
    for name, (value, red_high, amber_high, amber_low, red_low) in bands.items():
        if value is None:
            continue
        if (red_high is not None and value >= red_high) or (red_low is not None and value <= red_low):
            out[name] = "red"
        elif (amber_high is not None and value >= amber_high) or (amber_low is not None and value <= amber_low):
            out[name] = "amber"
    if inp.consciousness not in (None, "alert"):
        out["consciousness"] = "red"
    return out


def obstetric_hits(case: Case) -> list[Hit]:
    """Pregnancy: 2 red triggers or 3 of any colour: emergency; 1 red or 2 triggers: level 2; 1 amber: level 3.

    Only from 16: the obstetric ranges assume adult physiology; a pregnant child keeps the child bands.
    """
    if not (case.pregnant and case.adult):
        return []
    triggers = _obstetric_triggers(case.inp)
    if not triggers:
        return []
    reds = sum(1 for colour in triggers.values() if colour == "red")
    count = len(triggers)
    detail = join_words(data.NEWS2_PARAMETER_NAMES[name] for name in triggers)
    if reds >= 2 or count >= 3:
        return [Hit(2, make_finding("obstetric_warning_emergency", detail=detail), True, "obstetrics")]
    return [Hit(2 if reds or count >= 2 else 3, make_finding("obstetric_warning", detail=detail), False, "obstetrics")]

