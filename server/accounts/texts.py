"""Sign-in by SMS code and password reset texts (zh, en)."""

TEXTS = {
    "code_sign_in": ("短信验证码登录", "Sign in with an SMS code"),
    "code_send": ("获取验证码", "Send me a code"),
    "code_label": ("验证码", "Code"),
    "code_sent": ("验证码已发送，5分钟内有效。", "A code is on its way; it is valid for 5 minutes."),
    "forgot_password": ("忘记密码", "Forgot your password"),
    "new_password": ("新密码", "New password"),
    "reset_password": ("重设密码", "Reset the password"),
    "password_reset_done": ("密码已重设，请用新密码登录。", "Your password is reset: sign in with the new one."),
    "lost_phone": ("手机号已不用？请携带身份证到医院服务台，由工作人员核验后更换。",
                   "Lost your phone number? Bring your ID card to the clinic's desk; staff check it and change the number."),
    "totp_code": ("身份验证器中的 6 位验证码", "6-digit code from your authenticator app"),
    "error.bad_code": ("验证码错误或已过期，请重新获取。", "The code is wrong or has expired: ask for a new one."),
    "error.too_many_codes": ("该手机号请求过于频繁，请稍后再试。", "Too many codes for this phone number: please wait and try again."),
    "error.codes_locked": ("错误次数过多，该手机号的验证码已锁定15分钟。", "Too many wrong codes: codes for this phone are locked for 15 minutes."),
}
