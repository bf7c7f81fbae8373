"""Tokens never reach the logs: a logging filter masking token parameters in request lines.

urllib3 (under requests) logs every request line at DEBUG, query string included, and Meta's
Graph API takes ``access_token`` (and ``debug_token``'s ``input_token``) as query parameters.
``install()`` (ChannelsConfig.ready) puts the filter on the loggers that write such lines; a
record passing through it has its message rendered and the values masked.
"""

from __future__ import annotations

import logging
import re

SECRET_PARAMETERS = re.compile(
    r"(?P<name>(?:input_token|access_token|client_secret|appsecret_proof|"
    r"fb_exchange_token|refresh_token)=)[^&\s\"']+",
    re.IGNORECASE,
)
LOGGERS = ("urllib3.connectionpool", "urllib3", "requests")


def redact(text: str) -> str:
    return SECRET_PARAMETERS.sub(r"\g<name>[redacted]", text)


class TokenRedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(TokenRedactingFilter())
