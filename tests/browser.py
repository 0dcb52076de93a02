"""A real headless Chromium for the pages' tests (Debian's: Playwright's own download is not reachable here), with
axe-core checking each page and screenshots kept under .runtime/screenshots for a person to look at."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

from services.operations.settings import REPO_ROOT

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = REPO_ROOT / ".runtime" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = ("serious", "critical")
NO_CHROMIUM = "Debian's chromium is not installed (deploy/install_prerequisites.sh)"


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (its rule id and the first node)."""
    results = await Axe().run(page)
    return [
        f"{violation['id']}: {violation['nodes'][0]['html'][:120] if violation['nodes'] else ''}"
        for violation in results.response["violations"]
        if violation.get("impact") in SERIOUS
    ]


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def checked(page: Page, name: str) -> None:
    """No serious or critical accessibility problem on the page as it is; its screenshot kept as `name`."""
    await screenshot(page, name)
    assert await accessibility_problems(page) == [], name


async def sign_in(page: Page, site: str, email: str, password: str) -> None:
    """Sign in at `site` as a person does: the form, by its labels."""
    await page.goto(f"{site}/sign-in")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
