"""The ASGI application."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import PlainTextResponse, Response

from resmeta import __version__
from resmeta.api import clients, funders, ror_v1, ror_v2
from resmeta.api.head import HeadAsGet
from resmeta.api.observability import add_observability
from resmeta.api.ratelimit import RateLimitMiddleware
from resmeta.api.reloading import IndexFollower, serve_index
from resmeta.api.responses import errors_response
from resmeta.api.settings import Settings
from resmeta.index.reader import OrganizationIndex
from resmeta.index.store import IndexStore
from resmeta.services.clients import ClientRegistry
from resmeta.services.dumps import DATA_DIR_ENV

INDEX_ENV = "RESMETA_INDEX"  # how `resmeta serve` tells worker processes which index to open
logger = logging.getLogger("resmeta")


def create_app(
    index: OrganizationIndex | None,
    settings: Settings | None = None,
    follow: IndexStore | None = None,
) -> FastAPI:
    """The API over an opened index (None: nothing to serve yet, /heartbeat says 503).

    With `follow`, the app switches to that data folder's current index whenever it changes
    (`resmeta update`), and registers its process as serving it.
    """
    settings = settings or Settings()

    folder = index.folder if index else None  # not the index: a switch must free it

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if follow is None or folder is None:
            yield
            return
        follower = IndexFollower(app, follow, folder)
        await follower.start()
        try:
            yield
        finally:
            await follower.stop()

    app = FastAPI(
        title="resmeta",
        version=__version__,
        description="The ROR API (v1 and v2), served from a local ROR data dump.",
        lifespan=lifespan,
    )
    serve_index(app, index)
    app.state.settings = settings
    app.state.clients = ClientRegistry(settings.clients_db) if settings.clients_db else None
    # Middleware added last runs first: gzip is innermost.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(HeadAsGet)
    # Rate limits (api/ratelimit.py) are added here, inside CORS and the access log.
    if settings.rate_limit:  # not installed at all when off
        app.add_middleware(RateLimitMiddleware, settings=settings, clients=app.state.clients)
    # CORS, then the access log and metrics (api/observability.py), outermost, here.
    add_observability(app, settings)
    app.include_router(ror_v2.router)
    app.include_router(ror_v1.router)
    app.include_router(clients.router)
    app.include_router(funders.router)

    @app.get("/heartbeat", response_class=PlainTextResponse, tags=["service"])
    @app.get("/v2/heartbeat", response_class=PlainTextResponse, include_in_schema=False)
    @app.get("/v1/heartbeat", response_class=PlainTextResponse, include_in_schema=False)
    async def heartbeat(request: Request) -> Response:
        if request.app.state.organizations is None:
            return PlainTextResponse("index not open", status_code=503)
        return PlainTextResponse("OK")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return errors_response([f"no such endpoint: '{request.url.path}'"], 404)
        if exc.status_code == 405:
            return errors_response([f"method {request.method} is not allowed here"], 405)
        return errors_response([str(exc.detail)], exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        messages = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return errors_response(messages)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        logger.exception("unexpected error on %s", request.url)
        return errors_response(["internal error: the request could not be answered"], 500)

    return app


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn workers: opens the data folder's current index (a worker that
    uvicorn starts after `resmeta update` must not open the index `serve` started with,
    which may be gone), else the one named by RESMETA_INDEX."""
    data_dir = os.environ.get(DATA_DIR_ENV)
    store = IndexStore(Path(data_dir)) if data_dir else None
    folder = (store.current() if store else None) or Path(os.environ[INDEX_ENV])
    return create_app(OrganizationIndex(folder), Settings.from_env(), follow=store)
