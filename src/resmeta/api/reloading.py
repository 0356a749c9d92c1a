"""Follow the data folder's `current` index while serving, so that `resmeta update` (or
`resmeta index`) switches running workers to a new dump without a restart.

Each worker checks the pointer every `CHECK_INTERVAL` seconds, opens the new index beside the
old one, then swaps the services in one assignment: a request already running finishes on
the index it started with, the next one gets the new index, and none fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from pathlib import Path

from fastapi import FastAPI

from resmeta.index.reader import OrganizationIndex
from resmeta.index.store import IndexStore
from resmeta.services.affiliations.chooser import default_chooser
from resmeta.services.affiliations.matcher import AffiliationMatcher
from resmeta.services.organizations import OrganizationService

CHECK_INTERVAL = 0.5  # seconds
logger = logging.getLogger("resmeta")


def serve_index(app: FastAPI, index: OrganizationIndex | None) -> None:
    """Make `index` the one `app` answers from."""
    if index is None:
        app.state.organizations = app.state.affiliations = None
    else:
        # The chooser is read now, not by the first affiliation request (about 1 s).
        app.state.organizations = OrganizationService(index)
        app.state.affiliations = AffiliationMatcher(index, default_chooser())
    app.state.funders = None  # made again from the new index on the next funders request
    # The previous matcher's caches refer back to it: free it, and its index's mapped files,
    # now rather than at some later collection.
    gc.collect()


class IndexFollower:
    """Keeps an app on the data folder's current index, and registers this process as
    serving it (so that the index is not removed while in use)."""

    def __init__(self, app: FastAPI, store: IndexStore, folder: Path) -> None:
        self.app = app
        self.store = store
        self.folder = folder
        self._failed: Path | None = None  # an index that would not open: not retried
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self.store.register_server(self.folder)
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.store.unregister_server()

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(CHECK_INTERVAL)
            try:
                await self.check()
            except Exception:  # an index that cannot be opened must not stop the follower
                logger.exception("could not open the new index; still serving %s", self.folder)

    async def check(self) -> bool:
        """Switch to the current index if it changed; whether it did."""
        current = await asyncio.to_thread(self.store.current)
        if current is None or current in (self.folder, self._failed):
            return False
        self._failed = current  # until it has opened
        index = await asyncio.to_thread(OrganizationIndex, current)
        self._failed = None
        # Registered before the swap, so that the new index is protected first.
        self.store.register_server(current)
        serve_index(self.app, index)
        logger.info("now serving %s (%s records)", current.name, f"{index.num_docs:,}")
        self.folder = current
        return True
