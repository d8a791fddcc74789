"""axe-core (vendored, pinned: vendor/axe-core, MPL-2.0) run inside the page, and the sideways-scroll check."""

from __future__ import annotations

from pathlib import Path

AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text()
AXE_VERSION = "4.10.3"
SERIOUS = ("serious", "critical")

# Evaluated through the browser's debugging protocol, which the page's Content-Security-Policy
# (script-src 'self') does not govern: the policy under test stays exactly as served.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
  }));
}"""


def serious_violations(page, where: str) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line each."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE + "\n;undefined")
        assert page.evaluate("() => axe.version") == AXE_VERSION
    found = page.evaluate(RUN_AXE)
    return [f"{where}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in found if v["impact"] in SERIOUS]


def sideways_overflow(page, where: str) -> list[str]:
    """The page is wider than the screen (it scrolls sideways), with the widest offenders named."""
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    if width <= inner:
        return []
    culprits = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
          .filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
          .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className)"""
    )
    return [f"{where}: {width} px wide on a {inner} px screen ({culprits})"]
