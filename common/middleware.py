"""Responses that hold answers must not stay in a browser's or a proxy's
cache: every response that does not say otherwise is `no-store`."""

from django.utils.cache import patch_cache_control


def no_store_by_default(get_response):
    def middleware(request):
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response

    return middleware
