"""The operations dashboard: one page that refreshes itself from `/api/overview`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from services.operations.overview import overview
from services.operations.settings import OperationsSettings

PAGE = Path(__file__).parent / "static" / "dashboard.html"


def create_app(settings: OperationsSettings) -> FastAPI:
    app = FastAPI(title="Diversion operations dashboard", docs_url=None, redoc_url=None)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> str:
        return PAGE.read_text()

    @app.get("/api/overview")
    async def api_overview() -> dict:
        return await overview(settings)

    @app.get("/healthz", include_in_schema=False)
    @app.get("/readyz", include_in_schema=False)
    async def health() -> dict:
        return {"status": "ok"}

    return app
