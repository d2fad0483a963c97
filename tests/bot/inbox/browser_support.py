"""What the handoff browser tests share: Chromium, signing in, axe-core, screenshots.

axe-core (MPL-2.0) is fetched by `make browser` from the npm registry into tests/vendor/,
kept out of git; the pages' strict CSP forbids inline scripts, so it is evaluated through
the DevTools protocol (Playwright's evaluate), which the CSP does not govern.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT
from tests.helpers import PASSWORD, skip_or_fail

AXE = PROJECT_ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
TIMEOUT_MS = 15_000
# Counts what the page asked of the browser's notification and sound APIs.
RECORD_ALERTS = """
window.__notifications = [];
window.__chimes = 0;
class RecordingNotification {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.__notifications.push({title, ...(options || {})}); }
}
window.Notification = RecordingNotification;
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__chimes += 1;
  return createOscillator.call(this);
};
"""


async def sign_in(page: Any, base: str, email: str) -> None:
    from playwright.async_api import expect

    await page.goto(base + "/inbox/login")
    await page.fill('input[name="email"]', email)
    await page.fill('input[name="password"]', PASSWORD)
    await page.click('button[type="submit"]')
    await expect(page).to_have_url(base + "/inbox/")
    await expect(page.locator("#live-status")).to_have_text("Live")


async def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not AXE.exists():
        skip_or_fail(f"axe-core is missing at {AXE}: `make browser` fetches it")
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text() + "\n;true")
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
          }));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
