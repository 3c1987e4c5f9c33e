"""Call guest texts (zh, en)."""

TEXTS = {
    "guest_invite": ("邀请家人或翻译加入", "Invite a family member or interpreter"),
    "guest_name": ("对方姓名", "Their name"),
    "guest_relation_family": ("家人", "Family member"),
    "guest_relation_interpreter": ("翻译", "Interpreter"),
    "guest_link": ("把这个链接发给对方（2小时内有效）：", "Send them this link (valid for 2 hours):"),
    "guest_joined": ("已加入通话", "joined the call"),
    "guest_left": ("已离开通话", "left the call"),
    "guest_title": ("加入视频问诊", "Join the video consultation"),
    "guest_intro": ("您受患者邀请加入这次视频问诊。", "The patient invited you into this video consultation."),
    "guest_consent": ("邀请他人需先同意“家人或翻译加入视频问诊”。现在同意吗？",
                      "Inviting someone needs your consent to let family or an interpreter join. Agree now?"),
    "guest_patient": ("患者", "Patient"),
    "guest_doctor": ("医生", "Doctor"),
    "guest_ended": ("通话已结束。", "The call has ended."),
    "error.guest_link_invalid": ("链接无效或已过期。", "This link is not valid or has expired."),
}
