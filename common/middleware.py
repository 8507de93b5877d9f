"""Responses that hold answers must not stay in a browser's or a proxy's
cache: every response that does not say otherwise is `no-store`."""

import logging
import time

from django.utils.cache import patch_cache_control


def no_store_by_default(get_response):
    def middleware(request):
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response

    return middleware


def api_request_log(get_response):
    """One line per API request: who (the user, never the token), what
    (method, path, query) and the outcome, so a partner's use can be
    audited. The Authorization header is never read here."""
    log = logging.getLogger("api")

    def middleware(request):
        if not request.path.startswith("/api/"):
            return get_response(request)
        started = time.monotonic()
        response = get_response(request)
        user = getattr(request, "user", None)
        query = request.META.get("QUERY_STRING", "")
        log.info(
            "api %s %s%s user=%s status=%s %.0f ms",
            request.method,
            request.path,
            f"?{query}" if query else "",
            user.get_username() if user is not None and user.is_authenticated else "-",
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    return middleware
