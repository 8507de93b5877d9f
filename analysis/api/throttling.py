"""Requests per token, counted in the shared cache (Redis when several
servers run): one partner's dashboard polling too often slows nobody else."""

import hashlib

from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """API_THROTTLE_RATE requests per token (settings). The cache key holds a
    digest of the token, never the token."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is None:
            return None  # refused before it counts: no token, no data
        digest = hashlib.sha256(str(token.key).encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": digest}
