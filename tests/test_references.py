"""References a reader can follow: user-facing text cites topics and public sources.

The course's slides are not published, so a comment or docstring that says "seed 003"
or names an internal design document (or quotes a slide title in Spanish) sends the
reader nowhere. Everything a user reads -- the package, the visualizer, the command
line, the lessons, the docs, the README, the tests -- must instead name the topic and
a public paper, book or set of notes. This test fails on any such internal reference.
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Where a user (or a contributor reading the tests) meets the text.
SCOPES = ("minigrad", "viz", "cli.py", "tutorials", "docs", "README.md", "CONTRIBUTING.md", "tests", "benchmarks")
SUFFIXES = {".py", ".md", ".txt", ".toml", ".yml", ".yaml", ".cfg", ".html", ".js", ".css", ".json"}

# "seed 003", "Seed 001's", "seed002", "SEED001_TABLES": the slides' internal numbering
# (three digits with leading zeros; an RNG seed such as "seed 0" or "seed=42" is fine).
SEED_NUMBER = re.compile(r"seed[ _-]?0\d\d(?!\d)", re.IGNORECASE)
# An internal design document: "DESIGN §3", "DESIGN.md", "design contract".
DESIGN = re.compile(r"DESIGN(\.md|\s*§)|design contract", re.IGNORECASE)
# Titles of the Spanish slides (accents optional), as they would be quoted.
SPANISH_TITLES = [
    "Redes Neuronales y Aprendizaje Profundo", "Bloque 1", "Bloque1", "Retropropagaci[oó]n",
    "Retropopagaci[oó]n", "notaci[oó]n compacta", "Descenso por gradiente?", "Funciones de activaci[oó]n",
    "Funciones de coste", "Recomendaciones pr[aá]cticas", "Paralelizaci[oó]n", "Otras t[eé]cnicas de optimizaci[oó]n",
    "C[oó]digo de ejemplo", "Recordando la funci[oó]n", "Deltas con la funci[oó]n", "Uso de GPUs",
    "El cerebro funciona", "Grupo de Percepci[oó]n", "Dropout en Keras", "Entrenamiento online",
]
SPANISH = re.compile("|".join(SPANISH_TITLES), re.IGNORECASE)
RULES = [("a slide number ('seed NNN')", SEED_NUMBER), ("an internal design document", DESIGN),
         ("a Spanish slide title", SPANISH)]


def _files():
    """The tracked and new (not ignored) files in the scopes, as paths relative to the root."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", *SCOPES],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an unpacked sdist)
        listed = [str(p.relative_to(ROOT)) for scope in SCOPES for p in
                  ([ROOT / scope] if (ROOT / scope).is_file() else (ROOT / scope).rglob("*")) if p.is_file()]
    return sorted(set(listed))


FILES = _files()


def _violations(text):
    return [(what, match.group(0)) for what, rule in RULES for match in rule.finditer(text)]


def test_the_rules_catch_what_they_should_and_nothing_else():
    caught = ["# seed 003: the deltas", "SEED001_TABLES = []", "see DESIGN §4", "per DESIGN.md",
              "# Retropropagación en notación compacta", "Funciones de activación", "seed002's figure"]
    for text in caught:
        assert _violations(text), text
    fine = ["rng = np.random.default_rng(seed=0)", "manual_seed(2024)", "--seed 1", "NOT seed 0: see below",
            "for seed in range(30)", "the design of the API", "Backpropagation (Nielsen 2015, ch. 2)"]
    for text in fine:
        assert not _violations(text), text


def test_there_are_files_to_check():
    assert any(f.startswith("minigrad/") for f in FILES) and any(f.startswith("tutorials/") for f in FILES)
    assert "README.md" in FILES and "tests/test_references.py" in FILES


@pytest.mark.parametrize("scope", SCOPES)
def test_user_facing_text_cites_topics_and_public_sources(scope):
    bad = []
    for name in FILES:
        if not (name == scope or name.startswith(scope + "/")):
            continue
        for what, found in _violations(name):  # the file name itself
            bad.append(f"{name}: its name has {what}: {found!r}")
        path = ROOT / name
        if path.suffix not in SUFFIXES or name == "tests/test_references.py" or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for what, found in _violations(line):
                bad.append(f"{name}:{number}: {what}: {found!r}")
    assert not bad, "cite the topic and a public source instead:\n" + "\n".join(bad)
