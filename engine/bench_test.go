package engine_test

// Benchmarks of the engine's hot paths: one Store (one shard file) in a
// temporary directory, driven through Write/Read like the command layer does.
// "serial" is one caller waiting for each commit; "parallel" runs
// 16×GOMAXPROCS callers, whose writes the writer goroutine groups into
// shared commits (reported as writes/commit). No timing thresholds here:
// compare runs with benchstat.
//
//	go test -run '^$' -bench . -benchtime 2s ./engine/

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"redisk/engine"
)

const (
	benchKeys     = 100000 // distinct keys, like redis-benchmark -r 100000
	benchParallel = 16     // goroutines per GOMAXPROCS in the parallel runs
)

var (
	benchKeyList = func() [][]byte {
		ks := make([][]byte, benchKeys)
		for i := range ks {
			ks[i] = []byte(fmt.Sprintf("key:%012d", i))
		}
		return ks
	}()
	benchVal = []byte("xxx") // redis-benchmark's default 3-byte value
)

func openBench(b *testing.B, sync engine.Sync) *engine.Store {
	return openBenchCache(b, sync, 0)
}

// openBenchCache opens the benchmark store with a key cache of cacheBytes.
func openBenchCache(b *testing.B, sync engine.Sync, cacheBytes int64) *engine.Store {
	b.Helper()
	s, err := engine.Open(filepath.Join(b.TempDir(), "shard0.db"), engine.Options{Shard: 0, Shards: 1, Sync: sync, CacheBytes: cacheBytes})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// commitMetric reports how many writes shared each commit during the timed part.
func commitMetric(b *testing.B, s *engine.Store, fn func()) {
	b.Helper()
	w0, c0 := s.Writes.Load(), s.Commits.Load()
	b.ResetTimer()
	fn()
	b.StopTimer()
	if c := s.Commits.Load() - c0; c > 0 {
		b.ReportMetric(float64(s.Writes.Load()-w0)/float64(c), "writes/commit")
	}
}

// runBoth runs op as a serial and as a parallel sub-benchmark; op gets the
// iteration's sequence number (unique across goroutines).
func runBoth(b *testing.B, setup func(b *testing.B, s *engine.Store), sync engine.Sync, op func(b *testing.B, s *engine.Store, i int64)) {
	b.Run("serial", func(b *testing.B) {
		s := openBench(b, sync)
		if setup != nil {
			setup(b, s)
		}
		commitMetric(b, s, func() {
			for i := 0; i < b.N; i++ {
				op(b, s, int64(i))
			}
		})
	})
	b.Run("parallel", func(b *testing.B) {
		s := openBench(b, sync)
		if setup != nil {
			setup(b, s)
		}
		var seq atomic.Int64
		b.SetParallelism(benchParallel)
		commitMetric(b, s, func() {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					op(b, s, seq.Add(1)-1)
				}
			})
		})
	})
}

func key(i int64) []byte { return benchKeyList[i%benchKeys] }

// preload stores every benchmark key as a string ("0", so INCR works on it).
func preload(b *testing.B, s *engine.Store) {
	b.Helper()
	const batch = 5000
	for lo := 0; lo < benchKeys; lo += batch {
		err := s.Write(0, func(tx *engine.Tx) error {
			for i := lo; i < lo+batch && i < benchKeys; i++ {
				tx.SetString(benchKeyList[i], []byte("0"), 0)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func set(b *testing.B, s *engine.Store, i int64) {
	err := s.Write(0, func(tx *engine.Tx) error {
		tx.SetString(key(i), benchVal, 0)
		return nil
	})
	if err != nil {
		b.Error(err)
	}
}

// BenchmarkSetString is SET on random-ish keys (new keys first, then overwrites),
// at each durability level.
func BenchmarkSetString(b *testing.B) {
	for _, sync := range []engine.Sync{engine.SyncEverysec, engine.SyncAlways, engine.SyncNo} {
		b.Run(sync.String(), func(b *testing.B) { runBoth(b, nil, sync, set) })
	}
}

// benchCache is the key cache of the cached variants: room for every
// benchmark key, as a server's default 32 MB has for redis-benchmark's.
const benchCache = 64 << 20

// BenchmarkCached is SET, INCR and GET on existing keys with the key cache
// on (after preload every key is cached): writes skip the lookup SELECT,
// GETs answer without a read transaction.
func BenchmarkCached(b *testing.B) {
	open := func(b *testing.B) *engine.Store {
		s := openBenchCache(b, engine.SyncEverysec, benchCache)
		preload(b, s)
		return s
	}
	b.Run("set", func(b *testing.B) {
		s := open(b)
		commitMetric(b, s, func() {
			for i := 0; i < b.N; i++ {
				set(b, s, int64(i)*7919)
			}
		})
	})
	// 64 SETs of existing keys per transaction, the commit amortized as
	// under load: "changed" gives every SET a value other than the key's,
	// so every SET dirties its page; "same" writes the value the key holds
	// (as redis-benchmark's SET does once its keys exist), which SQLite
	// does not write back.
	for _, same := range []bool{false, true} {
		name := map[bool]string{false: "set-tx64-changed", true: "set-tx64-same"}[same]
		b.Run(name, func(b *testing.B) {
			s := open(b)
			vals := [][]byte{[]byte("xxx"), []byte("yyy")}
			b.ResetTimer()
			for i := 0; i < b.N; i += 64 {
				err := s.Write(0, func(tx *engine.Tx) error {
					for j := i; j < i+64 && j < b.N; j++ {
						v := vals[(j/benchKeys)%2]
						if same {
							v = []byte("0")
						}
						if _, _, _, err := tx.Set(key(int64(j)*7919), v, engine.SetArgs{}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("incr", func(b *testing.B) {
		s := open(b)
		commitMetric(b, s, func() {
			for i := 0; i < b.N; i++ {
				if err := s.Write(0, func(tx *engine.Tx) error { _, err := tx.IncrBy(key(int64(i)*7919), 1); return err }); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("get", func(b *testing.B) {
		s := open(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			err := s.ReadKey(0, func(tx *engine.Tx) error {
				_, ok, err := tx.Get(key(int64(i) * 7919))
				if err == nil && !ok {
					err = fmt.Errorf("key %d missing", i)
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLRange is redis-benchmark's LRANGE_100: the first 100 items of
// a list of 100k, as a single-key read, with and without the key cache
// (which keeps the list's head after the first read).
func BenchmarkLRange(b *testing.B) {
	for _, cache := range []int64{0, benchCache} {
		b.Run(fmt.Sprintf("cache=%v", cache > 0), func(b *testing.B) {
			s := openBenchCache(b, engine.SyncNo, cache)
			vals := make([][]byte, 1000)
			for i := range vals {
				vals[i] = benchVal
			}
			for n := 0; n < benchKeys; n += len(vals) {
				if err := s.Write(0, func(tx *engine.Tx) error { _, err := tx.Push(listKey, vals, true, false); return err }); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				err := s.ReadKey(0, func(tx *engine.Tx) error {
					got, err := tx.LRange(listKey, 0, 99)
					if err == nil && len(got) != 100 {
						err = fmt.Errorf("LRANGE returned %d items", len(got))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGet is GET of existing keys through the read connection pool.
func BenchmarkGet(b *testing.B) {
	runBoth(b, preload, engine.SyncEverysec, func(b *testing.B, s *engine.Store, i int64) {
		err := s.Read(0, func(tx *engine.Tx) error {
			v, ok, err := tx.Get(key(i * 7919)) // spread over the key space
			if err == nil && (!ok || len(v) == 0) {
				err = fmt.Errorf("key %d missing", i)
			}
			return err
		})
		if err != nil {
			b.Error(err)
		}
	})
}

// BenchmarkIncrBy is INCR on existing integer keys.
func BenchmarkIncrBy(b *testing.B) {
	runBoth(b, preload, engine.SyncEverysec, func(b *testing.B, s *engine.Store, i int64) {
		err := s.Write(0, func(tx *engine.Tx) error {
			_, err := tx.IncrBy(key(i*7919), 1)
			return err
		})
		if err != nil {
			b.Error(err)
		}
	})
}

var listKey = []byte("mylist")

// BenchmarkPush is RPUSH of one item onto one list (redis-benchmark's LPUSH/RPUSH shape).
func BenchmarkPush(b *testing.B) {
	runBoth(b, nil, engine.SyncEverysec, func(b *testing.B, s *engine.Store, i int64) {
		err := s.Write(0, func(tx *engine.Tx) error {
			_, err := tx.Push(listKey, [][]byte{benchVal}, false, false)
			return err
		})
		if err != nil {
			b.Error(err)
		}
	})
}

// BenchmarkPop is LPOP of one item from a list that holds enough for every iteration.
func BenchmarkPop(b *testing.B) {
	fill := func(b *testing.B, s *engine.Store) {
		b.Helper()
		vals := make([][]byte, 1000)
		for i := range vals {
			vals[i] = benchVal
		}
		for n := 0; n < b.N+len(vals); n += len(vals) {
			err := s.Write(0, func(tx *engine.Tx) error {
				_, err := tx.Push(listKey, vals, false, false)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	runBoth(b, fill, engine.SyncEverysec, func(b *testing.B, s *engine.Store, i int64) {
		err := s.Write(0, func(tx *engine.Tx) error {
			out, err := tx.Pop(listKey, 1, true)
			if err == nil && len(out) != 1 {
				err = fmt.Errorf("pop %d: got %d items", i, len(out))
			}
			return err
		})
		if err != nil {
			b.Error(err)
		}
	})
}

// BenchmarkPushPop alternates RPUSH and LPOP on one list, so the list stays short.
func BenchmarkPushPop(b *testing.B) {
	runBoth(b, nil, engine.SyncEverysec, func(b *testing.B, s *engine.Store, i int64) {
		err := s.Write(0, func(tx *engine.Tx) error {
			if i%2 == 0 {
				_, err := tx.Push(listKey, [][]byte{benchVal}, false, false)
				return err
			}
			_, err := tx.Pop(listKey, 1, true)
			return err
		})
		if err != nil {
			b.Error(err)
		}
	})
}

var zsetKey = []byte("myzset")

// zfill adds n members "m:<i>" with score i to zsetKey, and ranks the set
// (builds its rank levels, as a first ZRANK would) when ranked.
func zfill(b *testing.B, s *engine.Store, n int, ranked bool) {
	b.Helper()
	const batch = 10000
	for lo := 0; lo < n; lo += batch {
		ms := make([]engine.ZMember, 0, batch)
		for i := lo; i < lo+batch && i < n; i++ {
			ms = append(ms, engine.ZMember{Member: []byte(fmt.Sprintf("m:%d", i)), Score: float64(i)})
		}
		err := s.Write(0, func(tx *engine.Tx) error {
			_, _, _, err := tx.ZAdd(zsetKey, ms, engine.ZAddArgs{})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if ranked {
		if err := s.Write(0, func(tx *engine.Tx) error { tx.ZRankOn(zsetKey); return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkZAdd is redis-benchmark's ZADD shape: a random member of 100k
// with a random score into one sorted set of 100k members (new members and
// score changes); "ranked" maintains the set's rank index too, as once a
// rank query asked for it.
func BenchmarkZAdd(b *testing.B) {
	for _, ranked := range []bool{false, true} {
		name := "unranked"
		if ranked {
			name = "ranked"
		}
		b.Run(name, func(b *testing.B) {
			runBoth(b, func(b *testing.B, s *engine.Store) { zfill(b, s, benchKeys, ranked) }, engine.SyncEverysec, func(b *testing.B, s *engine.Store, i int64) {
				r := i * 7919
				z := engine.ZMember{Member: []byte(fmt.Sprintf("m:%d", r%benchKeys)), Score: float64(r % 100003)}
				err := s.Write(0, func(tx *engine.Tx) error {
					_, _, _, err := tx.ZAdd(zsetKey, []engine.ZMember{z}, engine.ZAddArgs{})
					return err
				})
				if err != nil {
					b.Error(err)
				}
			})
		})
	}
}

// BenchmarkZPopMin pops the lowest member of a large sorted set.
func BenchmarkZPopMin(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		s := openBench(b, engine.SyncEverysec)
		zfill(b, s, b.N+benchKeys, false)
		commitMetric(b, s, func() {
			for i := 0; i < b.N; i++ {
				err := s.Write(0, func(tx *engine.Tx) error {
					_, err := tx.ZPop(zsetKey, 1, false)
					return err
				})
				if err != nil {
					b.Error(err)
				}
			}
		})
	})
}

// BenchmarkZRank is ZRANK and ZRANGE by rank (offset near the end) in sorted
// sets of 10k and 1M members: both should cost about the same.
func BenchmarkZRank(b *testing.B) {
	for _, n := range []int{10000, 1000000} {
		s := openBench(b, engine.SyncNo)
		zfill(b, s, n, true)
		b.Run(fmt.Sprintf("rank/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r := int64(n) - 1 - int64(i*7919)%100
				err := s.Read(0, func(tx *engine.Tx) error {
					got, _, ok, err := tx.ZRank(zsetKey, []byte(fmt.Sprintf("m:%d", r)), false)
					if err == nil && (!ok || got != r) {
						err = fmt.Errorf("rank of m:%d = %d %v", r, got, ok)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("range/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r := int64(n) - 10 - int64(i*7919)%100
				err := s.Read(0, func(tx *engine.Tx) error {
					got, err := tx.ZRange(zsetKey, engine.ZRangeSpec{By: engine.ByRank, Start: r, Stop: r + 9})
					if err == nil && (len(got) != 10 || got[0].Score != float64(r)) {
						err = fmt.Errorf("range at %d: %v", r, got)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRandomMember is SRANDMEMBER and HRANDFIELD of one member of a
// set and a hash of 100k members each: a random seek and a step over up to
// randomSpread rows (SPOP's pick, without the delete).
func BenchmarkRandomMember(b *testing.B) {
	s := openBench(b, engine.SyncEverysec)
	const batch = 10000
	for lo := 0; lo < benchKeys; lo += batch {
		var members, pairs [][]byte
		for i := lo; i < lo+batch; i++ {
			m := []byte(fmt.Sprintf("m:%d", i))
			members, pairs = append(members, m), append(pairs, m, []byte("value"))
		}
		err := s.Write(0, func(tx *engine.Tx) error {
			if _, err := tx.SAdd([]byte("set"), members); err != nil {
				return err
			}
			_, err := tx.HSet([]byte("hash"), pairs)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, op := range []struct {
		name string
		pick func(tx *engine.Tx) (int, error) // members returned
	}{
		{"srandmember", func(tx *engine.Tx) (int, error) { m, err := tx.SRandMember([]byte("set"), 1); return len(m), err }},
		{"hrandfield", func(tx *engine.Tx) (int, error) { f, _, err := tx.HRandField([]byte("hash"), 1); return len(f), err }},
	} {
		b.Run(op.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				err := s.Read(0, func(tx *engine.Tx) error {
					n, err := op.pick(tx)
					if err == nil && n != 1 {
						err = fmt.Errorf("%s returned %d members", op.name, n)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
