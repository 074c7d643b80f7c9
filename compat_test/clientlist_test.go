package compat_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// clientCmd is the addr= and cmd= fields of a CLIENT LIST line.
var clientCmd = regexp.MustCompile(`(?m)\baddr=(\S+) .*\bcmd=(\S+)`)

// TestClientListLastCommand compares the cmd= fields CLIENT LIST shows for
// another connection with redis-server's: NULL before its first command,
// then the last command it ran, whether alone, pipelined, a subcommand,
// queued by MULTI, EXEC or a script.
func TestClientListLastCommand(t *testing.T) {
	steps := []struct {
		name string
		run  func(a *RawConn)
	}{
		{"fresh", func(a *RawConn) {}},
		{"set", func(a *RawConn) { a.Do("SET", "k", "v") }},
		{"pipelined-writes", func(a *RawConn) {
			a.Send(append(EncodeCommand("INCR", "n"), EncodeCommand("RPUSH", "l", "x")...))
			a.ReadReply()
			a.ReadReply()
		}},
		{"subcommand", func(a *RawConn) { a.Do("CLIENT", "GETNAME") }},
		{"queued", func(a *RawConn) { a.Do("MULTI"); a.Do("SET", "k", "w"); a.Do("GET", "k") }},
		{"exec", func(a *RawConn) { a.Do("INCR", "n"); a.Do("EXEC") }},
		{"eval", func(a *RawConn) { a.Do("EVAL", "redis.call('SET', 'k', 'x') return redis.call('INCR', 'n')", "0") }},
		{"discard", func(a *RawConn) { a.Do("MULTI"); a.Do("GET", "k"); a.Do("DISCARD") }},
	}
	fields := func(s *Server) [][]string {
		a, b := Dial(t, s.Addr), Dial(t, s.Addr)
		// Only a and b, known by their addresses: the harness's readiness
		// probe may not have been seen closing yet.
		ours := map[string]bool{a.c.LocalAddr().String(): true, b.c.LocalAddr().String(): true}
		var out [][]string
		for _, st := range steps {
			st.run(a)
			list := string(b.Do("CLIENT", "LIST"))
			var got []string
			for _, m := range clientCmd.FindAllStringSubmatch(list, -1) {
				if ours[m[1]] {
					got = append(got, m[2])
				}
			}
			if len(got) != 2 {
				t.Fatalf("after %s: CLIENT LIST does not show both test connections:\n%s", st.name, list)
			}
			slices.Sort(got)
			out = append(out, append([]string{st.name}, got...))
		}
		return out
	}
	want, got := fields(StartRedis(t)), fields(StartRedisk(t))
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("after %s: redisk shows %s, redis-server %s", want[i][0], strings.Join(got[i][1:], " "), strings.Join(want[i][1:], " "))
		}
	}
}
