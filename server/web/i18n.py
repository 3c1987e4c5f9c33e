"""Chinese and English texts of every page and user-facing message, and the language choice.

The language is `?lang=` (remembered in a cookie), else the cookie, else the browser's
Accept-Language. The texts live beside the code that shows them: server/web/texts.py (every page),
server/web/error_texts.py (error codes) and each domain package's texts.py. Hand-written rather than
gettext catalogs: two languages, one table that a translator can read side by side, and the same
table is handed to the browser's JavaScript.
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import pkgutil
import re
from pathlib import Path

from aiohttp import web

import server

LANGS = ("zh", "en")
LANG_COOKIE = "lang"


def _text_modules() -> list[str]:
    """server.web.error_texts and the `texts` module of every package of server/ that has one."""
    names = ["server.web.error_texts"]
    for package in pkgutil.iter_modules(server.__path__):
        name = f"server.{package.name}.texts"
        if package.ispkg and importlib.util.find_spec(name) is not None:
            names.append(name)
    return names


TEXTS: dict[str, tuple[str, str]] = {}  # key: (zh, en), merged from every texts module
for _name in _text_modules():
    TEXTS.update(importlib.import_module(_name).TEXTS)


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


def pick(pair: tuple[str, str], lang: str) -> str:
    """One language of a (zh, en) pair (the one bilingual shape: texts, and columns read as pairs)."""
    return pair[0 if lang == "zh" else 1]


def translator(lang: str):
    """A `t(key)` function for templates."""
    index = 0 if lang == "zh" else 1

    def t(key: str) -> str:
        pair = TEXTS.get(key)
        return pair[index] if pair else key
    return t


def field_name(field: str | None, lang: str) -> str | None:
    """The reader's name of an error's field ("answers.age_years" -> 年龄), or None when it has none."""
    if not field:
        return None
    last = re.sub(r"\[\d+\]$", "", field.split(".")[-1])  # family_logins[1] -> family_logins
    pair = TEXTS.get(f"field.{last}")
    return pair[0 if lang == "zh" else 1] if pair else None


@functools.cache
def table(lang: str) -> dict[str, str]:
    """Every text in one language, for the browser's JavaScript."""
    index = 0 if lang == "zh" else 1
    return {key: pair[index] for key, pair in TEXTS.items()}


# ---- the texts each page's JavaScript uses ------------------------------------------------------
# A page embeds only the keys its own modules name (a 390 px phone on a slow network should not
# download every page's texts). The keys are found by reading the modules: every quoted string that
# is a text key, and every prefix of a built key (`disp_${code}`, `hw.kind.${kind}` or T("disp_" + code)).
JS_ROOT = Path(__file__).resolve().parents[2] / "webclient" / "static" / "js"
_IMPORT = re.compile(r"""(?:from|import)\s*["'](\.{1,2}/[^"']+\.js)["']""")
_LITERAL = re.compile(r"""["'`]([a-z][a-z0-9_.]*)["'`]""")
_PREFIX = re.compile(r"""`([a-z][a-z0-9_.]*[_.])\$\{|\bT\(\s*["']([a-z][a-z0-9_.]*)["']\s*\+""")
_page_keys: dict[str, frozenset[str]] = {}


def module_graph(script: str) -> list[Path]:
    """The page module `script` (relative to webclient/static/js) and every module it imports."""
    seen: list[Path] = []
    todo = [JS_ROOT / script]
    while todo:
        path = todo.pop().resolve()
        if path in seen or not path.is_file():
            continue
        seen.append(path)
        todo.extend(path.parent / name for name in _IMPORT.findall(path.read_text(encoding="utf-8")))
    return seen


def page_keys(script: str | None) -> frozenset[str]:
    """The text keys the modules of one page use (cached: the files do not change while serving)."""
    if not script:
        return frozenset()
    if script not in _page_keys:
        keys: set[str] = set()
        for path in module_graph(script):
            source = path.read_text(encoding="utf-8")
            keys.update(k for k in _LITERAL.findall(source) if k in TEXTS)
            for prefix in (a or b for a, b in _PREFIX.findall(source)):
                keys.update(k for k in TEXTS if k.startswith(prefix))
        _page_keys[script] = frozenset(keys)
    return _page_keys[script]


def page_table(script: str | None, lang: str) -> dict[str, str]:
    """The texts of one page's JavaScript, in one language."""
    index = 0 if lang == "zh" else 1
    return {key: TEXTS[key][index] for key in sorted(page_keys(script))}
