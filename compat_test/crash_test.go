package compat_test

import (
	"fmt"
	"testing"
	"time"
)

// TestCrashBetweenShardCommits checks what the README promises about a crash
// in the middle of a multi-shard commit: the server, made to SIGKILL itself
// right after the first shard of an MSET commits, never acknowledges the
// MSET; after a restart each key holds its old or its new value (nothing
// torn or lost), some shards carry the new values and the others the old.
func TestCrashBetweenShardCommits(t *testing.T) {
	s := StartRediskEnv(t, t.TempDir(), []string{"REDISK_TEST_CRASH_BETWEEN_COMMITS=1"})
	c := Dial(t, s.Addr)
	const n = 40
	for i := 0; i < n; i++ {
		if got := string(c.Do("SET", fmt.Sprintf("k%d", i), "old")); got != "+OK\r\n" {
			t.Fatalf("SET k%d: %q", i, got)
		}
	}
	args := []string{"MSET"}
	for i := 0; i < n; i++ {
		args = append(args, fmt.Sprintf("k%d", i), "new")
	}
	if reply, err := c.DoErr(args...); err == nil {
		t.Fatalf("MSET across shards was acknowledged (%q) although the server died mid-commit", reply)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !s.exited() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !s.exited() {
		t.Fatal("the server did not die between the shard commits")
	}
	s.Env = nil
	s.relaunch()
	c = Dial(t, s.Addr)
	var olds, news int
	for i := 0; i < n; i++ {
		switch got := string(c.Do("GET", fmt.Sprintf("k%d", i))); got {
		case "$3\r\nold\r\n":
			olds++
		case "$3\r\nnew\r\n":
			news++
		default:
			t.Errorf("k%d after the crash: %q, want old or new", i, got)
		}
	}
	if olds == 0 || news == 0 {
		t.Errorf("after a crash between shard commits: %d keys new, %d old; want the first shard's keys new and the rest old", news, olds)
	}
	if got := string(c.Do("DBSIZE")); got != fmt.Sprintf(":%d\r\n", n) {
		t.Errorf("DBSIZE after the crash: %q", got)
	}
}
