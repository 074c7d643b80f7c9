package compat_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/redis/go-redis/v9"
)

// TestPersistenceKill9 writes keys from several clients, kills redisk with
// SIGKILL right after the last acknowledgement, restarts it on the same
// folder and checks that every acknowledged write is there, for each
// appendfsync level.
func TestPersistenceKill9(t *testing.T) {
	for _, fsync := range []string{"everysec", "always", "no"} {
		t.Run(fsync, func(t *testing.T) {
			s := StartRedisk(t, "--appendfsync", fsync)
			ctx := context.Background()
			c := redis.NewClient(&redis.Options{Addr: s.Addr, PoolSize: 16, MaxRetries: -1})
			const workers, each = 8, 250
			var mu sync.Mutex
			acked := map[string]string{}
			var ackedIncr, ackedPush int64
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := 0; i < each; i++ {
						k, v := fmt.Sprintf("w%d:k%d", w, i), fmt.Sprintf("value-%d-%d", w, i)
						if i%50 == 0 {
							// A pipelined batch: acknowledged only when every reply arrived.
							cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
								for j := 0; j < 20; j++ {
									p.Set(ctx, fmt.Sprintf("%s:p%d", k, j), v, 0)
								}
								return nil
							})
							if err == nil && len(cmds) == 20 {
								mu.Lock()
								for j := 0; j < 20; j++ {
									acked[fmt.Sprintf("%s:p%d", k, j)] = v
								}
								mu.Unlock()
							}
						}
						if err := c.Set(ctx, k, v, 0).Err(); err != nil {
							t.Errorf("SET %s: %v", k, err)
							return
						}
						mu.Lock()
						acked[k] = v
						mu.Unlock()
						if err := c.Incr(ctx, "counter").Err(); err == nil {
							mu.Lock()
							ackedIncr++
							mu.Unlock()
						}
						if err := c.RPush(ctx, "log", k).Err(); err == nil {
							mu.Lock()
							ackedPush++
							mu.Unlock()
						}
					}
				}(w)
			}
			must(t, c.Set(ctx, "withttl", "v", time.Hour).Err())
			wg.Wait()
			s.Kill9()
			c.Close()

			s.Restart()
			c = goRedisClient(t, s, 3)
			keys := make([]string, 0, len(acked))
			for k := range acked {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			missing := 0
			for i := 0; i < len(keys); i += 500 {
				batch := keys[i:min(i+500, len(keys))]
				vals, err := c.MGet(ctx, batch...).Result()
				must(t, err)
				for j, v := range vals {
					if v != acked[batch[j]] {
						if missing < 5 {
							t.Errorf("after kill -9: %s = %v, want %q", batch[j], v, acked[batch[j]])
						}
						missing++
					}
				}
			}
			if missing > 0 {
				t.Errorf("after kill -9 with appendfsync %s: %d of %d acknowledged keys lost", fsync, missing, len(keys))
			}
			if n, err := c.Get(ctx, "counter").Int64(); err != nil || n != ackedIncr {
				t.Errorf("counter after kill -9: %d (%v), want %d", n, err, ackedIncr)
			}
			if n, err := c.LLen(ctx, "log").Result(); err != nil || n != ackedPush {
				t.Errorf("LLEN log after kill -9: %d (%v), want %d", n, err, ackedPush)
			}
			if d, err := c.TTL(ctx, "withttl").Result(); err != nil || d < 59*time.Minute {
				t.Errorf("TTL after kill -9: %v %v", d, err)
			}
			// A clean stop (SIGTERM) keeps everything as well.
			must(t, c.Set(ctx, "beforeterm", "1", 0).Err())
			c.Close()
			s.Restart()
			c = goRedisClient(t, s, 2)
			if v, err := c.Get(ctx, "beforeterm").Result(); err != nil || v != "1" {
				t.Errorf("after SIGTERM restart: %q %v", v, err)
			}
			if n, err := c.DBSize(ctx).Result(); err != nil || n != int64(len(acked))+4 {
				t.Errorf("DBSIZE after restarts: %d %v, want %d", n, err, len(acked)+4)
			}
		})
	}
}

// TestPersistenceShutdownCommand checks SHUTDOWN ends the process cleanly
// and the data survives.
func TestPersistenceShutdownCommand(t *testing.T) {
	s := StartRedisk(t)
	rc := Dial(t, s.Addr)
	rc.Do("SET", "k", "v")
	rc.Do("SELECT", "9")
	rc.Do("RPUSH", "l", "a", "b")
	rc.Send(EncodeCommand("SHUTDOWN"))
	rc.ReadReply() // Redis closes the connection without a reply on success.
	if !waitFor(10*time.Second, s.exited) {
		t.Fatalf("redisk still running 10s after SHUTDOWN")
	}
	if code := s.ExitCode(); code != 0 {
		t.Errorf("exit code after SHUTDOWN: %d", code)
	}
	s.relaunch()
	rc = Dial(t, s.Addr)
	if got := string(rc.Do("GET", "k")); got != "$1\r\nv\r\n" {
		t.Errorf("GET k after SHUTDOWN: %q", got)
	}
	rc.Do("SELECT", "9")
	if got := string(rc.Do("LRANGE", "l", "0", "-1")); got != "*2\r\n$1\r\na\r\n$1\r\nb\r\n" {
		t.Errorf("LRANGE after SHUTDOWN: %q", got)
	}
}

// snapshot returns the name, size and hash of every file in dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := e.Info()
		out[e.Name()] = fmt.Sprintf("%d %x %v", len(b), sha256.Sum256(b), fi.ModTime().UnixNano())
	}
	return out
}

// diffSnapshots describes how two folder snapshots differ.
func diffSnapshots(a, b map[string]string) string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, fmt.Sprintf("%s: %q -> %q", k, v, b[k]))
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			out = append(out, fmt.Sprintf("new file %s (%s)", k, v))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestShardCountFixed checks that a folder created with one --shards value
// refuses to open with another, with a clear error, a non-zero exit and no
// change to the folder.
func TestShardCountFixed(t *testing.T) {
	s := StartRedisk(t, "--shards", "4")
	rc := Dial(t, s.Addr)
	for i := 0; i < 50; i++ {
		rc.Do("SET", fmt.Sprintf("k%d", i), "v")
	}
	s.Stop()
	before := snapshot(t, s.Dir)
	for _, n := range []string{"2", "8", "1"} {
		out, code := runRedisk(t, 20*time.Second, "--port", fmt.Sprint(freePort(t)), "--dir", s.Dir, "--shards", n)
		if code == 0 {
			t.Errorf("--shards %s on a 4-shard folder exited 0:\n%s", n, out)
		}
		if !strings.Contains(out, "shard") || !strings.Contains(out, "4") {
			t.Errorf("--shards %s on a 4-shard folder: unclear error:\n%s", n, out)
		}
		if d := diffSnapshots(before, snapshot(t, s.Dir)); d != "" {
			t.Errorf("--shards %s modified the folder:\n%s", n, d)
		}
	}
	// The right count still opens, with the data.
	s.relaunch()
	if got := string(Dial(t, s.Addr).Do("DBSIZE")); got != ":50\r\n" {
		t.Errorf("DBSIZE after reopening: %q", got)
	}
}

// TestSecondServerOnFolder checks that a second server started on a data
// folder another one is serving exits with a clear error, and that the
// first one goes on serving; once it stops, the folder opens again.
func TestSecondServerOnFolder(t *testing.T) {
	s := StartRedisk(t)
	rc := Dial(t, s.Addr)
	rc.Do("SET", "k", "v")
	out, code := runRedisk(t, 20*time.Second, "--port", fmt.Sprint(freePort(t)), "--dir", s.Dir)
	if code == 0 || !strings.Contains(out, "in use by another redisk server") {
		t.Fatalf("second server on a served folder: exit %d, output:\n%s", code, out)
	}
	if got := string(rc.Do("GET", "k")); got != "$1\r\nv\r\n" {
		t.Errorf("first server after the refused start: GET k = %q", got)
	}
	s.Stop()
	s.relaunch()
	if got := string(Dial(t, s.Addr).Do("GET", "k")); got != "$1\r\nv\r\n" {
		t.Errorf("GET k after relaunch: %q", got)
	}
}

// TestGarbageShardFile checks that a file named like a shard that is not a
// redisk shard stops startup and is left untouched.
func TestGarbageShardFile(t *testing.T) {
	foreign := filepath.Join(t.TempDir(), "foreign.db")
	db, err := sqlite3.Open(foreign)
	if err != nil {
		t.Fatal(err)
	}
	must(t, db.Exec("CREATE TABLE precious(x); INSERT INTO precious VALUES('data');"))
	must(t, db.Close())
	foreignBytes, err := os.ReadFile(foreign)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"text":         []byte("this is not a database, and must not be touched\n"),
		"garbage-4k":   bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 1024),
		"sqlite-magic": append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xff}, 4080)...),
		"foreign-db":   foreignBytes,
	}
	for name, content := range cases {
		for _, shards := range []string{"1", "4"} {
			t.Run(name+"/shards"+shards, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "shard-0000.db")
				must(t, os.WriteFile(path, content, 0o644))
				old := time.Now().Add(-time.Hour)
				must(t, os.Chtimes(path, old, old))
				before := snapshot(t, dir)
				out, code := runRedisk(t, 20*time.Second, "--port", fmt.Sprint(freePort(t)), "--dir", dir, "--shards", shards)
				if code == 0 {
					t.Errorf("startup with a garbage shard-0000.db exited 0:\n%s", out)
				}
				if !strings.Contains(out, "shard") {
					t.Errorf("unclear error for a garbage shard file:\n%s", out)
				}
				if d := diffSnapshots(before, snapshot(t, dir)); d != "" {
					t.Errorf("startup modified the folder:\n%s\noutput:\n%s", d, out)
				}
			})
		}
	}
}
