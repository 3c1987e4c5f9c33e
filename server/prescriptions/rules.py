"""Drug rules as data, each with its source. Matching is by name (Chinese or English, generic names;
a brand name is not recognised, so a pharmacist reviews every prescription anyway).

Controlled drugs: 互联网诊疗管理办法（试行）(2018) art. 19 forbids prescribing 麻醉药品 (narcotic)
and 精神药品 (psychotropic) drugs online. The lists below are a selection from 麻醉药品品种目录
and 精神药品品种目录 (2013 edition, CFDA / Ministry of Public Security / NHFPC, with the later
additions); a real deployment loads the full lists.

Interactions: a small set of well-known, clinically significant pairs, each from the BNF
(British National Formulary, Appendix 1 "Interactions") or a drug's official label.
Allergies: a recorded allergy to a drug class flags every drug of that class.
"""
from __future__ import annotations

from dataclasses import dataclass

SOURCE_ONLINE_RULES = "互联网诊疗管理办法（试行）2018, art. 19"
SOURCE_NARCOTIC_LIST = "麻醉药品品种目录 (2013)"
SOURCE_PSYCHOTROPIC_LIST = "精神药品品种目录 (2013)"

# name -> aliases (lower-case English generic names and Chinese names)
NARCOTIC = {
    "morphine": ("morphine", "吗啡"), "fentanyl": ("fentanyl", "芬太尼"), "oxycodone": ("oxycodone", "羟考酮"),
    "pethidine": ("pethidine", "meperidine", "哌替啶", "杜冷丁"), "methadone": ("methadone", "美沙酮"),
    "codeine": ("codeine", "可待因"), "hydromorphone": ("hydromorphone", "氢吗啡酮"),
    "sufentanil": ("sufentanil", "舒芬太尼"), "remifentanil": ("remifentanil", "瑞芬太尼"),
    "cocaine": ("cocaine", "可卡因"), "opium": ("opium", "阿片"),
}
PSYCHOTROPIC = {
    "tramadol": ("tramadol", "曲马多"), "diazepam": ("diazepam", "地西泮", "安定"),
    "alprazolam": ("alprazolam", "阿普唑仑"), "estazolam": ("estazolam", "艾司唑仑"),
    "lorazepam": ("lorazepam", "劳拉西泮"), "clonazepam": ("clonazepam", "氯硝西泮"),
    "midazolam": ("midazolam", "咪达唑仑"), "triazolam": ("triazolam", "三唑仑"),
    "zolpidem": ("zolpidem", "唑吡坦"), "zopiclone": ("zopiclone", "佐匹克隆"),
    "phenobarbital": ("phenobarbital", "苯巴比妥"), "methylphenidate": ("methylphenidate", "哌甲酯", "利他林"),
    "ketamine": ("ketamine", "氯胺酮"), "buprenorphine": ("buprenorphine", "丁丙诺啡"),
    "pentazocine": ("pentazocine", "喷他佐辛"), "modafinil": ("modafinil", "莫达非尼"),
}

# Drug classes for allergy checks: class -> member aliases.
CLASSES = {
    "penicillin": ("penicillin", "amoxicillin", "ampicillin", "piperacillin", "青霉素", "阿莫西林", "氨苄西林"),
    "cephalosporin": ("cefalexin", "cephalexin", "cefuroxime", "ceftriaxone", "cefixime", "头孢"),
    "sulfonamide": ("sulfamethoxazole", "co-trimoxazole", "磺胺"),
    "nsaid": ("aspirin", "ibuprofen", "diclofenac", "naproxen", "celecoxib", "阿司匹林", "布洛芬", "双氯芬酸",
              "萘普生", "塞来昔布"),
    "macrolide": ("clarithromycin", "erythromycin", "azithromycin", "克拉霉素", "红霉素", "阿奇霉素"),
}
# Also matched by the class's own name (an allergy written "青霉素过敏" or "penicillin").
CLASS_NAMES = {"penicillin": ("penicillin", "青霉素"), "cephalosporin": ("cephalosporin", "头孢"),
               "sulfonamide": ("sulfonamide", "sulfa", "磺胺"), "nsaid": ("nsaid", "非甾体", "阿司匹林", "aspirin"),
               "macrolide": ("macrolide", "大环内酯")}


@dataclass(frozen=True)
class Interaction:
    """Two drugs (or classes) that should not be given together without a decision, and why."""

    code: str
    first: tuple[str, ...]
    second: tuple[str, ...]
    text_zh: str
    text_en: str
    source: str


WARFARIN = ("warfarin", "华法林")
ACE_INHIBITORS = ("enalapril", "lisinopril", "captopril", "perindopril", "ramipril", "benazepril", "依那普利",
                  "赖诺普利", "卡托普利", "培哚普利", "雷米普利", "贝那普利")
POTASSIUM_SPARING = ("spironolactone", "amiloride", "triamterene", "螺内酯", "阿米洛利", "氨苯蝶啶")
STATINS_CYP3A4 = ("simvastatin", "atorvastatin", "lovastatin", "辛伐他汀", "阿托伐他汀", "洛伐他汀")
NITRATES = ("nitroglycerin", "glyceryl trinitrate", "isosorbide", "硝酸甘油", "硝酸异山梨酯", "单硝酸异山梨酯")
PDE5 = ("sildenafil", "tadalafil", "vardenafil", "西地那非", "他达拉非", "伐地那非")
SSRIS = ("fluoxetine", "sertraline", "paroxetine", "citalopram", "escitalopram", "氟西汀", "舍曲林", "帕罗西汀",
         "西酞普兰", "艾司西酞普兰")
MAOI = ("linezolid", "selegiline", "moclobemide", "利奈唑胺", "司来吉兰", "吗氯贝胺")
CLOPIDOGREL = ("clopidogrel", "氯吡格雷")
PPI_CYP2C19 = ("omeprazole", "esomeprazole", "奥美拉唑", "埃索美拉唑")
METFORMIN = ("metformin", "二甲双胍")

INTERACTIONS = (
    Interaction("warfarin_nsaid", WARFARIN, CLASSES["nsaid"],
                "华法林与非甾体抗炎药合用：出血风险增加。", "Warfarin with an NSAID: increased risk of bleeding.",
                "BNF Appendix 1: warfarin + NSAIDs"),
    Interaction("warfarin_macrolide", WARFARIN, CLASSES["macrolide"],
                "华法林与大环内酯类合用：抗凝作用增强。", "Warfarin with a macrolide: anticoagulant effect increased.",
                "BNF Appendix 1: warfarin + clarithromycin/erythromycin"),
    Interaction("ace_potassium_sparing", ACE_INHIBITORS, POTASSIUM_SPARING,
                "ACE抑制剂与保钾利尿剂合用：高钾血症风险。", "ACE inhibitor with a potassium-sparing diuretic: risk of hyperkalaemia.",
                "BNF Appendix 1: ACE inhibitors + potassium-sparing diuretics"),
    Interaction("statin_macrolide", STATINS_CYP3A4, CLASSES["macrolide"][:4],
                "他汀与克拉霉素/红霉素合用：肌病（横纹肌溶解）风险。",
                "Statin with clarithromycin/erythromycin: risk of myopathy (rhabdomyolysis).",
                "Simvastatin label (FDA 2011 safety communication); BNF Appendix 1"),
    Interaction("nitrate_pde5", NITRATES, PDE5,
                "硝酸酯类与PDE5抑制剂合用：严重低血压，禁止合用。",
                "Nitrate with a PDE5 inhibitor: severe hypotension, contraindicated.",
                "Sildenafil label (contraindications); BNF Appendix 1"),
    Interaction("ssri_maoi", SSRIS, MAOI,
                "SSRI与单胺氧化酶抑制剂合用：5-羟色胺综合征风险。", "SSRI with an MAO inhibitor: risk of serotonin syndrome.",
                "BNF Appendix 1: SSRIs + MAOIs"),
    Interaction("clopidogrel_ppi", CLOPIDOGREL, PPI_CYP2C19,
                "氯吡格雷与奥美拉唑/埃索美拉唑合用：抗血小板作用减弱。",
                "Clopidogrel with omeprazole/esomeprazole: antiplatelet effect reduced.",
                "Clopidogrel label (FDA boxed warning, 2010); BNF Appendix 1"),
    Interaction("ssri_nsaid", SSRIS, CLASSES["nsaid"],
                "SSRI与非甾体抗炎药合用：消化道出血风险增加。", "SSRI with an NSAID: increased risk of gastrointestinal bleeding.",
                "BNF Appendix 1: SSRIs + NSAIDs"),
)


def _mentions(text: str, aliases) -> bool:
    lowered = (text or "").lower()
    return any(alias in lowered for alias in aliases)


def controlled(drug: str) -> tuple[str, str] | None:
    """('narcotic' or 'psychotropic', the listed name) when the drug is on a controlled list, else None."""
    for kind, table in (("narcotic", NARCOTIC), ("psychotropic", PSYCHOTROPIC)):
        for name, aliases in table.items():
            if _mentions(drug, aliases):
                return kind, name
    return None


def interactions(drugs: list[str], current: list[str], lang: str = "en") -> list[dict]:
    """Warnings for each listed interaction between a prescribed drug and a current medicine or another item."""
    out, seen = [], set()
    for i, drug in enumerate(drugs):
        others = [(o, "current") for o in current] + [(o, "prescribed") for j, o in enumerate(drugs) if j != i]
        for other, where in others:
            for rule in INTERACTIONS:
                if ((_mentions(drug, rule.first) and _mentions(other, rule.second))
                        or (_mentions(drug, rule.second) and _mentions(other, rule.first))):
                    key = (rule.code, frozenset((drug, other)))
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append({"code": f"interaction.{rule.code}", "drug": drug, "other": other, "with": where,
                                "text_zh": rule.text_zh, "text_en": rule.text_en, "source": rule.source})
    return out


def allergy_conflicts(drugs: list[str], allergies: list[str]) -> list[dict]:
    """Warnings for each prescribed drug that belongs to a class (or is the drug) the patient is allergic to."""
    out = []
    for drug in drugs:
        for allergy in allergies:
            for klass, members in CLASSES.items():
                if _mentions(drug, members) and (_mentions(allergy, CLASS_NAMES[klass]) or _mentions(allergy, members)):
                    out.append({"code": f"allergy.{klass}", "drug": drug, "other": allergy, "with": "allergy",
                                "text_zh": f"患者对{allergy}过敏：{drug}属于同一类药物。",
                                "text_en": f"The patient is allergic to {allergy}: {drug} is of the same class.",
                                "source": "Recorded allergy; drug class membership (BNF)"})
                    break
            else:
                if allergy and _mentions(drug, (allergy.lower(),)):
                    out.append({"code": "allergy.drug", "drug": drug, "other": allergy, "with": "allergy",
                                "text_zh": f"患者对{allergy}过敏。", "text_en": f"The patient is allergic to {allergy}.",
                                "source": "Recorded allergy"})
    return out
