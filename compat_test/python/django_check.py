"""Django's cache on redisk: the django-redis backend's API, sessions in the
cache, and Django's built-in RedisCache. Needs REDIS_PORT."""
import os
import sys
import time

import django
from django.conf import settings

PORT = os.environ.get("REDIS_PORT", "6379")
# Django >= 4 has a built-in Redis cache; Debian 12 ships Django 3.2.
HAS_BUILTIN = django.VERSION >= (4, 0)
CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                      "LOCATION": f"redis://127.0.0.1:{PORT}/2"}}
if HAS_BUILTIN:
    CACHES["builtin"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": f"redis://127.0.0.1:{PORT}/3"}
settings.configure(
    CACHES=CACHES,
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
    INSTALLED_APPS=["django.contrib.sessions"],
    SECRET_KEY="x",
)
django.setup()

from django.contrib.sessions.backends.cache import SessionStore  # noqa: E402
from django.core.cache import caches  # noqa: E402


def check_django_redis():
    c = caches["default"]
    c.clear()
    assert c.set("a", {"x": 1}, timeout=100) is True
    assert c.get("a") == {"x": 1}
    assert c.add("a", 2) is False and c.add("b", 2) is True
    assert c.incr("b") == 3 and c.decr("b", 2) == 1
    c.set("n", 5)
    assert c.incr("n", 10) == 15
    assert c.touch("a", 50) is True
    ttl = c.ttl("a")
    assert 0 < ttl <= 50, ttl
    assert c.expire("a", 20) and 0 < c.ttl("a") <= 20
    assert c.persist("a") and c.ttl("a") is None
    c.set_many({"m1": 1, "m2": 2, "m3": 3})
    assert c.get_many(["m1", "m2", "zz"]) == {"m1": 1, "m2": 2}
    c.delete_many(["m1", "m2"])
    assert c.get("m1") is None and c.get("m3") == 3
    for i in range(30):
        c.set("pat:%d" % i, i)
    assert sorted(c.keys("pat:*")) == sorted("pat:%d" % i for i in range(30))
    assert len(list(c.iter_keys("pat:*"))) == 30
    assert c.delete_pattern("pat:*") == 30
    assert c.keys("pat:*") == []
    c.set("short", 1, timeout=1)
    time.sleep(1.5)
    assert c.get("short") is None
    with c.lock("lk", timeout=5):
        assert c.has_key("lk")
    assert c.delete("b") is True and c.has_key("b") is False
    c.clear()
    assert c.get("m3") is None


def check_sessions():
    s = SessionStore()
    s["user"] = "alice"
    s.save()
    again = SessionStore(session_key=s.session_key)
    assert again["user"] == "alice"
    again.delete()
    assert SessionStore(session_key=s.session_key).get("user") is None


def check_builtin_pattern():
    """The commands Django 4's RedisCache sends (django/core/cache/backends/
    redis.py), replayed with redis-py for Djangos without that backend."""
    import pickle

    import redis
    r = redis.Redis(port=int(PORT), db=3)
    r.flushdb()
    k = ":1:k"
    assert r.set(k, pickle.dumps(1), nx=True, ex=30) is True      # add
    assert r.set(k, pickle.dumps(2), nx=True, ex=30) is None       # add again
    assert r.set(k, 5, ex=30) is True                              # set of an int
    assert int(r.get(k)) == 5
    assert r.exists(k) == 1 and r.incrby(k, 3) == 8                # incr
    with r.pipeline() as p:                                        # set_many
        p.mset({":1:x": pickle.dumps(1), ":1:y": pickle.dumps(2)})
        p.expire(":1:x", 30)
        p.expire(":1:y", 30)
        assert p.execute() == [True, True, True]
    assert [pickle.loads(v) for v in r.mget([":1:x", ":1:y"])] == [1, 2]
    assert r.expire(":1:x", 10) is True and 0 < r.ttl(":1:x") <= 10  # touch
    assert r.persist(":1:x") is True and r.ttl(":1:x") == -1         # touch(None)
    assert r.delete(":1:x", ":1:y") == 2                              # delete_many
    assert r.get(":1:x") is None
    r.flushdb()                                                       # clear


def check_builtin():
    if not HAS_BUILTIN:
        check_builtin_pattern()
        return
    c = caches["builtin"]
    c.clear()
    assert c.add("k", 1) is True and c.add("k", 2) is False
    c.set("k", 5, timeout=30)
    assert c.get("k") == 5
    assert c.incr("k", 3) == 8
    c.set_many({"x": 1, "y": 2}, timeout=30)
    assert c.get_many(["x", "y"]) == {"x": 1, "y": 2}
    assert c.has_key("x") and c.touch("x", 10)
    c.delete_many(["x", "y"])
    assert c.get("x") is None


if __name__ == "__main__":
    check_django_redis()
    check_sessions()
    check_builtin()
    print("django: ok")
    sys.exit(0)
