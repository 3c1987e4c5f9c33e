"""Checks a user would notice, run inside a Chromium page: accessibility (axe-core), one language
at a time, and touch-target sizes. Used by the browser tests that walk every page.

axe-core comes from npm into tests/node/ (manage.py test installs it with `npm ci`).
"""
from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "node" / "node_modules" / "axe-core" / "axe.min.js"

# Latin-script words allowed on a Chinese page: units, file formats and code systems a doctor types.
ALLOWED_LATIN = ["ICD-10", "ICD", "PDF", "CSV", "Excel", "UTF-8", "GBK", "JPEG", "PNG", "MB", "KB", "ms", "mmHg", "kg",
                 "cm", "SpO2", "QR"]

_LATIN_JS = r"""
(allowed) => {
  // Visible text and the texts a screen reader reads (labels, titles, placeholders) with Latin words
  // left after the allowed kinds: names and codes are marked in the page (lang="en", .code, kbd,
  // [translate=no]); units and formats are in `allowed`.
  const skip = (el) => el.closest('script, style, [lang^="en"], .code, kbd, [translate="no"], .name, video');
  const strip = (s) => allowed.reduce((acc, w) => acc.split(w).join(' '), s);
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip(el) || !el.checkVisibility()) continue;
    if (/[A-Za-z]{2,}/.test(strip(node.textContent))) found.push(node.textContent.trim().slice(0, 80));
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], input[type=submit], option')) {
    if (skip(el)) continue;
    for (const attr of ['aria-label', 'title', 'placeholder', 'alt']) {
      const v = el.getAttribute(attr);
      if (v && /[A-Za-z]{2,}/.test(strip(v))) found.push(`${attr}: ${v.slice(0, 80)}`);
    }
  }
  if (/[A-Za-z]{2,}/.test(strip(document.title))) found.push(`title: ${document.title}`);
  return found;
}
"""

_TARGETS_JS = r"""
(min) => {
  // Every control the patient can tap, measured where the tap lands (a checkbox's label).
  const small = [];
  for (const el of document.querySelectorAll('button, a[href], input, select, textarea, summary, [role=button]')) {
    if (!el.checkVisibility() && !(el.matches('input[type=radio], input[type=checkbox]') && el.closest('label'))) continue;
    const target = el.matches('input[type=radio], input[type=checkbox]') && el.closest('label') ? el.closest('label') : el;
    if (!target.checkVisibility()) continue;
    const box = target.getBoundingClientRect();
    if (box.width < min - 0.5 || box.height < min - 0.5) {
      small.push(`${el.tagName.toLowerCase()}#${el.id || ''}.${el.className || ''} "${(target.textContent || el.name || '').trim().slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}
"""


async def axe_violations(page) -> list[str]:
    """Critical and serious axe-core violations on the page as it is now (WCAG 2.1 A and AA)."""
    if not await page.evaluate("() => !!window.axe"):
        # Through the debugger, not a <script> tag: a page under its strict CSP (no inline script) runs it too.
        await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;window.axe !== undefined")
    result = await page.evaluate("""async () => {
        const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')
          .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    }""")
    return result


async def latin_strings(page) -> list[str]:
    """Latin-script UI strings on a Chinese page, other than the allowed kinds."""
    return await page.evaluate(_LATIN_JS, ALLOWED_LATIN)


async def small_targets(page, minimum: int = 44) -> list[str]:
    """Visible controls smaller than `minimum` CSS pixels in either direction."""
    return await page.evaluate(_TARGETS_JS, minimum)


async def sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0 when it reflows)."""
    return await page.evaluate("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
