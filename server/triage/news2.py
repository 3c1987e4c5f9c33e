"""NEWS2 (Royal College of Physicians, 2017): points per vital sign and the aggregate.

Exactly the bands in docs/CLINICAL.md; used with the RCP's acknowledgement. Pure functions, no I/O.
"""
from __future__ import annotations

from typing import Protocol

# NEWS2 is validated for adults 16 and over (and not in pregnancy).
NEWS2_MIN_AGE = 16


class VitalSigns(Protocol):
    """What NEWS2 reads from a triage input (server.triage.TriageInput)."""

    age_years: float
    pregnant: bool | None
    symptoms: tuple[str, ...]
    resp_rate: float | None
    spo2: float | None
    on_oxygen: bool | None
    systolic_bp: float | None
    heart_rate: float | None
    consciousness: str | None
    temperature_c: float | None


# NEWS2 (RCP 2017), exactly the bands in CLINICAL.md; SpO2 on scale 1 only (scale 2 needs a
# clinician's diagnosis of hypercapnic failure, which a questionnaire cannot make: over-triage is
# the safe side). Bands are closed at the table's edges; a value between two printed integers
# (e.g. 35.05 C) falls in the band nearer to normal only up to the printed edge.


def news2_resp_rate(rate: float) -> int:
    """NEWS2 points for respiration rate per minute."""
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    if rate <= 24:
        return 2
    return 3


def news2_spo2(spo2: float) -> int:
    """NEWS2 points for SpO2 % (scale 1)."""
    if spo2 <= 91:
        return 3
    if spo2 <= 93:
        return 2
    if spo2 <= 95:
        return 1
    return 0


def news2_oxygen(on_oxygen: bool) -> int:
    """NEWS2 points for supplemental oxygen."""
    return 2 if on_oxygen else 0


def news2_systolic_bp(systolic: float) -> int:
    """NEWS2 points for systolic blood pressure (mmHg)."""
    if systolic <= 90:
        return 3
    if systolic <= 100:
        return 2
    if systolic <= 110:
        return 1
    if systolic <= 219:
        return 0
    return 3


def news2_pulse(rate: float) -> int:
    """NEWS2 points for pulse per minute."""
    if rate <= 40:
        return 3
    if rate <= 50:
        return 1
    if rate <= 90:
        return 0
    if rate <= 110:
        return 1
    if rate <= 130:
        return 2
    return 3


def news2_consciousness(level: str | None, new_confusion: bool = False) -> int:
    """NEWS2 points for consciousness: 3 unless alert; new confusion counts as 3."""
    return 3 if new_confusion or (level is not None and level != "alert") else 0


def news2_temperature(celsius: float) -> int:
    """NEWS2 points for temperature (C)."""
    if celsius <= 35.0:
        return 3
    if celsius <= 36.0:
        return 1
    if celsius <= 38.0:
        return 0
    if celsius <= 39.0:
        return 1
    return 2


def news2_components(inp: VitalSigns) -> dict[str, int]:
    """NEWS2 points for each parameter that was answered (confusion counts as consciousness)."""
    parts: dict[str, int] = {}
    if inp.resp_rate is not None:
        parts["resp_rate"] = news2_resp_rate(inp.resp_rate)
    if inp.spo2 is not None:
        parts["spo2"] = news2_spo2(inp.spo2)
    if inp.on_oxygen is not None:
        parts["on_oxygen"] = news2_oxygen(inp.on_oxygen)
    if inp.systolic_bp is not None:
        parts["systolic_bp"] = news2_systolic_bp(inp.systolic_bp)
    if inp.heart_rate is not None:
        parts["heart_rate"] = news2_pulse(inp.heart_rate)
    confusion = "confusion" in inp.symptoms
    if inp.consciousness is not None or confusion:
        parts["consciousness"] = news2_consciousness(inp.consciousness, confusion)
    if inp.temperature_c is not None:
        parts["temperature_c"] = news2_temperature(inp.temperature_c)
    return parts


def news2_applies(inp: VitalSigns) -> bool:
    """NEWS2 is validated for adults 16+ and not in pregnancy (RCP 2017)."""
    return inp.age_years >= NEWS2_MIN_AGE and not inp.pregnant


def news2(inp: VitalSigns) -> int | None:
    """The NEWS2 aggregate over the answered parameters, or None when it does not apply or nothing was measured."""
    parts = news2_components(inp)
    return sum(parts.values()) if parts and news2_applies(inp) else None
