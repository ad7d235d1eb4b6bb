"""GET /documents/<owner>/<number>/<format>: a stored document, for a valid signed link only.

``serve`` adds this route where ADDONS_PUBLIC_URL is set. A link whose signature does
not match, or whose expiry has passed, gets 403 and nothing else (not even whether the
document exists); a valid link to a document not stored gets 404.
"""

from __future__ import annotations

from aiohttp import web

from bot.adapters.documents.links import DocumentLinks
from bot.ports import Clock
from bot.services import Context, get_document

CONTENT_TYPES = {"pdf": "application/pdf", "xml": "application/xml", "xrechnung": "application/xml"}


def document_routes(ctx: Context, links: DocumentLinks, clock: Clock) -> list[web.RouteDef]:
    """The one route that serves stored documents behind signed, expiring links."""

    async def document(request: web.Request) -> web.Response:
        info, query = request.match_info, request.query
        link = links.check(
            info["owner"],
            info["number"],
            info["format"],
            query.get("expires", ""),
            query.get("signature", ""),
            clock.now(),
        )
        if link is None:
            return web.Response(status=403, text="this link is not valid (or has expired)\n")
        stored = await get_document(ctx, link.owner, link.number, link.format)
        if stored is None:
            return web.Response(status=404, text="no such document\n")
        return web.Response(
            body=stored.content,
            headers={
                "Content-Type": CONTENT_TYPES[link.format],
                "Content-Disposition": f'attachment; filename="{stored.filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    return [web.get("/documents/{owner}/{number}/{format}", document)]
