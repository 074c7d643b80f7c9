package compat_test

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runCLI runs redis-cli against s with args, feeding stdin, and returns
// its stdout+stderr and exit code.
func runCLI(t *testing.T, s *Server, stdin string, args ...string) (string, int) {
	t.Helper()
	bin := needRedis(t, "redis-cli")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port)}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("redis-cli %q timed out; output so far:\n%s", args, out.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("redis-cli %q: %v", args, err)
	}
	return out.String(), code
}

// TestRedisCLI runs redis-cli commands non-interactively against redisk and
// a real redis-server and compares the printed output and exit codes.
func TestRedisCLI(t *testing.T) {
	needRedis(t, "redis-cli")
	p := startPair(t)
	steps := [][]string{
		{"FLUSHALL"},
		{"SET", "a", "hello world"},
		{"GET", "a"},
		{"GET", "nokey"},
		{"RPUSH", "l", "x", "y", "z"},
		{"LRANGE", "l", "0", "-1"},
		{"GET", "l"},
		{"INCR", "n"},
		{"INCRBYFLOAT", "n", "1.5"},
		{"EXISTS", "a", "l", "nokey"},
		{"TTL", "a"},
		{"NOSUCHCOMMAND", "x"},
		{"-n", "3", "SET", "indb3", "v"},
		{"-n", "3", "DBSIZE"},
		{"--no-raw", "GET", "a"},
		{"--no-raw", "GET", "nokey"},
		{"--no-raw", "LRANGE", "l", "0", "-1"},
		{"--no-raw", "LRANGE", "nokey", "0", "-1"},
		{"--no-raw", "INCR", "n2"},
		{"--no-raw", "GET", "l"},
		{"--no-raw", "LPOP", "nokey", "2"},
		{"-3", "--no-raw", "GET", "nokey"},
		{"-3", "--no-raw", "INCRBYFLOAT", "f", "2.5"},
		{"-3", "--no-raw", "LPOP", "l", "2"},
		{"-3", "--no-raw", "CONFIG", "GET", "maxmemory-policy"},
		{"-3", "--no-raw", "EXPIRE", "a", "100"},
		{"-3", "--no-raw", "SETNX", "a", "x"},
		{"-3", "GET", "nokey"},
		{"-3", "--no-raw", "LCS", "a", "a", "IDX"},
		{"--no-raw", "LCS", "a", "a", "IDX", "WITHMATCHLEN"},
		{"--no-raw", "SCAN", "0", "MATCH", "l", "COUNT", "1000"},
		{"--no-raw", "COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"},
	}
	for _, args := range steps {
		got, gcode := runCLI(t, p.redisk, "", args...)
		want, wcode := runCLI(t, p.redis, "", args...)
		if got != want || gcode != wcode {
			t.Errorf("redis-cli %s\n  redisk (exit %d): %q\n  redis  (exit %d): %q", strings.Join(args, " "), gcode, got, wcode, want)
		}
	}
	// Commands piped through stdin, one per line, with quoting.
	script := "SET piped 1\nINCR piped\nGET piped\nSET \"q k\" \"a\\x00b\"\nSTRLEN \"q k\"\nECHO 'single quoted'\nLLEN nokey\n"
	got, gcode := runCLI(t, p.redisk, script)
	want, wcode := runCLI(t, p.redis, script)
	if got != want || gcode != wcode {
		t.Errorf("redis-cli with stdin\n  redisk (exit %d): %q\n  redis  (exit %d): %q", gcode, got, wcode, want)
	}
	if !strings.HasPrefix(got, "OK\n2\n2\nOK\n3\nsingle quoted\n0\n") {
		t.Errorf("redis-cli with stdin on redisk: %q", got)
	}
	// -x: last argument from stdin.
	got, _ = runCLI(t, p.redisk, "from stdin", "-x", "SET", "xarg")
	if v, _ := runCLI(t, p.redisk, "", "GET", "xarg"); got != "OK\n" || v != "from stdin\n" {
		t.Errorf("redis-cli -x: %q then GET %q", got, v)
	}
}

// TestRedisCLICommandDocs checks that redis-cli can show COMMAND DOCS (it
// reads them at startup for hints) and that its reply looks like Redis's.
func TestRedisCLICommandDocs(t *testing.T) {
	needRedis(t, "redis-cli")
	s := StartRedisk(t)
	out, code := runCLI(t, s, "", "--no-raw", "COMMAND", "DOCS", "get")
	if code != 0 || strings.Contains(out, "ERR") || strings.Contains(out, "Error") {
		t.Fatalf("redis-cli --no-raw COMMAND DOCS get: exit %d\n%s", code, out)
	}
	for _, want := range []string{`"get"`, `"summary"`, `"since"`, `"group"`, `"string"`, `"complexity"`} {
		if !strings.Contains(out, want) {
			t.Errorf("COMMAND DOCS get output lacks %s:\n%s", want, out)
		}
	}
	for _, args := range [][]string{{"--no-raw", "COMMAND", "DOCS"}, {"-3", "--no-raw", "COMMAND", "DOCS", "set", "lpush"},
		{"--no-raw", "COMMAND", "INFO", "get"}, {"--no-raw", "COMMAND", "COUNT"}} {
		out, code := runCLI(t, s, "", args...)
		if code != 0 || strings.Contains(out, "ERR") || len(out) < 10 {
			t.Errorf("redis-cli %s: exit %d\n%s", strings.Join(args, " "), code, tail(out, 500))
		}
	}
}

// TestRedisCLIPipeAndScan checks redis-cli's mass-insert mode (--pipe) and
// --scan, which use ECHO markers and SCAN cursors.
func TestRedisCLIPipeAndScan(t *testing.T) {
	needRedis(t, "redis-cli")
	s := StartRedisk(t)
	var in bytes.Buffer
	const n = 2000
	for i := 0; i < n; i++ {
		in.Write(EncodeCommand("SET", fmt.Sprintf("pipe:%d", i), strconv.Itoa(i)))
	}
	in.Write(EncodeCommand("RPUSH", "pipelist", "a", "b"))
	out, code := runCLI(t, s, in.String(), "--pipe")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("errors: 0, replies: %d", n+1)) {
		t.Fatalf("redis-cli --pipe: exit %d\n%s", code, out)
	}
	if got, _ := runCLI(t, s, "", "DBSIZE"); got != fmt.Sprintf("%d\n", n+1) {
		t.Errorf("DBSIZE after --pipe: %q", got)
	}
	out, code = runCLI(t, s, "", "--scan", "--pattern", "pipe:1*")
	keys := strings.Fields(out)
	sort.Strings(keys)
	keys = compactStrings(keys)
	if code != 0 || len(keys) != 1111 {
		t.Errorf("redis-cli --scan --pattern pipe:1*: exit %d, %d distinct keys, want 1111", code, len(keys))
	}
}

// compactStrings removes adjacent duplicates from a sorted slice.
func compactStrings(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
