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


@functools.cache
def table(lang: str) -> dict[str, str]:
    """Every text in one language, for the browser's JavaScript."""
    index = 0 if lang == "zh" else 1
    return {key: pair[index] for key, pair in TEXTS.items()}
