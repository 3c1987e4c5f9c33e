"""Typed application keys of home watch."""
from __future__ import annotations

from typing import Any

from aiohttp import web

HOMEWATCH: web.AppKey[Any] = web.AppKey("homewatch")
HOMEWATCH_SETTINGS: web.AppKey[Any] = web.AppKey("homewatch_settings")
