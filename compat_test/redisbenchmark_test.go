package compat_test

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchLine is one result line of `redis-benchmark -q`.
var benchLine = regexp.MustCompile(`^(.+): [0-9.]+ requests per second`)

// runBenchmark runs redis-benchmark's whole default test set (no -t) against
// s and returns the names of the tests it reported, its output and its
// exit code. Numbers are not looked at: this checks behaviour, not speed.
func runBenchmark(t *testing.T, s *Server, pipe int) (names []string, out string, code int) {
	t.Helper()
	bin := needRedis(t, "redis-benchmark")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port),
		"-q", "-c", "10", "-n", "2000", "-r", "1000", "-P", strconv.Itoa(pipe))
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("redis-benchmark -P %d timed out; output so far:\n%s", pipe, buf.String())
	}
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("redis-benchmark: %v", err)
	}
	out = buf.String()
	// -q rewrites a progress line with \r before printing each result.
	for _, line := range strings.FieldsFunc(out, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if m := benchLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			names = append(names, m[1])
		}
	}
	return names, out, code
}

// TestRedisBenchmarkDefaultSet runs redis-benchmark's default test set,
// without and with pipelining, against redisk and against a real
// redis-server: redisk must finish every test redis-server finishes, with
// no error reply (redis-benchmark stops at the first one), and stay up.
func TestRedisBenchmarkDefaultSet(t *testing.T) {
	redis := StartRedis(t)
	rk := StartRedisk(t)
	for _, pipe := range []int{1, 16} {
		want, _, _ := runBenchmark(t, redis, pipe)
		if len(want) < 15 {
			t.Fatalf("redis-server -P %d: only %d tests reported: %q", pipe, len(want), want)
		}
		got, out, code := runBenchmark(t, rk, pipe)
		if code != 0 || !slices.Equal(got, want) {
			t.Errorf("redisk -P %d: exit code %d, tests %q; redis-server ran %q; output:\n%s", pipe, code, got, want, out)
		}
		for _, bad := range []string{"Error", "ERR", "WRONGTYPE"} {
			if strings.Contains(out, bad) {
				t.Errorf("redisk -P %d: redis-benchmark printed %q:\n%s", pipe, bad, out)
			}
		}
	}
	c := Dial(t, rk.Addr)
	defer c.Close()
	if got := string(c.Do("PING")); got != "+PONG\r\n" {
		t.Fatalf("PING after the benchmarks: %q", got)
	}
}
