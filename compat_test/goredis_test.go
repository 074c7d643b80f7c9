package compat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// goRedisClient returns a go-redis client for s speaking the given protocol
// (2 or 3); it is closed when the test ends.
func goRedisClient(t *testing.T, s *Server, proto int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: proto, PoolSize: 32,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

// forProtocols runs f as a subtest for RESP3 (go-redis's default) and RESP2
// against one redisk.
func forProtocols(t *testing.T, f func(t *testing.T, c *redis.Client)) {
	s := StartRedisk(t)
	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("proto%d", proto), func(t *testing.T) {
			c := goRedisClient(t, s, proto)
			if err := c.FlushAll(context.Background()).Err(); err != nil {
				t.Fatalf("FLUSHALL: %v", err)
			}
			f(t, c)
		})
	}
}

// must fails the test when err is not nil.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestGoRedisStrings round-trips the string commands through go-redis.
func TestGoRedisStrings(t *testing.T) {
	forProtocols(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		must(t, c.Set(ctx, "s", "hello", 0).Err())
		if v, err := c.Get(ctx, "s").Result(); err != nil || v != "hello" {
			t.Errorf("GET: %q %v", v, err)
		}
		if _, err := c.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
			t.Errorf("GET missing: %v, want redis.Nil", err)
		}
		if ok, err := c.SetNX(ctx, "s", "x", 0).Result(); err != nil || ok {
			t.Errorf("SETNX existing: %v %v", ok, err)
		}
		if ok, err := c.SetNX(ctx, "nx", "x", time.Minute).Result(); err != nil || !ok {
			t.Errorf("SETNX new: %v %v", ok, err)
		}
		if ok, err := c.SetXX(ctx, "nokey", "x", 0).Result(); err != nil || ok {
			t.Errorf("SETXX missing: %v %v", ok, err)
		}
		if v, err := c.SetArgs(ctx, "s", "world", redis.SetArgs{Get: true}).Result(); err != nil || v != "hello" {
			t.Errorf("SET GET: %q %v", v, err)
		}
		if n, err := c.Incr(ctx, "n").Result(); err != nil || n != 1 {
			t.Errorf("INCR: %d %v", n, err)
		}
		if n, err := c.IncrBy(ctx, "n", 41).Result(); err != nil || n != 42 {
			t.Errorf("INCRBY: %d %v", n, err)
		}
		if n, err := c.Decr(ctx, "n").Result(); err != nil || n != 41 {
			t.Errorf("DECR: %d %v", n, err)
		}
		if f, err := c.IncrByFloat(ctx, "f", 10.5).Result(); err != nil || f != 10.5 {
			t.Errorf("INCRBYFLOAT: %v %v", f, err)
		}
		if f, err := c.IncrByFloat(ctx, "f", 0.1).Result(); err != nil || f != 10.6 {
			t.Errorf("INCRBYFLOAT: %v %v", f, err)
		}
		if err := c.Incr(ctx, "s").Err(); err == nil || err.Error() != "ERR value is not an integer or out of range" {
			t.Errorf("INCR on text: %v", err)
		}
		must(t, c.MSet(ctx, "a", "1", "b", "2").Err())
		if vs, err := c.MGet(ctx, "a", "missing", "b").Result(); err != nil || vs[0] != "1" || vs[1] != nil || vs[2] != "2" {
			t.Errorf("MGET: %v %v", vs, err)
		}
		if ok, err := c.MSetNX(ctx, "a", "9", "c", "3").Result(); err != nil || ok {
			t.Errorf("MSETNX: %v %v", ok, err)
		}
		if n, err := c.Append(ctx, "a", "23").Result(); err != nil || n != 3 {
			t.Errorf("APPEND: %d %v", n, err)
		}
		if n, err := c.StrLen(ctx, "a").Result(); err != nil || n != 3 {
			t.Errorf("STRLEN: %d %v", n, err)
		}
		if v, err := c.GetRange(ctx, "a", 1, -1).Result(); err != nil || v != "23" {
			t.Errorf("GETRANGE: %q %v", v, err)
		}
		if n, err := c.SetRange(ctx, "a", 5, "x").Result(); err != nil || n != 6 {
			t.Errorf("SETRANGE: %d %v", n, err)
		}
		if v, err := c.Get(ctx, "a").Result(); err != nil || v != "123\x00\x00x" {
			t.Errorf("GET after SETRANGE: %q %v", v, err)
		}
		if v, err := c.GetDel(ctx, "b").Result(); err != nil || v != "2" {
			t.Errorf("GETDEL: %q %v", v, err)
		}
		if v, err := c.GetEx(ctx, "a", time.Hour).Result(); err != nil || v != "123\x00\x00x" {
			t.Errorf("GETEX: %q %v", v, err)
		}
		if d, err := c.TTL(ctx, "a").Result(); err != nil || d < 59*time.Minute || d > time.Hour {
			t.Errorf("TTL after GETEX: %v %v", d, err)
		}
		if v, err := c.GetSet(ctx, "a", "z").Result(); err != nil || v != "123\x00\x00x" {
			t.Errorf("GETSET: %q %v", v, err)
		}
		must(t, c.MSet(ctx, "l1", "ohmytext", "l2", "mynewtext").Err())
		if v, err := c.LCS(ctx, &redis.LCSQuery{Key1: "l1", Key2: "l2"}).Result(); err != nil || v.MatchString != "mytext" {
			t.Errorf("LCS: %+v %v", v, err)
		}
		if v, err := c.LCS(ctx, &redis.LCSQuery{Key1: "l1", Key2: "l2", Len: true}).Result(); err != nil || v.Len != 6 {
			t.Errorf("LCS LEN: %+v %v", v, err)
		}
		v, err := c.LCS(ctx, &redis.LCSQuery{Key1: "l1", Key2: "l2", Idx: true, WithMatchLen: true, MinMatchLen: 4}).Result()
		if err != nil || v.Len != 6 || len(v.Matches) != 1 || v.Matches[0].MatchLen != 4 || v.Matches[0].Key1.Start != 4 {
			t.Errorf("LCS IDX: %+v %v", v, err)
		}
	})
}

// TestGoRedisKeys round-trips the key commands through go-redis.
func TestGoRedisKeys(t *testing.T) {
	forProtocols(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		must(t, c.MSet(ctx, "a", "1", "b", "2", "c", "3").Err())
		must(t, c.RPush(ctx, "l", "x").Err())
		if n, err := c.Exists(ctx, "a", "b", "nokey").Result(); err != nil || n != 2 {
			t.Errorf("EXISTS: %d %v", n, err)
		}
		if tp, err := c.Type(ctx, "l").Result(); err != nil || tp != "list" {
			t.Errorf("TYPE: %q %v", tp, err)
		}
		if ok, err := c.Expire(ctx, "a", 100*time.Second).Result(); err != nil || !ok {
			t.Errorf("EXPIRE: %v %v", ok, err)
		}
		if ok, err := c.ExpireNX(ctx, "a", 200*time.Second).Result(); err != nil || ok {
			t.Errorf("EXPIRE NX: %v %v", ok, err)
		}
		if ok, err := c.ExpireGT(ctx, "a", 200*time.Second).Result(); err != nil || !ok {
			t.Errorf("EXPIRE GT: %v %v", ok, err)
		}
		if d, err := c.TTL(ctx, "a").Result(); err != nil || d != 200*time.Second {
			t.Errorf("TTL: %v %v", d, err)
		}
		if d, err := c.PTTL(ctx, "a").Result(); err != nil || d <= 198*time.Second || d > 200*time.Second {
			t.Errorf("PTTL: %v %v", d, err)
		}
		if d, err := c.TTL(ctx, "b").Result(); err != nil || d != -1 {
			t.Errorf("TTL persistent: %v %v", d, err)
		}
		if d, err := c.TTL(ctx, "nokey").Result(); err != nil || d != -2 {
			t.Errorf("TTL missing: %v %v", d, err)
		}
		at := time.Now().Add(time.Hour).Truncate(time.Second)
		must(t, c.ExpireAt(ctx, "c", at).Err())
		if got, err := c.ExpireTime(ctx, "c").Result(); err != nil || got != time.Duration(at.Unix())*time.Second {
			t.Errorf("EXPIRETIME: %v %v (want %d)", got, err, at.Unix())
		}
		if ok, err := c.Persist(ctx, "c").Result(); err != nil || !ok {
			t.Errorf("PERSIST: %v %v", ok, err)
		}
		must(t, c.Rename(ctx, "b", "b2").Err())
		if err := c.Rename(ctx, "nokey", "x").Err(); err == nil || err.Error() != "ERR no such key" {
			t.Errorf("RENAME missing: %v", err)
		}
		if ok, err := c.RenameNX(ctx, "b2", "c").Result(); err != nil || ok {
			t.Errorf("RENAMENX: %v %v", ok, err)
		}
		if n, err := c.Copy(ctx, "l", "l2", 0, false).Result(); err != nil || n != 1 {
			t.Errorf("COPY: %d %v", n, err)
		}
		if n, err := c.Copy(ctx, "l", "l2", 3, true).Result(); err != nil || n != 1 {
			t.Errorf("COPY DB: %d %v", n, err)
		}
		if ok, err := c.Move(ctx, "c", 4).Result(); err != nil || !ok {
			t.Errorf("MOVE: %v %v", ok, err)
		}
		keys, err := c.Keys(ctx, "*").Result()
		if err != nil || strings.Join(slices.Sorted(slices.Values(keys)), ",") != "a,b2,l,l2" {
			t.Errorf("KEYS: %v %v", keys, err)
		}
		if k, err := c.RandomKey(ctx).Result(); err != nil || !strings.Contains(",a,b2,l,l2,", ","+k+",") {
			t.Errorf("RANDOMKEY: %q %v", k, err)
		}
		if n, err := c.DBSize(ctx).Result(); err != nil || n != 4 {
			t.Errorf("DBSIZE: %d %v", n, err)
		}
		if n, err := c.Del(ctx, "a", "b2", "nokey").Result(); err != nil || n != 2 {
			t.Errorf("DEL: %d %v", n, err)
		}
		if n, err := c.Unlink(ctx, "l2").Result(); err != nil || n != 1 {
			t.Errorf("UNLINK: %d %v", n, err)
		}
		if err := c.Get(ctx, "l").Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE ") {
			t.Errorf("GET list: %v", err)
		}
		if enc, err := c.ObjectEncoding(ctx, "l").Result(); err != nil || enc == "" {
			t.Errorf("OBJECT ENCODING: %q %v", enc, err)
		}
	})
}

// TestGoRedisLists round-trips the list commands through go-redis.
func TestGoRedisLists(t *testing.T) {
	forProtocols(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		if n, err := c.RPush(ctx, "l", "a", "b", "c").Result(); err != nil || n != 3 {
			t.Errorf("RPUSH: %d %v", n, err)
		}
		if n, err := c.LPush(ctx, "l", "z").Result(); err != nil || n != 4 {
			t.Errorf("LPUSH: %d %v", n, err)
		}
		if n, err := c.LPushX(ctx, "nokey", "z").Result(); err != nil || n != 0 {
			t.Errorf("LPUSHX: %d %v", n, err)
		}
		if n, err := c.RPushX(ctx, "l", "d").Result(); err != nil || n != 5 {
			t.Errorf("RPUSHX: %d %v", n, err)
		}
		if vs, err := c.LRange(ctx, "l", 0, -1).Result(); err != nil || strings.Join(vs, "") != "zabcd" {
			t.Errorf("LRANGE: %v %v", vs, err)
		}
		if v, err := c.LIndex(ctx, "l", -1).Result(); err != nil || v != "d" {
			t.Errorf("LINDEX: %q %v", v, err)
		}
		if err := c.LIndex(ctx, "l", 99).Err(); !errors.Is(err, redis.Nil) {
			t.Errorf("LINDEX out of range: %v", err)
		}
		if n, err := c.LLen(ctx, "l").Result(); err != nil || n != 5 {
			t.Errorf("LLEN: %d %v", n, err)
		}
		if v, err := c.LPop(ctx, "l").Result(); err != nil || v != "z" {
			t.Errorf("LPOP: %q %v", v, err)
		}
		if vs, err := c.RPopCount(ctx, "l", 2).Result(); err != nil || strings.Join(vs, "") != "dc" {
			t.Errorf("RPOP count: %v %v", vs, err)
		}
		if vs, err := c.LPopCount(ctx, "l", 10).Result(); err != nil || strings.Join(vs, "") != "ab" {
			t.Errorf("LPOP count: %v %v", vs, err)
		}
		if err := c.LPop(ctx, "l").Err(); !errors.Is(err, redis.Nil) {
			t.Errorf("LPOP empty: %v", err)
		}
		if err := c.LPopCount(ctx, "l", 2).Err(); !errors.Is(err, redis.Nil) {
			t.Errorf("LPOP count on missing key: %v", err)
		}
	})
}

// TestGoRedisPipeline sends pipelines of mixed commands and checks each
// reply lands on its command.
func TestGoRedisPipeline(t *testing.T) {
	forProtocols(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := 0; i < 500; i++ {
				p.Set(ctx, fmt.Sprintf("p:%d", i), i, 0)
			}
			p.Incr(ctx, "p:1")
			p.Get(ctx, "nokey")
			p.RPush(ctx, "p:list", "a", "b")
			p.LPop(ctx, "p:0") // p:0 holds a string: WRONGTYPE
			for i := 0; i < 500; i++ {
				p.Get(ctx, fmt.Sprintf("p:%d", i))
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) && !strings.HasPrefix(err.Error(), "WRONGTYPE") {
			t.Fatalf("pipeline: %v", err)
		}
		if len(cmds) != 1004 {
			t.Fatalf("%d replies", len(cmds))
		}
		if v := cmds[500].(*redis.IntCmd).Val(); v != 2 {
			t.Errorf("INCR p:1 in pipeline: %d", v)
		}
		if err := cmds[501].Err(); !errors.Is(err, redis.Nil) {
			t.Errorf("GET nokey in pipeline: %v", err)
		}
		if err := cmds[503].Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
			t.Errorf("LPOP on string in pipeline: %v", err)
		}
		for i := 0; i < 500; i++ {
			want := fmt.Sprint(i)
			if i == 1 {
				want = "2"
			}
			if v := cmds[504+i].(*redis.StringCmd).Val(); v != want {
				t.Fatalf("GET p:%d in pipeline: %q", i, v)
			}
		}
		// A pipeline whose every command fails still returns every reply.
		cmds, _ = c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := 0; i < 10; i++ {
				p.Do(ctx, "NOSUCHCOMMAND", i)
				p.Incr(ctx, "p:list")
			}
			return nil
		})
		for i, cmd := range cmds {
			if cmd.Err() == nil {
				t.Fatalf("command %d in failing pipeline succeeded", i)
			}
		}
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatalf("PING after failing pipeline: %v", err)
		}
	})
}

// TestGoRedisTTLExpiry checks that keys with a TTL disappear on time.
func TestGoRedisTTLExpiry(t *testing.T) {
	forProtocols(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		must(t, c.Set(ctx, "short", "v", 100*time.Millisecond).Err())
		must(t, c.RPush(ctx, "shortlist", "v").Err())
		must(t, c.PExpire(ctx, "shortlist", 100*time.Millisecond).Err())
		must(t, c.Set(ctx, "long", "v", time.Hour).Err())
		if d, err := c.PTTL(ctx, "short").Result(); err != nil || d <= 0 || d > 100*time.Millisecond {
			t.Fatalf("PTTL: %v %v", d, err)
		}
		time.Sleep(250 * time.Millisecond)
		if n, err := c.Exists(ctx, "short", "shortlist", "long").Result(); err != nil || n != 1 {
			t.Fatalf("EXISTS after expiry: %d %v", n, err)
		}
		if err := c.Get(ctx, "short").Err(); !errors.Is(err, redis.Nil) {
			t.Fatalf("GET expired: %v", err)
		}
		if n, err := c.LLen(ctx, "shortlist").Result(); err != nil || n != 0 {
			t.Fatalf("LLEN expired: %d %v", n, err)
		}
		// Active expiry: a key nobody reads goes away and DBSIZE drops.
		must(t, c.Set(ctx, "unread", "v", 100*time.Millisecond).Err())
		ok := waitFor(5*time.Second, func() bool {
			n, err := c.DBSize(ctx).Result()
			return err == nil && n == 1
		})
		if !ok {
			n, _ := c.DBSize(ctx).Result()
			t.Errorf("DBSIZE still %d 5s after the keys expired (want 1)", n)
		}
	})
}

// TestGoRedisScan inserts 1000 keys and scans them with COUNT 10: every key
// must be seen at least once, and nothing else.
func TestGoRedisScan(t *testing.T) {
	forProtocols(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		want := map[string]bool{}
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := 0; i < 1000; i++ {
				k := fmt.Sprintf("scan:%04d", i)
				want[k] = true
				p.Set(ctx, k, i, 0)
			}
			return nil
		})
		must(t, err)
		seen := map[string]int{}
		var cursor uint64
		calls := 0
		for {
			keys, next, err := c.Scan(ctx, cursor, "", 10).Result()
			must(t, err)
			calls++
			for _, k := range keys {
				seen[k]++
			}
			cursor = next
			if cursor == 0 || calls > 10000 {
				break
			}
		}
		for k := range want {
			if seen[k] == 0 {
				t.Errorf("SCAN never returned %s", k)
			}
		}
		dup := 0
		for k, n := range seen {
			if !want[k] {
				t.Errorf("SCAN returned unknown key %q", k)
			}
			if n > 1 {
				dup++
			}
		}
		if calls < 10 {
			t.Errorf("SCAN COUNT 10 over 1000 keys took only %d calls", calls)
		}
		t.Logf("SCAN: %d calls, %d keys returned more than once", calls, dup)
		// The iterator helper and MATCH.
		n := 0
		it := c.Scan(ctx, 0, "scan:00*", 10).Iterator()
		for it.Next(ctx) {
			n++
		}
		must(t, it.Err())
		if n < 100 {
			t.Errorf("SCAN MATCH scan:00* saw %d keys, want 100", n)
		}
		keys, _, err := c.ScanType(ctx, 0, "", 2000, "list").Result()
		if err != nil || len(keys) != 0 {
			t.Errorf("SCAN TYPE list: %v %v", keys, err)
		}
	})
}

// TestGoRedisBinarySafe stores all 256 byte values in keys and values, and
// a 1 MB value.
func TestGoRedisBinarySafe(t *testing.T) {
	forProtocols(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		all := make([]byte, 256)
		for i := range all {
			all[i] = byte(i)
		}
		must(t, c.Set(ctx, string(all), all, 0).Err())
		if v, err := c.Get(ctx, string(all)).Bytes(); err != nil || !bytes.Equal(v, all) {
			t.Fatalf("GET all bytes: %q %v", v, err)
		}
		for i := 0; i < 256; i++ {
			k := fmt.Sprintf("byte:%d", i)
			must(t, c.Set(ctx, k, []byte{byte(i)}, 0).Err())
			if v, err := c.Get(ctx, k).Bytes(); err != nil || len(v) != 1 || v[0] != byte(i) {
				t.Fatalf("single byte %d: %q %v", i, v, err)
			}
			if err := c.RPush(ctx, "blist", []byte{byte(i), 0, byte(255 - i)}).Err(); err != nil {
				t.Fatal(err)
			}
		}
		vs, err := c.LRange(ctx, "blist", 0, -1).Result()
		must(t, err)
		for i, v := range vs {
			if v != string([]byte{byte(i), 0, byte(255 - i)}) {
				t.Fatalf("list element %d: %q", i, v)
			}
		}
		if v, err := c.GetRange(ctx, string(all), 250, 255).Bytes(); err != nil || !bytes.Equal(v, all[250:]) {
			t.Fatalf("GETRANGE bytes: %q %v", v, err)
		}
		if n, err := c.Append(ctx, string(all), "\x00\xff").Result(); err != nil || n != 258 {
			t.Fatalf("APPEND bytes: %d %v", n, err)
		}
		big := bytes.Repeat(all, 4096) // 1 MB
		must(t, c.Set(ctx, "big", big, 0).Err())
		if v, err := c.Get(ctx, "big").Bytes(); err != nil || !bytes.Equal(v, big) {
			t.Fatalf("GET 1MB: len %d %v", len(v), err)
		}
		if n, err := c.StrLen(ctx, "big").Result(); err != nil || n != int64(len(big)) {
			t.Fatalf("STRLEN 1MB: %d %v", n, err)
		}
		if n, err := c.Append(ctx, "big", string(big)).Result(); err != nil || n != 2*int64(len(big)) {
			t.Fatalf("APPEND 1MB: %d %v", n, err)
		}
		if v, err := c.GetRange(ctx, "big", int64(len(big))-2, int64(len(big))+1).Bytes(); err != nil || !bytes.Equal(v, []byte{254, 255, 0, 1}) {
			t.Fatalf("GETRANGE across 1MB boundary: %q %v", v, err)
		}
		must(t, c.RPush(ctx, "biglist", big, "small").Err())
		if v, err := c.LIndex(ctx, "biglist", 0).Bytes(); err != nil || !bytes.Equal(v, big) {
			t.Fatalf("LINDEX 1MB: len %d %v", len(v), err)
		}
	})
}

// TestGoRedisConcurrentIncr runs 20 goroutines doing 500 INCRs each on one
// key: the total must be exact.
func TestGoRedisConcurrentIncr(t *testing.T) {
	forProtocols(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		const workers, each = 20, 500
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					if err := c.Incr(ctx, "counter").Err(); err != nil {
						errs <- err
						return
					}
					if i%100 == 0 {
						if err := c.RPush(ctx, "clist", i).Err(); err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if v, err := c.Get(ctx, "counter").Int(); err != nil || v != workers*each {
			t.Fatalf("counter = %d (%v), want %d", v, err, workers*each)
		}
		if n, err := c.LLen(ctx, "clist").Result(); err != nil || n != workers*5 {
			t.Fatalf("LLEN = %d (%v), want %d", n, err, workers*5)
		}
	})
}

// TestGoRedisConnection checks HELLO-based connection setup, client names,
// SELECT through options and the version go-redis sees.
func TestGoRedisConnection(t *testing.T) {
	s := StartRedisk(t)
	ctx := context.Background()
	for _, proto := range []int{3, 2} {
		c := redis.NewClient(&redis.Options{Addr: s.Addr, Protocol: proto, DB: 5, ClientName: "gr-test"})
		defer c.Close()
		must(t, c.Set(ctx, "indb5", "v", 0).Err())
		if name, err := c.ClientGetName(ctx).Result(); err != nil || name != "gr-test" {
			t.Errorf("proto %d CLIENT GETNAME: %q %v", proto, name, err)
		}
		info, err := c.Info(ctx, "server", "keyspace").Result()
		if err != nil || !strings.Contains(info, "redis_version:7.2.4") || !strings.Contains(info, "db5:keys=1,") {
			t.Errorf("proto %d INFO: %v\n%s", proto, err, info)
		}
		if v, err := c.Echo(ctx, "hi").Result(); err != nil || v != "hi" {
			t.Errorf("proto %d ECHO: %q %v", proto, v, err)
		}
		if ms, err := c.Time(ctx).Result(); err != nil || time.Since(ms).Abs() > 5*time.Second {
			t.Errorf("proto %d TIME: %v %v", proto, ms, err)
		}
		cfg, err := c.ConfigGet(ctx, "maxmemory-policy").Result()
		if err != nil || cfg["maxmemory-policy"] != "noeviction" {
			t.Errorf("proto %d CONFIG GET: %v %v", proto, cfg, err)
		}
		n, err := c.CommandList(ctx, nil).Result()
		if err != nil || len(n) < 50 {
			t.Errorf("proto %d COMMAND LIST: %d names, %v", proto, len(n), err)
		}
		must(t, c.FlushDB(ctx).Err())
	}
}
