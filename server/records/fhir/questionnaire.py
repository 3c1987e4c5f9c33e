"""The triage questionnaire as a FHIR Questionnaire, and a patient's answers as its QuestionnaireResponse.

The Questionnaire's canonical URL is `{PUBLIC_BASE_URL}/api/fhir/Questionnaire/triage` (the server
answers it, GET /api/fhir/Questionnaire/{id}), one version per triage questionnaire version, id
`triage-{version}`. Choice answers are Codings: sex in HL7's administrative-gender, symptoms,
long-term conditions and the other choices in the clinic's own code systems
(`{base}/fhir/CodeSystem/triage-...`), so a receiving system can match them to its own codes.
"""
from __future__ import annotations

from server import triage
from server.records.fhir.base import Ids, coding, narrative

GENDER_SYSTEM = "http://hl7.org/fhir/administrative-gender"
ID_PREFIX = "triage"
# The questionnaire's field kinds -> Questionnaire.item.type.
ITEM_TYPES = {"number": "decimal", "integer": "integer", "boolean": "boolean", "choice": "choice",
              "multi_choice": "choice", "text": "text"}
GROUP_TEXT = {"epi": {"en": "Contacts and travel in the last 14 days", "zh": "14天内的接触史与旅行史"}}
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"


def chinese(text: str) -> dict:
    """The `_element` of a text in English with its Chinese translation (FHIR's translation extension)."""
    return {"extension": [{"url": TRANSLATION, "extension": [{"url": "lang", "valueCode": "zh"},
                                                              {"url": "content", "valueString": text}]}]}


def _text(label: dict) -> dict:
    """`text` in English and `_text` with the Chinese, from a {zh, en} label."""
    return {"text": label["en"], "_text": chinese(label["zh"])}


def resource_id(version: str) -> str:
    """The Questionnaire's id for one version."""
    return f"{ID_PREFIX}-{version}"


def version_of(resource_id_: str) -> str | None:
    """The questionnaire version a Questionnaire id names (`triage` is the current one); None if none."""
    if resource_id_ == ID_PREFIX:
        return triage.QUESTIONNAIRE_VERSION
    prefix = f"{ID_PREFIX}-"
    return resource_id_[len(prefix):] if resource_id_.startswith(prefix) else None


def canonical(ids: Ids) -> str:
    """The Questionnaire's canonical URL (every version shares it)."""
    return f"{ids.base}/api/fhir/Questionnaire/{ID_PREFIX}"


def _options(ids: Ids, source: dict, question: dict) -> list[tuple[dict, dict]]:
    """(Coding, label) of each option of a choice question."""
    field = question["field"]
    if field == "sex":
        system = GENDER_SYSTEM
    elif question.get("options_from"):
        system = ids.code_system(f"triage-{question['options_from'].replace('_', '-')}")
    else:
        system = ids.code_system(f"triage-{field.replace('_', '-')}")
    options = source[question["options_from"]] if question.get("options_from") else question["options"]
    return [({**coding(system, str(o.get("code", o.get("value"))), o["label"]["en"]), "_display": chinese(o["label"]["zh"])},
             o["label"]) for o in options]


def _walk(source: dict):
    """(group or None, question) in the questionnaire's order."""
    for question in source["questions"]:
        yield question.get("group"), question


def _item(ids: Ids, source: dict, question: dict) -> dict:
    kind = question["type"]
    item: dict = {"linkId": question["id"], **_text(question["label"]), "type": ITEM_TYPES.get(kind, "string")}
    if question.get("required"):
        item["required"] = True
    if kind == "multi_choice":
        item["repeats"] = True
    if kind == "text" and question.get("max_length"):
        item["maxLength"] = question["max_length"]
    if kind in ("choice", "multi_choice"):
        item["answerOption"] = [{"valueCoding": c} for c, _ in _options(ids, source, question)]
    condition = question.get("show_if")
    if condition:
        shown = next(q for q in source["questions"] if q["field"] == condition["field"])
        codes = {c["code"]: c for c, _ in _options(ids, source, shown)}
        item["enableWhen"] = [{"question": shown["id"], "operator": "=", "answerCoding": codes[value]}
                              for value in condition["in"]]
        if len(item["enableWhen"]) > 1:
            item["enableBehavior"] = "any"
    return item


def resource(ids: Ids, version: str, publisher: str) -> dict:
    """The Questionnaire of one triage questionnaire version (KeyError if there is none)."""
    source = triage.questionnaire(version)
    items: list[dict] = []
    groups: dict[str, dict] = {}
    for group, question in _walk(source):
        item = _item(ids, source, question)
        if group is None:
            items.append(item)
            continue
        if group not in groups:
            groups[group] = {"linkId": group, **_text(GROUP_TEXT[group]), "type": "group", "item": []}
            items.append(groups[group])
        groups[group]["item"].append(item)
    title = "Online clinic triage questionnaire"
    return {
        "resourceType": "Questionnaire", "id": resource_id(version), "language": "en",
        "text": narrative(f"Version {version}", f"{len(source['questions'])} questions.", title=title),
        "url": canonical(ids), "identifier": [ids.identifier("questionnaires", resource_id(version))],
        "version": version, "name": "TriageQuestionnaire", "title": title, "_title": chinese("线上门诊预检分诊问卷"),
        "status": "active",
        "subjectType": ["Patient"], "publisher": publisher, "item": items,
    }


def _answer(ids: Ids, source: dict, question: dict, value) -> list[dict]:
    kind = question["type"]
    if kind in ("choice", "multi_choice"):
        codes = {c["code"]: c for c, _ in _options(ids, source, question)}
        values = value if isinstance(value, list) else [value]
        return [{"valueCoding": codes.get(str(v), {"system": next(iter(codes.values()))["system"], "code": str(v)})}
                for v in values]
    if kind == "boolean":
        return [{"valueBoolean": bool(value)}]
    if kind == "integer":
        return [{"valueInteger": int(value)}]
    if kind == "number":
        return [{"valueDecimal": value}]
    return [{"valueString": str(value)}]


def response_items(ids: Ids, version: str, answers: dict) -> list[dict]:
    """The QuestionnaireResponse items of stored triage answers, in the questionnaire's order.

    The answers were validated against this version when given, so every answered field has a
    question; unanswered ones are left out.
    """
    source = triage.questionnaire(version)
    items: list[dict] = []
    groups: dict[str, dict] = {}
    for group, question in _walk(source):
        key = question["field"].split(".")[-1]
        value = (answers.get(group) or {}).get(key) if group else answers.get(key)
        if value is None or value == [] or value == "":
            continue
        item = {"linkId": question["id"], **_text(question["label"]), "answer": _answer(ids, source, question, value)}
        if group is None:
            items.append(item)
            continue
        if group not in groups:
            groups[group] = {"linkId": group, **_text(GROUP_TEXT[group]), "item": []}
            items.append(groups[group])
        groups[group]["item"].append(item)
    return items


def symptom_codings(ids: Ids, version: str, codes: list[str]) -> list[dict]:
    """The Codings of symptom codes, as the questionnaire's answer options code them."""
    try:
        source = triage.questionnaire(version)
    except KeyError:
        return [{"system": ids.code_system("triage-symptoms"), "code": c, "display": c} for c in codes]
    symptoms = next(q for q in source["questions"] if q["field"] == "symptoms")
    known = {c["code"]: c for c, _ in _options(ids, source, symptoms)}
    return [known.get(c, {"system": ids.code_system("triage-symptoms"), "code": c, "display": c}) for c in codes]


def answer_lines(items: list[dict]) -> list[str]:
    """"Question: answer" lines of QuestionnaireResponse items, for its narrative."""
    lines = []
    for item in items:
        if "item" in item:
            lines += answer_lines(item["item"])
            continue
        words = []
        for answer in item.get("answer", []):
            value = next(iter(answer.values()))
            words.append(value.get("display", value.get("code")) if isinstance(value, dict) else
                         ("yes" if value is True else "no" if value is False else str(value)))
        lines.append(f"{item.get('text', item['linkId'])}: {', '.join(words)}")
    return lines
