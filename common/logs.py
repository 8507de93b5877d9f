"""Log records without secrets: an invitation link's token opens an agency's
response, so request paths and messages are logged with it blanked."""

import logging
import re

TOKEN_PATH = re.compile(r"/r/[A-Za-z0-9_\-]{8,}")
REDACTED = "/r/[link]"


def redact(text: str) -> str:
    return TOKEN_PATH.sub(REDACTED, text)


class RedactLinks(logging.Filter):
    """Rewrites each record's message (its arguments filled in) with every
    /r/<token> blanked; request records (django.request, django.server)
    carry the path in their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
