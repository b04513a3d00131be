"""The step-through page in a real browser: headless Chromium driven by Playwright.

Uses the system's Chromium (Debian's ``chromium`` package, which ``./run test``
installs when it can); nothing is downloaded. Without Chromium or Playwright the
test is skipped with the reason -- except in CI (``CI`` set), where that is a failure.
"""

import os
import shutil

import pytest

from viz import step_through
from viz.graph import HIGHLIGHT_COLOR
from tests.viz.neuron import neuron


def _browser_or_skip():
    """The path of the Chromium binary, or skip (fail in CI) saying what is missing."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package 'playwright' (pip install -e .[test])")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        missing.append("the 'chromium' program (sudo apt-get install chromium)")
    if shutil.which("dot") is None or shutil.which("neato") is None:
        missing.append("Graphviz (sudo apt-get install graphviz)")
    if missing:
        reason = "the browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run it (./run test installs Chromium with apt-get)")
        pytest.skip(reason)
    return chromium



# What the visible frame shows: each node's centre in its picture and the highlighted nodes.
_STATE = """([colour]) => {
  const frame = [...document.querySelectorAll(".mg-frame")].find(f => !f.hidden);
  const nodes = {}, lit = [];
  const origin = frame.querySelector("svg").getBoundingClientRect();
  for (const g of frame.querySelectorAll("g.node")) {
    const name = g.querySelector("title").textContent;
    const r = g.getBoundingClientRect();
    nodes[name] = [(r.left + r.right) / 2 - origin.left, (r.top + r.bottom) / 2 - origin.top];
    if (g.querySelector(`[fill="${colour}"]`)) lit.push(name);
  }
  const svg = frame.querySelector("svg");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const text = frame.querySelector("g.node text");
  return {
    step: frame.dataset.step, nodes, lit: lit.sort(),
    counter: document.querySelector(".mg-counter").textContent,
    caption: document.querySelector(".mg-caption").textContent,
    captionPx: parseFloat(getComputedStyle(document.querySelector(".mg-caption")).fontSize),
    graphTextPx: parseFloat(text.getAttribute("font-size")) * scale,
    nextDisabled: document.querySelector(".mg-next").disabled,
  };
}"""


def same_place(a, b):
    """The same nodes at the same screen position (to half a pixel: a thicker border rounds differently)."""
    return a.keys() == b.keys() and all(abs(a[k][0] - b[k][0]) <= 0.5 and abs(a[k][1] - b[k][1]) <= 0.5 for k in a)


def test_the_page_steps_through_in_chromium(tmp_path):
    chromium = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    st = step_through(neuron()[0])
    page_path = st.save(tmp_path / "steps.html")
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: errors.append(f"network request {r.url}")
                    if not r.url.startswith("file:") else None)
            page.goto(page_path.as_uri())

            first = page.evaluate(_STATE, [HIGHLIGHT_COLOR])
            assert first["step"] == "1" and first["counter"] == "Step 1 of 6"
            assert first["caption"] == st.captions[0] and first["lit"] == []
            assert first["captionPx"] >= 18 and first["graphTextPx"] >= 18  # readable on a projector

            page.click(".mg-next")
            second = page.evaluate(_STATE, [HIGHLIGHT_COLOR])
            assert second["step"] == "2" and second["counter"] == "Step 2 of 6"
            assert second["caption"] == st.captions[1] != first["caption"]
            assert second["lit"] == ["n9", "o9"]  # o = tanh(n), the first node processed
            assert same_place(second["nodes"], first["nodes"])  # nothing moved

            page.keyboard.press("ArrowRight")
            third = page.evaluate(_STATE, [HIGHLIGHT_COLOR])
            assert third["counter"] == "Step 3 of 6" and third["lit"] != second["lit"]
            assert same_place(third["nodes"], first["nodes"])
            page.keyboard.press("ArrowLeft")
            assert page.evaluate(_STATE, [HIGHLIGHT_COLOR])["counter"] == "Step 2 of 6"

            page.fill(".mg-slider", "6")
            last = page.evaluate(_STATE, [HIGHLIGHT_COLOR])
            assert last["counter"] == "Step 6 of 6" and last["caption"] == st.captions[-1]
            assert last["lit"] == ["n2", "o2"] and last["nextDisabled"] and same_place(last["nodes"], first["nodes"])
        finally:
            browser.close()
    assert errors == []
