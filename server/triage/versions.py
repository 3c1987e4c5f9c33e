"""Questionnaire versions: the current one built from the tables, published ones frozen on disk, content hashes.

A published version is a JSON file in `server/triage/published/` whose SHA-256 is written in
PUBLISHED below, so neither the file nor the tables can change it silently (tests/test_triage_versions.py
fails). A new version gets a new file and a new row; old files never change. A version becomes current
for patients only once a clinical lead has signed off its content hash (service.current_version).
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from server.triage import charts, engine, flow
from server.triage import texts as data

PUBLISHED_DIR = Path(__file__).resolve().parent / "published"
# version -> SHA-256 of the canonical JSON (content_hash). Append only.
PUBLISHED: dict[str, str] = {
    "2026-11.1": "5151049ffee83c1f29671151b53d7311220494f2ceb8acc8d2bfc8c64f4a76bd",
    "2026-12.1": "e8c510485fdec3ce6ca99c9e1c6ec123828e5b1d377b9c0e9557c86ce4e3f434",
}


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _discriminator(d: charts.Discriminator) -> dict[str, Any]:
    row = asdict(d)
    row["ages"] = list(d.ages)
    row["when"] = list(d.when)
    row["covers"] = list(d.covers)
    row["question_id"] = d.question_id
    row["disposition"] = "emergency" if d.emergency else "online_consult"
    row["target_wait_minutes"] = engine.TARGET_WAIT_MINUTES[d.level]
    row.pop("asks")
    return row


def _chart(c: charts.Chart) -> dict[str, Any]:
    row = asdict(c)
    row["synonyms"] = {lang: list(words) for lang, words in c.synonyms.items()}
    row["discriminators"] = list(c.discriminators)
    row["implies"] = list(c.implies)
    row["ages"] = list(c.ages)
    row["advice"] = {lang: list(items) for lang, items in c.advice.items()}
    row["safety_net"] = {lang: list(items) for lang, items in c.safety_net.items()}
    return row


def build(version: str = engine.QUESTIONNAIRE_VERSION) -> dict[str, Any]:
    """The current questionnaire: the 2026-11.1 form (still accepted) plus the complaint-first charts."""
    out = engine.build_questionnaire(version)
    out.update({
        "presentations": [_chart(c) for c in charts.CHARTS_LIST],
        "discriminators": [_discriminator(d) for d in charts.DISCRIMINATORS_LIST],
        "general": list(charts.GENERAL),
        "general_child": list(charts.GENERAL_CHILD),
        "proxy_only": sorted(flow.PROXY_ONLY),
        "question_texts": {k: dict(v) for k, v in charts.QUESTION_TEXT.items()},
        "answers": [{"value": v, "label": _label(zh, en)} for v, zh, en in data.ANSWER_OPTIONS],
        "for_whom": [{"value": v, "label": _label(zh, en)} for v, zh, en in data.FOR_WHOM_OPTIONS],
        "max_presentations": flow.MAX_PRESENTATIONS,
        "no_self_care": {"under_age": engine.NO_SELF_CARE_UNDER, "from_age": engine.NO_SELF_CARE_FROM},
        "sources": dict(charts.SOURCES),
    })
    return out


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes a content hash is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_hash(document: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a questionnaire."""
    return hashlib.sha256(canonical(document)).hexdigest()


def load_published(version: str) -> dict[str, Any]:
    """A frozen version as stored; KeyError if it was never published."""
    if version not in PUBLISHED:
        raise KeyError(version)
    return json.loads((PUBLISHED_DIR / f"{version}.json").read_text(encoding="utf-8"))


def write_published(version: str, document: dict[str, Any]) -> None:
    """Store a new version's file (used once, when a version is published)."""
    (PUBLISHED_DIR / f"{version}.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


QUESTIONNAIRES: dict[str, dict[str, Any]] = {version: load_published(version) for version in PUBLISHED}


def questionnaire(version: str | None = None) -> dict[str, Any]:
    """The questionnaire of `version` (default the newest) as JSON-ready data; KeyError if unknown."""
    return copy.deepcopy(QUESTIONNAIRES[version or engine.QUESTIONNAIRE_VERSION])
