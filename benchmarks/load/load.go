package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// appendKey appends prefix and n zero-padded to 12 digits: the names
// redis-benchmark's __rand_int__ produces, so that `redis-benchmark -r N -t get`
// reads exactly the keys loaded here (key:000000000000 .. key:N-1).
func appendKey(b []byte, prefix string, n int64) []byte {
	b = append(b, prefix...)
	var d [12]byte
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:]...)
}

// progress shows one phase's progress on a line of its own.
type progress struct {
	out      io.Writer
	tty      bool
	every    time.Duration
	phase    string
	total    int64
	unit     string
	done     atomic.Int64
	start    time.Time
	extra    func() string // RSS, data dir size
	stop     chan struct{}
	finished sync.WaitGroup
}

func newProgress(out io.Writer, every time.Duration, phase string, total int64, unit string, extra func() string) *progress {
	p := &progress{out: out, phase: phase, total: total, unit: unit, start: time.Now(), extra: extra, stop: make(chan struct{})}
	if f, ok := out.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	p.every = every
	if p.every <= 0 {
		p.every = 10 * time.Second
		if p.tty {
			p.every = time.Second
		}
	}
	p.finished.Add(1)
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer p.finished.Done()
	t := time.NewTicker(p.every)
	defer t.Stop()
	// The rate and ETA come from the last ~10 s, so that they follow a load
	// that slows down as the data grows.
	type sample struct {
		t time.Time
		n int64
	}
	window := []sample{{p.start, 0}}
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			n := p.done.Load()
			window = append(window, sample{now, n})
			for len(window) > 2 && now.Sub(window[1].t) >= 10*time.Second {
				window = window[1:]
			}
			first := window[0]
			rate := float64(n-first.n) / now.Sub(first.t).Seconds()
			p.print(n, rate, now.Sub(p.start), false)
		}
	}
}

func (p *progress) print(n int64, rate float64, elapsed time.Duration, final bool) {
	eta := "?"
	if final {
		eta = "done"
	} else if rate > 0 {
		eta = "ETA " + time.Duration(float64(p.total-n)/rate*float64(time.Second)).Round(time.Second).String()
	}
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(n) / float64(p.total)
	}
	line := fmt.Sprintf("%s %s/%s %s (%.1f%%) %s/s %s, %s elapsed", p.phase, count(n), count(p.total), p.unit, pct,
		count(int64(rate)), eta, elapsed.Round(time.Second))
	if p.extra != nil {
		line += " | " + p.extra()
	}
	if p.tty {
		fmt.Fprintf(p.out, "\r\033[K%s", line)
		if final {
			fmt.Fprintln(p.out)
		}
	} else {
		fmt.Fprintf(p.out, "[%s] %s\n", time.Now().Format("15:04:05"), line)
	}
}

// end stops the display and prints the final line.
func (p *progress) end() time.Duration {
	close(p.stop)
	p.finished.Wait()
	el := time.Since(p.start)
	n := p.done.Load()
	p.print(n, float64(n)/el.Seconds(), el, true)
	return el
}

// count formats n with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var b []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

// parallel runs work on conns connections; work gets its worker's client and
// returns when there is nothing left. The first error stops every worker.
func parallel(addr string, conns int, work func(c *client, failed *atomic.Bool) error) error {
	var (
		wg       sync.WaitGroup
		failed   atomic.Bool
		errOnce  sync.Once
		firstErr error
	)
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dial(addr)
			if err == nil {
				err = work(c, &failed)
				c.Close()
			}
			if err != nil {
				failed.Store(true)
				errOnce.Do(func() { firstErr = err })
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// loadStrings sets key:000000000000 .. key:(n-1) to values of size bytes with
// pipelined SETs: each worker takes pipeline keys at a time.
func loadStrings(addr string, n int64, value []byte, conns, pipeline int, p *progress) error {
	var next atomic.Int64
	return parallel(addr, conns, func(c *client, failed *atomic.Bool) error {
		var key []byte
		for !failed.Load() {
			lo := next.Add(int64(pipeline)) - int64(pipeline)
			if lo >= n {
				return nil
			}
			hi := min(lo+int64(pipeline), n)
			for k := lo; k < hi; k++ {
				c.begin(3)
				c.argString("SET")
				key = appendKey(key[:0], "key:", k)
				c.arg(key)
				c.arg(value)
			}
			if err := c.flush(); err != nil {
				return err
			}
			for k := lo; k < hi; k++ {
				if t, err := c.skip(); err != nil {
					return fmt.Errorf("SET %s: %w", appendKey(nil, "key:", k), err)
				} else if t != '+' {
					return fmt.Errorf("SET %s: unexpected reply type %c", appendKey(nil, "key:", k), t)
				}
			}
			p.done.Add(hi - lo)
		}
		return nil
	})
}

// collection is one loaded list, hash, set or sorted set.
type collection struct {
	kind string // list, hash, set, zset
	key  string
}

// collections names count collections, cycling through kinds: with the
// default kinds and 10 collections that is list:0 hash:0 set:0 zset:0 list:1
// hash:1 set:1 zset:1 list:2 hash:2 (3 lists, 3 hashes, 2 sets, 2 sorted sets).
func collections(count int, kinds []string) []collection {
	var out []collection
	seen := map[string]int{}
	for i := 0; i < count && len(kinds) > 0; i++ {
		k := kinds[i%len(kinds)]
		out = append(out, collection{k, k + ":" + strconv.Itoa(seen[k])})
		seen[k]++
	}
	return out
}

// loadCollections fills every collection with members members: member j is
// the 12-digit text of j; hash fields have that text as value too, and zset
// member j has score j (so ZRANGEBYSCORE key j +inf starts at member j).
// Each command carries batch members; work items interleave the collections
// so that every shard holding one is busy at once.
func loadCollections(addr string, colls []collection, members int64, batch, conns, pipeline int, p *progress) error {
	chunks := (members + int64(batch) - 1) / int64(batch)
	items := chunks * int64(len(colls))
	var next atomic.Int64
	return parallel(addr, conns, func(c *client, failed *atomic.Bool) error {
		var m, score []byte
		for !failed.Load() {
			lo := next.Add(int64(pipeline)) - int64(pipeline)
			if lo >= items {
				return nil
			}
			hi := min(lo+int64(pipeline), items)
			var sent int64
			for it := lo; it < hi; it++ {
				col := colls[it%int64(len(colls))]
				first := (it / int64(len(colls))) * int64(batch)
				last := min(first+int64(batch), members)
				per := 1
				name := ""
				switch col.kind {
				case "list":
					name = "RPUSH"
				case "set":
					name = "SADD"
				case "hash":
					name, per = "HSET", 2
				case "zset":
					name, per = "ZADD", 2
				default:
					return fmt.Errorf("unknown collection kind %q", col.kind)
				}
				c.begin(2 + per*int(last-first))
				c.argString(name)
				c.argString(col.key)
				for j := first; j < last; j++ {
					m = appendKey(m[:0], "", j)
					switch col.kind {
					case "zset":
						score = strconv.AppendInt(score[:0], j, 10)
						c.arg(score)
						c.arg(m)
					case "hash":
						c.arg(m)
						c.arg(m)
					default:
						c.arg(m)
					}
				}
				sent += last - first
			}
			if err := c.flush(); err != nil {
				return err
			}
			for it := lo; it < hi; it++ {
				if t, err := c.skip(); err != nil {
					return fmt.Errorf("loading %s: %w", colls[it%int64(len(colls))].key, err)
				} else if t != ':' {
					return fmt.Errorf("loading %s: unexpected reply type %c", colls[it%int64(len(colls))].key, t)
				}
			}
			p.done.Add(sent)
		}
		return nil
	})
}

// sizeCommand is the command that counts a collection's members.
func sizeCommand(kind string) string {
	return map[string]string{"list": "LLEN", "hash": "HLEN", "set": "SCARD", "zset": "ZCARD"}[kind]
}
