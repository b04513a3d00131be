"""MkDocs hook: the API reference, one page per public module or subpackage.

The pages are found by walking the packages' folders, so a new module, a moved module
or a package split into files appears in the reference without editing the docs. A
module's page is one mkdocstrings directive (``::: minigrad.tensor``); a subpackage's
page is its docstring, the names it exports (cross-references to where they are
defined) and each of its modules, all rendered from the docstrings by mkdocstrings'
Python handler with the options in mkdocs.yml. Names starting with an underscore are
private and left out.
"""

from __future__ import annotations

import ast
import importlib
import inspect

from _pages import ROOT, add_pages, fill_nav

PACKAGES = ("minigrad", "viz")


def _public(path) -> bool:
    return not path.name.startswith(("_", "."))


def children(package: str) -> list[tuple[str, bool]]:
    """The public modules and subpackages right under ``package``: (dotted name, is a package)."""
    folder = ROOT / package.replace(".", "/")
    found = []
    for path in sorted(folder.iterdir()):
        if not _public(path):
            continue
        if path.suffix == ".py":
            found.append((f"{package}.{path.stem}", False))
        elif path.is_dir() and (path / "__init__.py").is_file():
            found.append((f"{package}.{path.name}", True))
    return found


def summary(module: str, is_package: bool) -> str:
    """The first line of a module's docstring, read from its source."""
    path = ROOT / module.replace(".", "/")
    path = path / "__init__.py" if is_package else path.with_suffix(".py")
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return docstring.strip().split("\n", 1)[0]


def _uri(module: str) -> str:
    return f"api/{module}.md"


def _init(package: str) -> ast.Module:
    return ast.parse((ROOT / package.replace(".", "/") / "__init__.py").read_text(encoding="utf-8"))


def exported(package: str) -> dict[str, str]:
    """A package's public ``__all__`` (imported: it may be computed), each name with the path
    of the object it is, where that is documented: ``minigrad.nn.Linear`` ->
    ``minigrad.nn.layers.Linear``; names of objects from elsewhere (NumPy's dtypes) keep
    the package's path."""
    runtime = importlib.import_module(package)
    found = {}
    for name in getattr(runtime, "__all__", ()):
        if name.startswith("_"):
            continue
        obj = getattr(runtime, name)
        path = obj.__name__ if inspect.ismodule(obj) else \
            f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
        documented = path.startswith(tuple(f"{p}." for p in PACKAGES)) and "<" not in path
        found[name] = path if documented else f"{package}.{name}"
    return found


def defined(package: str) -> list[str]:
    """The public names a package's ``__init__.py`` defines itself (not imports)."""
    names = []
    for node in _init(package).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return [name for name in names if not name.startswith("_")]


def submodules(package: str) -> list[str]:
    """Every public module below ``package``, depth first (subpackages before their modules)."""
    found = []
    for name, is_package in children(package):
        found.append(name)
        if is_package:
            found += submodules(name)
    return found


def module_page(module: str, is_package: bool, root: bool = False) -> str:
    """The page of a module, or of a package: its docstring, its exported names, its submodules.

    A package re-exports names defined in its submodules: they are listed as cross-references
    to where they are documented (so a name exported but documented nowhere fails the strict
    build), not documented twice. The package roots' submodules have pages of their own.
    """
    if not is_package:
        return f"::: {module}\n"
    own = defined(module)
    text = f"::: {module}\n    options:\n      members: false\n"
    names = {name: path for name, path in exported(module).items() if name not in own}
    if names:
        links = ", ".join(f"[`{name}`][{path}]" for name, path in names.items())
        text += f"\n`{module}` exports {links}.\n"
    below = [f"{module}.{name}" for name in own] + ([] if root else submodules(module))
    return text + "".join(f"\n::: {name}\n    options:\n      heading_level: 2\n" for name in below)


def index_page() -> str:
    parts = [
        "# API reference",
        "Generated from the docstrings: each page is a module or a subpackage, with the math "
        "and the sources its docstrings give. `import minigrad as mg` re-exports the most used "
        "names (`mg.Tensor`, `mg.randn`, `mg.gradcheck`, ...); they are documented where they "
        "are defined.",
    ]
    for package in PACKAGES:
        rows = [f"| [`{package}`]({package}.md) | {summary(package, True)} |"]
        rows += [f"| [`{name}`]({name}.md) | {summary(name, is_pkg)} |" for name, is_pkg in children(package)]
        parts.append(f"## The {package} package\n\n| module | |\n|---|---|\n" + "\n".join(rows))
    return "\n\n".join(parts) + "\n"


def on_config(config):
    entries = ["api/index.md"]
    for package in PACKAGES:
        pages = [{package: _uri(package)}] + [{name: _uri(name)} for name, _ in children(package)]
        entries.append({package: pages})
    fill_nav(config, "api/", entries)
    return config


def on_files(files, config):
    pages = {"api/index.md": index_page()}
    for package in PACKAGES:
        pages[_uri(package)] = module_page(package, True, root=True)
        pages.update({_uri(name): module_page(name, is_pkg) for name, is_pkg in children(package)})
    return add_pages(files, config, pages)
