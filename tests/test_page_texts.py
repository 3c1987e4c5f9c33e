"""Each page embeds only the texts its own modules use, and every text a module names exists in
both languages (a missing key would show an empty label)."""
from __future__ import annotations

import re

from server.web import i18n
from server.web.errors import AppError, ValidationFailed

PAGES = ["patient.js", "doctor.js", "admin.js", "employer.js", "home.js", "invite.js", "screening.js",
         "summary-page.js", "lib/page.js"]
_CALL = re.compile(r"""\bT\(\s*["']([a-z][a-z0-9_.]*)["']\s*[,)]""")


def test_a_page_embeds_its_own_texts_only():
    everything = set(i18n.TEXTS)
    for page in PAGES:
        keys = i18n.page_keys(page)
        assert keys <= everything
        assert len(keys) < len(everything) / 2, f"{page} embeds {len(keys)} of {len(everything)} texts"
    assert len(i18n.page_keys("lib/page.js")) <= 5  # a page without a script of its own: the shared messages only
    assert "position_ahead" in i18n.page_keys("patient.js") and "position_ahead" not in i18n.page_keys("admin.js")
    assert "act_record_read" in i18n.page_keys("admin.js") and "act_record_read" not in i18n.page_keys("patient.js")


def test_every_text_a_module_names_exists_in_both_languages():
    for path in sorted(i18n.JS_ROOT.rglob("*.js")):
        for key in _CALL.findall(path.read_text(encoding="utf-8")):
            assert key in i18n.TEXTS, f"{path.name} uses the missing text {key!r}"
    for key, (zh, en) in i18n.TEXTS.items():
        assert zh and en, key


def test_no_text_key_is_worded_twice():
    # The texts modules are merged into one table: a key defined twice would silently take one wording.
    import importlib
    first: dict[str, tuple[str, tuple[str, str]]] = {}
    for name in i18n._text_modules():
        for key, pair in importlib.import_module(name).TEXTS.items():
            where, wording = first.setdefault(key, (name, pair))
            assert wording == pair, f"{key!r} is worded in both {where} and {name}"


def test_the_page_modules_graph_follows_imports():
    names = {p.name for p in i18n.module_graph("doctor.js")}
    assert {"doctor.js", "call.js", "record.js", "texts.js", "labels.js", "tables.js"} <= names


def test_a_chinese_error_names_its_field_in_words_never_as_a_code():
    assert ValidationFailed(code="invalid_phone", field="phone").localised("zh") == "手机号：请输入11位手机号。"
    assert ValidationFailed(code="out_of_range", field="answers.age_years").localised("zh").startswith("年龄：")
    # A field without a reader's name is left out rather than shown as a code.
    assert ValidationFailed(code="invalid", field="answers.some_code").localised("zh") == "此项的值无效。"
    assert AppError(code="doctor_offline").ack("zh")["error"]["message"].startswith("您当前为离线状态")
