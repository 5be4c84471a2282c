"""The desk's screens, one module each: its routes (`router`) and its templates' names. A new
screen is a module here (found by `routers`, so screens are added side by side), its templates,
its phrases in `desk.phrases`, a `navigation.SCREENS` entry and a browser test."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

# First: their paths (`/`, `/sign-in`, ...) are the fixed points every other screen links to.
FIRST = ("sign_in", "my_day")


def routers() -> list[APIRouter]:
    names = [module.name for module in pkgutil.iter_modules(__path__)]
    ordered = [*FIRST, *sorted(set(names) - set(FIRST))]
    return [importlib.import_module(f"{__name__}.{name}").router for name in ordered]
