package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests run the loader at a tiny size against a redisk built from this
// tree (or the binary $REDISK_BIN names); they check counts and contents,
// never timings.

var (
	buildOnce sync.Once
	buildDir  string // removed after the tests
	redisk    string
	buildErr  error
)

func rediskBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if b := os.Getenv("REDISK_BIN"); b != "" {
			redisk, buildErr = filepath.Abs(b)
			return
		}
		buildDir, buildErr = os.MkdirTemp("", "bench-load-test-")
		if buildErr == nil {
			redisk, _, buildErr = buildRedisk(&config{}, buildDir)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return redisk
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// tinyConfig is a run of 1,000 keys and 4 collections of 150 members (one
// command of 100 members and one of 50 each), with odd pipeline sizes so that
// batches do not line up with the totals.
func tinyConfig(t *testing.T, out *bytes.Buffer) *config {
	cfg, err := parseFlags([]string{"-keys", "1000", "-collections", "4", "-members", "150", "-baseline", "200",
		"-conns", "3", "-pipeline", "7", "-bench-time", "200ms", "-bench-conns", "4", "-bench-pipeline", "4", "-rounds", "2", "-idle", "100ms",
		"-out", "-", "-workdir", t.TempDir(), "-bin", rediskBin(t)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.stderr = out
	return cfg
}

func TestTinyRun(t *testing.T) {
	var log bytes.Buffer
	cfg := tinyConfig(t, &log)
	rep, rs, err := run(cfg)
	runCleanups()
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if len(rs) != 2 {
		t.Fatalf("got %d runs, want the baseline and the full run", len(rs))
	}
	for i, want := range []struct{ keys, members int64 }{{200, 30}, {1000, 150}} {
		r := rs[i]
		if r.keys != want.keys || r.members != want.members {
			t.Errorf("run %d: %d keys × %d members, want %d × %d", i, r.keys, r.members, want.keys, want.members)
		}
		if r.dbsize != want.keys+4 || r.dbsizeRestart != r.dbsize {
			t.Errorf("run %d: DBSIZE %d, after restart %d; want %d", i, r.dbsize, r.dbsizeRestart, want.keys+4)
		}
		wantSizes := map[string]int64{"list:0": want.members, "hash:0": want.members, "set:0": want.members, "zset:0": want.members}
		if !reflect.DeepEqual(r.sizes, wantSizes) {
			t.Errorf("run %d: collection sizes %v, want %v", i, r.sizes, wantSizes)
		}
		for _, k := range []string{"GET", "GET -P 4", "ZRANGEBYSCORE", "ZRANGEBYSCORE -P 4"} {
			if r.rps[k] <= 0 || len(r.samples[k]) != 2 {
				t.Errorf("run %d: %s: median %v of %v, want 2 rounds", i, k, r.rps[k], r.samples[k])
			}
		}
		if r.startup <= 0 || r.startup0 <= 0 || r.shutdown <= 0 || r.shutdown2 <= 0 {
			t.Errorf("run %d: startup %s (empty %s), shutdown %s, again %s", i, r.startup, r.startup0, r.shutdown, r.shutdown2)
		}
		if r.memLoad.hwm <= 0 || r.memBench.hwm < r.memLoad.hwm || r.memRestart.rss <= 0 {
			t.Errorf("run %d: memory after load %+v, after benchmarks %+v, after restart %+v", i, r.memLoad, r.memBench, r.memRestart)
		}
		if !(r.dirEmpty > 0 && r.dirStrings > r.dirEmpty && r.dirAll >= r.dirStrings && r.dirStopped > 0) {
			t.Errorf("run %d: data dir sizes empty %d, strings %d, all %d, stopped %d", i, r.dirEmpty, r.dirStrings, r.dirAll, r.dirStopped)
		}
		if len(r.logProblems) > 0 {
			t.Errorf("run %d: server logged %q", i, r.logProblems)
		}
	}
	for _, s := range []string{"| | 200 keys | 1,000 keys | 1k / 200 |", "**bytes on disk per string key** (100 B values)",
		"| GET req/s |", "| ZRANGEBYSCORE -P 4 req/s |", "**startup on the loaded data**", "| DBSIZE (before = after restart) | 204 | 1,004 |",
		"- RSS under 200 MB:", "| server CPU from exec to 100ms after the restart, idle |", "median of 2 rounds, both data sets' servers up", "- GET at 1k keys within 80% of 200 keys:"} {
		if !strings.Contains(rep, s) {
			t.Errorf("report lacks %q:\n%s", s, rep)
		}
	}
	if !strings.Contains(log.String(), "strings 1,000/1,000 keys (100.0%)") || !strings.Contains(log.String(), "collections 600/600 members") {
		t.Errorf("progress lines missing:\n%s", log.String())
	}
	if left, _ := filepath.Glob(filepath.Join(cfg.workdir, "*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestContents loads into a server the test starts itself and reads the data
// back: key names redis-benchmark's __rand_int__ produces, values of the
// requested size, members and scores as documented.
func TestContents(t *testing.T) {
	dir := t.TempDir()
	port, err := freePort(7200, 7299)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	srv := &server{cmdline: fmt.Sprintf("%s --bind 127.0.0.1 --port %d --dir %s", rediskBin(t), port, filepath.Join(dir, "data")),
		dir: filepath.Join(dir, "data"), runDir: dir, addr: addr}
	if _, err := srv.start(); err != nil {
		t.Fatal(err)
	}
	defer srv.kill()
	var log bytes.Buffer
	p := newProgress(&log, time.Hour, "strings", 250, "keys", nil)
	if err := loadStrings(addr, 250, []byte("abc"), 2, 16, p); err != nil {
		t.Fatal(err)
	}
	p.end()
	colls := collections(5, []string{"list", "hash", "set", "zset"})
	if got := fmt.Sprint(colls); got != "[{list list:0} {hash hash:0} {set set:0} {zset zset:0} {list list:1}]" {
		t.Errorf("collections: %s", got)
	}
	p = newProgress(&log, time.Hour, "collections", 5*230, "members", nil)
	if err := loadCollections(addr, colls, 230, 100, 3, 2, p); err != nil {
		t.Fatal(err)
	}
	p.end()
	c, err := dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct {
		cmd  []string
		want any
	}{
		{[]string{"DBSIZE"}, int64(255)},
		{[]string{"GET", "key:000000000000"}, "abc"},
		{[]string{"GET", "key:000000000249"}, "abc"},
		{[]string{"EXISTS", "key:000000000250"}, int64(0)},
		{[]string{"LLEN", "list:1"}, int64(230)},
		{[]string{"HGET", "hash:0", "000000000229"}, "000000000229"},
		{[]string{"SISMEMBER", "set:0", "000000000117"}, int64(1)},
		{[]string{"ZSCORE", "zset:0", "000000000042"}, "42"},
		{[]string{"ZRANGEBYSCORE", "zset:0", "227", "+inf", "LIMIT", "0", "10"}, []any{"000000000227", "000000000228", "000000000229"}},
	} {
		got, err := c.do(tc.cmd...)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: got %#v, %v; want %#v", tc.cmd, got, err, tc.want)
		}
	}
	// Lists get their chunks from several connections, so only the set of
	// items is fixed, not their order.
	items, err := c.do("LRANGE", "list:0", "0", "-1")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[any]bool{}
	for _, it := range items.([]any) {
		seen[it] = true
	}
	if len(seen) != 230 || !seen["000000000000"] || !seen["000000000229"] {
		t.Errorf("list:0 holds %d distinct items", len(seen))
	}
}

// TestRedisBenchmark measures throughput with redis-benchmark instead of the
// in-tool client. It needs redis-benchmark: skipped without it, except in CI.
func TestRedisBenchmark(t *testing.T) {
	if _, err := exec.LookPath("redis-benchmark"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-benchmark not found (apt-get install redis-tools); CI must run this test")
		}
		t.Skip("redis-benchmark not found (apt-get install redis-tools)")
	}
	var log bytes.Buffer
	cfg, err := parseFlags([]string{"-keys", "1000", "-collections", "4", "-members", "100", "-baseline", "0",
		"-rounds", "1", "-idle", "0", "-redis-benchmark", "-bench-requests", "2000", "-bench-conns", "4", "-bench-pipeline", "8",
		"-out", "-", "-workdir", t.TempDir(), "-bin", rediskBin(t)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.stderr = &log
	rep, rs, err := run(cfg)
	runCleanups()
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	r := rs[0]
	for _, k := range []string{"GET", "GET -P 8", "ZRANGEBYSCORE", "ZRANGEBYSCORE -P 8"} {
		if r.rps[k] <= 0 {
			t.Errorf("no throughput for %s: %v", k, r.rps)
		}
	}
	for _, want := range []string{"-r 1000 -t get", "-P 8 -r 100 ZRANGEBYSCORE zset:0 __rand_int__ +inf LIMIT 0 10"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks the command line with %q:\n%s", want, rep)
		}
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-types", "list,stream"},
		{"-keys", "0", "-collections", "0"},
		{"-value-size", "0"},
		{"-addr", "127.0.0.1:6379", "-bin", "x"},
		{"extra"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	cfg, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.keys != 10_000_000 || cfg.valueSize != 100 || cfg.collections != 10 || cfg.members != 1_000_000 || cfg.baseline != 100_000 {
		t.Errorf("defaults: %+v", cfg)
	}
	if got := fmt.Sprint(collections(10, cfg.kinds)); !strings.HasSuffix(got, "{list list:2} {hash hash:2}]") {
		t.Errorf("10 collections: %s", got)
	}
	if shortCount(10_000_000) != "10M" || shortCount(100_000) != "100k" || count(1234567) != "1,234,567" {
		t.Error("number formatting")
	}
}
