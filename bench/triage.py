"""Triage accuracy on the external vignette set (tests/data/vignettes_external.json), beside published figures.

    python3 manage.py bench triage            # every engine this checkout has
    python3 manage.py bench triage --list     # also one line per case

Each case carries the answers a layperson gives to plain questions (`yes`, `unsure`, everything else
no). `answers_2026_11_1` turns them into today's form the way that person fills it in: tick the
checkbox named beside each question answered yes, type the temperature and days they know, enter a
pain score of 9 for an unbearable pain. A result is in the right class when

- gold emergency: sent to emergency, or seen online within 15 minutes (level 1-2: emergent care);
- gold doctor: any online consultation, or emergency for a case whose detail says emergency care is
  acceptable (never: an emergency result for a doctor case counts as over-triage);
- gold self-care: self-care.

Under-triage: a result less urgent than the gold class (an emergency seen later than 15 minutes or
not at all, a doctor case sent home). Over-triage: more urgent (a doctor case sent to emergency, a
self-care case sent to a doctor).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIGNETTES = ROOT / "tests" / "data" / "vignettes_external.json"

# Published triage accuracy (three classes unless said), for comparison; from the issue and CLINICAL.md.
PUBLISHED = (
    ("Semigran et al. BMJ 2015, 23 symptom checkers", "57 %"),
    ("Schmieding et al. 2020 re-test, symptom checkers (median)", "55.8 %"),
    ("laypeople without a tool, same cases", "60.9 %"),
    ("Hill et al. MJA 2020, 19 triage checkers: overall", "49 % (emergency 63 %, urgent 56 %, "
                                                       "non-urgent 30 %, self-care 40 %)"),
    ("Levine et al. Lancet Digit Health 2024: physicians, 48 vignettes", "about 91 %"),
    ("this clinic, questionnaire 2026-11.1, held-out 45 cases", "51 % (64 % counting online level 1-2)"),
)
GOLDS = ("emergency", "doctor", "self_care")
_RANK = {"self_care": 0, "doctor": 1, "emergency": 2}


def load(path: Path = VIGNETTES) -> dict:
    """The vignette file as data."""
    return json.loads(path.read_text(encoding="utf-8"))


def answers_2026_11_1(case: dict, lay_questions: dict) -> dict:
    """The case as a layperson would fill in questionnaire 2026-11.1 (checkboxes and numbers)."""
    symptoms = []
    for question in case["yes"]:
        code = lay_questions[question]["v2026_11_1_symptom"]
        if code and code not in symptoms:
            symptoms.append(code)
    answers = {"age_years": case["age_years"], "sex": case["sex"], "symptoms": symptoms}
    for name in ("temperature_c", "duration_days", "systolic_bp", "chronic", "pregnant"):
        if name in case:
            answers[name] = case[name]
    if "worst_pain" in case["yes"]:
        answers["pain_score"] = 9
    if "unresponsive" in case["yes"]:
        answers["consciousness"] = "unresponsive"
    return answers


def outcome_class(result: dict) -> str:
    """A result's class: emergency (incl. online level 1-2, seen within 15 minutes), doctor or self_care."""
    if result["disposition"] == "emergency" or result["level"] <= 2:
        return "emergency"
    return "self_care" if result["disposition"] == "self_care" else "doctor"


def judge(case: dict, result: dict) -> str:
    """'right', 'under' or 'over' for one case."""
    gold = case["gold"]
    got = outcome_class(result)
    if gold == "doctor" and result["disposition"] == "online_consult":
        return "right"  # any online consultation is seeing a doctor, however soon
    if got == gold:
        return "right"
    return "under" if _RANK[got] < _RANK[gold] else "over"


def score(results: list[tuple[dict, dict]]) -> dict:
    """Counts per gold class of right / under / over, and the totals."""
    table = {gold: Counter() for gold in GOLDS}
    for case, result in results:
        table[case["gold"]][judge(case, result)] += 1
    total = Counter()
    for counts in table.values():
        total.update(counts)
    return {"per_class": table, "total": total}


def run_2026_11_1(data: dict) -> list[tuple[dict, dict]]:
    """Every case through today's engine, with today's form."""
    from server import triage
    out = []
    for case in data["vignettes"]:
        answers = answers_2026_11_1(case, data["lay_questions"])
        out.append((case, triage.assess_dict(answers)))
    return out


def pick_presentations(case: dict) -> list[str]:
    """What the person picks: for each word they type, the first presentation the search offers (max 3)."""
    from server.triage import flow
    picked: list[str] = []
    for word in case["search"]:
        for part in word.split():
            hits = flow.search(part, age=case["age_years"])
            if hits and hits[0] not in picked:
                picked.append(hits[0])
    return picked[:flow.MAX_PRESENTATIONS]


def answers_2026_12_1(case: dict) -> tuple[dict, int]:
    """The case through the complaint-first flow as the browser runs it, and how many questions it took.

    The person answers each question in the flow's order (yes / not sure / no from the case; a question
    listing several signs is yes when any of them is) and the flow stops at the first yes of a
    discriminator as urgent as everything left (`flow.next_question`), as the phone screen does.
    """
    from server.triage import flow
    codes = pick_presentations(case)
    person = flow.Person(age=case["age_years"], sex=case["sex"], pregnant=case.get("pregnant") is True,
                         proxy=case["age_years"] < 16)
    answers: dict[str, str] = {}
    while (question := flow.next_question(codes, person, answers)) is not None:
        qid = question["id"]
        signs = {qid, *question["covers"]}
        answers[qid] = "yes" if signs & set(case["yes"]) else "unsure" if signs & set(case["unsure"]) else "no"
    body = {"age_years": case["age_years"], "sex": case["sex"], "presentations": codes, "discriminators": answers,
            "for_whom": "child" if person.proxy else "self"}
    for name in ("temperature_c", "duration_days", "systolic_bp", "chronic", "pregnant"):
        if name in case:
            body[name] = case[name]
    return body, len(answers)


def run_2026_12_1(data: dict) -> list[tuple[dict, dict]]:
    """Every case through the complaint-first flow."""
    from server import triage
    out = []
    for case in data["vignettes"]:
        body, count = answers_2026_12_1(case)
        result = triage.assess_dict(body)
        result["_questions_answered"] = count
        result["_presentations"] = body["presentations"]
        out.append((case, result))
    return out


def engines() -> dict:
    """Engine name -> runner, oldest first."""
    return {"2026-11.1 (checkbox form)": run_2026_11_1, "2026-12.1 (complaint first)": run_2026_12_1}


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "   -  "


def report(name: str, results: list[tuple[dict, dict]], listing: bool) -> None:
    """Print one engine's figures."""
    figures = score(results)
    print(f"\n== {name}: {len(results)} cases ==")
    print(f"{'gold class':<12}{'n':>4}  {'right':>8}  {'under':>8}  {'over':>8}")
    for gold in GOLDS:
        counts = figures["per_class"][gold]
        n = sum(counts.values())
        print(f"{gold:<12}{n:>4}  {_pct(counts['right'], n):>8}  {_pct(counts['under'], n):>8}  "
              f"{_pct(counts['over'], n):>8}")
    total = figures["total"]
    n = sum(total.values())
    print(f"{'all':<12}{n:>4}  {_pct(total['right'], n):>8}  {_pct(total['under'], n):>8}  {_pct(total['over'], n):>8}")
    emergencies_missed = [c["id"] for c, r in results if c["gold"] == "emergency" and judge(c, r) == "under"]
    print(f"emergencies under-triaged: {len(emergencies_missed)} {' '.join(emergencies_missed)}")
    selfcare = figures["per_class"]["self_care"]
    print(f"self-care cases given self-care: {selfcare['right']}/{sum(selfcare.values())}")
    if listing:
        for case, result in results:
            extra = f" {result.get('_presentations', '')} q={result.get('_questions_answered', '')}" \
                if "_presentations" in result else ""
            print(f"  {case['id']:<12} gold {case['gold']:<10} got {result['disposition']:<15} L{result['level']} "
                  f"{judge(case, result):<6}{extra}")


def main() -> None:
    """Run every engine over the external set and print the table with the published figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="one line per case")
    args = parser.parse_args()
    data = load()
    for name, runner in engines().items():
        report(name, runner(data), args.list)
    print("\npublished, for comparison (different case sets):")
    for who, figure in PUBLISHED:
        print(f"  {who:<62} {figure}")


if __name__ == "__main__":
    main()
