"""Drives Celery against redisk. Usage:
  celery_check.py run              start a worker, run tasks, groups, chords,
                                   countdowns, retries, failures, remote control
  celery_check.py enqueue N FILE   enqueue N tasks with no worker running,
                                   write their ids to FILE
  celery_check.py collect FILE     start a worker and wait for every id in FILE
Exit status 0 on success; prints what failed otherwise."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from celery import chord, group  # noqa: E402
from celery.result import AsyncResult  # noqa: E402

from celery_app import add, app, boom, flaky, tsum  # noqa: E402


def start_worker():
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_app", "worker",
         "-l", "warning", "-c", "2", "--without-gossip", "--without-mingle",
         "-n", "check@%h"],
        cwd=here, env=dict(os.environ, PYTHONPATH=here))


def stop_worker(p):
    p.terminate()
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()


def wait_ping(deadline=30):
    end = time.time() + deadline
    while time.time() < end:
        r = app.control.inspect(timeout=1).ping()
        if r:
            return r
    raise SystemExit("worker never answered celery inspect ping")


def run():
    w = start_worker()
    try:
        print("ping", wait_ping())
        assert add.delay(2, 3).get(timeout=20) == 5
        assert group(add.s(i, i) for i in range(10))().get(timeout=20) == [2 * i for i in range(10)]
        assert chord((add.s(i, i) for i in range(5)), tsum.s())().get(timeout=30) == 20
        t0 = time.time()
        assert add.apply_async((1, 1), countdown=2).get(timeout=30) == 2
        assert time.time() - t0 >= 1.5, "countdown not honoured"
        assert flaky.delay(2).get(timeout=30) == "ok after 2"
        try:
            boom.delay().get(timeout=20)
            raise SystemExit("failure did not propagate")
        except ValueError as e:
            assert "boom" in str(e)
        stats = app.control.inspect(timeout=2).stats()
        assert stats, "inspect stats gave nothing"
        active = app.control.inspect(timeout=2).active()
        assert active is not None
        print("celery run: ok")
    finally:
        stop_worker(w)


def enqueue(n, path):
    ids = [add.delay(i, 1000).id for i in range(n)]
    with open(path, "w") as f:
        f.write("\n".join(ids))
    print("enqueued", len(ids))


def collect(path):
    ids = open(path).read().split()
    w = start_worker()
    try:
        # get() subscribes to the result's channel, then reads the result
        # on another connection while the worker is storing results: it
        # relies on Redis's arrival order across connections (README,
        # "Order across connections").
        results = [AsyncResult(i, app=app) for i in ids]
        got = sorted(r.get(timeout=30) for r in results)
        want = sorted(i + 1000 for i in range(len(ids)))
        assert got == want, "missing results: %r" % (set(want) - set(got))
        print("collected", len(got))
    finally:
        stop_worker(w)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "run":
        run()
    elif cmd == "enqueue":
        enqueue(int(sys.argv[2]), sys.argv[3])
    elif cmd == "collect":
        collect(sys.argv[2])
    else:
        raise SystemExit(__doc__)
