"""Chinese and English texts of every page and user-facing message, and the language choice.

The language is `?lang=` (remembered in a cookie), else the cookie, else the browser's
Accept-Language. Hand-written rather than gettext catalogs: two languages, one table that a
translator can read side by side, and the same table is handed to the browser's JavaScript.
"""
from __future__ import annotations

from aiohttp import web

LANGS = ("zh", "en")
LANG_COOKIE = "lang"

TEXTS: dict[str, tuple[str, str]] = {  # key: (zh, en)
    "app_name": ("五云云诊室", "Wuyun Cloud Clinic"),
    "switch_lang": ("English", "中文"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "register": ("注册", "Register"),
    "login_label": ("手机号或邮箱", "Phone or email"),
    "password": ("密码", "Password"),
    "name": ("姓名", "Name"),
    "phone": ("手机号", "Mobile phone"),
    "birth_date": ("出生日期", "Date of birth"),
    "sex": ("性别", "Sex"),
    "female": ("女", "Female"), "male": ("男", "Male"), "other": ("其他", "Other"),
    "have_account": ("已有账号？登录", "Have an account? Sign in"),
    "no_account": ("没有账号？注册", "No account? Register"),
    "welcome": ("在线问诊：填写问卷、排队候诊、视频看医生", "See a doctor online: answer a few questions, wait your turn, talk by video"),
    "emergency_banner": ("如有胸痛、呼吸困难、意识不清等紧急情况，请立即拨打120。",
                         "In an emergency (chest pain, trouble breathing, confusion) call 120 now."),
    "questionnaire": ("预检分诊问卷", "Triage questionnaire"),
    "age_years": ("年龄（岁）", "Age (years)"),
    "symptoms": ("症状", "Symptoms"),
    "submit": ("提交", "Submit"),
    "your_result": ("分诊结果", "Your result"),
    "level": ("紧急程度", "Urgency level"),
    "department": ("科室", "Department"),
    "reasons": ("原因", "Why"),
    "join_queue": ("进入候诊队列", "Join the queue"),
    "leave_queue": ("退出队列", "Leave the queue"),
    "waiting_room": ("候诊室", "Waiting room"),
    "position": ("您前面的位置", "Your place in the queue"),
    "estimated_wait": ("预计等待（分钟）", "Estimated wait (minutes)"),
    "live": ("实时更新", "Live"),
    "reconnecting": ("正在重新连接……", "Reconnecting..."),
    "precheck": ("通话前检查", "Pre-call check"),
    "precheck_start": ("检查摄像头、麦克风和网络", "Check camera, microphone and connection"),
    "precheck_ok": ("设备与网络正常", "Camera, microphone and connection are working"),
    "precheck_fail": ("检查失败：请允许浏览器使用摄像头和麦克风，然后重试。",
                      "The check failed: allow the browser to use your camera and microphone, then try again."),
    "round_trip": ("往返时延（毫秒）", "Round trip (ms)"),
    "doctor_ready": ("医生已接诊，正在进入诊室……", "A doctor is ready for you; joining the room..."),
    "consult_room": ("诊室", "Consultation room"),
    "you": ("我", "You"), "remote": ("对方", "Other side"),
    "mute": ("静音", "Mute"), "unmute": ("取消静音", "Unmute"),
    "camera_off": ("关闭摄像头", "Camera off"), "camera_on": ("打开摄像头", "Camera on"),
    "hang_up": ("挂断", "Hang up"),
    "chat": ("文字交流", "Chat"), "send": ("发送", "Send"),
    "peer_left": ("对方连接中断，正在等待重新连接……", "The other side dropped; waiting for them to reconnect..."),
    "peer_joined": ("对方已连接", "The other side is connected"),
    "call_failed": ("通话连接失败：请检查网络后点击“重新加入”，或致电诊所。",
                    "The call could not connect: check your network and press Rejoin, or call the clinic."),
    "rejoin": ("重新加入", "Rejoin"),
    "summary": ("问诊小结", "Consultation summary"),
    "diagnosis": ("诊断", "Diagnosis"),
    "advice": ("医嘱", "Advice"),
    "notes": ("病历记录", "Notes"),
    "disposition": ("处置", "Disposition"),
    "disp_advice": ("仅建议", "Advice only"),
    "disp_follow_up_online": ("线上复诊", "Follow up online"),
    "disp_prescription": ("处方", "Prescription"),
    "disp_referral": ("转线下门诊", "Refer to in-person clinic"),
    "disp_fever_clinic": ("前往发热门诊", "Go to the fever clinic"),
    "disp_emergency": ("急诊", "Emergency"),
    "end_consult": ("结束问诊", "End consultation"),
    "rate": ("评价本次问诊", "Rate this consultation"),
    "thanks": ("感谢您的评价", "Thank you for your rating"),
    "print": ("打印", "Print"),
    "doctor_dashboard": ("医生工作台", "Doctor dashboard"),
    "waiting_patients": ("候诊患者", "Waiting patients"),
    "take_next": ("接诊下一位", "Take next patient"),
    "take": ("接诊", "Take"),
    "status": ("状态", "Status"),
    "available": ("接诊中", "Available"), "away": ("暂离", "Away"), "offline": ("离线", "Offline"),
    "nobody_waiting": ("暂无候诊患者", "Nobody is waiting"),
    "waited": ("已等待（分钟）", "Waited (min)"),
    "overdue": ("已超时", "Overdue"),
    "employer_dashboard": ("企业员工健康筛查", "Staff health screening"),
    "admin_dashboard": ("管理后台", "Administration"),
    "error_title": ("出错了", "Something went wrong"),
    "error_next": ("请返回首页重试；如问题持续，请致电诊所。紧急情况请拨打120。",
                   "Go back to the start page and try again; if it keeps happening, call the clinic. In an emergency call 120."),
    "back_home": ("返回首页", "Back to the start"),
    "loading": ("加载中……", "Loading..."),
    "consult_ended": ("问诊已结束", "The consultation has ended"),
    "self_care_note": ("根据您的回答，目前可以居家观察。", "From your answers, you can look after yourself at home for now."),
    "emergency_title": ("请立即就医", "Get emergency care now"),
    "start_questionnaire": ("开始问诊", "Start a consultation"),
    "yes": ("是", "Yes"), "no": ("否", "No"),
    "none": ("无", "None"),
}


def pick_language(request: web.Request) -> str:
    """The page language: ?lang=, then the cookie, then Accept-Language, then Chinese."""
    for candidate in (request.query.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGS:
            return candidate
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def translator(lang: str):
    """A `t(key)` function for templates."""
    index = 0 if lang == "zh" else 1

    def t(key: str) -> str:
        pair = TEXTS.get(key)
        return pair[index] if pair else key
    return t


def table(lang: str) -> dict[str, str]:
    """Every text in one language, for the browser's JavaScript."""
    index = 0 if lang == "zh" else 1
    return {key: pair[index] for key, pair in TEXTS.items()}
