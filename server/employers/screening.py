"""The daily staff screening rule: pure functions over validated triage answers and their assessment.

A person is *cleared* for work when all of these hold:
- every symptom they report is minor (see MINOR_SYMPTOMS; reporting none is fine),
- their temperature is below 37.3 C (the fever threshold of the triage engine and docs/CLINICAL.md),
- they report no epidemiological exposure (close contact, travel to a risk area, cluster),
- the triage engine does not send them to emergency.
Anything else is *not cleared*.

Validity: a cleared screening is valid for 24 hours from the moment it was answered
(VALID_HOURS), so the same check at about the same time each day keeps the status continuous,
and a day skipped shows as `expired` on the employer's dashboard. A not-cleared result has no
validity: it stands until the person screens again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from server import triage

VALID_HOURS = 24
# Minor complaints that do not keep anyone from work: the single-symptom self-care complaints of
# the triage engine, without its cold symptoms (respiratory symptoms are what screening is for),
# plus the administrative codes.
MINOR_SYMPTOMS = frozenset(
    code for group in triage.SELF_CARE_COMPLAINTS for code in group if code not in triage.RESPIRATORY_SYMPTOMS
) | {"chronic_followup", "repeat_prescription"}
# A queue that is open online: these dispositions may go straight to an online consultation.
ONLINE_DISPOSITIONS = ("online_consult", "self_care")


@dataclass(frozen=True)
class Outcome:
    """What the screening decided: the result and until when it holds."""

    result: str  # "cleared" | "not_cleared"
    valid_until: datetime | None


def is_cleared(answers: triage.TriageInput, disposition: str) -> bool:
    """True when every clearance condition of the module docstring holds."""
    symptoms_minor = all(code in MINOR_SYMPTOMS for code in answers.symptoms)
    afebrile = answers.temperature_c is not None and answers.temperature_c < triage.FEVER_THRESHOLD_C
    exposed = bool(answers.epi and answers.epi.flags())
    return symptoms_minor and afebrile and not exposed and disposition != "emergency"


def decide(answers: triage.TriageInput, disposition: str, screened_at: datetime) -> Outcome:
    """The outcome of one screening answered at `screened_at`, given the triage disposition."""
    if is_cleared(answers, disposition):
        return Outcome("cleared", screened_at + timedelta(hours=VALID_HOURS))
    return Outcome("not_cleared", None)
