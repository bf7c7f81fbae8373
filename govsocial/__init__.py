"""GovSocial project package: settings, URLs, the Celery app and the cross-cutting core."""

from govsocial.celery import app as celery_app

__all__ = ("celery_app",)
