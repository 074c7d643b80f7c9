package compat_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Real client libraries against the built server: Celery (broker and
// result backend), Django's cache backends, ioredis and node-redis. Python
// runs as Debian's /usr/bin/python3, which sees Debian's packages.

// need returns a tool's path or skips (fails under CI=true) when absent.
func need(t *testing.T, what, hint string, check func() bool) {
	t.Helper()
	if check() {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing; CI=true requires it (%s)", what, hint)
	}
	t.Skipf("%s is missing, skipping (%s)", what, hint)
}

// debianPython returns Debian's python3 once the modules import.
func debianPython(t *testing.T, modules string) string {
	t.Helper()
	py := "/usr/bin/python3"
	need(t, "python modules "+modules, "apt-get install python3-celery python3-django python3-django-redis python3-redis", func() bool {
		return exec.Command(py, "-c", "import "+modules).Run() == nil
	})
	return py
}

// runScript runs a command with REDIS_PORT set and fails the test on a non-zero exit.
func runScript(t *testing.T, limit time.Duration, port int, dir string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "REDIS_PORT="+strconv.Itoa(port))
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	t.Logf("%s %v:\n%s", name, args, out)
}

func pythonDir(t *testing.T) string {
	d, err := filepath.Abs("python")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCelery runs a worker with broker and result backend on redisk:
// tasks, groups, chords, countdowns, retries, failures and remote control.
func TestCelery(t *testing.T) {
	py := debianPython(t, "celery, kombu, redis")
	s := StartRedisk(t)
	runScript(t, 4*time.Minute, s.Port, pythonDir(t), py, "celery_check.py", "run")
}

// TestCeleryKill9 enqueues tasks with no worker running, kills the server
// with SIGKILL, restarts it, and checks a worker then runs every task. The
// results are collected with AsyncResult.get() while the worker stores
// them, which hangs when a SUBSCRIBE is served after a PUBLISH that
// followed it (see pubsub_order_test.go).
func TestCeleryKill9(t *testing.T) {
	py := debianPython(t, "celery, kombu, redis")
	s := StartRedisk(t)
	ids := filepath.Join(t.TempDir(), "ids")
	runScript(t, 2*time.Minute, s.Port, pythonDir(t), py, "celery_check.py", "enqueue", "50", ids)
	s.Kill9()
	s.Restart()
	runScript(t, 4*time.Minute, s.Port, pythonDir(t), py, "celery_check.py", "collect", ids)
}

// TestDjangoCache drives django-redis's cache API, sessions in the cache and
// Django's built-in RedisCache.
func TestDjangoCache(t *testing.T) {
	py := debianPython(t, "django, django_redis, redis")
	s := StartRedisk(t)
	runScript(t, 2*time.Minute, s.Port, pythonDir(t), py, "django_check.py")
}

// TestNodeClients runs ioredis and node-redis with their defaults (node-redis
// speaks RESP3 only) through node's test runner.
func TestNodeClients(t *testing.T) {
	dir, err := filepath.Abs("node")
	if err != nil {
		t.Fatal(err)
	}
	need(t, "node and the npm packages ioredis and redis", "cd compat_test/node && npm install", func() bool {
		_, err1 := exec.LookPath("node")
		_, err2 := os.Stat(filepath.Join(dir, "node_modules", "ioredis"))
		_, err3 := os.Stat(filepath.Join(dir, "node_modules", "redis"))
		return err1 == nil && err2 == nil && err3 == nil
	})
	s := StartRedisk(t)
	runScript(t, 2*time.Minute, s.Port, dir, "node", "--test", "clients.test.mjs")
}
