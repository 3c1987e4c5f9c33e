"""Attachments as DocumentReferences with the file inline, so the record needs no session to read."""
from __future__ import annotations

import base64
import hashlib

from server.records.fhir.base import LOINC, Entries, concept, narrative, time


def document_references(out: Entries, attachments, subject: dict, author: dict, encounter_ref: dict) -> list:
    """Each attachment as a DocumentReference with the file inline (base64), typed by what it is."""
    refs = []
    for a in attachments:
        content: bytes = a["content"]
        image = a["content_type"].startswith("image/")
        kind = ("72170-4", "Photographic image") if image else ("51855-5", "Patient Note")
        by_patient = a["uploader_role"] == "patient"
        if not image and not by_patient:
            kind = ("34109-9", "Note")
        refs.append(out.add("DocumentReference", "attachments", a["id"], {
            "text": narrative(f"{kind[1]}: {a['filename']}", f"{a['content_type']}, {a['size_bytes']} bytes",
                              "From the patient" if by_patient else "From the doctor"),
            "status": "current", "type": concept(LOINC, *kind), "subject": subject, "date": time(a["created_at"]),
            "author": [subject if by_patient else author], "description": a["filename"],
            "content": [{"attachment": {
                "contentType": a["content_type"], "data": base64.b64encode(content).decode("ascii"),
                "size": len(content), "hash": base64.b64encode(hashlib.sha1(content).digest()).decode("ascii"),
                "title": a["filename"], "creation": time(a["created_at"])}}],
            "context": {"encounter": [encounter_ref]}}))
    return refs
