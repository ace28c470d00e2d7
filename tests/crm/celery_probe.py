"""A bare Celery app on the project's broker, run as a separate worker process by the tests."""

import os

from celery import Celery

app = Celery("health-probe", broker=os.environ["REDIS_URL"])
