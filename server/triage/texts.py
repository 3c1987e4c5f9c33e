"""Labels and wording for the triage engine: symptoms, chronic conditions, departments, findings.

Pure data, in Chinese and English, kept apart from the rules (`red_flags.py`, `vitals.py`, `decision.py`) so a reviewer
can read the clinical logic without the phrase book and a translator can work on this file alone.
Texts with `{placeholders}` are filled in by `findings.make_finding`.
"""
from __future__ import annotations

# (code, zh, en). The order is the order a form shows them in.
SYMPTOM_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("general", "全身症状", "General"),
    ("respiratory", "呼吸道（鼻、咽、肺）", "Breathing, nose and throat"),
    ("heart", "心脏与循环", "Heart and circulation"),
    ("neuro", "头部与神经", "Head and nerves"),
    ("digestive", "消化", "Stomach and bowels"),
    ("injury", "出血与外伤", "Bleeding and injuries"),
    ("skin", "皮肤与过敏", "Skin and allergy"),
    ("urinary", "泌尿与生殖", "Urine and genitals"),
    ("musculoskeletal", "骨骼与肌肉", "Bones, joints and muscles"),
    ("ent_dental", "耳、鼻与口腔", "Ear, nose, mouth and teeth"),
    ("eye", "眼", "Eyes"),
    ("womens_health", "妇产", "Women's health and pregnancy"),
    ("children", "婴幼儿", "Babies and young children"),
    ("mental_health", "心理", "Mood and mental health"),
    ("followup", "复诊与用药", "Follow-up and prescriptions"),
)

# (code, group, zh, en). Every code listed in API.md must stay here in every version.
SYMPTOMS: tuple[tuple[str, str, str, str], ...] = (
    ("fever", "general", "发热", "Fever"),
    ("chills", "general", "寒战或发冷", "Chills or shivering"),
    ("fatigue", "general", "乏力", "Tiredness or weakness"),
    ("sweating", "general", "大汗或出冷汗", "Sweating or cold sweat"),
    ("weight_loss", "general", "不明原因体重下降", "Unexplained weight loss"),
    ("dizziness", "general", "头晕", "Dizziness"),
    ("fainting", "general", "晕厥（昏倒）", "Fainting or passing out"),
    ("cough", "respiratory", "咳嗽", "Cough"),
    ("sore_throat", "respiratory", "咽痛", "Sore throat"),
    ("runny_nose", "respiratory", "流鼻涕", "Runny nose"),
    ("nasal_congestion", "respiratory", "鼻塞", "Blocked nose"),
    ("loss_of_smell_taste", "respiratory", "嗅觉或味觉丧失", "Loss of smell or taste"),
    ("shortness_of_breath", "respiratory", "气短", "Shortness of breath"),
    ("severe_breathing_difficulty", "respiratory", "严重呼吸困难（说不出完整的句子）",
     "Severe difficulty breathing (cannot speak in full sentences)"),
    ("wheezing", "respiratory", "喘息（呼吸有哮鸣音）", "Wheezing"),
    ("coughing_blood", "respiratory", "咯血", "Coughing up blood"),
    ("chest_pain", "heart", "胸痛或胸闷", "Chest pain or pressure"),
    ("palpitations", "heart", "心悸（心跳快或不规则）", "Palpitations (racing or irregular heartbeat)"),
    ("leg_swelling", "heart", "腿部肿胀", "Swollen leg"),
    ("headache", "neuro", "头痛", "Headache"),
    ("worst_headache", "neuro", "突发剧烈头痛（一生中最严重的头痛）", "Sudden, worst headache of your life"),
    ("face_droop", "neuro", "一侧面部歪斜（口角下垂）", "Face drooping on one side"),
    ("arm_weakness", "neuro", "一侧手臂无力", "Weakness in one arm"),
    ("speech_difficulty", "neuro", "说话含糊或说不出话", "Slurred or difficult speech"),
    ("one_sided_numbness", "neuro", "一侧肢体突然麻木", "Sudden numbness on one side of the body"),
    ("confusion", "neuro", "新出现的意识混乱", "New confusion"),
    ("seizure", "neuro", "抽搐（癫痫发作）", "Seizure (fit)"),
    ("stiff_neck", "neuro", "颈部僵硬（低头困难）", "Stiff neck (cannot bend the head forward)"),
    ("abdominal_pain", "digestive", "腹痛", "Abdominal (tummy) pain"),
    ("nausea", "digestive", "恶心", "Nausea"),
    ("vomiting", "digestive", "呕吐", "Vomiting"),
    ("diarrhea", "digestive", "腹泻", "Diarrhoea"),
    ("constipation", "digestive", "便秘", "Constipation"),
    ("heartburn", "digestive", "烧心或反酸", "Heartburn or acid reflux"),
    ("vomiting_blood", "digestive", "呕血", "Vomiting blood"),
    ("black_stool", "digestive", "黑便或便血", "Black or bloody stools"),
    ("jaundice", "digestive", "皮肤或眼白发黄", "Yellow skin or eyes"),
    ("severe_bleeding", "injury", "严重出血（止不住）", "Severe bleeding that will not stop"),
    ("minor_injury", "injury", "轻微外伤（擦伤、瘀青、扭伤）", "Minor injury (cut, bruise, sprain)"),
    ("burn", "injury", "烧伤或烫伤", "Burn or scald"),
    ("head_injury", "injury", "头部外伤", "Head injury"),
    ("animal_bite", "injury", "动物咬伤或抓伤", "Animal bite or scratch"),
    ("rash", "skin", "皮疹", "Rash"),
    ("itching", "skin", "皮肤瘙痒", "Itching"),
    ("lip_tongue_swelling", "skin", "嘴唇或舌头肿胀", "Swelling of the lips or tongue"),
    ("acne", "skin", "痤疮（青春痘）", "Acne (spots)"),
    ("urinary_pain", "urinary", "排尿疼痛", "Pain when passing urine"),
    ("frequent_urination", "urinary", "尿频", "Passing urine often"),
    ("blood_in_urine", "urinary", "尿中带血", "Blood in the urine"),
    ("cannot_urinate", "urinary", "无法排尿", "Unable to pass urine"),
    ("testicular_pain", "urinary", "睾丸突发疼痛", "Sudden pain in a testicle"),
    ("back_pain", "musculoskeletal", "腰背痛", "Back pain"),
    ("neck_pain", "musculoskeletal", "颈部疼痛", "Neck pain"),
    ("joint_pain", "musculoskeletal", "关节痛", "Joint pain"),
    ("muscle_pain", "musculoskeletal", "肌肉酸痛", "Muscle aches"),
    ("ear_pain", "ent_dental", "耳痛", "Earache"),
    ("hearing_loss", "ent_dental", "突发听力下降", "Sudden loss of hearing"),
    ("nosebleed", "ent_dental", "鼻出血", "Nosebleed"),
    ("toothache", "ent_dental", "牙痛", "Toothache"),
    ("mouth_ulcer", "ent_dental", "口腔溃疡", "Mouth ulcer"),
    ("eye_pain", "eye", "眼痛", "Eye pain"),
    ("red_eye", "eye", "眼红", "Red eye"),
    ("vision_loss", "eye", "突发视力下降或失明", "Sudden loss or dimming of vision"),
    ("vaginal_bleeding", "womens_health", "阴道出血（非正常月经）", "Vaginal bleeding (not a normal period)"),
    ("vaginal_discharge", "womens_health", "白带异常", "Unusual vaginal discharge"),
    ("menstrual_pain", "womens_health", "痛经", "Period pain"),
    ("missed_period", "womens_health", "月经推迟", "Missed or late period"),
    ("pregnancy_question", "womens_health", "孕期咨询", "Question about pregnancy or antenatal care"),
    ("contraception_question", "womens_health", "避孕咨询（含紧急避孕）",
     "Contraception question (including emergency contraception)"),
    ("breast_lump", "womens_health", "乳房肿块或疼痛", "Breast lump or pain"),
    ("poor_feeding", "children", "吃奶或进食明显减少", "Feeding or drinking much less than usual"),
    ("reduced_urine", "children", "尿量明显减少（尿布湿得少）", "Passing much less urine (fewer wet nappies)"),
    ("excessive_crying", "children", "持续哭闹、无法安抚", "Crying that cannot be settled"),
    ("anxiety", "mental_health", "焦虑或紧张", "Anxiety or worry"),
    ("low_mood", "mental_health", "情绪低落", "Low mood"),
    ("insomnia", "mental_health", "失眠", "Trouble sleeping"),
    ("suicidal_thoughts", "mental_health", "有自杀的念头", "Thoughts of suicide"),
    ("self_harm", "mental_health", "有自伤行为", "Self-harm"),
    ("chronic_followup", "followup", "慢性病复诊", "Follow-up of a long-term condition"),
    ("repeat_prescription", "followup", "复诊续方（开药）", "Repeat prescription"),
    ("test_results", "followup", "检查结果咨询", "Question about test results"),
    ("medication_question", "followup", "用药咨询", "Question about medicines"),
)

# (code, zh, en): exactly the API.md list.
CHRONIC_CONDITIONS: tuple[tuple[str, str, str], ...] = (
    ("hypertension", "高血压", "High blood pressure"),
    ("diabetes", "糖尿病", "Diabetes"),
    ("copd", "慢性阻塞性肺疾病（慢阻肺）", "COPD (chronic lung disease)"),
    ("asthma", "哮喘", "Asthma"),
    ("heart_disease", "心脏病", "Heart disease"),
    ("kidney_disease", "慢性肾病", "Chronic kidney disease"),
    ("immunosuppressed", "免疫力低下（如化疗、器官移植、长期使用激素）",
     "Weakened immune system (e.g. chemotherapy, transplant, long-term steroids)"),
)

FOR_WHOM_OPTIONS = (("self", "我自己", "Me"), ("child", "我的孩子", "My child"), ("parent", "我的父母", "My parent"),
                    ("other", "其他人", "Someone else"))
ANSWER_OPTIONS = (("yes", "是", "Yes"), ("no", "否", "No"), ("unsure", "不确定", "Not sure"))

# The departments the engine routes to; the server seeds them from `triage.DEPARTMENTS`.
DEPARTMENT_NAMES: dict[str, dict[str, str]] = {
    "internal": {"zh": "内科", "en": "Internal medicine"},
    "fever": {"zh": "发热门诊", "en": "Fever clinic"},
    "pediatrics": {"zh": "儿科", "en": "Pediatrics"},
    "dermatology": {"zh": "皮肤科", "en": "Dermatology"},
    "obstetrics": {"zh": "妇产科", "en": "Obstetrics and gynecology"},
    "psychology": {"zh": "心理科", "en": "Psychology and mental health"},
    "surgery": {"zh": "外科", "en": "Surgery"},
    "ent": {"zh": "耳鼻喉科", "en": "Ear, nose and throat (ENT)"},
    "ophthalmology": {"zh": "眼科", "en": "Ophthalmology (eyes)"},
    "orthopedics": {"zh": "骨科", "en": "Orthopedics"},
    "urology": {"zh": "泌尿外科", "en": "Urology"},
    "stomatology": {"zh": "口腔科", "en": "Dental (stomatology)"},
}

SEX_OPTIONS = (("female", "女", "Female"), ("male", "男", "Male"), ("other", "其他", "Other"))
CONSCIOUSNESS_OPTIONS = (
    ("alert", "清醒", "Awake and alert"),
    ("voice", "呼唤才有反应", "Responds only when spoken to"),
    ("pain", "只对疼痛有反应", "Responds only to pain"),
    ("unresponsive", "没有反应", "Does not respond"),
)

# (field, type, zh, en, extra). The form is rendered from this list, in this order.
QUESTIONS: tuple[tuple[str, str, str, str, dict], ...] = (
    ("age_years", "number", "年龄（岁；婴儿可用小数，如2个月≈0.17）",
     "Age in years (babies: use decimals, e.g. 2 months = 0.17)",
     {"required": True, "min": 0, "max": 120, "step": 0.01, "unit": "years"}),
    ("sex", "choice", "性别", "Sex", {"options": SEX_OPTIONS}),
    ("pregnant", "boolean", "目前是否怀孕？", "Are you pregnant?",
     {"show_if": {"field": "sex", "in": ["female", "other"]}}),
    ("symptoms", "multi_choice", "有哪些症状？（可多选）", "What are your symptoms? (choose all that apply)",
     {"required": True, "options_from": "symptoms"}),
    ("duration_days", "number", "症状持续了几天？", "How many days have you had these symptoms?",
     {"min": 0, "max": 3650, "step": 0.5, "unit": "days"}),
    ("pain_score", "integer", "疼痛程度（0无痛，10最痛）", "How bad is the pain? (0 none, 10 worst)",
     {"min": 0, "max": 10}),
    ("temperature_c", "number", "体温（°C）", "Temperature (°C)", {"min": 30, "max": 45, "step": 0.1, "unit": "°C"}),
    ("spo2", "number", "血氧饱和度（%，指夹式血氧仪）", "Oxygen saturation (%, from a finger pulse oximeter)",
     {"min": 50, "max": 100, "step": 1, "unit": "%"}),
    ("resp_rate", "number", "每分钟呼吸次数", "Breaths per minute", {"min": 0, "max": 80, "step": 1, "unit": "/min"}),
    ("heart_rate", "number", "每分钟心跳（脉搏）", "Heart rate (pulse) per minute",
     {"min": 20, "max": 250, "step": 1, "unit": "/min"}),
    ("systolic_bp", "number", "收缩压（高压，mmHg）", "Systolic blood pressure (upper number, mmHg)",
     {"min": 40, "max": 300, "step": 1, "unit": "mmHg"}),
    ("consciousness", "choice", "清醒程度", "How awake is the patient?", {"options": CONSCIOUSNESS_OPTIONS}),
    ("on_oxygen", "boolean", "目前是否在吸氧？", "Are you using extra oxygen now?", {}),
    ("epi.close_contact", "boolean", "14天内是否接触过确诊或疑似病例，或来自风险地区的发热/呼吸道症状患者？",
     "In the last 14 days, have you been in contact with a confirmed or suspected case, or with someone "
     "with fever or breathing symptoms from a risk area?", {"group": "epi"}),
    ("epi.travel_risk_area", "boolean", "14天内是否到过或居住在风险地区？",
     "In the last 14 days, have you travelled to or lived in a risk area?", {"group": "epi"}),
    ("epi.cluster", "boolean", "家中、单位或学校等是否有2人及以上出现类似症状？",
     "Have 2 or more people at your home, work, school or similar had similar symptoms?", {"group": "epi"}),
    ("chronic", "multi_choice", "已确诊的慢性病（可多选）", "Long-term conditions you have been diagnosed with",
     {"options_from": "chronic_conditions"}),
    ("free_text", "text", "其他想告诉医生的情况", "Anything else you want the doctor to know",
     {"max_length": 2000}),
)

# Words for the finding texts that have a parameter.
NEWS2_PARAMETER_NAMES: dict[str, dict[str, str]] = {
    "resp_rate": {"zh": "呼吸频率", "en": "breathing rate"},
    "spo2": {"zh": "血氧饱和度", "en": "oxygen level"},
    "on_oxygen": {"zh": "吸氧", "en": "extra oxygen"},
    "systolic_bp": {"zh": "收缩压", "en": "blood pressure"},
    "heart_rate": {"zh": "心率", "en": "heart rate"},
    "consciousness": {"zh": "意识", "en": "alertness"},
    "temperature_c": {"zh": "体温", "en": "temperature"},
}

# Risk factors other than the chronic conditions: patient wording, clinical wording.
RISK_FACTOR_NAMES: dict[str, dict[str, dict[str, str]]] = {
    "older_age": {"patient": {"zh": "年龄65岁及以上", "en": "your age (65 or over)"},
                  "clinical": {"zh": "年龄≥65岁", "en": "age >= 65"}},
    "infant": {"patient": {"zh": "孩子未满1岁", "en": "your child's young age (under 1 year)"},
               "clinical": {"zh": "年龄<1岁", "en": "age < 1 year"}},
    "pregnancy": {"patient": {"zh": "怀孕", "en": "your pregnancy"},
                  "clinical": {"zh": "妊娠", "en": "pregnancy"}},
}

# Finding wordings: code -> {"patient": {zh, en}, "clinical": {zh, en}}.
# `symptom` is the template for every "symptom_<code>" finding without its own entry.
FINDINGS: dict[str, dict[str, dict[str, str]]] = {
    "symptom": {
        "patient": {"zh": "您报告了：{label}。", "en": "You reported: {label}."},
        "clinical": {"zh": "主诉：{label}（{level}级）。", "en": "Presenting complaint: {label} (level {level})."},
    },
    "symptom_chest_pain": {
        "patient": {"zh": "胸痛需要尽快由医生评估。如果疼痛加重、向手臂、下颌或背部放射，或出现气短、出汗、头晕，请立即拨打120。",
                    "en": "Chest pain needs a doctor soon. If the pain gets worse, spreads to your arm, jaw or back, "
                          "or you feel breathless, sweaty or faint, call 120."},
        "clinical": {"zh": "胸痛，无高危特征（<35岁、无心血管危险因素、无伴随危险症状、生命体征无异常）：尽快评估，排除急性冠脉综合征/肺栓塞。",
                     "en": "Chest pain without high-risk features (age < 35, no cardiovascular risk factor, no "
                           "associated red-flag symptom, no abnormal vital sign): urgent review to exclude ACS/PE."},
    },
    "symptom_lip_tongue_swelling": {
        "patient": {"zh": "嘴唇或舌头肿胀可能迅速加重。如出现呼吸或吞咽困难，请立即拨打120。",
                    "en": "Swelling of the lips or tongue can get worse quickly. If you have any trouble breathing "
                          "or swallowing, call 120."},
        "clinical": {"zh": "血管性水肿，未报告气道/呼吸或循环受累：紧急评估，警惕进展为严重过敏反应。",
                     "en": "Angio-oedema without reported airway, breathing or circulatory involvement: urgent "
                           "review; may progress to anaphylaxis."},
    },
    # --- red flags: symptoms -------------------------------------------------------------
    "severe_breathing_difficulty": {
        "patient": {"zh": "严重呼吸困难是急症。", "en": "Severe difficulty breathing is an emergency."},
        "clinical": {"zh": "严重呼吸窘迫（自述）：需立即处置（ESI 1 / CTAS 1）。",
                     "en": "Severe respiratory distress (reported): immediate care (ESI 1 / CTAS 1)."},
    },
    "severe_bleeding": {
        "patient": {"zh": "止不住的出血是急症。等待救援时请用力按压伤口。",
                    "en": "Bleeding that will not stop is an emergency. Press firmly on the wound while you wait for help."},
        "clinical": {"zh": "无法控制的出血：需立即处置。", "en": "Uncontrolled haemorrhage: immediate care."},
    },
    "stroke_signs": {
        "patient": {"zh": "面部歪斜、手臂无力、说话困难或一侧突然麻木可能是中风的信号，每一分钟都很重要。",
                    "en": "Face drooping, arm weakness, trouble speaking or sudden numbness on one side can be "
                          "signs of a stroke. Every minute counts."},
        "clinical": {"zh": "急性局灶性神经功能缺损（FAST阳性：{label}）：疑似卒中，时间窗紧迫。",
                     "en": "Acute focal neurological deficit (FAST positive: {label}): suspected stroke, time-critical."},
    },
    "confusion": {
        "patient": {"zh": "新出现的意识混乱可能是严重疾病的表现。", "en": "New confusion can be a sign of a serious illness."},
        "clinical": {"zh": "新发意识混乱/精神状态改变（NEWS2意识项计3分）。",
                     "en": "New confusion / altered mental status (NEWS2 consciousness scores 3)."},
    },
    "seizure": {
        "patient": {"zh": "抽搐（癫痫发作）需要急诊处理。", "en": "A seizure (fit) needs emergency care."},
        "clinical": {"zh": "报告抽搐发作：急诊评估。", "en": "Seizure reported: emergency assessment."},
    },
    "vomiting_blood": {
        "patient": {"zh": "呕血可能意味着胃内出血。", "en": "Vomiting blood can mean bleeding inside the stomach."},
        "clinical": {"zh": "呕血：疑似上消化道出血。", "en": "Haematemesis: suspected upper GI bleed."},
    },
    "thunderclap_headache": {
        "patient": {"zh": "突发的剧烈头痛可能是脑出血的信号。",
                    "en": "A sudden, very severe headache can be a sign of bleeding in the brain."},
        "clinical": {"zh": "雷击样头痛：排除蛛网膜下腔出血。", "en": "Thunderclap headache: exclude subarachnoid haemorrhage."},
    },
    "suicide_risk": {
        "patient": {"zh": "您提到有自杀或自伤的想法。您并不孤单：如果现在有危险，请拨打120；也可以随时拨打全国心理援助热线12356，与专业人员交谈。",
                    "en": "You told us about thoughts of suicide or self-harm. You are not alone: if you are in "
                          "danger now, call 120, or call the national psychological assistance line 12356 at any "
                          "time to talk to someone."},
        "clinical": {"zh": "自杀意念/自伤：需紧急风险评估；已提供心理援助热线12356。",
                     "en": "Suicidal ideation / self-harm: urgent risk assessment; crisis line 12356 given."},
    },
    "testicular_torsion_risk": {
        "patient": {"zh": "睾丸突发疼痛需要在几小时内到医院检查。",
                    "en": "Sudden pain in a testicle needs a hospital check within hours."},
        "clinical": {"zh": "急性睾丸痛：排除睾丸扭转（约6小时内可挽救）。",
                     "en": "Acute testicular pain: exclude torsion (salvage window about 6 h)."},
    },
    "sudden_vision_loss": {
        "patient": {"zh": "突然看不见或视力明显下降可能是眼部或脑部急症。",
                    "en": "Sudden loss of vision can be an eye or brain emergency."},
        "clinical": {"zh": "急性视力丧失：排除视网膜动脉阻塞、卒中、急性闭角型青光眼。",
                     "en": "Acute visual loss: exclude retinal artery occlusion, stroke, acute angle-closure glaucoma."},
    },
    # --- red flags: combinations ---------------------------------------------------------
    "chest_pain_risk": {
        "patient": {"zh": "结合您的其他回答，您的胸痛可能是心脏或肺部急症。",
                    "en": "Together with your other answers, your chest pain could be a heart or lung emergency."},
        "clinical": {"zh": "胸痛伴高危特征：{detail}。疑似急性冠脉综合征/肺栓塞/主动脉夹层。",
                     "en": "Chest pain with high-risk features: {detail}. Suspected ACS / PE / aortic dissection."},
    },
    "fainting_cardiac": {
        "patient": {"zh": "晕倒同时伴有胸痛、心慌或心脏病，可能是心律问题。",
                    "en": "Fainting together with chest pain, a racing heart or heart disease can be a heart rhythm problem."},
        "clinical": {"zh": "晕厥伴心源性特征：排除心律失常/结构性心脏病。",
                     "en": "Syncope with cardiac features: exclude arrhythmia or structural heart disease."},
    },
    "anaphylaxis": {
        "patient": {"zh": "嘴唇或舌头肿胀伴呼吸困难或晕倒，可能是严重过敏反应。如有肾上腺素笔，请立即使用。",
                    "en": "Swelling of the lips or tongue with breathing trouble or fainting can be a severe "
                          "allergic reaction. If you have an adrenaline pen, use it now."},
        "clinical": {"zh": "血管性水肿伴呼吸或循环受累：疑似严重过敏反应（WAO标准）。",
                     "en": "Angio-oedema with respiratory or circulatory involvement: suspected anaphylaxis (WAO criteria)."},
    },
    "febrile_infant": {
        "patient": {"zh": "3个月以下的婴儿发热，必须立即到医院就诊。",
                    "en": "A baby under 3 months with a fever must be seen in hospital straight away."},
        "clinical": {"zh": "3月龄以下发热婴儿（≥38.0°C或家长报告发热）：严重细菌感染高危（NICE NG143红色）。",
                     "en": "Febrile infant under 3 months (>= 38.0 C or reported fever): high risk of serious "
                           "bacterial infection (NICE NG143 red)."},
    },
    "pregnancy_bleeding": {
        "patient": {"zh": "怀孕期间阴道出血需要立即到医院检查。", "en": "Bleeding in pregnancy needs a hospital check now."},
        "clinical": {"zh": "妊娠期阴道出血：排除流产、异位妊娠、胎盘早剥/前置胎盘。",
                     "en": "Vaginal bleeding in pregnancy: exclude miscarriage, ectopic pregnancy, abruption, praevia."},
    },
    "pregnancy_severe_abdominal_pain": {
        "patient": {"zh": "怀孕期间剧烈腹痛需要立即到医院检查。",
                    "en": "Severe tummy pain in pregnancy needs a hospital check now."},
        "clinical": {"zh": "妊娠期剧烈腹痛（疼痛≥7/10）：排除异位妊娠、胎盘早剥、子痫前期/HELLP。",
                     "en": "Severe abdominal pain in pregnancy (pain >= 7/10): exclude ectopic pregnancy, "
                           "abruption, pre-eclampsia/HELLP."},
    },
    "pre_eclampsia_signs": {
        "patient": {"zh": "怀孕期间血压很高并伴头痛、视物模糊或腹痛，可能是子痫前期。",
                    "en": "Very high blood pressure in pregnancy with headache, vision problems or tummy pain can "
                          "be pre-eclampsia."},
        "clinical": {"zh": "妊娠期收缩压{value} mmHg（≥160）伴神经/视觉/上腹症状：疑似重度子痫前期。",
                     "en": "Pregnancy with systolic BP {value} mmHg (>= 160) and neurological, visual or "
                           "epigastric symptoms: suspected severe pre-eclampsia."},
    },
    "meningitis_signs": {
        "patient": {"zh": "发热伴颈部僵硬可能是脑膜炎。", "en": "Fever with a stiff neck can be a sign of meningitis."},
        "clinical": {"zh": "发热伴颈项强直：疑似脑膜炎。", "en": "Fever with neck stiffness: suspected meningitis."},
    },
    "head_injury_vomiting": {
        "patient": {"zh": "头部受伤后呕吐需要到医院检查。", "en": "Vomiting after a head injury needs a hospital check."},
        "clinical": {"zh": "头部外伤伴呕吐：有头颅CT指征（NICE头部外伤指南）。",
                     "en": "Head injury with vomiting: CT head indicated (NICE head injury guideline)."},
    },
    "gi_bleed_shock": {
        "patient": {"zh": "黑便或便血同时头晕或晕倒，可能是严重出血。",
                    "en": "Black or bloody stools with dizziness or fainting can mean serious bleeding."},
        "clinical": {"zh": "黑便/便血伴晕厥前兆、晕厥或低血压：疑似消化道大出血。",
                     "en": "Melaena or rectal bleeding with presyncope, syncope or hypotension: suspected major GI bleed."},
    },
    "hypertensive_emergency": {
        "patient": {"zh": "血压非常高并伴有您所述的症状，需要急诊处理。",
                    "en": "Very high blood pressure together with your symptoms needs emergency care."},
        "clinical": {"zh": "收缩压{value} mmHg（≥180）伴靶器官受累症状：疑似高血压急症。",
                     "en": "Systolic BP {value} mmHg (>= 180) with symptoms of end-organ involvement: suspected "
                           "hypertensive emergency."},
    },
    # --- vital signs -------------------------------------------------------------------------
    "reduced_consciousness": {
        "patient": {"zh": "不能完全清醒是急症。", "en": "Not being fully awake is an emergency."},
        "clinical": {"zh": "AVPU：{value}（非清醒），NEWS2计3分。", "en": "AVPU: {value} (not alert), NEWS2 3."},
    },
    "low_oxygen": {
        "patient": {"zh": "您的血氧（{value}%）偏低。", "en": "Your oxygen level ({value}%) is low."},
        "clinical": {"zh": "SpO2 {value}%（≤93%：中国新冠重型诊断标准；<90%为ESI 1级）。",
                     "en": "SpO2 {value}% (<= 93 %: China severe COVID-19 criterion; < 90 % ESI level 1)."},
    },
    "oxygen_borderline": {
        "patient": {"zh": "您的血氧（{value}%）略低。", "en": "Your oxygen level ({value}%) is a little low."},
        "clinical": {"zh": "SpO2 {value}%（≤95%：儿童NICE琥珀色/孕期预警）。",
                     "en": "SpO2 {value}% (<= 95 %: NICE NG143 amber in children / obstetric warning)."},
    },
    "very_fast_breathing": {
        "patient": {"zh": "您呼吸很快（每分钟{value}次）。", "en": "You are breathing very fast ({value} breaths a minute)."},
        "clinical": {"zh": "呼吸频率{value}次/分（≥30：中国新冠重型标准）。",
                     "en": "Respiratory rate {value}/min (>= 30: China severe COVID-19 criterion)."},
    },
    "very_slow_breathing": {
        "patient": {"zh": "您呼吸很慢（每分钟{value}次）。", "en": "Your breathing is very slow ({value} breaths a minute)."},
        "clinical": {"zh": "呼吸频率{value}次/分（≤8，NEWS2计3分）。", "en": "Respiratory rate {value}/min (<= 8, NEWS2 3)."},
    },
    "very_fast_heart_rate": {
        "patient": {"zh": "您的心跳很快（每分钟{value}次）。", "en": "Your heart is beating very fast ({value} a minute)."},
        "clinical": {"zh": "心率{value}次/分（>130）。", "en": "Heart rate {value}/min (> 130)."},
    },
    "very_slow_heart_rate": {
        "patient": {"zh": "您的心跳很慢（每分钟{value}次）。", "en": "Your heart is beating very slowly ({value} a minute)."},
        "clinical": {"zh": "心率{value}次/分（<40）。", "en": "Heart rate {value}/min (< 40)."},
    },
    "low_blood_pressure": {
        "patient": {"zh": "您的血压很低（高压{value}）。", "en": "Your blood pressure is very low ({value})."},
        "clinical": {"zh": "收缩压{value} mmHg（≤90）。", "en": "Systolic BP {value} mmHg (<= 90)."},
    },
    "very_high_blood_pressure": {
        "patient": {"zh": "您的血压很高（高压{value}），需要医生尽快评估。",
                    "en": "Your blood pressure is very high ({value}); a doctor should check it soon."},
        "clinical": {"zh": "收缩压{value} mmHg（≥180：高血压危象范围），无靶器官受累症状。",
                     "en": "Systolic BP {value} mmHg (>= 180: hypertensive crisis range) without end-organ symptoms."},
    },
    "news2_high": {
        "patient": {"zh": "您的各项测量结果综合显示需要急诊处理。",
                    "en": "Your measurements together show that you need emergency care."},
        "clinical": {"zh": "NEWS2 {score}分（≥7）：高风险，需紧急响应（RCP 2017）。",
                     "en": "NEWS2 {score} (>= 7): high clinical risk, emergency response (RCP 2017)."},
    },
    "news2_medium": {
        "patient": {"zh": "您的测量结果显示需要尽快看医生。", "en": "Your measurements show that you need to see a doctor urgently."},
        "clinical": {"zh": "NEWS2 {score}分（5-6）：中风险，需紧急响应。",
                     "en": "NEWS2 {score} (5-6): medium clinical risk, urgent response."},
    },
    "news2_single_parameter": {
        "patient": {"zh": "您的{param}明显异常。", "en": "Your {param} is far from normal."},
        "clinical": {"zh": "NEWS2单项3分（{param}）：需紧急评估。", "en": "NEWS2 single parameter scoring 3 ({param}): urgent review."},
    },
    "news2_low": {
        "patient": {"zh": "我们用早期预警评分检查了您的测量结果。", "en": "We checked your measurements with an early-warning score."},
        "clinical": {"zh": "NEWS2 {score}分（0-4：低风险）。", "en": "NEWS2 {score} (0-4: low clinical risk)."},
    },
    "child_fast_breathing": {
        "patient": {"zh": "孩子的呼吸比同龄正常快（每分钟{value}次）。",
                    "en": "Your child is breathing faster than normal for their age ({value} breaths a minute)."},
        "clinical": {"zh": "呼吸频率{value}次/分，超过该年龄段阈值{limit}（APLS / NICE NG143）。",
                     "en": "Respiratory rate {value}/min, above the age threshold {limit} (APLS / NICE NG143)."},
    },
    "child_very_fast_breathing": {
        "patient": {"zh": "孩子呼吸非常快（每分钟{value}次）。", "en": "Your child is breathing very fast ({value} breaths a minute)."},
        "clinical": {"zh": "呼吸频率{value}次/分，达到该年龄段危险阈值{limit}。",
                     "en": "Respiratory rate {value}/min, at or above the age danger threshold {limit}."},
    },
    "child_slow_breathing": {
        "patient": {"zh": "孩子呼吸非常慢（每分钟{value}次）。", "en": "Your child is breathing very slowly ({value} breaths a minute)."},
        "clinical": {"zh": "呼吸频率{value}次/分，低于该年龄段危险阈值{limit}。",
                     "en": "Respiratory rate {value}/min, at or below the age danger threshold {limit}."},
    },
    "child_fast_heart_rate": {
        "patient": {"zh": "孩子的心跳比同龄正常快（每分钟{value}次）。",
                    "en": "Your child's heart is beating faster than normal for their age ({value} a minute)."},
        "clinical": {"zh": "心率{value}次/分，超过该年龄段阈值{limit}（APLS / NICE NG143）。",
                     "en": "Heart rate {value}/min, above the age threshold {limit} (APLS / NICE NG143)."},
    },
    "child_very_fast_heart_rate": {
        "patient": {"zh": "孩子心跳非常快（每分钟{value}次）。", "en": "Your child's heart is beating very fast ({value} a minute)."},
        "clinical": {"zh": "心率{value}次/分，达到该年龄段危险阈值{limit}。",
                     "en": "Heart rate {value}/min, at or above the age danger threshold {limit}."},
    },
    "child_slow_heart_rate": {
        "patient": {"zh": "孩子心跳非常慢（每分钟{value}次）。", "en": "Your child's heart is beating very slowly ({value} a minute)."},
        "clinical": {"zh": "心率{value}次/分，低于该年龄段危险阈值{limit}。",
                     "en": "Heart rate {value}/min, at or below the age danger threshold {limit}."},
    },
    "child_low_blood_pressure": {
        "patient": {"zh": "孩子的血压很低（高压{value}）。", "en": "Your child's blood pressure is very low ({value})."},
        "clinical": {"zh": "收缩压{value} mmHg，低于该年龄低血压界值{limit}（PALS：70+2×年龄）。",
                     "en": "Systolic BP {value} mmHg, below the age hypotension limit {limit} (PALS: 70 + 2 x age)."},
    },
    "on_oxygen_support": {
        "patient": {"zh": "您正在吸氧，需要医生尽快评估。", "en": "You are using extra oxygen, so a doctor should see you soon."},
        "clinical": {"zh": "正在吸氧（儿童或孕妇，不适用NEWS2）。", "en": "On supplemental oxygen (child or pregnancy: NEWS2 not applicable)."},
    },
    "severe_pain": {
        "patient": {"zh": "您的疼痛很严重（{value}/10）。", "en": "Your pain is severe ({value}/10)."},
        "clinical": {"zh": "疼痛评分{value}/10（≥7：至少2级，《急诊病人病情分级指导原则》2011）。",
                     "en": "Pain {value}/10 (>= 7: at least level 2, China 2011 triage standard)."},
    },
    "moderate_pain": {
        "patient": {"zh": "您的疼痛为中度（{value}/10）。", "en": "Your pain is moderate ({value}/10)."},
        "clinical": {"zh": "疼痛评分{value}/10（4-6：CTAS中度疼痛）。", "en": "Pain {value}/10 (4-6: CTAS moderate pain)."},
    },
    "raised_temperature": {
        "patient": {"zh": "您的体温为{value}°C，属于发热。", "en": "Your temperature is {value} °C, which is a fever."},
        "clinical": {"zh": "体温{value}°C（≥37.3°C）。", "en": "Temperature {value} C (>= 37.3 C)."},
    },
    "high_fever": {
        "patient": {"zh": "您的体温很高（{value}°C）。", "en": "Your temperature is very high ({value} °C)."},
        "clinical": {"zh": "体温{value}°C（≥40.0°C）。", "en": "Temperature {value} C (>= 40.0 C)."},
    },
    "hyperpyrexia": {
        "patient": {"zh": "您的体温极高（{value}°C），需要尽快看医生。",
                    "en": "Your temperature is extremely high ({value} °C): you need a doctor urgently."},
        "clinical": {"zh": "超高热{value}°C（≥41.0°C）。", "en": "Hyperpyrexia {value} C (>= 41.0 C)."},
    },
    "hypothermia": {
        "patient": {"zh": "您的体温过低（{value}°C）。", "en": "Your temperature is too low ({value} °C)."},
        "clinical": {"zh": "体温{value}°C（≤35.0°C，NEWS2计3分）。", "en": "Temperature {value} C (<= 35.0 C, NEWS2 3)."},
    },
    "young_infant_low_temperature": {
        "patient": {"zh": "3个月以下婴儿体温偏低（{value}°C），需要尽快看医生。",
                    "en": "A baby under 3 months with a low temperature ({value} °C) needs a doctor urgently."},
        "clinical": {"zh": "3月龄以下婴儿体温{value}°C（≤36.0°C）：警惕脓毒症。",
                     "en": "Infant under 3 months, temperature {value} C (<= 36.0 C): consider sepsis."},
    },
    "infant_high_fever": {
        "patient": {"zh": "3-6个月婴儿体温达到{value}°C，需要尽快看医生。",
                    "en": "A baby aged 3-6 months with a temperature of {value} °C needs a doctor urgently."},
        "clinical": {"zh": "3-6月龄，体温{value}°C（≥39.0°C，NICE NG143）。",
                     "en": "Infant 3-6 months, temperature {value} C (>= 39.0 C, NICE NG143)."},
    },
    "fever_immunosuppressed": {
        "patient": {"zh": "免疫力低下时发热需要尽快看医生。如果您正在化疗，请立即去医院。",
                    "en": "Fever with a weakened immune system needs a doctor urgently. If you are having "
                          "chemotherapy, go to hospital now."},
        "clinical": {"zh": "免疫抑制患者发热：排除中性粒细胞减少性脓毒症（NICE CG151）。",
                     "en": "Fever in an immunosuppressed patient: exclude neutropenic sepsis (NICE CG151)."},
    },
    "obstetric_warning_emergency": {
        "patient": {"zh": "您有多项测量结果超出孕期安全范围，需要急诊处理。",
                    "en": "Several of your measurements are outside the safe range for pregnancy: you need emergency care."},
        "clinical": {"zh": "孕期早期预警（MEOWS类）多项触发：{detail}。", "en": "Obstetric early-warning triggers (MEOWS-style): {detail}."},
    },
    "obstetric_warning": {
        "patient": {"zh": "您的部分测量结果超出孕期正常范围。", "en": "Some of your measurements are outside the normal range for pregnancy."},
        "clinical": {"zh": "孕期早期预警（MEOWS类）触发：{detail}。", "en": "Obstetric early-warning triggers (MEOWS-style): {detail}."},
    },
    # --- urgent but online -------------------------------------------------------------------
    "pregnancy_abdominal_pain": {
        "patient": {"zh": "怀孕期间腹痛应尽快由医生评估；如疼痛剧烈或出血，请拨打120。",
                    "en": "Tummy pain in pregnancy should be checked by a doctor soon; if it is severe or you "
                          "bleed, call 120."},
        "clinical": {"zh": "妊娠期腹痛：排除异位妊娠及产科原因。", "en": "Abdominal pain in pregnancy: exclude ectopic pregnancy and obstetric causes."},
    },
    "possible_clot": {
        "patient": {"zh": "腿肿同时气短，可能是血栓，需要尽快看医生。",
                    "en": "A swollen leg with shortness of breath can be a blood clot: you need a doctor soon."},
        "clinical": {"zh": "下肢肿胀伴气短：排除深静脉血栓/肺栓塞。", "en": "Leg swelling with dyspnoea: exclude DVT / PE."},
    },
    "fever_clinic_screen": {
        "patient": {"zh": "由于您有发热或呼吸道症状，并可能有接触史，需要在发热门诊就诊，而不是普通门诊。请佩戴口罩。",
                    "en": "Because you have fever or breathing symptoms and a possible exposure, you will be seen "
                          "by the fever clinic, not a general queue. Please wear a mask."},
        "clinical": {"zh": "发热门诊筛查阳性：{detail}，14天内流行病学史（{epi}）。",
                     "en": "Fever-clinic screen positive: {detail}, with epidemiological history within 14 days ({epi})."},
    },
    "risk_factor": {
        "patient": {"zh": "因为{factor}，我们把您的部分症状按更紧急处理。",
                    "en": "Because of {factor}, we treat some of your symptoms as more urgent."},
        "clinical": {"zh": "危险因素（{name}）：以下症状紧急程度提高一级：{labels}。",
                     "en": "Risk factor ({name}): urgency raised one level for {labels}."},
    },
    # --- notes ---------------------------------------------------------------------------------
    "guardian_required": {
        "patient": {"zh": "6岁以下儿童线上问诊时，必须有家长或监护人陪同。",
                    "en": "A parent or guardian must be present during the online consultation for a child under 6."},
        "clinical": {"zh": "6岁以下儿童：须监护人在场（《互联网诊疗管理办法（试行）》2018）。",
                     "en": "Child under 6: a guardian must be present (Internet Diagnosis and Treatment Measures, 2018)."},
    },
    "prescription_followup_only": {
        "patient": {"zh": "线上只能为已在医院确诊的疾病复诊开药，请准备好以前的病历。",
                    "en": "A doctor can prescribe online only for a condition already diagnosed at a hospital visit; "
                          "please have your previous records ready."},
        "clinical": {"zh": "线上处方仅限已确诊常见病、慢性病复诊（《互联网诊疗管理办法（试行）》2018）；不得开具麻醉、精神药品。",
                     "en": "Online prescribing only for follow-up of diagnosed common or chronic disease (2018 "
                           "Measures); no narcotic or psychotropic drugs."},
    },
    "exposure_reported": {
        "patient": {"zh": "您报告了可能的传染病接触史，需要医生评估。如出现发热或咳嗽，将转至发热门诊。",
                    "en": "You reported a possible exposure to an infection, so a doctor should review you. If you "
                          "develop a fever or cough, you will be sent to the fever clinic."},
        "clinical": {"zh": "流行病学史阳性，但无发热/呼吸道症状。", "en": "Epidemiological history positive without fever or respiratory symptoms."},
    },
    "child_needs_doctor": {
        "patient": {"zh": "儿童应由医生评估，而不是仅凭问卷在家处理。",
                    "en": "Children should be checked by a doctor rather than treated at home from a questionnaire."},
        "clinical": {"zh": "年龄<16岁：不提供自我护理路径。", "en": "Age under 16: self-care pathway not offered."},
    },
    "older_age_review": {
        "patient": {"zh": "65岁及以上人群，建议由医生评估。", "en": "At 65 or over, a doctor should review your symptoms."},
        "clinical": {"zh": "年龄≥65岁：不提供自我护理路径。", "en": "Age 65 or over: self-care pathway not offered."},
    },
    "pregnancy_review": {
        "patient": {"zh": "怀孕期间，建议由医生评估您的症状。", "en": "In pregnancy, a doctor should review your symptoms."},
        "clinical": {"zh": "妊娠：不提供自我护理路径。", "en": "Pregnancy: self-care pathway not offered."},
    },
    "chronic_condition_review": {
        "patient": {"zh": "由于您有慢性病，建议由医生评估。", "en": "Because you have a long-term condition, a doctor should review you."},
        "clinical": {"zh": "有慢性病：不提供自我护理路径。", "en": "Chronic condition present: self-care pathway not offered."},
    },
    "symptoms_persisting": {
        "patient": {"zh": "您的症状已持续超过一周，建议由医生评估。", "en": "Your symptoms have lasted more than a week, so a doctor should review them."},
        "clinical": {"zh": "病程{value}天（>7天）：不提供自我护理路径。", "en": "Duration {value} days (> 7): self-care pathway not offered."},
    },
    "symptoms_persisting_chart": {
        "patient": {"zh": "症状已持续{value}天，超过在家观察的{limit}天，建议由医生评估。",
                    "en": "Your symptoms have lasted {value} days, longer than the {limit} days that are safe to "
                          "manage at home, so a doctor should review them."},
        "clinical": {"zh": "病程{value}天（>{limit}天）：该主诉不再提供自我护理。",
                     "en": "Duration {value} days (> {limit}): self-care no longer offered for this presentation."},
    },
    "infant_needs_doctor": {
        "patient": {"zh": "1岁以下的婴儿，今天请医生看一下，不要只在家观察。",
                    "en": "A baby under one should see a doctor today rather than be watched at home alone."},
        "clinical": {"zh": "年龄<1岁：不提供无人看护的自我护理。", "en": "Age under 1: no unattended self-care."},
    },
    "older_needs_doctor": {
        "patient": {"zh": "75岁及以上，今天请医生看一下，不要只在家观察。",
                    "en": "At 75 or over, a doctor should see you today rather than you managing at home alone."},
        "clinical": {"zh": "年龄≥75岁：不提供无人看护的自我护理（老年不典型表现）。",
                     "en": "Age 75 or over: no unattended self-care (atypical presentations)."},
    },
    "self_care_suitable": {
        "patient": {"zh": "您的回答提示是轻微问题，通常可以在家自我护理。",
                    "en": "Your answers suggest a minor problem that can usually be managed at home."},
        "clinical": {"zh": "轻微自限性不适，无危险信号及危险因素：自我护理建议（5级）。",
                     "en": "Minor self-limiting complaint, no red flag or risk factor: self-care advice (level 5)."},
    },
    "no_urgent_features": {
        "patient": {"zh": "您的回答没有显示紧急问题的迹象。", "en": "Your answers do not show signs of an urgent problem."},
        "clinical": {"zh": "未触发任何危险信号或紧急标准。", "en": "No red flag or urgency criterion triggered."},
    },
}

INSTRUCTIONS: dict[str, dict[str, str]] = {
    "emergency": {
        "zh": "请立即拨打120或前往最近的急诊科，不要等待线上问诊。",
        "en": "Call 120 now or go to the nearest emergency department. Do not wait for an online consultation.",
    },
    "crisis_line": {
        "zh": "如果您有伤害自己的想法，也可以随时拨打全国心理援助热线12356。",
        "en": "If you are thinking about harming yourself, you can also call the national psychological "
              "assistance line 12356 at any time.",
    },
    "online_consult": {
        "zh": "您可以在{dept}排队等候线上医生。",
        "en": "You can wait for an online doctor in the {dept} queue.",
    },
    "online_urgent": {
        "zh": "您会被优先接诊（目标{minutes}分钟内）。",
        "en": "You will be seen first (target: within {minutes} minutes).",
    },
    "fever_clinic": {
        "zh": "请佩戴口罩；如需前往医院，请避免乘坐公共交通。",
        "en": "Wear a mask, and avoid public transport if you need to go to hospital.",
    },
    "guardian": {
        "zh": "问诊时必须有家长或监护人陪同。",
        "en": "A parent or guardian must be present during the consultation.",
    },
    "worse_while_waiting": {
        "zh": "等待期间如病情加重（如呼吸困难、胸痛、晕倒），请更新您的回答或拨打120。",
        "en": "If you feel worse while waiting (for example difficulty breathing, chest pain or fainting), "
              "update your answers or call 120.",
    },
    "self_care": {
        "zh": "您的回答未提示紧急问题。请注意休息、多喝水，可咨询药师使用非处方药。如7天内未好转或出现发热，请预约线上问诊；如出现呼吸困难、胸痛或晕倒，请立即拨打120。",
        "en": "Your answers do not suggest an urgent problem. Rest, drink plenty of fluids and ask a pharmacist "
              "about over-the-counter remedies. Book an online consultation if you are not better in 7 days or "
              "you develop a fever; call 120 if you have difficulty breathing, chest pain or fainting.",
    },
}

EPI_NAMES: dict[str, dict[str, str]] = {
    "close_contact": {"zh": "密切接触", "en": "close contact"},
    "travel_risk_area": {"zh": "风险地区旅居", "en": "travel to or residence in a risk area"},
    "cluster": {"zh": "聚集性发病", "en": "cluster of cases"},
}

# Words used inside finding details.
FEATURE_WORDS: dict[str, dict[str, str]] = {
    "age_35": {"zh": "年龄≥35岁", "en": "age >= 35"},
    "abnormal_vitals": {"zh": "生命体征异常", "en": "abnormal vital signs"},
    "measured_fever": {"zh": "体温≥37.3°C", "en": "temperature >= 37.3 C"},
}

# What to do until help comes, on the emergency screen: always the general list, plus the lines of
# any red flag that fired (keyed by finding code).
MEANWHILE_GENERAL: dict[str, tuple[str, ...]] = {
    "zh": ("现在就拨打120，说清地址和主要症状；不要自己开车。", "打开门锁，让人陪在身边，准备好身份证和正在吃的药。",
           "暂时不要吃东西或喝水。"),
    "en": ("Call 120 now with the address and the main problem; do not drive yourself.",
           "Unlock the door, have someone stay with you, and get ID and current medicines ready.",
           "Do not eat or drink for now."),
}
MEANWHILE: dict[str, dict[str, str]] = {
    "stroke_signs": {"zh": "记下症状开始的准确时间，告诉急救人员。", "en": "Note the exact time the signs began and tell the ambulance crew."},
    "face_droop": {"zh": "记下症状开始的准确时间，告诉急救人员。", "en": "Note the exact time the signs began and tell the ambulance crew."},
    "arm_weak": {"zh": "记下症状开始的准确时间，告诉急救人员。", "en": "Note the exact time the signs began and tell the ambulance crew."},
    "speech_trouble": {"zh": "记下症状开始的准确时间，告诉急救人员。", "en": "Note the exact time the signs began and tell the ambulance crew."},
    "one_side_numb": {"zh": "记下症状开始的准确时间，告诉急救人员。", "en": "Note the exact time the signs began and tell the ambulance crew."},
    "chest_pain_risk": {"zh": "坐下休息，不要走动。", "en": "Sit down and rest; do not walk about."},
    "chest_pain_spreads": {"zh": "坐下休息，不要走动。", "en": "Sit down and rest; do not walk about."},
    "anaphylaxis": {"zh": "有肾上腺素笔请立即注射，平躺抬高双腿（呼吸困难时可坐起）。",
                    "en": "Use an adrenaline pen now if you have one; lie flat with legs raised (sit up if breathing is hard)."},
    "allergy_breathing": {"zh": "有肾上腺素笔请立即注射。", "en": "Use an adrenaline pen now if you have one."},
    "life_threat": {"zh": "如有出血，用干净的布用力按压伤口不要松开。", "en": "If bleeding, press hard on the wound with a clean cloth and keep pressing."},
    "severe_bleeding": {"zh": "用干净的布用力按压伤口不要松开。", "en": "Press hard on the wound with a clean cloth and keep pressing."},
    "seizure": {"zh": "抽搐时不要往嘴里塞东西，移开周围的硬物，抽完后侧卧。",
                "en": "During a fit put nothing in the mouth; move hard objects away; afterwards lay them on their side."},
    "took_overdose": {"zh": "带上药盒或毒物的包装。", "en": "Take the medicine packet or the poison's container with you."},
    "suicide_risk": {"zh": "不要独处，让信任的人陪着您；也可拨打12356。", "en": "Do not stay alone; have someone you trust with you; you can also call 12356."},
    "suicidal": {"zh": "不要独处，让信任的人陪着您；也可拨打12356。", "en": "Do not stay alone; have someone you trust with you; you can also call 12356."},
    "febrile_infant": {"zh": "给宝宝穿普通衣服，不要捂，带上体温记录。", "en": "Dress the baby normally, do not bundle up; bring the temperature readings."},
}
SELF_CARE_TEXTS: dict[str, dict[str, str]] = {
    "see_doctor_anyway": {"zh": "仍然想看医生？可以随时排队线上问诊。", "en": "Still want to see a doctor? You can join the online queue any time."},
    "reassess": {"zh": "24小时内如果没有好转，请重新做一次问答。", "en": "If you are not better within 24 hours, answer the questions again."},
    "get_help_if": {"zh": "出现以下情况请立即拨打120或看医生：", "en": "Get help now (call 120 or see a doctor) if:"},
}

# Page texts of the triage flow, handbook and duty lists: key -> (zh, en), merged into the site's
# table by server/web/i18n.py and handed to the browser.
TEXTS: dict[str, tuple[str, str]] = {
    "triage_who": ("这次是为谁问诊？", "Who is this for?"),
    "for_self": ("我自己", "Me"), "for_child": ("我的孩子", "My child"), "for_parent": ("我的父母", "My parent"),
    "for_other": ("其他人", "Someone else"),
    "dependant_pick": ("选择已保存的家人", "Choose a saved person"),
    "dependant_new": ("添加新的家人", "Add a new person"),
    "dependant_name": ("称呼（可不填）", "Name (optional)"),
    "dependant_save": ("保存并继续", "Save and continue"),
    "guardian_note": ("6岁以下儿童问诊时须有监护人在场。", "A child under 6 is seen only with a parent or guardian present."),
    "triage_what": ("主要哪里不舒服？（最多选3项）", "What is the main problem? (up to 3)"),
    "triage_search": ("输入症状，如：发烧、肚痛、咳嗽", "Type a symptom, e.g. fever, tummy ache, cough"),
    "triage_no_match": ("没有找到，请换个说法，或从下面选择。", "Nothing found: try other words or pick below."),
    "triage_chosen": ("已选择", "Chosen"),
    "triage_next": ("下一步", "Next"),
    "triage_back": ("返回", "Back"),
    "triage_remove": ("移除", "Remove"),
    "answer_yes": ("是", "Yes"), "answer_no": ("否", "No"), "answer_unsure": ("不确定", "Not sure"),
    "pregnant_question": ("目前是否怀孕？", "Are you pregnant?"),
    "pregnant_question_other": ("她目前是否怀孕？", "Is she pregnant?"),
    "measure_title": ("有测量就填写（可不填）", "If you have measured, enter it (optional)"),
    "measure_temperature": ("量过体温吗？体温（°C）", "Did you measure the temperature? (°C)"),
    "measure_spo2": ("有指夹式血氧仪吗？血氧（%）", "Do you have a finger pulse oximeter? Oxygen (%)"),
    "measure_days": ("不舒服几天了？", "For how many days?"),
    "triage_finish": ("查看结果", "See the result"),
    "triage_emergency_title": ("请立即拨打120", "Call 120 now"),
    "emergency_call": ("拨打 120", "Call 120"),
    "emergency_meanwhile": ("等待救援时：", "Until help comes:"),
    "emergency_why": ("原因", "Why"),
    "online_title": ("请线上看医生", "See a doctor online"),
    "timeframe_15_minutes": ("15分钟内看医生", "See a doctor within 15 minutes"),
    "timeframe_1_hour": ("1小时内看医生", "See a doctor within the hour"),
    "timeframe_today": ("今天看医生", "See a doctor today"),
    "timeframe_routine": ("可预约医生", "See a doctor when convenient"),
    "self_care_title": ("可以先在家护理", "You can look after this at home"),
    "care_advice": ("怎么做", "What to do"),
    "safety_net_title": ("出现以下情况立即求助（120或医生）", "Get help now (120 or a doctor) if"),
    "see_doctor_anyway": ("仍然想看医生", "See a doctor anyway"),
    "reassess_reminder": ("24小时内没好转，请重新回答问题。", "Not better in 24 hours? Answer again."),
    "triage_restart": ("重新开始", "Start again"),
    "feel_worse_prefilled": ("感觉更差：只需回答有变化的问题。", "Feeling worse: answer only what has changed."),
    "handbook_title": ("分诊规则手册", "Triage handbook"),
    "handbook_version": ("问卷版本", "Questionnaire version"),
    "handbook_hash": ("内容哈希", "Content hash"),
    "handbook_signoff": ("签核记录", "Sign-off"),
    "handbook_not_signed": ("尚未签核", "Not signed off"),
    "handbook_general": ("通用判别项（每个流程都问）", "General discriminators (asked in every chart)"),
    "handbook_chart": ("流程", "Chart"),
    "handbook_question": ("问题", "Question"),
    "handbook_level": ("级别", "Level"),
    "handbook_disposition": ("去向", "Disposition"),
    "handbook_source": ("来源", "Source"),
    "handbook_home_care": ("无判别项时可居家护理", "Home care when nothing applies"),
    "handbook_default": ("无判别项时的级别", "Level when nothing applies"),
    "handbook_sources": ("参考文献", "Sources"),
    "emergencies_title": ("近期被建议急诊的患者", "Patients told to go to emergency recently"),
    "emergencies_call_back": ("回电", "Call back"),
    "emergencies_outcome": ("结果", "Outcome"),
    "emergencies_none": ("近期没有。", "None recently."),
    "emergencies_saved": ("已保存", "Saved"),
    "outcome_reached_ed": ("已到急诊", "Reached the emergency department"),
    "outcome_ambulance": ("已叫救护车", "Ambulance called"),
    "outcome_not_reached": ("未联系上", "Could not reach"),
    "outcome_declined": ("拒绝就医", "Declined care"),
    "outcome_other": ("其他", "Other"),
    "triage_feedback": ("分诊是否合适？", "Was the triage right?"),
    "feedback_too_low": ("偏低", "Too low"), "feedback_right": ("合适", "Right"), "feedback_too_high": ("偏高", "Too high"),
}
