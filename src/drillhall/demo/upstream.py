"""The demo's retrieval upstream: the documentation index as its own HTTP service.

The assistant does not search its documents itself: it asks this service, as a real
retrieval-augmented assistant asks its search backend. Two calls per question — the search,
then the full text of the best document — and, the planted resilience weakness, **no timeout**
on either: when the upstream slows down, every answer waits for it. The chaos experiment
bundled with the demo puts a latency fault on the connection (through drillhall's fault
proxy) and finds exactly that.

* ``GET /search?q=…&limit=…`` — BM25 hits as JSON.
* ``GET /documents/{name}`` — the raw text of one document.
* ``GET /health`` — liveness.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from drillhall.demo import DemoServiceError, assets_dir
from drillhall.demo.retrieval import DocsIndex, Hit, Passage, covers
from drillhall.errors import DependencyMissing


def create_upstream_app(assets: Path | None = None) -> Any:
    """The docs index service over ``assets/docs`` (default: the bundled assets)."""
    try:
        from fastapi import FastAPI, HTTPException
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise DependencyMissing("fastapi", "web") from exc

    index = DocsIndex.from_directory((assets or assets_dir()) / "docs")
    app = FastAPI(title="docs index (drillhall demo upstream)", docs_url=None, redoc_url=None)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/search")
    def search(q: str, limit: int = 3) -> dict[str, Any]:
        hits = index.search(q, limit=max(1, min(limit, 20)))
        return {"hits": [{"doc": h.passage.doc, "doc_title": h.passage.doc_title,
                          "heading": h.passage.heading, "text": h.passage.text,
                          "score": h.score, "matched": h.matched} for h in hits]}

    @app.get("/documents/{name}")
    def document(name: str) -> dict[str, str]:
        text = index.document_text(name)
        if not text:
            raise HTTPException(status_code=404, detail=f"no document {name!r}")
        return {"doc": name, "text": text}

    return app


class RemoteDocsIndex:
    """The assistant's client for the docs index service: the same methods as
    :class:`~drillhall.demo.retrieval.DocsIndex`, over HTTP.

    Weak on purpose: ``timeout=None``, no retry budget, no fallback. A slow upstream makes
    every answer slow (see the module docstring).
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, timeout=None)  # noqa: S113 - the planted weakness

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = self._client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise DemoServiceError(f"the docs index at {self.base_url} failed: {exc}") from exc
        if response.status_code == 404:
            return {}
        if response.status_code != 200:
            raise DemoServiceError(
                f"the docs index at {self.base_url} answered HTTP {response.status_code}")
        body: dict[str, Any] = response.json()
        return body

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        body = self._get("/search", {"q": query, "limit": limit})
        return [Hit(Passage(h["doc"], h["doc_title"], h["heading"], h["text"]),
                    float(h["score"]), int(h["matched"])) for h in body.get("hits", [])]

    def covers(self, query: str, hit: Hit) -> bool:
        return covers(query, hit)

    def document_text(self, doc: str) -> str:
        return str(self._get(f"/documents/{doc}").get("text", ""))

    def close(self) -> None:
        self._client.close()
