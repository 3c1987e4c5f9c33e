"""Complaint-first triage as data: presentations (charts), their discriminators in order, and their sources.

Pure data a clinician can read top to bottom. The structure follows the Manchester Triage System
(presentational flowcharts with general and specific discriminators, the first that applies sets the
priority), the South African Triage Scale's discriminator list, the WHO IMCI danger signs for
children and telephone triage (Schmitt-Thompson / NHS 111 style: questions from the most urgent
disposition down, each home-care outcome with care advice and "get help if" worsening signs). The
charts and wordings are this project's own; the licensed systems are cited, not copied.

A discriminator is one yes / no / not-sure question. Answered yes (or not sure: unsure counts as yes,
see engine) it asks for its level: 1-2 with `emergency` = call 120 / emergency department now;
2 = online within 15 minutes, 3 = within the hour, 4 = today, 5 = routine. `when` lists other
questions that must also be yes for it to apply (a conjunction, so it stays monotone); `ages` is the
inclusive-exclusive age range it is asked in; `symptom` names the 2026-11.1 symptom code the answer
also reports, so the earlier rules (NEWS2, children's thresholds, obstetric triggers, red-flag
combinations such as fever + stiff neck) keep applying to the new answers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Short keys -> full citations. Every discriminator and chart names one.
SOURCES: dict[str, str] = {
    "MTS": "Manchester Triage Group. Emergency Triage, 3rd edition. Wiley-Blackwell/BMJ Books, 2014 "
           "(presentational flowcharts; general discriminators: life threat, haemorrhage, pain, conscious level, "
           "temperature, acuteness of onset).",
    "SATS": "South African Triage Scale (SATS) training manual, Emergency Medicine Society of South Africa, 2012 "
            "(emergency signs and very urgent discriminators, adult and paediatric).",
    "IMCI": "WHO. Integrated Management of Childhood Illness chart booklet, 2014 (general danger signs: unable "
            "to drink or breastfeed, vomits everything, convulsions, lethargic or unconscious; chest indrawing, "
            "stridor, severe dehydration, stiff neck, mastoiditis, dysentery).",
    "NICE-FEVER": "NICE NG143 (2019), Fever in under 5s: traffic-light system (under 3 months >= 38 C red; "
                  "non-blanching rash red; fever >= 5 days amber).",
    "NICE-SEPSIS": "NICE NG51 (2016, updated 2024), Sepsis: high-risk criteria including new confusion, "
                   "mottled or ashen skin, not passing urine, and acute deterioration in functional ability.",
    "NICE-HI": "NICE NG232 (2023), Head injury: anticoagulant treatment, vomiting, seizure, reduced "
               "consciousness as CT criteria.",
    "NICE-VTE": "NICE NG158 (2020), Venous thromboembolic diseases: suspected DVT/PE assessment (recent surgery, "
                "immobility).",
    "NICE-PREG": "NICE NG133 (2019) Hypertension in pregnancy; NICE NG126 (2019) Ectopic pregnancy and "
                 "miscarriage; RCOG Green-top 57 (reduced fetal movements).",
    "ESC-ACS": "ESC Guidelines for the management of acute coronary syndromes, 2023; Brieger et al. Chest "
               "2004 (GRACE: ACS without chest pain in older people, diabetes and women).",
    "STROKE": "AHA/ASA Guidelines for early management of acute ischaemic stroke, 2019; FAST / BE-FAST.",
    "BTS-ASTHMA": "BTS/SIGN British guideline on the management of asthma, 2019 (life-threatening and acute "
                  "severe asthma; reliever not helping).",
    "WAO": "World Allergy Organization anaphylaxis guidance, 2020 (skin or mucosal signs with respiratory or "
           "circulatory compromise).",
    "MALARIA": "WHO Guidelines for malaria, 2023; WHO International travel and health: malaria must be "
               "considered in any fever up to a year after a stay in an endemic area.",
    "ESI": "Emergency Severity Index v4 Implementation Handbook, AHRQ 2012 (high-risk situations, new "
           "confusion, severe pain or distress; danger-zone vital signs).",
    "CN2011": "国家卫生部《急诊病人病情分级指导原则（征求意见稿）》2011 (four levels; pain >= 7 at least level 2).",
    "TEL": "Telephone triage protocols in the Schmitt-Thompson / NHS 111 style (dispositions by time frame, "
           "care advice and call-back criteria).",
    "NHS": "NHS website health A-Z self-care and 'when to get help' advice (common cold, sore throat, cough, "
           "diarrhoea and vomiting, minor burns, insect stings, nosebleeds, back pain, conjunctivitis).",
    "CRISIS": "WHO mhGAP Intervention Guide 2.0 (2016): self-harm and suicide; China national psychological "
              "assistance line 12356.",
    "TOX": "SATS discriminators: overdose or poisoning is very urgent (orange); WHO poison centre guidance.",
    "OTTAWA": "Stiell et al. Ottawa ankle and knee rules (inability to bear weight: X-ray); SATS: threatened "
              "limb, dislocation of larger joint, open or closed fracture with deformity.",
    "BURNS": "SATS burns discriminators; WHO burn first aid (cool running water 20 minutes).",
    "CAUDA": "NICE NG59 (2016) Low back pain and sciatica: suspected cauda equina syndrome is an emergency.",
    "DKA": "NICE NG17 / NG18: suspected diabetic ketoacidosis (vomiting, deep fast breathing, drowsiness).",
    "EYE": "Royal College of Ophthalmologists: sudden painless loss of vision is an emergency; NICE CKS red eye.",
    "ENT": "NICE CKS: acute otitis media, mastoiditis, quinsy/epiglottitis (drooling, cannot swallow), dental "
           "abscess with spreading swelling.",
    "DERM": "NICE CKS: shingles (antivirals within 72 h), cellulitis (same-day), urticaria.",
    "URO": "NICE CKS: UTI in adults (pyelonephritis: loin pain with fever), testicular torsion (surgery within "
           "6 h), acute urinary retention.",
    "GERI": "British Geriatrics Society 'Silver Book II' (2021): older people present atypically; new "
            "functional decline or falls with anticoagulants need same-day assessment.",
}


@dataclass(frozen=True)
class Discriminator:
    """One yes / no / not-sure question and what a yes means."""

    id: str
    level: int
    emergency: bool
    question: dict[str, str]
    patient: dict[str, str]  # why, in plain words, shown on the result
    clinical: dict[str, str]  # what it means, for the doctor and the handbook
    source: str
    symptom: str | None = None  # the 2026-11.1 symptom code this answer also reports
    when: tuple[str, ...] = ()  # other questions that must also be yes
    ages: tuple[float, float] = (0, 200)  # asked from ages[0] (inclusive) to ages[1] (exclusive)
    sex: str | None = None  # asked only of this sex (None: everyone)
    pregnant: bool | None = None  # True: asked only in pregnancy
    department: str | None = None  # None: the chart's department
    asks: str = ""  # the question id answered (default: the discriminator's own id)
    covers: tuple[str, ...] = ()  # a question that lists several signs: the single signs it covers

    @property
    def question_id(self) -> str:
        """The id of the yes / no / not-sure question this discriminator reads."""
        return self.asks or self.id


@dataclass(frozen=True)
class Chart:
    """A presentation: what the patient picks, its synonyms, and its discriminators most dangerous first."""

    code: str
    label: dict[str, str]
    synonyms: dict[str, tuple[str, ...]]
    department: str
    discriminators: tuple[str, ...]
    home_care: bool  # True: when nothing applies, self-care is safe (with advice and safety net)
    default_level: int  # the level when nothing applies and self-care is not offered
    source: str
    self_care_max_days: float = 7
    symptom: str | None = None  # the 2026-11.1 symptom the presentation itself reports
    implies: tuple[str, ...] = ()  # questions that picking this presentation answers yes
    ages: tuple[float, float] = (0, 200)
    advice: dict[str, tuple[str, ...]] = field(default_factory=dict)  # care advice, zh and en
    safety_net: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "get help now if ..."


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _d(id, level, emergency, q, why, clin, source, **kw) -> Discriminator:
    return Discriminator(id, level, emergency, _t(*q), _t(*why), _t(*clin), source, **kw)


E, U = True, False  # emergency / not
CHILD = (0, 16)
UNDER5 = (0, 5)
ADULT = (16, 200)
OLDER = (65, 200)

DISCRIMINATORS_LIST: tuple[Discriminator, ...] = (
    # --- questions that list several signs, so a phone flow stays short (one answer for the group) -----------
    _d("life_threat", 1, E, ("现在是否有以下任何一项：喘得说不出整句话、嘴唇发青发灰、皮肤湿冷苍白、出血按压10分钟止不住？",
                             "Right now, any of these: too breathless to finish a sentence, lips blue or grey, skin cold "
                             "and clammy, or bleeding that does not stop after 10 minutes of pressure?"),
       ("这些是危及生命的信号。", "These are signs of a life-threatening problem."),
       ("气道/呼吸/循环受累或无法控制的出血：MTS 红 / SATS 紧急体征。",
        "Airway, breathing or circulation compromise or uncontrolled haemorrhage: MTS red / SATS emergency signs."),
       "MTS", ages=(5, 200), covers=("cannot_speak_breathless", "lips_blue", "cold_clammy", "bleeding_wont_stop")),
    _d("child_danger_signs", 2, E, ("孩子是否有以下任何一项：不能喝水或吃奶、吃什么吐什么、抽搐过、软绵绵或叫不醒、嘴唇发青？",
                                    "Does the child have any of these: unable to drink or feed, vomits everything, has had a "
                                    "fit, floppy or hard to wake, lips blue?"),
       ("这些是儿童的危险信号，需要立即去医院。", "These are danger signs in a child: go to hospital now."),
       ("IMCI 一般危险体征（不能饮水/吃奶、频繁呕吐、惊厥、嗜睡或昏迷）或发绀。",
        "IMCI general danger sign (unable to drink/feed, vomits everything, convulsions, lethargic/unconscious) or cyanosis."),
       "IMCI", ages=CHILD, covers=("child_not_drinking", "vomits_everything", "seizure", "child_floppy", "hard_to_wake",
                                   "unresponsive", "lips_blue", "cannot_speak_breathless")),
    _d("gi_bleed", 2, E, ("吐血或咖啡样的东西，或大便发黑像柏油？", "Vomiting blood or coffee-ground material, or black tarry stools?"),
       ("这可能是消化道出血。", "This can mean bleeding in the gut."),
       ("呕血/黑便：上消化道出血（ESI 2 / SATS）。", "Haematemesis/melaena: upper GI bleed (ESI 2 / SATS)."), "SATS",
       covers=("vomit_blood", "black_stool")),
    _d("acute_abdomen", 2, E, ("肚子痛得很厉害而且一直不停，或肚子发硬、一碰就痛、走路也痛？",
                               "Is the pain severe and constant, or is the tummy hard, painful to touch or to walk?"),
       ("剧烈持续的腹痛或腹部发硬需要急诊检查。", "Severe constant pain or a hard, tender tummy needs an emergency check."),
       ("急腹症征象（剧烈持续痛/腹膜刺激征）：MTS 橙。", "Acute abdomen (severe constant pain / peritonism): MTS orange."),
       "MTS", covers=("belly_pain_constant_severe", "belly_hard")),
    # --- general discriminators: life threat, shock, haemorrhage, conscious level, pain, onset -------------
    _d("unresponsive", 1, E, ("叫不醒、没有反应？", "Does not respond, or cannot be woken?"),
       ("没有反应是危及生命的急症。", "Not responding is life-threatening."),
       ("无反应（AVPU U）：危及生命。", "Unresponsive (AVPU U): life threat."), "MTS", ages=ADULT),
    _d("cannot_speak_breathless", 1, E, ("喘得说不出完整的一句话？", "Too breathless to say a full sentence?"),
       ("严重呼吸困难是急症。", "Severe difficulty breathing is an emergency."),
       ("严重呼吸窘迫，不能成句：ESI 1 / MTS 红。", "Severe respiratory distress, cannot complete sentences: ESI 1 / MTS red."),
       "MTS", symptom="severe_breathing_difficulty"),
    _d("lips_blue", 1, E, ("嘴唇或脸发青、发紫或发灰？", "Lips or face blue, purple or grey?"),
       ("嘴唇发青说明身体缺氧。", "Blue or grey lips mean the body is short of oxygen."),
       ("发绀：缺氧，危及生命。", "Cyanosis: hypoxia, life threat."), "MTS"),
    _d("cold_clammy", 2, E, ("皮肤湿冷、苍白或有花斑？", "Skin cold and clammy, pale or blotchy?"),
       ("皮肤湿冷苍白可能是休克。", "Cold, clammy, pale skin can be shock."),
       ("休克征象（湿冷、苍白、花斑）：NICE NG51 高危。", "Signs of shock (clammy, pale, mottled): NICE NG51 high risk."),
       "NICE-SEPSIS", symptom="sweating"),
    _d("bleeding_wont_stop", 1, E, ("出血用力按压10分钟仍止不住？", "Bleeding that does not stop after 10 minutes of firm pressure?"),
       ("止不住的出血是急症。等待时继续用力按压。", "Bleeding that will not stop is an emergency. Keep pressing firmly while you wait."),
       ("无法控制的出血：MTS 红/橙。", "Uncontrolled haemorrhage: MTS red/orange."), "MTS", symptom="severe_bleeding"),
    _d("new_confusion", 2, E, ("突然变得糊涂、说胡话或认不出人？", "Suddenly muddled, talking nonsense or not recognising people?"),
       ("突然糊涂可能是严重疾病（感染、中风、低血糖）。", "Sudden confusion can mean a serious illness (infection, stroke, low sugar)."),
       ("新发意识混乱：ESI 2，NEWS2 计3分，NICE NG51 高危。", "New confusion: ESI 2, NEWS2 3, NICE NG51 high risk."),
       "ESI", symptom="confusion", ages=ADULT),
    _d("hard_to_wake", 2, E, ("特别嗜睡、很难叫醒或反应迟钝？", "Very drowsy, hard to wake or slow to respond?"),
       ("嗜睡、难以唤醒是急症。", "Being very drowsy or hard to wake is an emergency."),
       ("意识水平下降（AVPU V/P）：MTS 橙。", "Reduced conscious level (AVPU V/P): MTS orange."), "MTS", symptom="confusion", ages=ADULT),
    _d("seizure", 2, E, ("抽筋、抽搐（癫痫发作）？", "Had a fit (seizure)?"),
       ("抽搐需要急诊处理。", "A fit needs emergency care."),
       ("抽搐：IMCI 一般危险体征 / MTS。", "Convulsion: IMCI general danger sign / MTS."), "IMCI", symptom="seizure", ages=ADULT),
    _d("worst_pain", 2, U, ("疼得受不了，是从来没有过的痛？", "Unbearable pain, the worst you have ever had?"),
       ("剧烈疼痛需要15分钟内由医生处理。", "Severe pain needs a doctor within 15 minutes."),
       ("剧痛（≥8/10）：MTS 橙，中国2011 至少2级。", "Severe pain (>= 8/10): MTS orange, China 2011 at least level 2."),
       "CN2011", ages=(5, 200)),
    # --- breathing -------------------------------------------------------------------------------------
    _d("chest_sucks_in", 2, E, ("吸气时肋骨下面的皮肤往里凹？", "Does the skin below the ribs suck in with each breath?"),
       ("吸气时胸凹陷说明呼吸非常费力。", "Chest indrawing means breathing is very hard work."),
       ("胸凹陷：IMCI 重症肺炎。", "Chest indrawing: IMCI severe pneumonia."), "IMCI", ages=CHILD,
       symptom="severe_breathing_difficulty"),
    _d("noisy_breathing", 2, E, ("安静时吸气也有尖锐的响声？", "A harsh noise when breathing in, even when calm?"),
       ("安静时喉鸣可能是气道阻塞。", "A harsh noise at rest can mean the airway is narrowing."),
       ("静息喘鸣：气道梗阻风险（IMCI / MTS）。", "Stridor at rest: airway obstruction risk (IMCI / MTS)."), "IMCI"),
    _d("reliever_not_helping", 2, E, ("用了急救吸入剂（如沙丁胺醇）也不见好？", "Is the reliever inhaler (e.g. salbutamol) not helping?"),
       ("急救吸入剂无效的哮喘发作是急症。", "An asthma attack that the reliever does not help is an emergency."),
       ("急性重症哮喘：支气管扩张剂无效（BTS/SIGN）。", "Acute severe asthma unresponsive to bronchodilator (BTS/SIGN)."),
       "BTS-ASTHMA", when=("wheeze",)),
    _d("wheeze", 3, U, ("呼吸有哮鸣音（像吹哨）？", "Wheezing (a whistling breath)?"),
       ("喘息需要医生在一小时内评估。", "Wheezing needs a doctor within the hour."),
       ("喘息：MTS 黄。", "Wheeze: MTS yellow."), "MTS", symptom="wheezing"),
    _d("breathless", 3, U, ("比平时更喘、气不够用？", "More short of breath than usual?"),
       ("气短需要医生在一小时内评估。", "Shortness of breath needs a doctor within the hour."),
       ("呼吸困难（可成句）：MTS 黄。", "Dyspnoea (speaking in sentences): MTS yellow."), "MTS", symptom="shortness_of_breath"),
    _d("fast_breathing", 3, U, ("呼吸比平时快很多？", "Breathing much faster than usual?"),
       ("呼吸加快可能是肺炎。", "Fast breathing can be pneumonia."),
       ("呼吸增快：IMCI 肺炎（按年龄计数）。", "Fast breathing: IMCI pneumonia (count by age)."), "IMCI",
       symptom="shortness_of_breath"),
    _d("coughing_blood", 2, U, ("咳出血？", "Coughing up blood?"),
       ("咳血需要医生尽快评估。", "Coughing up blood needs a doctor urgently."),
       ("咯血：SATS 很紧急。", "Haemoptysis: SATS very urgent."), "SATS", symptom="coughing_blood"),
    # --- chest and circulation -----------------------------------------------------------------------------
    _d("chest_pain_spreads", 2, E, ("胸痛传到手臂、下巴、脖子或后背？", "Does the pain spread to the arm, jaw, neck or back?"),
       ("放射的胸痛可能是心脏病发作。", "Chest pain that spreads can be a heart attack."),
       ("放射性胸痛：疑似急性冠脉综合征。", "Radiating chest pain: suspected ACS."), "ESC-ACS"),
    _d("sweaty_sick", 2, E, ("同时出冷汗或恶心？", "Cold sweat or feeling sick with it?"),
       ("伴冷汗或恶心时可能是心脏病发作。", "With a cold sweat or nausea this can be a heart attack."),
       ("伴出汗/恶心：ACS 高危（含无胸痛的不典型表现）。", "With diaphoresis/nausea: high-risk ACS (incl. atypical, painless)."),
       "ESC-ACS", symptom="sweating"),
    _d("sweaty_sick_older", 2, E, ("同时出冷汗或恶心？", "Cold sweat or feeling sick with it?"),
       ("50岁以上时，这些症状可能是心脏病发作的不典型表现。", "Over 50, this can be an unusual sign of a heart attack."),
       ("≥50岁上腹痛/气短/乏力伴出汗或恶心：不典型 ACS（GRACE）。",
        "Age >= 50, epigastric pain/dyspnoea/weakness with sweating or nausea: atypical ACS (GRACE)."),
       "ESC-ACS", ages=(50, 200), symptom="sweating", asks="sweaty_sick"),
    _d("fainted", 3, U, ("晕倒过或差点晕倒？", "Fainted or nearly fainted?"),
       ("晕倒需要医生评估原因。", "Fainting needs a doctor to find the cause."),
       ("晕厥/近乎晕厥：MTS 黄；与胸痛、心悸或心脏病同时出现为急症。",
        "Syncope / presyncope: MTS yellow; with chest pain, palpitations or heart disease an emergency."),
       "MTS", symptom="fainting"),
    _d("fainted_belly", 2, E, ("晕倒过或差点晕倒？", "Fainted or nearly fainted?"),
       ("腹痛伴晕倒可能是内出血。", "Tummy pain with fainting can mean internal bleeding."),
       ("腹痛伴晕厥：排除异位妊娠破裂、腹主动脉瘤、消化道出血。",
        "Abdominal pain with syncope: exclude ruptured ectopic, AAA, GI bleed."), "MTS", symptom="fainting", asks="fainted"),
    _d("palpitations", 3, U, ("心跳很快、乱跳？", "Heart racing or fluttering?"),
       ("心慌需要医生在一小时内评估。", "Palpitations need a doctor within the hour."),
       ("心悸：MTS 黄。", "Palpitations: MTS yellow."), "MTS", symptom="palpitations"),
    _d("one_leg_swollen", 3, U, ("一条腿肿、痛？", "One leg swollen and painful?"),
       ("单侧腿肿痛可能是血栓。", "One swollen, painful leg can be a clot."),
       ("单侧下肢肿痛：疑似深静脉血栓。", "Unilateral painful leg swelling: suspected DVT."), "NICE-VTE",
       symptom="leg_swelling"),
    _d("clot_risk", 2, U, ("近4周做过手术、打石膏、长途旅行或卧床？", "Operation, plaster cast, long journey or bed rest in the last 4 weeks?"),
       ("最近手术或卧床后腿肿，血栓风险高，需要15分钟内看医生。",
        "A swollen leg after recent surgery or bed rest is a high clot risk: a doctor within 15 minutes."),
       ("DVT 高概率（近期手术/制动）：当日超声（NICE NG158）。", "High DVT probability (recent surgery/immobility): same-day scan (NICE NG158)."),
       "NICE-VTE", when=("one_leg_swollen",), asks="recent_surgery_or_immobile"),
    _d("clot_breathless", 2, E, ("比平时更喘、气不够用？", "More short of breath than usual?"),
       ("腿肿又气短，可能是血栓到了肺。", "A swollen leg with breathlessness can be a clot in the lung."),
       ("下肢肿胀伴气短：疑似肺栓塞。", "Leg swelling with dyspnoea: suspected PE."), "NICE-VTE",
       when=("one_leg_swollen",), symptom="shortness_of_breath", asks="breathless"),
    _d("both_legs_swollen", 4, U, ("两条腿都肿？", "Both legs swollen?"),
       ("双腿水肿需要医生今天评估（心、肾等原因）。", "Both legs swollen: a doctor today (heart, kidney causes)."),
       ("双下肢水肿：评估心衰/肾病。", "Bilateral leg oedema: assess for heart failure/renal disease."), "MTS"),
    # --- older people ----------------------------------------------------------------------------------------
    _d("much_weaker", 3, U, ("比平时虚弱很多、站不稳或起不来床？", "Much weaker than usual, unsteady, or unable to get out of bed?"),
       ("老人突然明显变弱，常是严重疾病的唯一表现。", "In older people, sudden weakness is often the only sign of a serious illness."),
       ("急性功能下降（老年不典型表现）：当日评估（BGS Silver Book）。",
        "Acute functional decline (atypical presentation in older people): same-day review (BGS Silver Book)."),
       "GERI", ages=OLDER, symptom="fatigue"),
    _d("sepsis_older", 2, E, ("发冷、打寒战？", "Feeling cold or shivering?"),
       ("老人感染时可以不发烧；寒战加明显虚弱可能是败血症。",
        "Older people can have a serious infection without fever; shivering with sudden weakness can be sepsis."),
       ("≥65岁疑似感染伴急性功能下降/寒战：NICE NG51 中-高危，按脓毒症处理。",
        "Age >= 65, suspected infection with acute functional decline/rigors: NICE NG51 moderate-high risk, treat as sepsis."),
       "NICE-SEPSIS", ages=OLDER, when=("much_weaker",), symptom="chills", asks="shivering"),
    _d("not_eating_drinking", 3, U, ("几乎不吃不喝？", "Hardly eating or drinking?"),
       ("几乎不吃不喝容易脱水，需要医生尽快评估。", "Hardly eating or drinking risks dehydration: a doctor soon."),
       ("进食进水极少：脱水风险。", "Minimal oral intake: dehydration risk."), "MTS", ages=ADULT),
    _d("no_urine_12h", 2, U, ("超过12小时没有小便（婴儿尿布一直是干的）？", "No urine for over 12 hours (baby: dry nappies)?"),
       ("长时间无尿说明脱水或严重疾病。", "No urine for a long time means dehydration or serious illness."),
       ("少尿/无尿 >12 h：NICE NG51 / NG143。", "Oliguria/anuria > 12 h: NICE NG51 / NG143."), "NICE-SEPSIS",
       symptom="reduced_urine"),
    # --- children (IMCI general danger signs) -----------------------------------------------------------------
    _d("child_not_drinking", 2, E, ("孩子不能喝水或吃奶？", "Is the child unable to drink or breastfeed?"),
       ("不能喝水或吃奶是儿童危险信号。", "Being unable to drink or feed is a danger sign in a child."),
       ("不能饮水或吃奶：IMCI 一般危险体征。", "Unable to drink or breastfeed: IMCI general danger sign."), "IMCI",
       ages=CHILD, symptom="poor_feeding"),
    _d("vomits_everything_child", 2, E, ("吃什么吐什么，连水都喝不进？", "Vomits everything, cannot keep even water down?"),
       ("孩子什么都吐是危险信号。", "A child who vomits everything is a danger sign."),
       ("频繁呕吐、不能保留任何液体：IMCI 一般危险体征。", "Vomits everything: IMCI general danger sign."), "IMCI",
       ages=CHILD, symptom="vomiting", asks="vomits_everything"),
    _d("child_floppy", 2, E, ("孩子软绵绵、没精神或叫不醒？", "Is the child floppy, listless or hard to wake?"),
       ("孩子精神差、软绵绵是危险信号。", "A floppy, listless child is a danger sign."),
       ("嗜睡或意识不清：IMCI 一般危险体征 / NICE 红。", "Lethargic or unconscious: IMCI general danger sign / NICE red."),
       "IMCI", ages=CHILD, symptom="confusion"),
    _d("sunken_eyes", 3, U, ("眼窝凹陷、哭时没眼泪、口干？", "Sunken eyes, no tears when crying, dry mouth?"),
       ("这些是脱水的表现，需要医生在一小时内评估。", "These are signs of dehydration: a doctor within the hour."),
       ("有些脱水征象：IMCI（方案B）。", "Signs of some dehydration: IMCI (plan B)."), "IMCI", symptom="reduced_urine"),
    _d("child_drinking_less", 4, U, ("孩子喝得比平时少？", "Is the child drinking less than usual?"),
       ("孩子喝水少，今天请医生看看。", "A child drinking less should see a doctor today."),
       ("进食/饮水减少：NICE NG143 琥珀色。", "Reduced intake: NICE NG143 amber."), "NICE-FEVER", ages=CHILD),
    _d("crying_inconsolable", 3, U, ("孩子哭闹不止、哄不好？", "Crying that cannot be settled?"),
       ("哄不好的哭闹需要医生评估。", "Crying that cannot be settled needs a doctor."),
       ("无法安抚的哭闹：MTS 黄（婴儿）。", "Inconsolable crying: MTS yellow (infants)."), "MTS", ages=UNDER5,
       symptom="excessive_crying", asks="child_crying_inconsolable"),
    # --- fever ---------------------------------------------------------------------------------------------------
    _d("rash_not_fading", 2, E, ("用玻璃杯压皮疹，颜色不褪？", "Do the spots stay when a glass is pressed on them?"),
       ("压不褪色的皮疹可能是脑膜炎球菌感染。", "A rash that does not fade under a glass can be meningococcal infection."),
       ("非苍白性皮疹：疑似脑膜炎球菌病（NICE 红）。", "Non-blanching rash: suspected meningococcal disease (NICE red)."),
       "NICE-FEVER"),
    _d("stiff_neck", 2, E, ("脖子僵硬、低头困难？", "Stiff neck, cannot bend the head forward?"),
       ("颈部僵硬可能是脑膜炎或脑出血。", "A stiff neck can be meningitis or bleeding in the brain."),
       ("颈项强直：IMCI 极重度发热性疾病 / 排除蛛网膜下腔出血。",
        "Neck stiffness: IMCI very severe febrile disease / exclude SAH."), "IMCI", symptom="stiff_neck"),
    _d("malaria_travel_year", 2, E, ("过去12个月去过疟疾流行地区（非洲、东南亚、南亚、南美等）？",
                                     "Stayed in a malaria area (Africa, South or South-East Asia, South America ...) in the last 12 months?"),
       ("从疟疾地区回来后一年内发烧，今天就要去医院查疟疾。",
        "A fever within a year of a stay in a malaria area needs a malaria blood test at a hospital today."),
       ("旅行后发热（疟疾流行区，12个月内）：当日血涂片/快速检测（WHO）。",
        "Fever after travel to a malaria-endemic area within 12 months: same-day blood film / RDT (WHO)."),
       "MALARIA", department="fever"),
    _d("shivering", 4, U, ("发冷、打寒战？", "Feeling cold or shivering?"),
       ("寒战提示感染，今天请医生看看。", "Shivering suggests an infection: see a doctor today."),
       ("寒战。", "Rigors."), "MTS", symptom="chills", ages=ADULT),
    _d("cough_fever", 4, U, ("同时发烧？", "Fever as well?"),
       ("咳嗽伴发烧可能是肺炎，今天请医生看看。", "A cough with fever can be pneumonia: see a doctor today."),
       ("咳嗽伴发热：评估肺炎（CRB-65，NICE CG191）。", "Cough with fever: assess for pneumonia (CRB-65, NICE CG191)."),
       "MTS", symptom="fever", asks="feels_hot"),
    _d("feels_hot_child", 4, U, ("感觉发烧？", "Does the child feel feverish (hot)?"),
       ("发烧的孩子如同时有下列情况需要看医生。", "A feverish child may need a doctor."),
       ("发热（家长报告）。", "Fever (parent report)."), "NICE-FEVER", symptom="fever", asks="feels_hot"),
    # --- abdomen ---------------------------------------------------------------------------------------------------
    _d("belly_pain_constant_severe", 2, E, ("肚子痛得很厉害而且一直不停？", "Is the tummy pain severe and constant?"),
       ("剧烈持续的腹痛需要急诊检查。", "Severe, constant tummy pain needs an emergency check."),
       ("剧烈持续腹痛：急腹症待排（MTS 橙）。", "Severe constant abdominal pain: acute abdomen (MTS orange)."), "MTS"),
    _d("belly_hard", 2, E, ("肚子胀硬、一碰就痛、走路也痛？", "Is the tummy hard or swollen, painful to touch or to walk?"),
       ("腹部发硬、碰痛可能是腹膜炎。", "A hard tummy that hurts to touch can be peritonitis."),
       ("腹膜刺激征：急腹症。", "Peritonism: acute abdomen."), "MTS"),
    _d("belly_pain_right_lower", 3, U, ("痛转移到右下腹？", "Has the pain moved to the lower right of the tummy?"),
       ("右下腹痛可能是阑尾炎，需要一小时内看医生。", "Lower right pain can be appendicitis: a doctor within the hour."),
       ("转移性右下腹痛：疑似阑尾炎。", "Migratory RIF pain: suspected appendicitis."), "MTS"),
    _d("possibly_pregnant", 2, E, ("月经推迟或可能怀孕？", "Is your period late, or could you be pregnant?"),
       ("腹痛且可能怀孕，需要立即排除宫外孕。", "Tummy pain when you could be pregnant needs an ectopic pregnancy check now."),
       ("育龄期腹痛伴停经：排除异位妊娠（NICE NG126）。", "Abdominal pain with missed period: exclude ectopic (NICE NG126)."),
       "NICE-PREG", ages=(12, 55), sex="female", symptom="missed_period", asks="period_late"),
    _d("vomit_blood", 2, E, ("吐血或吐出咖啡样的东西？", "Vomiting blood or coffee-ground material?"),
       ("呕血可能是胃内出血。", "Vomiting blood can mean bleeding in the stomach."),
       ("呕血：上消化道出血。", "Haematemesis: upper GI bleed."), "SATS", symptom="vomiting_blood"),
    _d("black_stool", 2, U, ("大便发黑像柏油？", "Black, tarry stools?"),
       ("黑便可能是消化道出血，需要15分钟内看医生；头晕或晕倒请拨打120。",
        "Black stools can mean bleeding in the gut: a doctor within 15 minutes; call 120 if dizzy or faint."),
       ("黑便：上消化道出血待排。", "Melaena: upper GI bleed until shown otherwise."), "SATS", symptom="black_stool"),
    _d("vomits_everything", 3, U, ("吃什么吐什么，连水都喝不进？", "Vomits everything, cannot keep even water down?"),
       ("什么都吐容易脱水，需要一小时内看医生。", "Vomiting everything risks dehydration: a doctor within the hour."),
       ("不能保留液体：脱水风险。", "Unable to keep fluids down: dehydration risk."), "MTS", ages=ADULT, symptom="vomiting"),
    _d("diabetes_sugar_high", 2, E, ("血糖很高（血糖仪显示超过标准很多）？", "Is the blood sugar very high on the meter?"),
       ("糖尿病人呕吐伴血糖很高可能是酮症酸中毒。", "Vomiting with very high sugar in diabetes can be ketoacidosis."),
       ("呕吐伴高血糖：疑似 DKA/HHS。", "Vomiting with hyperglycaemia: suspected DKA/HHS."), "DKA"),
    _d("blood_in_diarrhoea", 4, U, ("拉肚子带血？", "Blood in the diarrhoea?"),
       ("腹泻带血需要医生今天评估。", "Bloody diarrhoea needs a doctor today."),
       ("血性腹泻：IMCI 痢疾。", "Bloody diarrhoea: IMCI dysentery."), "IMCI", symptom="black_stool"),
    _d("feels_hot_diarrhoea", 4, U, ("同时发烧？", "Fever as well?"),
       ("腹泻伴发烧，今天请医生看看。", "Diarrhoea with fever: see a doctor today."),
       ("腹泻伴发热。", "Diarrhoea with fever."), "NHS", symptom="fever", asks="feels_hot"),
    _d("constipation_vomiting", 3, U, ("肚子胀、呕吐、也不排气？", "Bloated and vomiting, not passing wind?"),
       ("可能是肠梗阻，需要一小时内看医生。", "This can be a bowel blockage: a doctor within the hour."),
       ("腹胀、呕吐、停止排气：肠梗阻待排。", "Distension, vomiting, no flatus: exclude obstruction."), "MTS", symptom="vomiting", asks="bloated_vomiting"),
    # --- neuro -------------------------------------------------------------------------------------------------------
    _d("face_droop", 2, E, ("一侧脸歪、口角下垂？", "Is the face drooping on one side?"),
       ("脸歪可能是中风，每一分钟都很重要。", "A drooping face can be a stroke. Every minute counts."),
       ("面瘫（FAST F）：疑似卒中。", "Facial droop (FAST F): suspected stroke."), "STROKE", symptom="face_droop"),
    _d("arm_weak", 2, E, ("一侧手臂或腿突然没力？", "Sudden weakness in an arm or leg on one side?"),
       ("一侧无力可能是中风。", "Weakness on one side can be a stroke."),
       ("单侧肢体无力（FAST A）：疑似卒中。", "Unilateral limb weakness (FAST A): suspected stroke."), "STROKE",
       symptom="arm_weakness"),
    _d("speech_trouble", 2, E, ("说话含糊、说不出话？", "Slurred speech or cannot find words?"),
       ("说话困难可能是中风。", "Trouble speaking can be a stroke."),
       ("言语障碍（FAST S）：疑似卒中。", "Speech disturbance (FAST S): suspected stroke."), "STROKE",
       symptom="speech_difficulty"),
    _d("one_side_numb", 2, E, ("一侧身体突然麻木？", "Sudden numbness on one side of the body?"),
       ("一侧突然麻木可能是中风。", "Sudden numbness on one side can be a stroke."),
       ("单侧感觉障碍（BE-FAST）：疑似卒中。", "Unilateral sensory loss (BE-FAST): suspected stroke."), "STROKE",
       symptom="one_sided_numbness"),
    _d("vision_loss", 2, E, ("突然看不清或看不见？", "Sudden loss or dimming of vision?"),
       ("突然看不见可能是眼或脑的急症。", "Sudden loss of vision can be an eye or brain emergency."),
       ("急性视力丧失：视网膜动脉阻塞/卒中/急性青光眼。", "Acute visual loss: retinal artery occlusion / stroke / acute glaucoma."),
       "EYE", symptom="vision_loss"),
    _d("worst_headache", 2, E, ("突然剧烈头痛，一生中最痛？", "A sudden headache, the worst ever?"),
       ("突发剧烈头痛可能是脑出血。", "A sudden, very severe headache can be bleeding in the brain."),
       ("雷击样头痛：排除蛛网膜下腔出血。", "Thunderclap headache: exclude SAH."), "MTS", symptom="worst_headache"),
    _d("headache_vomiting", 3, U, ("头痛同时呕吐？", "Vomiting with the headache?"),
       ("头痛伴呕吐需要一小时内看医生。", "Headache with vomiting needs a doctor within the hour."),
       ("头痛伴呕吐：颅内压增高待排。", "Headache with vomiting: exclude raised intracranial pressure."), "MTS", symptom="vomiting", asks="vomiting"),
    _d("head_injury", 3, U, ("头部撞伤过？", "Was the head hit?"),
       ("头部受伤需要医生评估。", "A head injury needs a doctor to check."),
       ("头部外伤：NICE NG232。", "Head injury: NICE NG232."), "NICE-HI", symptom="head_injury"),
    _d("head_injury_thinners", 2, E, ("在吃抗凝药（华法林、利伐沙班、达比加群等）？",
                                      "Taking blood thinners (warfarin, rivaroxaban, dabigatran ...)?"),
       ("吃抗凝药时头部受伤，颅内出血风险高，需要去医院做CT。",
        "A head injury on blood thinners can bleed inside the head: you need a CT scan at a hospital."),
       ("抗凝治疗者头部外伤：8小时内 CT（NICE NG232）。", "Head injury on anticoagulants: CT within 8 h (NICE NG232)."),
       "NICE-HI", when=("head_injury",), asks="blood_thinners"),
    _d("head_injury_vomiting", 2, E, ("受伤后呕吐？", "Vomited since the injury?"),
       ("头部受伤后呕吐需要去医院检查。", "Vomiting after a head injury needs a hospital check."),
       ("头部外伤后呕吐：CT 指征（NICE NG232）。", "Vomiting after head injury: CT indicated (NICE NG232)."),
       "NICE-HI", when=("head_injury",), symptom="vomiting", asks="vomiting"),
    _d("dizzy", 4, U, ("头晕？", "Dizziness?"),
       ("头晕今天请医生看看。", "Dizziness: see a doctor today."), ("头晕。", "Dizziness."), "MTS", symptom="dizziness"),
    # --- skin, allergy, injuries -------------------------------------------------------------------------------
    _d("lips_tongue_swelling", 2, U, ("嘴唇或舌头肿？", "Swelling of the lips or tongue?"),
       ("嘴唇或舌头肿可能迅速加重；如出现呼吸或吞咽困难，请拨打120。",
        "Lip or tongue swelling can get worse fast; call 120 if breathing or swallowing becomes hard."),
       ("血管性水肿：紧急评估。", "Angio-oedema: urgent review."), "WAO", symptom="lip_tongue_swelling"),
    _d("allergy_breathing", 1, E, ("呼吸困难、喉咙发紧或喘鸣？", "Difficulty breathing, tight throat or wheeze?"),
       ("过敏同时呼吸困难，可能是严重过敏反应。有肾上腺素笔请立即使用。",
        "An allergic reaction with breathing trouble can be anaphylaxis. Use an adrenaline pen now if you have one."),
       ("皮肤/黏膜表现伴呼吸受累：严重过敏反应（WAO）。", "Skin/mucosal signs with respiratory compromise: anaphylaxis (WAO)."),
       "WAO", symptom="shortness_of_breath", asks="breathless"),
    _d("allergy_faint", 1, E, ("头晕、要晕倒？", "Feeling faint or dizzy?"),
       ("过敏同时头晕要晕倒，可能是严重过敏反应。", "An allergic reaction with faintness can be anaphylaxis."),
       ("皮肤表现伴循环受累：严重过敏反应（WAO）。", "Skin signs with circulatory compromise: anaphylaxis (WAO)."), "WAO",
       symptom="fainting", asks="fainted"),
    _d("hives_widespread", 4, U, ("全身起风团（凸起的痒疙瘩）？", "Raised itchy welts (hives) over the body?"),
       ("大面积风团，今天请医生看看。", "Widespread hives: see a doctor today."),
       ("泛发性荨麻疹。", "Generalised urticaria."), "DERM", symptom="rash", asks="hives"),
    _d("rash_fever", 3, U, ("同时发烧？", "Fever as well?"),
       ("发烧伴皮疹需要一小时内看医生。", "A fever with a rash needs a doctor within the hour."),
       ("发热伴皮疹：感染性皮疹待排。", "Fever with rash: exclude infectious exanthem."), "MTS", symptom="fever", asks="feels_hot"),
    _d("blister_band", 4, U, ("身体一侧有一条带状的水疱疹？", "A band of blistering rash on one side of the body?"),
       ("可能是带状疱疹，3天内用药效果最好，今天请医生看。", "This may be shingles; treatment works best within 3 days: see a doctor today."),
       ("疑似带状疱疹：72小时内抗病毒。", "Suspected shingles: antivirals within 72 h."), "DERM", symptom="rash"),
    _d("skin_red_hot_spreading", 3, U, ("一片皮肤红、热、痛，范围在扩大？", "A patch of red, hot, painful skin that is spreading?"),
       ("可能是蜂窝织炎，需要一小时内看医生。", "This can be cellulitis: a doctor within the hour."),
       ("疑似蜂窝织炎：当日评估。", "Suspected cellulitis: same-day review."), "DERM", symptom="rash"),
    _d("burn_large", 3, U, ("烫伤比手掌大，或在脸、手、会阴？", "Burn bigger than the palm, or on the face, hands or genitals?"),
       ("较大或特殊部位的烫伤需要医生处理。", "A large burn, or one on the face, hands or genitals, needs a doctor."),
       ("烧伤 >1% 体表面积或特殊部位：SATS。", "Burn > 1 % BSA or special area: SATS."), "BURNS", symptom="burn"),
    _d("burn_airway", 1, E, ("被烟熏或烫伤在口鼻附近、声音嘶哑？", "Smoke inhaled, or burns around the mouth or nose, hoarse voice?"),
       ("吸入性烧伤会迅速堵塞气道。", "A burn to the airway can block breathing quickly."),
       ("吸入性损伤：气道风险（SATS 红）。", "Inhalation injury: airway risk (SATS red)."), "BURNS"),
    _d("cut_gaping", 4, U, ("伤口深或裂开？", "Is the wound deep or gaping?"),
       ("深或裂开的伤口可能需要缝合，今天请医生看。", "A deep or gaping wound may need stitches: see a doctor today."),
       ("伤口需缝合：ESI 4。", "Laceration needing closure: ESI 4."), "ESI", symptom="minor_injury"),
    _d("animal_bite", 3, U, ("被动物（猫、狗等）咬伤或抓伤？", "Bitten or scratched by an animal (dog, cat ...)?"),
       ("动物咬伤需要及时处理并评估狂犬病疫苗。", "An animal bite needs prompt care and a rabies vaccine check."),
       ("动物致伤：狂犬病暴露后处置（时间敏感）。", "Animal injury: rabies post-exposure prophylaxis (time-sensitive)."),
       "SATS", symptom="animal_bite"),
    _d("limb_deformed", 2, E, ("手脚变形、明显弯曲？", "Does the limb look bent or out of shape?"),
       ("变形可能是骨折或脱位，需要去急诊。固定受伤部位，不要吃喝。",
        "A bent limb can be a fracture or dislocation: go to the emergency department. Keep it still; do not eat or drink."),
       ("畸形：骨折/脱位（SATS 橙）。", "Deformity: fracture/dislocation (SATS orange)."), "OTTAWA"),
    _d("cannot_bear_weight", 2, E, ("受伤的腿不能着地，或手臂不能动？", "Cannot put weight on the injured leg, or move the arm?"),
       ("受伤后不能负重或活动，可能骨折，需要去医院拍片。",
        "Not being able to bear weight or move it after an injury can be a fracture: you need an X-ray at a hospital."),
       ("不能负重/活动：需要 X 线（Ottawa）；老人髋部骨折待排。",
        "Unable to bear weight/use: X-ray (Ottawa rules); in older people exclude hip fracture."), "OTTAWA"),
    _d("big_bump_hurts", 4, U, ("受伤处肿了一个大包，一动就很痛？", "Big swelling where it was hit, very painful to move?"),
       ("明显肿痛今天请医生看，可能需要拍片。", "Marked swelling and pain: see a doctor today; an X-ray may be needed."),
       ("明显肿胀疼痛：评估 X 线指征。", "Marked swelling and pain: assess X-ray need."), "OTTAWA", symptom="minor_injury", asks="big_bump_hurts_to_move"),
    _d("fall_older", 3, U, ("摔了一跤？", "Had a fall?"),
       ("老人摔倒后需要医生评估原因和伤情。", "An older person who has fallen needs a doctor to check the cause and injuries."),
       ("老年跌倒：评估原因与损伤（BGS）。", "Fall in an older person: assess cause and injury (BGS)."), "GERI", ages=OLDER, asks="fall"),
    # --- urine, genitals, pregnancy ------------------------------------------------------------------------------
    _d("loin_pain_fever", 3, U, ("腰侧（肾区）痛？", "Pain in the side, below the ribs at the back?"),
       ("可能是肾盂肾炎，需要一小时内看医生。", "This can be a kidney infection: a doctor within the hour."),
       ("腰痛伴发热：疑似肾盂肾炎。", "Loin pain with fever: suspected pyelonephritis."), "URO", when=("feels_hot",), asks="loin_pain"),
    _d("cannot_pass_urine", 2, U, ("想尿却尿不出来？", "Cannot pass urine at all?"),
       ("尿不出来（尿潴留）需要尽快处理。", "Being unable to pass urine needs prompt care."),
       ("急性尿潴留。", "Acute urinary retention."), "URO", symptom="cannot_urinate"),
    _d("testicle_pain", 2, E, ("睾丸突然痛？", "Sudden pain in a testicle?"),
       ("睾丸突然痛可能是扭转，需要几小时内手术。", "Sudden testicle pain can be torsion, which needs surgery within hours."),
       ("急性睾丸痛：睾丸扭转待排（6小时内）。", "Acute testicular pain: exclude torsion (6 h)."), "URO",
       sex="male", symptom="testicular_pain", department="urology"),
    _d("blood_in_urine", 4, U, ("尿中带血？", "Blood in the urine?"),
       ("尿血今天请医生看看。", "Blood in the urine: see a doctor today."), ("血尿。", "Haematuria."), "URO",
       symptom="blood_in_urine"),
    _d("pregnancy_bleeding", 2, E, ("阴道出血？", "Any bleeding from the vagina?"),
       ("怀孕期间出血需要立即去医院。", "Bleeding in pregnancy needs a hospital check now."),
       ("妊娠期阴道出血：流产/异位/胎盘问题待排。", "Bleeding in pregnancy: miscarriage/ectopic/placental causes."),
       "NICE-PREG", pregnant=True, symptom="vaginal_bleeding", department="obstetrics", asks="vaginal_bleeding"),
    _d("baby_moving_less", 2, E, ("胎动比平时明显减少？", "Is the baby moving less than usual?"),
       ("胎动减少请立即联系产科或去医院。", "Reduced baby movements: contact the maternity unit or go to hospital now."),
       ("胎动减少：立即评估（RCOG GTG 57）。", "Reduced fetal movements: immediate assessment (RCOG GTG 57)."),
       "NICE-PREG", pregnant=True, department="obstetrics"),
    _d("waters_broken", 2, U, ("破水（阴道流出大量清水）？", "Have your waters broken (a gush of clear fluid)?"),
       ("破水请15分钟内联系医生，准备去医院。", "Waters breaking: a doctor within 15 minutes; get ready to go to hospital."),
       ("胎膜早破。", "Rupture of membranes."), "NICE-PREG", pregnant=True, department="obstetrics"),
    _d("pregnancy_headache_vision", 2, E, ("头痛并看东西模糊或有闪光？", "Headache with blurred vision or flashing lights?"),
       ("孕期头痛伴视物模糊可能是子痫前期。", "Headache with vision changes in pregnancy can be pre-eclampsia."),
       ("妊娠期头痛伴视觉症状：疑似重度子痫前期（NICE NG133）。",
        "Headache with visual symptoms in pregnancy: suspected severe pre-eclampsia (NICE NG133)."),
       "NICE-PREG", pregnant=True, symptom="headache", department="obstetrics"),
    _d("pregnancy_belly_pain", 2, U, ("肚子痛？", "Tummy pain?"),
       ("孕期腹痛15分钟内请医生评估；剧烈或出血请拨打120。",
        "Tummy pain in pregnancy: a doctor within 15 minutes; call 120 if severe or bleeding."),
       ("妊娠期腹痛。", "Abdominal pain in pregnancy."), "NICE-PREG", pregnant=True, symptom="abdominal_pain",
       department="obstetrics", asks="belly_pain"),
    _d("heavy_bleeding", 2, U, ("出血很多（1小时湿透一片卫生巾）？", "Heavy bleeding (soaking a pad an hour)?"),
       ("大量出血需要15分钟内看医生；头晕或晕倒请拨打120。",
        "Heavy bleeding needs a doctor within 15 minutes; call 120 if you feel faint."),
       ("大量阴道出血。", "Heavy vaginal bleeding."), "MTS", sex="female", symptom="vaginal_bleeding"),
    # --- back, joints ---------------------------------------------------------------------------------------------
    _d("numb_between_legs", 2, E, ("会阴部麻木，或大小便控制不住？", "Numb between the legs, or cannot control bladder or bowel?"),
       ("这可能是马尾综合征，需要急诊手术评估。", "This can be cauda equina syndrome, which needs emergency surgery."),
       ("马鞍区麻木/括约肌障碍：马尾综合征（NICE NG59）。", "Saddle anaesthesia/sphincter disturbance: cauda equina (NICE NG59)."),
       "CAUDA"),
    _d("back_pain_fall_older", 3, U, ("摔倒后腰背痛？", "Back pain after a fall?"),
       ("老人摔倒后腰背痛可能是骨折。", "Back pain after a fall in an older person can be a fracture."),
       ("老年跌倒后背痛：椎体骨折待排。", "Back pain after a fall in older age: exclude vertebral fracture."), "GERI",
       ages=OLDER, asks="fall"),
    _d("joint_hot_swollen", 3, U, ("一个关节又红又肿又热？", "Is one joint red, hot and swollen?"),
       ("关节红肿热痛需要一小时内看医生（感染或痛风）。", "A red, hot, swollen joint needs a doctor within the hour (infection or gout)."),
       ("急性单关节炎：化脓性关节炎待排。", "Acute monoarthritis: exclude septic arthritis."), "MTS", symptom="joint_pain"),
    # --- ENT, eyes, teeth --------------------------------------------------------------------------------------------
    _d("cannot_swallow", 2, E, ("咽不下口水、流口水？", "Cannot swallow saliva, drooling?"),
       ("咽不下口水可能是喉部严重感染，会堵塞气道。", "Being unable to swallow saliva can be a throat infection that blocks the airway."),
       ("流涎/吞咽不能：会厌炎/扁桃体周脓肿。", "Drooling/unable to swallow: epiglottitis/quinsy."), "ENT"),
    _d("sore_throat_fever", 4, U, ("同时发烧？", "Fever as well?"),
       ("咽痛伴发烧，今天请医生看看是否需要治疗。", "Sore throat with fever: see a doctor today about treatment."),
       ("咽痛伴发热（Centor/FeverPAIN）。", "Sore throat with fever (Centor/FeverPAIN)."), "ENT", symptom="fever", asks="feels_hot"),
    _d("swelling_behind_ear", 2, E, ("耳朵后面红肿、按压痛？", "Tender swelling behind the ear?"),
       ("耳后肿痛可能是乳突炎，需要去医院。", "Tender swelling behind the ear can be mastoiditis: go to hospital."),
       ("耳后压痛肿胀：乳突炎（IMCI）。", "Tender swelling behind the ear: mastoiditis (IMCI)."), "IMCI"),
    _d("ear_discharge", 4, U, ("耳朵流脓或流水？", "Pus or fluid coming from the ear?"),
       ("耳朵流脓需要医生今天看。", "Pus from the ear: see a doctor today."),
       ("耳溢液：急性中耳炎（IMCI）。", "Ear discharge: acute ear infection (IMCI)."), "IMCI", symptom="ear_pain"),
    _d("hearing_loss", 3, U, ("突然听不见？", "Sudden loss of hearing?"),
       ("突发耳聋需要尽快治疗。", "Sudden hearing loss needs prompt treatment."),
       ("突发性感音神经性聋。", "Sudden sensorineural hearing loss."), "ENT", symptom="hearing_loss"),
    _d("nosebleed_thinners", 3, U, ("在吃抗凝药或阿司匹林？", "Taking blood thinners or aspirin?"),
       ("吃抗凝药时流鼻血，需要医生评估。", "A nosebleed on blood thinners needs a doctor."),
       ("抗凝/抗血小板治疗下鼻出血。", "Epistaxis on anticoagulant/antiplatelet."), "ENT", asks="blood_thinners"),
    _d("face_swelling", 3, U, ("脸颊或下巴肿？", "Swollen cheek or jaw?"),
       ("脸肿可能是牙源性脓肿，需要一小时内看医生。", "A swollen face can be a dental abscess: a doctor within the hour."),
       ("面部肿胀：牙源性感染扩散待排。", "Facial swelling: exclude spreading dental infection."), "ENT"),
    _d("eye_pain", 3, U, ("眼睛很痛？", "Is the eye painful?"),
       ("眼痛需要一小时内看医生。", "A painful eye needs a doctor within the hour."),
       ("眼痛：急性青光眼/角膜炎待排。", "Eye pain: exclude acute glaucoma/keratitis."), "EYE", symptom="eye_pain"),
    _d("eye_injury_chemical", 2, E, ("有化学品溅入或东西扎进眼睛？", "Chemical splash, or something stuck in the eye?"),
       ("先用清水冲洗15分钟，然后去急诊。", "Rinse with clean water for 15 minutes, then go to the emergency department."),
       ("化学性/穿通性眼外伤。", "Chemical or penetrating eye injury."), "EYE"),
    # --- mind, poisoning, admin -------------------------------------------------------------------------------------------
    _d("suicidal", 2, E, ("有不想活或伤害自己的想法？", "Thoughts of ending your life or harming yourself?"),
       ("您并不孤单。现在有危险请拨打120；也可以随时拨打心理援助热线12356。",
        "You are not alone. If you are in danger now call 120, or call the psychological assistance line 12356 any time."),
       ("自杀意念/自伤：紧急风险评估（mhGAP）。", "Suicidal ideation/self-harm: urgent risk assessment (mhGAP)."), "CRISIS",
       symptom="suicidal_thoughts", department="psychology"),
    _d("took_overdose", 2, E, ("吃了过量的药，或误服了有毒的东西？", "Took too many tablets, or swallowed something poisonous?"),
       ("过量服药或中毒即使现在没有不适也可能很危险，请带上药盒去急诊。",
        "An overdose or poisoning can be dangerous even if you feel fine now: go to the emergency department with the packet."),
       ("药物过量/中毒：SATS 橙。", "Overdose/poisoning: SATS orange."), "TOX"),
    _d("low_mood", 4, U, ("情绪低落两周以上？", "Low mood for two weeks or more?"),
       ("持续情绪低落，医生可以帮助您。", "A doctor can help with low mood that has lasted."),
       ("持续抑郁情绪（PHQ-2 阳性待评估）。", "Persistent low mood (screen positive)."), "CRISIS", symptom="low_mood"),
    _d("emergency_contraception", 4, U, ("需要紧急避孕（72小时内无保护性生活）？", "Need emergency contraception (unprotected sex in the last 72 hours)?"),
       ("紧急避孕越早越有效，今天请医生看。", "Emergency contraception works best early: see a doctor today."),
       ("紧急避孕：时间敏感。", "Emergency contraception: time-sensitive."), "TEL", sex="female",
       symptom="contraception_question", department="obstetrics"),
)

DISCRIMINATORS: dict[str, Discriminator] = {d.id: d for d in DISCRIMINATORS_LIST}

# Asked in every chart, most dangerous first (MTS general discriminators): life threat and shock.
GENERAL = ("unresponsive", "life_threat", "new_confusion", "hard_to_wake", "seizure", "worst_pain")
# In children the IMCI danger signs replace the adult conscious-level questions.
GENERAL_CHILD = ("child_danger_signs",)


def _c(code, label, synonyms_zh, synonyms_en, department, discriminators, home_care, default_level, source,
       advice=None, safety_net=None, **kw) -> Chart:
    return Chart(code, _t(*label), {"zh": tuple(synonyms_zh.split()), "en": tuple(s.strip() for s in synonyms_en.split(","))},
                 department, tuple(discriminators.split()), home_care, default_level, source,
                 advice={"zh": tuple(advice[0]), "en": tuple(advice[1])} if advice else {},
                 safety_net={"zh": tuple(safety_net[0]), "en": tuple(safety_net[1])} if safety_net else {}, **kw)


_FLUIDS = (["休息，多喝水，少量多次。"], ["Rest and drink plenty of fluids, little and often."])
_FEVER_MED = (["发烧或疼痛可按说明使用对乙酰氨基酚或布洛芬（儿童按体重）。"],
              ["For fever or pain, paracetamol or ibuprofen as the packet says (children: by weight)."])


def _adv(*parts: tuple[list[str], list[str]]) -> tuple[list[str], list[str]]:
    return [s for p in parts for s in p[0]], [s for p in parts for s in p[1]]


_NET_BREATH = (["呼吸困难、嘴唇发青或叫不醒"], ["breathing becomes hard, lips turn blue, or hard to wake"])
_NET_CHILD = (["孩子不能喝水吃奶、尿很少，或软绵绵", "出现压不褪色的皮疹"],
              ["the child cannot drink or feed, passes little urine, or is floppy", "a rash that does not fade under a glass"])


def _net(*parts: tuple[list[str], list[str]]) -> tuple[list[str], list[str]]:
    return [s for p in parts for s in p[0]], [s for p in parts for s in p[1]]


CHARTS_LIST: tuple[Chart, ...] = (
    _c("collapse", ("昏倒、叫不醒", "Collapsed or not responding"), "昏倒 晕倒 叫不醒 不省人事 没反应 昏迷 昏厥 抽筋 抽搐 惊厥 癫痫 发羊吊",
       "collapsed, unconscious, not responding, passed out, fainted, fit, seizure, convulsion", "internal",
       "unresponsive seizure new_confusion child_danger_signs fainted", False, 2, "MTS",
       symptom="fainting"),
    _c("chest_pain", ("胸痛、胸闷", "Chest pain or tightness"), "胸痛 胸闷 心口痛 胸口痛 心口闷 胸口闷 心绞痛",
       "chest pain, chest tightness, heart pain, angina, pressure in chest", "internal",
       "chest_pain_spreads sweaty_sick breathless fainted palpitations coughing_blood blister_band", False, 2,
       "ESC-ACS", symptom="chest_pain"),
    _c("breathing", ("呼吸困难、气喘", "Difficulty breathing"), "气喘 喘不上气 呼吸困难 气短 气促 哮喘 喘 憋气 透不过气",
       "shortness of breath, breathless, difficulty breathing, asthma, wheezing, can't breathe", "internal",
       "chest_sucks_in noisy_breathing reliever_not_helping wheeze breathless fast_breathing coughing_blood "
       "one_leg_swollen clot_breathless palpitations much_weaker", False, 3, "BTS-ASTHMA", implies=("breathless",)),
    _c("cough", ("咳嗽", "Cough"), "咳嗽 咳 干咳 咳痰 有痰", "cough, coughing, phlegm, chesty cough", "internal",
       "chest_sucks_in noisy_breathing reliever_not_helping coughing_blood wheeze breathless fast_breathing "
       "cough_fever much_weaker sepsis_older", True, 4, "IMCI", self_care_max_days=14, symptom="cough",
       advice=_adv(_FLUIDS, (["蜂蜜温水可缓解咳嗽（1岁以下不能吃蜂蜜）。"], ["Honey in warm water can soothe a cough (no honey under 1 year)."])),
       safety_net=_net(_NET_BREATH, (["咳血", "咳嗽超过3周"], ["you cough up blood", "the cough lasts more than 3 weeks"])), implies=("cough",)),
    _c("cold_flu", ("感冒、流鼻涕", "Cold or flu"), "感冒 流鼻涕 鼻塞 伤风 打喷嚏 流感 着凉 伤风感冒",
       "cold, flu, runny nose, blocked nose, sneezing, common cold", "ent",
       "chest_sucks_in noisy_breathing breathless fast_breathing wheeze much_weaker sepsis_older", True, 5, "NHS",
       self_care_max_days=10, symptom="runny_nose",
       advice=_adv(_FLUIDS, _FEVER_MED, (["用生理盐水洗鼻可缓解鼻塞。"], ["Saline nose rinses can ease a blocked nose."])),
       safety_net=_net(_NET_BREATH, (["高烧超过3天", "10天仍未好转"], ["high fever for more than 3 days",
                                                                  "not better after 10 days"])), implies=("runny_nose",)),
    _c("sore_throat", ("喉咙痛", "Sore throat"), "喉咙痛 咽痛 喉咙疼 嗓子痛 嗓子疼 喉咙发炎 扁桃体",
       "sore throat, throat pain, tonsils, painful swallowing", "ent",
       "cannot_swallow noisy_breathing breathless sore_throat_fever child_drinking_less", True, 5, "ENT",
       self_care_max_days=7, symptom="sore_throat",
       advice=_adv(_FLUIDS, _FEVER_MED, (["温盐水漱口，吃软食。"], ["Gargle with warm salty water; eat soft food."])),
       safety_net=_net((["咽不下口水或流口水", "呼吸有响声或困难", "一侧喉咙肿得很厉害"],
                        ["you cannot swallow saliva or are drooling", "breathing is noisy or hard",
                         "one side of the throat swells badly"])), implies=("sore_throat",)),
    _c("fever", ("发烧、发冷", "Fever or chills"), "发烧 发热 发冷 体温高 高烧 低烧 寒战 打冷颤 烧 身上烫",
       "fever, high temperature, chills, shivering, hot, feverish", "internal",
       "rash_not_fading stiff_neck chest_sucks_in fast_breathing malaria_travel_year "
       "much_weaker sepsis_older no_urine_12h child_drinking_less shivering", True, 4, "NICE-FEVER",
       self_care_max_days=3, symptom="fever",
       advice=_adv(_FLUIDS, _FEVER_MED, (["穿着适中，不要捂汗。"], ["Dress normally; do not bundle up."])),
       safety_net=_net(_NET_CHILD, _NET_BREATH, (["发烧超过3天（儿童5天）"], ["fever for more than 3 days (children 5)"])), implies=("feels_hot",)),
    _c("abdominal_pain", ("肚子痛", "Tummy (abdominal) pain"), "肚子痛 肚痛 腹痛 胃痛 肚疼 肚子疼 胃疼 腹部痛 小腹痛 肚仔痛",
       "tummy ache, stomach ache, abdominal pain, belly pain, stomach pain, tummy pain", "internal",
       "fainted_belly gi_bleed acute_abdomen possibly_pregnant sweaty_sick_older "
       "pregnancy_belly_pain belly_pain_right_lower vomits_everything", True, 4, "MTS", self_care_max_days=2, symptom="abdominal_pain",
       advice=_adv(_FLUIDS, (["少量清淡饮食。", "可用热水袋敷肚子。"], ["Eat small, plain meals.", "A warm pad on the tummy can help."])),
       safety_net=_net((["疼痛加重或变得持续", "痛转移到右下腹", "吐血或黑便", "发烧"],
                        ["the pain gets worse or becomes constant", "the pain moves to the lower right",
                         "you vomit blood or pass black stools", "a fever starts"])), implies=("belly_pain",)),
    _c("vomiting", ("呕吐", "Vomiting"), "呕吐 吐 想吐 恶心 反胃 呕",
       "vomiting, being sick, throwing up, nausea", "internal",
       "gi_bleed head_injury_vomiting worst_headache stiff_neck acute_abdomen diabetes_sugar_high "
       "no_urine_12h sunken_eyes vomits_everything", True, 4, "NHS", self_care_max_days=2,
       symptom="vomiting",
       advice=_adv(_FLUIDS, (["呕吐后先小口喝口服补液盐。"], ["After vomiting, sip oral rehydration solution."])),
       safety_net=_net(_NET_CHILD, (["吐血或咖啡样物", "12小时没有小便", "剧烈头痛或肚子痛"],
                                    ["you vomit blood or coffee-ground material", "no urine for 12 hours",
                                     "a severe headache or tummy pain"])), implies=("vomiting",)),
    _c("diarrhoea", ("拉肚子", "Diarrhoea"), "拉肚子 腹泻 屙肚 拉稀 肚屙 泻肚 水样便 屙肚仔",
       "diarrhoea, diarrhea, loose stools, runny poo, the runs", "internal",
       "no_urine_12h acute_abdomen sunken_eyes blood_in_diarrhoea feels_hot_diarrhoea vomits_everything",
       True, 4, "IMCI", self_care_max_days=7, symptom="diarrhea",
       advice=_adv(_FLUIDS, (["喝口服补液盐（ORS），继续正常饮食。", "勤洗手，避免传染家人。"],
                             ["Drink oral rehydration solution (ORS) and keep eating normally.",
                              "Wash hands often so others do not catch it."])),
       safety_net=_net(_NET_CHILD, (["大便带血或发黑", "超过7天"], ["blood in the stool or black stool", "lasting more than 7 days"])), implies=("diarrhoea",)),
    _c("headache", ("头痛", "Headache"), "头痛 头疼 偏头痛 头好痛 头晕头痛",
       "headache, migraine, head pain", "internal",
       "worst_headache face_droop arm_weak speech_trouble vision_loss stiff_neck rash_not_fading "
       "pregnancy_headache_vision head_injury head_injury_thinners head_injury_vomiting headache_vomiting", True, 4,
       "MTS", self_care_max_days=3, symptom="headache",
       advice=_adv(_FLUIDS, _FEVER_MED, (["在安静、光线暗的房间休息。"], ["Rest in a quiet, dark room."])),
       safety_net=_net((["突然剧烈头痛", "脸歪、手脚无力或说话不清", "发烧伴颈部僵硬", "头痛越来越重"],
                        ["a sudden, severe headache", "face drooping, weakness or slurred speech",
                         "fever with a stiff neck", "the headache keeps getting worse"])), implies=("headache",)),
    _c("stroke_signs", ("脸歪、手脚无力、说话不清", "Face drooping, weakness, slurred speech"),
       "中风 脸歪 嘴歪 口角歪 手脚无力 说话不清 半边麻 偏瘫 脑梗 卒中 手麻",
       "stroke, face drooping, weakness, slurred speech, numbness, one side", "internal",
       "face_droop arm_weak speech_trouble one_side_numb vision_loss worst_headache", False, 3, "STROKE"),
    _c("dizziness", ("头晕、晕倒", "Dizziness or fainting"), "头晕 晕 眩晕 晕倒 眼前发黑 天旋地转 站不稳",
       "dizzy, dizziness, faint, fainting, vertigo, lightheaded", "internal",
       "face_droop arm_weak speech_trouble palpitations fainted gi_bleed breathless much_weaker dizzy", False, 4,
       "MTS", symptom="dizziness"),
    _c("unwell_older", ("没精神、全身无力", "Weak, unwell, not themselves"),
       "没力气 没精神 虚弱 全身无力 不舒服 乏力 精神差 起不来 食欲差 不对劲 糊涂 说胡话 神志不清 认不出人",
       "weak, tired, unwell, not themselves, off legs, no energy, generally unwell, confused", "internal",
       "sweaty_sick_older much_weaker sepsis_older breathless fainted not_eating_drinking no_urine_12h", False, 4, "GERI",
       symptom="fatigue"),
    _c("palpitations", ("心慌、心跳快", "Palpitations"), "心慌 心跳快 心悸 心跳乱 心跳不齐 心扑扑跳",
       "palpitations, racing heart, heart fluttering, irregular heartbeat", "internal",
       "sweaty_sick fainted breathless palpitations", False, 3, "MTS", symptom="palpitations", implies=("palpitations",)),
    _c("leg_swelling", ("腿肿、小腿痛", "Swollen or painful leg"), "腿肿 小腿痛 脚肿 腿痛 脚踝肿 腿胀",
       "swollen leg, calf pain, leg pain, ankle swelling", "internal",
       "clot_breathless clot_risk one_leg_swollen breathless both_legs_swollen", False, 4, "NICE-VTE", implies=("leg_problem",)),
    _c("back_pain", ("腰背痛", "Back pain"), "腰痛 背痛 腰疼 背疼 腰酸 闪腰 腰背痛",
       "back pain, backache, lower back pain, sciatica", "orthopedics",
       "numb_between_legs loin_pain_fever back_pain_fall_older", True, 4, "CAUDA", self_care_max_days=14,
       symptom="back_pain",
       advice=_adv((["保持活动，避免长时间卧床。", "热敷，必要时用止痛药。"],
                    ["Keep moving; avoid long bed rest.", "Use heat and, if needed, painkillers."])),
       safety_net=_net((["会阴部麻木或大小便失控", "双腿无力", "发烧"],
                        ["numbness between the legs or loss of bladder/bowel control", "weakness in both legs", "a fever"])), implies=("back_pain",)),
    _c("urinary", ("尿痛、尿频", "Pain or burning passing urine"), "尿痛 尿频 尿急 小便痛 尿道炎 尿路感染 小便烧 解小便痛",
       "painful urination, burning urine, cystitis, UTI, passing urine often", "internal",
       "cannot_pass_urine testicle_pain loin_pain_fever much_weaker sepsis_older blood_in_urine", False, 4, "URO",
       symptom="urinary_pain", implies=("pain_passing_urine",)),
    _c("testicle", ("睾丸痛", "Testicle pain"), "睾丸痛 蛋痛 阴囊痛 下面痛", "testicle pain, testicular pain, scrotum pain",
       "urology", "testicle_pain", False, 3, "URO", symptom="testicular_pain", implies=("testicle_pain",)),
    _c("pregnancy", ("怀孕期间不适", "A problem in pregnancy"), "怀孕 孕期 孕妇 胎动 破水 见红 怀孕出血 孕吐",
       "pregnant, pregnancy, baby moving less, waters broken, bleeding in pregnancy", "obstetrics",
       "pregnancy_bleeding baby_moving_less pregnancy_headache_vision waters_broken pregnancy_belly_pain", False, 4,
       "NICE-PREG", symptom="pregnancy_question"),
    _c("womens_health", ("月经、阴道出血、白带", "Periods, vaginal bleeding or discharge"),
       "月经 阴道出血 白带 痛经 月经不调 下面出血 经期", "period, vaginal bleeding, discharge, period pain", "obstetrics",
       "pregnancy_bleeding fainted_belly heavy_bleeding possibly_pregnant emergency_contraception", False, 5, "NICE-PREG"),
    _c("rash", ("皮疹、皮肤痒", "Rash or itchy skin"), "皮疹 出疹子 起疹子 疹子 风团 荨麻疹 皮肤痒 痒 红疹 水疱 湿疹 带状疱疹 生蛇 红肿 皮肤红",
       "rash, spots, hives, itchy skin, itch, blisters, eczema, shingles", "dermatology",
       "rash_not_fading lips_tongue_swelling allergy_breathing rash_fever skin_red_hot_spreading blister_band "
       "hives_widespread", True, 5, "DERM", symptom="rash", self_care_max_days=14,
       advice=_adv((["避免抓挠，用温和的保湿霜。", "可咨询药师使用抗组胺药。"],
                    ["Avoid scratching; use a plain moisturiser.", "Ask a pharmacist about an antihistamine."])),
       safety_net=_net((["皮疹压不褪色", "嘴唇或舌头肿、呼吸困难", "发烧"],
                        ["the rash does not fade under a glass", "lips or tongue swell, or breathing is hard",
                         "a fever starts"])), implies=("rash",)),
    _c("allergy_sting", ("过敏、被蜇咬", "Allergic reaction, sting or insect bite"),
       "过敏 被蜇 蜜蜂蜇 黄蜂 虫咬 蚊子咬 过敏反应 被虫咬",
       "allergy, allergic reaction, sting, bee sting, wasp, insect bite", "internal",
       "allergy_breathing allergy_faint lips_tongue_swelling hives_widespread", True, 5, "WAO",
       self_care_max_days=3,
       advice=_adv((["刮掉蜂刺，冷敷。", "可咨询药师使用抗组胺药。"],
                    ["Scrape out any sting; use a cold pack.", "Ask a pharmacist about an antihistamine."])),
       safety_net=_net((["嘴唇、舌头或喉咙肿", "呼吸困难、喘鸣", "头晕要晕倒"],
                        ["lips, tongue or throat swell", "breathing is hard or wheezy", "you feel faint"])), implies=("insect_sting",)),
    _c("burn", ("烧伤、烫伤", "Burn or scald"), "烫伤 烧伤 烫到 开水烫 烫 火烧", "burn, scald, burnt",
       "surgery", "burn_airway burn_large", True, 5, "BURNS", symptom="burn",
       advice=_adv((["立即用流动冷水冲20分钟。", "用保鲜膜或干净纱布轻轻覆盖，不要涂牙膏或酱油。"],
                    ["Cool under running water for 20 minutes now.",
                     "Cover loosely with cling film or a clean dressing; no toothpaste or creams."])),
       safety_net=_net((["烫伤处化脓、红肿扩大或发烧", "水疱比手掌大"],
                        ["the burn oozes pus, redness spreads or a fever starts", "blisters grow bigger than the palm"])), implies=("burn",)),
    _c("wound", ("割伤、伤口、咬伤", "Cut, wound or bite"), "割伤 伤口 擦伤 划伤 刀伤 破皮 流血 咬伤 被狗咬 被猫抓",
       "cut, wound, graze, bleeding, laceration, dog bite, cat scratch", "surgery",
       "animal_bite cut_gaping", True, 5, "ESI", symptom="minor_injury",
       advice=_adv((["用清水冲洗伤口，按压止血，盖上干净敷料。"], ["Rinse with clean water, press to stop bleeding, cover with a clean dressing."])),
       safety_net=_net((["伤口红肿、化脓或发烧", "血止不住"], ["the wound becomes red, swollen, oozes pus, or you get a fever",
                                                    "the bleeding will not stop"])), implies=("cut",)),
    _c("limb_injury", ("扭伤、摔伤、手脚受伤", "Sprain or injured arm or leg"),
       "扭伤 摔伤 骨折 手臂受伤 脚踝痛 崴脚 扭到 脚扭了 手受伤 膝盖痛 脱臼",
       "sprain, twisted ankle, injured arm, injured leg, fracture, broken bone, knee injury", "orthopedics",
       "limb_deformed cannot_bear_weight big_bump_hurts fall_older", True, 5, "OTTAWA", symptom="minor_injury",
       advice=_adv((["休息、冷敷（每次20分钟）、加压包扎、抬高。"], ["Rest, ice (20 minutes at a time), compress and raise it."])),
       safety_net=_net((["不能负重或活动", "手指脚趾发麻、发白"], ["you cannot bear weight or move it",
                                                       "fingers or toes go numb or pale"]))),
    _c("fall_head", ("摔倒、撞到头", "A fall or head injury"), "摔倒 跌倒 撞到头 头部受伤 撞头 摔跤 跌伤 磕到头",
       "fall, fell, hit head, head injury, bumped head", "surgery",
       "head_injury_thinners head_injury_vomiting cannot_bear_weight limb_deformed head_injury fall_older much_weaker",
       True, 4, "NICE-HI", self_care_max_days=2,
       advice=_adv((["冷敷肿包，24小时内有人陪伴。"], ["Put a cold pack on any bump; have someone with you for 24 hours."])),
       safety_net=_net((["呕吐、嗜睡或糊涂", "剧烈头痛", "抽搐"], ["vomiting, drowsiness or confusion", "a severe headache",
                                                         "a fit"])), implies=("fall",)),
    _c("eye", ("眼睛红、痛、看不清", "Eye problem"), "眼红 眼痛 看不清 眼睛痛 眼睛红 眼屎多 红眼病 眼睛进东西 视力模糊",
       "red eye, eye pain, blurred vision, sticky eye, conjunctivitis, something in the eye", "ophthalmology",
       "eye_injury_chemical vision_loss eye_pain", True, 5, "EYE", symptom="red_eye",
       advice=_adv((["用干净的湿棉签清洁眼屎，勤洗手，不共用毛巾。"],
                    ["Clean away discharge with clean wet cotton; wash hands; do not share towels."])),
       safety_net=_net((["眼睛痛", "看东西模糊", "怕光"], ["the eye becomes painful", "your vision blurs", "light hurts"])), implies=("eye_problem",)),
    _c("ear", ("耳朵痛", "Earache"), "耳朵痛 耳痛 耳朵流脓 耳朵疼 中耳炎 听不见", "earache, ear pain, ear infection, ear discharge",
       "ent", "swelling_behind_ear hearing_loss ear_discharge", True, 5, "IMCI", self_care_max_days=3, symptom="ear_pain",
       advice=_adv(_FEVER_MED), safety_net=_net((["耳后红肿", "耳朵流脓", "高烧"], ["swelling behind the ear", "pus from the ear",
                                                                               "a high fever"])), implies=("ear_pain",)),
    _c("nosebleed", ("流鼻血", "Nosebleed"), "流鼻血 鼻出血 鼻子出血", "nosebleed, bleeding nose", "ent",
       "nosebleed_thinners", True, 5, "NHS", symptom="nosebleed",
       advice=_adv((["坐直身体前倾，捏住鼻子软的部分10-15分钟，用嘴呼吸。"],
                    ["Sit up, lean forward, pinch the soft part of the nose for 10-15 minutes, breathe through the mouth."])),
       safety_net=_net((["按压15分钟仍出血", "头晕"], ["it still bleeds after 15 minutes of pressure", "you feel faint"])), implies=("nosebleed",)),
    _c("toothache", ("牙痛", "Toothache"), "牙痛 牙疼 牙龈肿 智齿 牙肉痛", "toothache, tooth pain, gum swelling", "stomatology",
       "cannot_swallow face_swelling", False, 5, "ENT", symptom="toothache"),
    _c("mouth_ulcer", ("口腔溃疡", "Mouth ulcer"), "口腔溃疡 嘴巴溃疡 口疮 嘴里长泡 热气", "mouth ulcer, canker sore",
       "stomatology", "cannot_swallow", True, 5, "NHS", self_care_max_days=21, symptom="mouth_ulcer",
       advice=_adv((["避免辛辣刺激食物，用软牙刷。"], ["Avoid spicy food; use a soft toothbrush."])),
       safety_net=_net((["超过3周不好", "溃疡越来越多"], ["not healed after 3 weeks", "more and more ulcers"]))),
    _c("heartburn", ("烧心、反酸、胃胀", "Heartburn or indigestion"), "烧心 反酸 胃胀 消化不良 胃灼热 心口烧 嗳气",
       "heartburn, indigestion, acid reflux, bloating", "internal",
       "sweaty_sick_older gi_bleed", True, 5, "NHS", self_care_max_days=21, symptom="heartburn",
       advice=_adv((["少吃多餐，睡前3小时不进食，可咨询药师用抗酸药。"],
                    ["Eat smaller meals, nothing for 3 hours before bed; ask a pharmacist about antacids."])),
       safety_net=_net((["胸痛、出汗或气短", "吐血或黑便", "吞咽困难或体重下降"],
                        ["chest pain, sweating or breathlessness", "you vomit blood or pass black stools",
                         "swallowing becomes hard or you lose weight"])), implies=("heartburn",)),
    _c("bowel", ("便秘、大便带血", "Constipation or blood on the stool"), "便秘 大便带血 解不出大便 大便黑 黑便 痔疮 便血 大便干",
       "constipation, blood on stool, black stool, piles, haemorrhoids", "internal",
       "gi_bleed acute_abdomen blood_in_diarrhoea constipation_vomiting", True, 5, "NHS", self_care_max_days=14,
       symptom="constipation",
       advice=_adv(_FLUIDS, (["多吃蔬菜水果和粗粮。", "硬便后纸上几丝鲜血多为肛裂或痔疮。"],
                             ["Eat more fruit, vegetables and fibre.",
                              "A few streaks of bright blood after a hard stool are usually a small tear or piles."])),
       safety_net=_net((["大便发黑或大量出血", "肚子胀痛并呕吐", "体重下降"],
                        ["black stools or a lot of blood", "a swollen, painful tummy with vomiting", "weight loss"])), implies=("constipation",)),
    _c("mental_health", ("情绪、焦虑、失眠", "Mood, anxiety or sleep"), "情绪低落 焦虑 失眠 想死 不想活 抑郁 紧张 心情不好 睡不着",
       "low mood, depression, anxiety, can't sleep, suicidal, stress", "psychology",
       "suicidal took_overdose low_mood", False, 5, "CRISIS"),
    _c("poisoning", ("吃错药、中毒", "Overdose or poisoning"), "吃错药 吃多了药 中毒 误服 农药 过量 吃了药",
       "overdose, poisoning, swallowed, too many tablets, took pills", "internal",
       "took_overdose suicidal", False, 2, "TOX"),
    _c("joint_pain", ("关节痛", "Joint pain"), "关节痛 膝盖痛 痛风 关节肿 手指痛 肩膀痛", "joint pain, knee pain, gout, swollen joint",
       "orthopedics", "joint_hot_swollen", True, 5, "MTS", self_care_max_days=14, symptom="joint_pain",
       advice=_adv((["休息，冷敷或热敷，必要时用止痛药。"], ["Rest, use cold or heat, and painkillers if needed."])),
       safety_net=_net((["关节红肿热痛", "发烧"], ["the joint becomes red, hot and swollen", "a fever starts"]))),
    _c("baby_unwell", ("宝宝不舒服", "Baby or young child unwell"), "宝宝 婴儿 孩子不舒服 吃奶少 哭闹 小孩不舒服 不吃奶",
       "baby unwell, not feeding, crying baby, child unwell, toddler", "pediatrics",
       "chest_sucks_in rash_not_fading no_urine_12h crying_inconsolable feels_hot_child child_drinking_less", False, 4,
       "IMCI", ages=UNDER5),
    _c("prescription", ("开药、复诊、咨询", "Repeat prescription, follow-up or advice"),
       "开药 续药 复诊 配药 拿药 检查结果 用药咨询 避孕 看报告",
       "repeat prescription, refill, follow-up, test results, medicine question, contraception", "internal",
       "emergency_contraception", False, 5, "TEL", symptom="repeat_prescription"),
)

CHARTS: dict[str, Chart] = {c.code: c for c in CHARTS_LIST}


# Wording of questions that are asked only as the first half of a combination (`when`), or whose
# discriminators word them for one context; otherwise a question reads as its first discriminator.
QUESTION_TEXT: dict[str, dict[str, str]] = {
    "feels_hot": _t("感觉发烧吗？", "Do you feel feverish (hot)?"),
    "vomiting": _t("有呕吐吗？", "Any vomiting?"),
    "fall": _t("摔了一跤吗？", "Was there a fall?"),
    "breathless": _t("比平时更喘、气不够用？", "More short of breath than usual?"),
    "fainted": _t("晕倒过或差点晕倒？", "Fainted or nearly fainted?"),
    "sweaty_sick": _t("同时出冷汗或恶心？", "Cold sweat or feeling sick with it?"),
    "shivering": _t("发冷、打寒战？", "Feeling cold or shivering?"),
    "blood_thinners": _t("在吃抗凝药（华法林、利伐沙班等）或阿司匹林？",
                          "Taking blood thinners (warfarin, rivaroxaban ...) or aspirin?"),
    "vomits_everything": _t("吃什么吐什么，连水都喝不进？", "Vomits everything, cannot keep even water down?"),
}
