# The Celery application is loaded with Django, so that tasks sent from a
# request go to the broker configured in the settings.
from needsassessment.celery import app as celery_app

__all__ = ["celery_app"]
