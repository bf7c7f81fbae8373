"""Meta's platforms: Facebook pages (comments, posts, Messenger) and Instagram professional
accounts (comments, direct messages), both directions.

- ``webhooks``: what Meta delivers (page ``feed`` and ``messages`` fields, Instagram
  ``comments`` and ``messages``) as ``ItemEvent``s; the page's or account's own activity is
  marked ``own``.
- ``graph``: the Graph API client and its documented error object mapped to our errors.
- ``facebook`` and ``instagram``: the platform connectors (reply, private reply or message,
  hide, unhide, delete, read back).
- ``messaging``: Meta's standard messaging window, the one place its rule lives.
"""

from channels.connectors.meta.webhooks import parse

__all__ = ["parse"]
