"""Griffe extension: members a module makes at import time are documented too.

mkdocstrings reads the source without running it, so a class a module creates in a loop
(``nn.activations`` makes one layer class per row of the activation table) is invisible
to it. For each module whose ``__all__``, once imported, names members its source does
not define, those members are added by inspecting the imported module (their docstrings
and signatures are the runtime ones).
"""

from __future__ import annotations

import importlib

import griffe


def _modules(module: griffe.Module):
    yield module
    for member in module.modules.values():
        if not member.is_alias:
            yield from _modules(member)


class RuntimeMembers(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:
        for module in _modules(pkg):
            try:
                names = getattr(importlib.import_module(module.path), "__all__", ())
            except Exception:  # noqa: BLE001  (a module that cannot be imported here keeps its static view)
                continue
            missing = [name for name in names if name not in module.members]
            if not missing:
                continue
            inspected = griffe.inspect(module.path)
            for name in missing:
                if name in inspected.members:
                    module.set_member(name, inspected.members[name])
