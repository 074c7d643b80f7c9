package compat_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDiffZsetLarge compares ranks, rank and score ranges with offsets,
// counts and removals on sorted sets large enough to use redisk's rank index
// (several thousand members, many tied scores), with the same random
// commands sent to redisk and redis-server and the raw replies compared.
// The set is loaded by ZADD alone, so it has no rank index until the first
// rank query, which counts and starts the index's build in a write of its
// own: the queries around it run on both paths.
func TestDiffZsetLarge(t *testing.T) {
	p := startPair(t)
	a, b := session(t, p.redisk, 2), session(t, p.redis, 2)
	rng := rand.New(rand.NewPCG(7, 11))
	do := func(args ...string) {
		t.Helper()
		ga, gb := a.Do(args...), b.Do(args...)
		if string(ga) != string(gb) {
			t.Fatalf("%v:\nredisk %q\nredis  %q", args, clip(ga), clip(gb))
		}
	}
	score := func() string { return fmt.Sprint(rng.IntN(2000) - 1000) }
	member := func() string { return fmt.Sprint("m", rng.IntN(30000)) }
	for i := 0; i < 200; i++ {
		args := []string{"ZADD", "z"}
		for j := 0; j < 100; j++ {
			args = append(args, score(), member())
		}
		do(args...)
	}
	for round := 0; round < 600; round++ {
		switch rng.IntN(12) {
		case 0:
			do("ZADD", "z", score(), member(), score(), member())
		case 1:
			do("ZREM", "z", member(), member(), member())
		case 2:
			do("ZRANK", "z", member())
		case 3:
			do("ZREVRANK", "z", member())
		case 4:
			s := rng.IntN(20000) - 1000
			do("ZRANGE", "z", fmt.Sprint(s), fmt.Sprint(s+rng.IntN(5)), "WITHSCORES")
		case 5:
			s := rng.IntN(20000) - 1000
			do("ZREVRANGE", "z", fmt.Sprint(s), fmt.Sprint(s+rng.IntN(5)), "WITHSCORES")
		case 6:
			lo := rng.IntN(2000) - 1000
			do("ZRANGEBYSCORE", "z", fmt.Sprintf("(%d", lo), "+inf", "WITHSCORES", "LIMIT", fmt.Sprint(rng.IntN(15000)), "3")
		case 7:
			hi := rng.IntN(2000) - 1000
			do("ZREVRANGEBYSCORE", "z", fmt.Sprint(hi), "-inf", "LIMIT", fmt.Sprint(rng.IntN(15000)), "3")
		case 8:
			lo := rng.IntN(2000) - 1000
			do("ZCOUNT", "z", fmt.Sprint(lo), fmt.Sprintf("(%d", lo+rng.IntN(500)))
			do("ZCOUNT", "z", "-inf", "+inf")
		case 9:
			s := rng.IntN(15000)
			do("ZREMRANGEBYRANK", "z", fmt.Sprint(s), fmt.Sprint(s+rng.IntN(50)))
		case 10:
			do("ZPOPMIN", "z", fmt.Sprint(1+rng.IntN(3)))
			do("ZPOPMAX", "z")
		case 11:
			lo := rng.IntN(2000) - 1000
			do("ZREMRANGEBYSCORE", "z", fmt.Sprint(lo), fmt.Sprint(lo+rng.IntN(3)))
		}
	}
	do("ZCARD", "z")
	do("ZRANGE", "z", "5000", "5010", "WITHSCORES")
	// A big removal rebuilds the index; everything still agrees.
	do("ZREMRANGEBYRANK", "z", "100", "9000")
	for i := 0; i < 50; i++ {
		do("ZRANK", "z", member())
		s := fmt.Sprint(rng.IntN(6000))
		do("ZRANGE", "z", s, s, "WITHSCORES")
	}
	do("ZRANGE", "z", "0", "-1", "WITHSCORES")
}
