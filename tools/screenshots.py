"""Screenshots of built sites as customers see them: every public page kind at 1280 px and 390 px (a phone),
in the light and dark palettes, for each site folder given (e.g. the English and German demo sites).

    python tools/screenshots.py OUT_DIR NAME=SITE_DIR [NAME=SITE_DIR ...] [--pages home,history,...]

Serves each folder on 127.0.0.1 (a free port), drives Debian's /usr/bin/chromium through Playwright, and
writes OUT_DIR/<name>-<page>-<width>-<palette>.png (the full page). Pages are found in the built site:
the home page, history/, subscribe/, the first incident and the first maintenance page.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
WIDTHS = (1280, 390)
PALETTES = ("light", "dark")


def page_paths(site: Path) -> dict[str, str]:
    """Page kind -> its path in the site (folder URLs)."""
    out = {"home": "", "history": "history/", "subscribe": "subscribe/"}
    incidents = sorted(p.parent.name for p in (site / "incidents").glob("*/index.html"))
    if incidents:
        out["incident"] = f"incidents/{incidents[-1]}/"  # the newest id
    maint = sorted(p.parent.name for p in (site / "maintenance").glob("*/index.html"))
    if maint:
        out["maintenance"] = f"maintenance/{maint[0]}/"
    for extra in ("metrics", "postmortems", "action-items", "policy"):
        if (site / extra / "index.html").is_file():
            out[extra] = f"{extra}/"
    return out


class Served:
    def __init__(self, folder: Path) -> None:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def shoot(out: Path, sites: dict[str, Path], only: set[str] | None = None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, site in sites.items():
            served = Served(site)
            try:
                for kind, rel in page_paths(site).items():
                    if only and kind not in only:
                        continue
                    for width in WIDTHS:
                        for palette in PALETTES:
                            ctx = browser.new_context(
                                viewport={"width": width, "height": 900}, color_scheme=palette, device_scale_factor=1
                            )
                            page = ctx.new_page()
                            page.goto(served.url + rel)
                            page.wait_for_load_state("networkidle")
                            path = out / f"{name}-{kind}-{width}-{palette}.png"
                            page.screenshot(path=str(path), full_page=True)
                            written.append(path)
                            ctx.close()
            finally:
                served.close()
        browser.close()
    return written


def main(argv: list[str]) -> int:
    only = None
    args = []
    for a in argv:
        if a.startswith("--pages="):
            only = set(a.split("=", 1)[1].split(","))
        else:
            args.append(a)
    if len(args) < 2:
        print(__doc__)
        return 2
    out = Path(args[0])
    sites = {}
    for spec in args[1:]:
        name, _, folder = spec.partition("=")
        sites[name] = Path(folder)
    for path in shoot(out, sites, only):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
