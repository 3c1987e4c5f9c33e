"""Identity entry texts (zh, en)."""

TEXTS = {
    "identity_title": ("实名认证", "Real-name verification"),
    "identity_intro": ("按规定，在线问诊需实名。身份证号只保存加密摘要，页面只显示部分号码。",
                       "The rules require real names online. Only a keyed hash of your ID number is kept; pages show part of it."),
    "identity_name": ("姓名（与身份证一致）", "Name (as on the ID card)"),
    "identity_number": ("居民身份证号", "Resident ID number"),
    "identity_for": ("为谁认证", "Whose ID"),
    "identity_self": ("本人", "Myself"),
    "identity_submit": ("提交认证", "Verify"),
    "identity_verified": ("已认证", "Verified"),
    "identity_pending": ("待认证", "Waiting for verification"),
    "identity_none": ("尚未实名", "Not verified yet"),
    "error.id_number_check_digit": ("身份证号校验位不正确，请核对。", "The check digit of this ID number is wrong: please check the number."),
    "error.id_number_format": ("身份证号应为17位数字加1位校验码（0-9或X）。", "An ID number has 17 digits and a check digit (0-9 or X)."),
    "error.id_number_birth_date": ("身份证号中的出生日期无效。", "The date of birth in this ID number is not a real date."),
}
