"""What every FHIR resource of the export shares: code systems, business identifiers, stable
`urn:uuid:` fullUrls, the Bundle's entries with their conditional requests, and narrative.

Every identifier system is a URL under the configured public base URL (PUBLIC_BASE_URL), never the
address a request came to, so the same row has the same identifier and fullUrl whoever exports it
from whichever host name.
"""
from __future__ import annotations

import html
import uuid
from datetime import date, datetime
from urllib.parse import urlencode

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_PRIORITY = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DISCHARGE_DISPOSITION = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"
URI = "urn:ietf:rfc:3986"
XHTML = "http://www.w3.org/1999/xhtml"


def time(value) -> str | None:
    """A date or datetime as FHIR writes it (ISO 8601), None for None."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


class Ids:
    """Business identifiers under the public base URL, and what follows from them.

    `identifier(kind, value)` is the Identifier; `url(kind, value)` the entry's fullUrl, a UUIDv5 of
    the identifier (so the same row gives the same fullUrl in every export); `code_system(name)`
    the URL of one of our own code systems.
    """

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def system(self, kind: str) -> str:
        """The identifier system of one kind of row (`patients`, `consultations`, ...)."""
        return f"{self.base}/fhir/sid/{kind}"

    def code_system(self, name: str) -> str:
        """The URL of one of the clinic's own code systems (triage answers, record sections)."""
        return f"{self.base}/fhir/CodeSystem/{name}"

    def identifier(self, kind: str, value) -> dict:
        """The Identifier of a row."""
        return {"system": self.system(kind), "value": str(value)}

    def url(self, kind: str, value) -> str:
        """The fullUrl of the resource of a row: urn:uuid: of its identifier."""
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.system(kind)}|{value}"))


def search(**params: str) -> str:
    """A search query for a conditional request, with FHIR's `system|value` tokens left readable."""
    return urlencode(params, safe=":/|")


class Entries:
    """The Bundle's entries, with fullUrl, id (collection) or request (transaction) filled in."""

    def __init__(self, ids: Ids, transaction: bool):
        self.ids, self.transaction, self.items = ids, transaction, []

    def add(self, resource_type: str, kind: str, value, body: dict, *, create_only: bool = False,
            single_identifier: bool = False) -> dict:
        """Add one resource identified by (kind, value); returns its Reference."""
        ids = self.ids
        identifier = ids.identifier(kind, value)
        url = ids.url(kind, value)
        resource: dict = {"resourceType": resource_type}
        if not self.transaction:
            resource["id"] = url.removeprefix("urn:uuid:")
        head = {key: body.pop(key) for key in ("meta", "text") if key in body}
        resource.update(head)
        if resource_type == "Provenance":  # no identifier element in R4: the key is a tag
            resource.setdefault("meta", {})["tag"] = [{"system": identifier["system"], "code": identifier["value"]}]
            condition = search(_tag=f"{identifier['system']}|{identifier['value']}")
        else:
            resource["identifier"] = identifier if single_identifier else [identifier]
            condition = search(identifier=f"{identifier['system']}|{identifier['value']}")
        resource.update(body)
        entry: dict = {"fullUrl": url, "resource": resource}
        if self.transaction:
            entry["request"] = ({"method": "POST", "url": resource_type, "ifNoneExist": condition} if create_only
                                else {"method": "PUT", "url": f"{resource_type}?{condition}"})
        self.items.append(entry)
        return {"reference": url}


def narrative(*lines: str, title: str | None = None) -> dict:
    """A generated Narrative: an XHTML div with each line escaped in a paragraph of its own."""
    parts = [f"<p><b>{html.escape(title)}</b></p>"] if title else []
    for line in lines:
        for piece in str(line).splitlines() or [""]:
            if piece.strip():
                parts.append(f"<p>{html.escape(piece)}</p>")
    if not parts:
        parts.append("<p>-</p>")
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{"".join(parts)}</div>'}


def coding(system: str, code: str, display: str | None = None) -> dict:
    """One Coding."""
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    """A CodeableConcept of one Coding (and a text)."""
    out: dict = {"coding": [coding(system, code, display)]}
    if text:
        out["text"] = text
    return out


def quantity(value, unit: str, code: str) -> dict:
    """A UCUM Quantity."""
    return {"value": value, "unit": unit, "system": UCUM, "code": code}
