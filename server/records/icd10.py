"""ICD-10 codes for diagnoses: the project's code list (server/data/icd10.tsv) and its search.

The list holds WHO ICD-10 (2019) codes for what an online primary-care consultation sees, with
the WHO English title and the Chinese title; a bracketed part after a title is an inclusion term
of the same code, kept so that a doctor finds it under the everyday name (e.g. 手足口病).
FHIR names this code system http://hl7.org/fhir/sid/icd-10.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SYSTEM = "http://hl7.org/fhir/sid/icd-10"
DATA = Path(__file__).resolve().parent / "data" / "icd10.tsv"
CODE_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
MAX_RESULTS = 20


@dataclass(frozen=True)
class Code:
    """One ICD-10 code with its Chinese and English titles."""

    code: str
    zh: str
    en: str

    def name(self, lang: str) -> str:
        """The title in `lang` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.en

    def as_dict(self) -> dict:
        """The code as the API shows it."""
        return {"code": self.code, "zh": self.zh, "en": self.en}


@lru_cache(maxsize=1)
def codes() -> dict[str, Code]:
    """Every code of the list, by code, in file order."""
    with DATA.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: Code(row["code"], row["zh"], row["en"])
                for row in csv.DictReader(handle, delimiter="\t")}


def normalise(code: str) -> str:
    """A code as written in the list: upper case, no spaces, the dot after three characters."""
    compact = re.sub(r"[\s.]", "", code or "").upper()
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def valid_format(code: str) -> bool:
    """Whether `code` looks like an ICD-10 code (A00 or A00.0 to A00.0000)."""
    return bool(CODE_RE.match(code))


def checked(code: str) -> str:
    """The normalised code, or ValueError (for pydantic validators) when it is not an ICD-10 code."""
    normalised = normalise(code)
    if not valid_format(normalised):
        raise ValueError("not an ICD-10 code (a letter, two digits, then optionally a dot and more, e.g. J06.9)")
    return normalised


def lookup(code: str) -> Code | None:
    """The list's entry for a code, or None when the list does not have it."""
    return codes().get(normalise(code))


def search(query: str, limit: int = MAX_RESULTS) -> list[Code]:
    """Codes matching `query` by code prefix (dot optional) or by Chinese or English substring.

    Best first: the exact code, then code prefixes, then titles starting with the query, then the rest.
    """
    q = (query or "").strip()
    if not q:
        return []
    compact = re.sub(r"[\s.]", "", q).upper()
    needle = q.casefold()
    ranked: list[tuple[int, int, Code]] = []
    for index, entry in enumerate(codes().values()):
        code = entry.code.replace(".", "")
        en, zh = entry.en.casefold(), entry.zh
        if code == compact:
            rank = 0
        elif compact and code.startswith(compact):
            rank = 1
        elif en.startswith(needle) or zh.startswith(q):
            rank = 2
        elif needle in en or q in zh:
            rank = 3
        else:
            continue
        ranked.append((rank, index, entry))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in ranked[:limit]]
