"""Celery application used by celery_check.py: broker and result backend
both on the redisk server named by REDIS_PORT."""
import os

from celery import Celery

PORT = os.environ.get("REDIS_PORT", "6379")
app = Celery("redisk_check",
             broker=f"redis://127.0.0.1:{PORT}/0",
             backend=f"redis://127.0.0.1:{PORT}/1")
app.conf.update(broker_connection_retry_on_startup=True,
                result_expires=600,
                worker_hijack_root_logger=False)


@app.task
def add(x, y):
    return x + y


@app.task
def tsum(xs):
    return sum(xs)


@app.task(bind=True, max_retries=3, default_retry_delay=0.2)
def flaky(self, fail_times):
    if self.request.retries < fail_times:
        raise self.retry()
    return "ok after %d" % self.request.retries


@app.task
def boom():
    raise ValueError("boom")
