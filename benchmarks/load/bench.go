package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A throughput test: GET of uniformly random loaded keys, or ZRANGEBYSCORE
// key MIN +inf LIMIT 0 10 on a random loaded sorted set with MIN uniformly
// random over its scores.
type throughputTest struct {
	name     string // GET or ZRANGEBYSCORE
	pipeline int    // 1: no pipelining
}

func (t throughputTest) String() string {
	if t.pipeline > 1 {
		return fmt.Sprintf("%s -P %d", t.name, t.pipeline)
	}
	return t.name
}

// benchInTool runs conns connections for dur, each sending pipeline commands
// made by gen and reading their replies before the next batch, and returns
// completed requests per second. Any error reply fails the run.
func benchInTool(addr string, conns, pipeline int, dur time.Duration, gen func(c *client, r *rand.Rand)) (float64, error) {
	clients := make([]*client, conns)
	for i := range clients {
		c, err := dial(addr)
		if err != nil {
			for _, c := range clients[:i] {
				c.Close()
			}
			return 0, err
		}
		clients[i] = c
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int64
		first error
	)
	seed := rand.Uint64()
	start := time.Now()
	deadline := start.Add(dur)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			var n int64
			var err error
		loop:
			for time.Now().Before(deadline) {
				for k := 0; k < pipeline; k++ {
					gen(c, r)
				}
				if err = c.flush(); err != nil {
					break
				}
				for k := 0; k < pipeline; k++ {
					if _, err = c.skip(); err != nil {
						break loop
					}
				}
				n += int64(pipeline)
			}
			mu.Lock()
			total += n
			if err != nil && first == nil {
				first = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if first != nil {
		return 0, first
	}
	return float64(total) / el.Seconds(), nil
}

// genGet makes GET key:RANDOM over keys loaded keys.
func genGet(keys int64) func(c *client, r *rand.Rand) {
	var key []byte
	return func(c *client, r *rand.Rand) {
		c.begin(2)
		c.argString("GET")
		key = appendKey(key[:0], "key:", r.Int64N(keys))
		c.arg(key)
	}
}

// genZrange makes ZRANGEBYSCORE zset:I MIN +inf LIMIT 0 10 with I and MIN
// uniformly random.
func genZrange(zsets []string, members int64) func(c *client, r *rand.Rand) {
	var min []byte
	return func(c *client, r *rand.Rand) {
		c.begin(7)
		c.argString("ZRANGEBYSCORE")
		c.argString(zsets[r.IntN(len(zsets))])
		min = strconv.AppendInt(min[:0], r.Int64N(members), 10)
		c.arg(min)
		c.argString("+inf")
		c.argString("LIMIT")
		c.argString("0")
		c.argString("10")
	}
}

var rpsLine = regexp.MustCompile(`([0-9][0-9.]*) requests per second`)

// benchRedisBenchmark runs redis-benchmark for the test: `-t get -r KEYS` for
// GET (its key:__rand_int__ names are the loaded keys) and
// `ZRANGEBYSCORE zset:0 __rand_int__ +inf LIMIT 0 10 -r MEMBERS` for
// ZRANGEBYSCORE (redis-benchmark cannot pick among several keys).
func benchRedisBenchmark(addr string, t throughputTest, conns, requests int, keys int64, zset string, members int64, timeout time.Duration) (float64, string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, "", err
	}
	args := []string{"-h", host, "-p", port, "-q", "-c", strconv.Itoa(conns), "-n", strconv.Itoa(requests)}
	if t.pipeline > 1 {
		args = append(args, "-P", strconv.Itoa(t.pipeline))
	}
	switch t.name {
	case "GET":
		args = append(args, "-r", strconv.FormatInt(keys, 10), "-t", "get")
	case "ZRANGEBYSCORE":
		args = append(args, "-r", strconv.FormatInt(members, 10), "ZRANGEBYSCORE", zset, "__rand_int__", "+inf", "LIMIT", "0", "10")
	default:
		return 0, "", fmt.Errorf("no redis-benchmark form for %s", t.name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmdline := "redis-benchmark " + strings.Join(args, " ")
	out, err := exec.CommandContext(ctx, "redis-benchmark", args...).CombinedOutput()
	text := strings.ReplaceAll(string(out), "\r", "\n")
	if ctx.Err() != nil {
		return 0, cmdline, fmt.Errorf("%s: timed out after %s", cmdline, timeout)
	}
	if err != nil {
		return 0, cmdline, fmt.Errorf("%s: %v\n%s", cmdline, err, lastLines(text, 5))
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "ERR") || strings.Contains(l, "WRONGTYPE") || strings.Contains(l, "Error") {
			return 0, cmdline, fmt.Errorf("%s: %s", cmdline, l)
		}
	}
	m := rpsLine.FindAllStringSubmatch(text, -1)
	if len(m) == 0 {
		return 0, cmdline, errors.New(cmdline + ": no requests per second line:\n" + lastLines(text, 5))
	}
	rps, _ := strconv.ParseFloat(m[len(m)-1][1], 64)
	return rps, cmdline, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
