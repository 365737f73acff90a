"""axe-core (from npm, node_modules/axe-core) run in the page: the WCAG 2.1 A and AA rules."""
from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page) -> list[str]:
    """One line per rule the page breaks, with the first offending elements."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> tag it would
        # refuse, and report as a violation).
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
    }""", WCAG21AA)
    return list(found)


def assert_accessible(page) -> None:
    problems = violations(page)
    assert problems == [], f"{page.url}:\n" + "\n".join(problems)
