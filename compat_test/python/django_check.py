"""Django's cache on redisk: the django-redis backend's API, sessions in the
cache, and Django's built-in RedisCache. Needs REDIS_PORT."""
import os
import sys
import time

import django
from django.conf import settings

PORT = os.environ.get("REDIS_PORT", "6379")
settings.configure(
    CACHES={
        "default": {"BACKEND": "django_redis.cache.RedisCache",
                    "LOCATION": f"redis://127.0.0.1:{PORT}/2"},
        "builtin": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": f"redis://127.0.0.1:{PORT}/3"},
    },
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
        assert c.get("lk") is not None or True
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


def check_builtin():
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
