"""Medication advice as FHIR: a drug code where the drug is known, and the doctor's dose and frequency
read into a structured Dosage (dose quantity, timing, route, as-needed), the text kept as written.

The record stores each medication as the doctor typed it: drug, dose ("500 mg"), frequency
("twice daily", "每日3次", "必要时，每日不超过4次") and days. What cannot be read is left in
`Dosage.text` only; nothing is guessed.
"""
from __future__ import annotations

import re

from server.records.fhir.base import ATC, SNOMED, concept, quantity

# Route: SNOMED CT route of administration (the codes of FHIR's route-codes example value set).
ORAL = ("26643006", "Oral route")
TOPICAL = ("6064005", "Topical route")
INHALED = ("447694001", "Respiratory tract route")
NASAL = ("46713006", "Nasal route")

# Drugs often advised online: names (Chinese and English, lower case) -> (WHO ATC code, English name,
# usual route). ATC codes from the WHO Collaborating Centre's ATC index.
DRUGS: tuple[tuple[tuple[str, ...], str, str, tuple[str, str]], ...] = (
    (("对乙酰氨基酚", "扑热息痛", "paracetamol", "acetaminophen"), "N02BE01", "Paracetamol", ORAL),
    (("布洛芬", "ibuprofen"), "M01AE01", "Ibuprofen", ORAL),
    (("阿司匹林", "aspirin", "acetylsalicylic acid"), "N02BA01", "Acetylsalicylic acid", ORAL),
    (("氯雷他定", "loratadine"), "R06AX13", "Loratadine", ORAL),
    (("西替利嗪", "cetirizine"), "R06AE07", "Cetirizine", ORAL),
    (("阿莫西林克拉维酸", "amoxicillin and clavulanic acid", "co-amoxiclav"), "J01CR02",
     "Amoxicillin and beta-lactamase inhibitor", ORAL),
    (("阿莫西林", "amoxicillin"), "J01CA04", "Amoxicillin", ORAL),
    (("阿奇霉素", "azithromycin"), "J01FA10", "Azithromycin", ORAL),
    (("奥司他韦", "oseltamivir"), "J05AH02", "Oseltamivir", ORAL),
    (("右美沙芬", "dextromethorphan"), "R05DA09", "Dextromethorphan", ORAL),
    (("奥美拉唑", "omeprazole"), "A02BC01", "Omeprazole", ORAL),
    (("蒙脱石", "smectite", "diosmectite"), "A07BC05", "Diosmectite", ORAL),
    (("洛哌丁胺", "loperamide"), "A07DA03", "Loperamide", ORAL),
    (("二甲双胍", "metformin"), "A10BA02", "Metformin", ORAL),
    (("氨氯地平", "amlodipine"), "C08CA01", "Amlodipine", ORAL),
    (("孟鲁司特", "montelukast"), "R03DC03", "Montelukast", ORAL),
    (("沙丁胺醇", "salbutamol", "albuterol"), "R03AC02", "Salbutamol", INHALED),
    (("氢化可的松乳膏", "hydrocortisone cream"), "D07AA02", "Hydrocortisone", TOPICAL),
)
# Words of the drug or dose that tell the route when the drug is not in the table.
ROUTE_WORDS = ((INHALED, ("吸入", "气雾", "inhal", "puff", "喷")), (NASAL, ("鼻", "nasal")),
               (TOPICAL, ("乳膏", "软膏", "外用", "外涂", "cream", "ointment", "gel", "topical")),
               (ORAL, ("片", "胶囊", "颗粒", "口服", "糖浆", "tablet", "capsule", "oral", "syrup", "sachet")))
# Dose units as written -> (UCUM unit text, UCUM code). Counted forms use UCUM annotations.
UNITS = {"mg": ("mg", "mg"), "g": ("g", "g"), "mcg": ("ug", "ug"), "ug": ("ug", "ug"), "µg": ("ug", "ug"),
         "ml": ("mL", "mL"), "毫克": ("mg", "mg"), "克": ("g", "g"), "毫升": ("mL", "mL"),
         "片": ("tablet", "{tablet}"), "tablet": ("tablet", "{tablet}"), "tablets": ("tablet", "{tablet}"),
         "粒": ("capsule", "{capsule}"), "capsule": ("capsule", "{capsule}"), "capsules": ("capsule", "{capsule}"),
         "袋": ("sachet", "{sachet}"), "sachet": ("sachet", "{sachet}"), "sachets": ("sachet", "{sachet}"),
         "喷": ("puff", "{puff}"), "puff": ("puff", "{puff}"), "puffs": ("puff", "{puff}"),
         "滴": ("drop", "[drp]"), "drop": ("drop", "[drp]"), "drops": ("drop", "[drp]")}
_DOSE = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + r")",
                   re.IGNORECASE)
_NUMBERS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "once": 1, "twice": 2, "three": 3,
            "four": 4}
_N = r"(\d+|[一两二三四五六]|once|twice|three|four)"
_PER_DAY = (re.compile(r"(?:每日|每天|一日|一天|日)\s*" + _N + r"\s*次"),
            re.compile(_N + r"\s*次\s*/?\s*(?:日|天)"),
            re.compile(_N + r"(?:\s*times)?\s*(?:a|per|/)?\s*(?:day|daily)", re.IGNORECASE))
_MAX_PER_DAY = (re.compile(r"(?:不超过|最多)\s*" + _N + r"\s*次"),
                re.compile(r"(?:no more than|not more than|up to|max(?:imum)?)\s*" + _N + r"(?:\s*times)?",
                           re.IGNORECASE))
_EVERY_HOURS = (re.compile(r"每\s*(\d+)\s*(?:小时|h)"), re.compile(r"every\s*(\d+)\s*(?:hours?|h)\b", re.IGNORECASE),
                re.compile(r"\bq(\d+)h\b", re.IGNORECASE))
_ABBREVIATIONS = {"qd": 1, "od": 1, "bid": 2, "tid": 3, "qid": 4}
_AS_NEEDED = ("必要时", "需要时", "按需", "as needed", "when needed", "if needed", "prn")
_AT_NIGHT = ("睡前", "每晚", "at night", "at bedtime", "qn")


def _number(raw: str) -> int:
    return _NUMBERS.get(raw.lower(), None) or int(raw)


def _first(patterns, text: str) -> int | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return _number(match.group(1))
    return None


def drug(name: str) -> tuple[str, str, tuple[str, str]] | None:
    """(ATC code, English name, usual route) of a drug the table knows, by any of its names."""
    lowered = name.strip().lower()
    for names, code, english, route in DRUGS:
        if any(n in lowered for n in names):
            return code, english, route
    return None


def medication_concept(name: str) -> dict:
    """medicationCodeableConcept: the ATC code where known, the name as the doctor wrote it."""
    known = drug(name)
    if known is None:
        return {"text": name}
    return concept(ATC, known[0], known[1], text=name)


def dose(text: str) -> dict | None:
    """The dose as a Quantity ("500 mg" -> 500 mg), or None when it cannot be read."""
    match = _DOSE.search(text or "")
    if not match:
        return None
    unit, code = UNITS[match.group(2).lower()]
    value = float(match.group(1))
    return quantity(int(value) if value.is_integer() else value, unit, code)


def route(name: str, dose_text: str) -> dict | None:
    """The route: the drug's usual one when known, else from the words of the drug and dose."""
    known = drug(name)
    if known is not None:
        return concept(SNOMED, *known[2])
    words = f"{name} {dose_text}".lower()
    for (code, display), hints in ROUTE_WORDS:
        if any(h in words for h in hints):
            return concept(SNOMED, code, display)
    return None


def dosage(medication: dict) -> dict:
    """One Dosage of a medication line: text as written, dose, timing, route and as-needed where readable."""
    name, dose_text, frequency = medication["drug"], medication.get("dose") or "", medication.get("frequency") or ""
    days = medication.get("days")
    text = ", ".join(p for p in (dose_text, frequency, f"{days} days" if days else "") if p) or name
    out: dict = {"text": text}
    lowered = frequency.lower()
    repeat: dict = {}
    per_day = _first(_PER_DAY, frequency) or next(
        (n for word, n in _ABBREVIATIONS.items() if re.search(rf"\b{word}\b", lowered)), None)
    hours = _first(_EVERY_HOURS, frequency)
    if hours:
        repeat.update(frequency=1, period=hours, periodUnit="h")
    elif per_day:
        repeat.update(frequency=per_day, period=1, periodUnit="d")
    elif any(w in lowered for w in _AT_NIGHT):
        repeat.update(frequency=1, period=1, periodUnit="d")
    if any(w in lowered for w in _AT_NIGHT):
        repeat["when"] = ["HS"]
    if days:
        repeat["boundsDuration"] = quantity(days, "days", "d")
    if repeat:
        out["timing"] = {"repeat": repeat}
    if any(w in lowered for w in _AS_NEEDED):
        out["asNeededBoolean"] = True
    how = route(name, dose_text)
    if how is not None:
        out["route"] = how
    amount = dose(dose_text)
    if amount is not None:
        out["doseAndRate"] = [{"doseQuantity": amount}]
        most = _first(_MAX_PER_DAY, frequency)
        if most:
            out["maxDosePerPeriod"] = {"numerator": {**amount, "value": amount["value"] * most},
                                       "denominator": quantity(1, "day", "d")}
    return out
