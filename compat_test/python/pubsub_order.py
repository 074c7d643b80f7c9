"""Measures cross-connection arrival order for pub/sub with redis-py, the
pattern Celery's result backend relies on: SUBSCRIBE sent (reply not read)
on one connection, then PUBLISH on another. Usage:
  pubsub_order.py N          prints one line per mode: "<mode> <misses> <N>"
Modes: newconn (a fresh PubSub connection per try, as redis-py opens it
lazily), sameconn (one PubSub connection reused), multi (the PUBLISH is in
a MULTI/EXEC pipeline, as Celery's backend stores a result)."""
import os
import sys

import redis

PORT = int(os.environ.get("REDIS_PORT", "6379"))


def run(n, mode):
    r = redis.Redis(port=PORT)
    r.ping()
    misses = 0
    ps = None
    if mode != "newconn":
        ps = r.pubsub()
        ps.subscribe("warmup")
        ps.get_message(timeout=5)
    for i in range(n):
        ch = "order:%s:%d" % (mode, i)
        if mode == "newconn":
            ps = r.pubsub()
        ps.subscribe(ch)  # sends, does not read the reply
        if mode == "multi":
            with r.pipeline() as p:
                p.publish(ch, "x")
                got = p.execute()[0]
        else:
            got = r.publish(ch, "x")
        if got == 0:
            misses += 1
        if mode == "newconn":
            ps.close()
        else:
            ps.unsubscribe(ch)
            while ps.get_message(timeout=0.01):  # drain confirmations
                pass
    r.close()
    return misses


if __name__ == "__main__":
    n = int(sys.argv[1])
    modes = sys.argv[2:] or ["newconn", "sameconn", "multi"]
    for m in modes:
        print(m, run(n, m), n, flush=True)
