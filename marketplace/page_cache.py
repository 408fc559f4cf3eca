"""The cache of public pages for anonymous visitors: whole pages stored under the public stamp
(marketplace/services/stamps.py), which every committed change of what they show rewrites (an opening, its
requirements, groups or search document, a company, a placement, a project group). Each request reads the stamp,
so a copy made before a change is never served again by any worker or server, whatever the cache backend.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from marketplace.extensions import cache
from marketplace.services import stamps


def public_stamp() -> str:
    return stamps.stamp(stamps.PUBLIC)


def serves_from_cache() -> bool:
    """Anonymous visitors without a pending message (flashes are personal) get cached pages."""
    return (current_app.config.get("PUBLIC_PAGE_CACHE", True) and not current_user.is_authenticated
            and not session.get("_flashes"))


# Where the visitor's own CSRF token goes in a stored page (the language switch is a form on every page).
_CSRF_SLOT = f"csrf-slot-{uuid.uuid4().hex}"


def cached_page(area: str, locale: str, extra: str, render: Callable[..., str]) -> str:
    """The whole HTML page for this request's address: from the cache when the stamp still matches, else
    rendered (`render(**context)`) and stored. The page must not depend on the viewer: it is served to
    anonymous visitors only, each getting their own CSRF token put into the stored copy."""
    if not serves_from_cache():
        return render()
    args = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    key = f"page:{area}:{public_stamp()}:{locale}:{extra}:{request.path}?{args}"
    html = cache.get(key)
    if html is None:
        html = render(csrf_token=lambda: _CSRF_SLOT)
        cache.set(key, html)
    return html.replace(_CSRF_SLOT, generate_csrf())
