"""The project package: settings, URLs, the Celery app, organisation and shared pieces."""

from crm.celery import app as celery_app

__all__ = ["celery_app"]
