package compat_test

import (
	"fmt"
	"strings"
	"testing"
)

// list2Cases cover the list commands that edit the middle of a list or move
// elements between lists: LINSERT, LSET, LREM, LTRIM, LPOS, LMOVE,
// RPOPLPUSH and LMPOP.
var list2Cases = []diffCase{
	// LINSERT.
	dc("linsert", "RPUSH l a b c", "LINSERT l BEFORE b x", "LINSERT l AFTER c y", "LINSERT l before a z", "LINSERT l after y w",
		"LRANGE l 0 -1", "LINSERT l BEFORE nope q", "LINSERT nokey BEFORE a q", "EXISTS nokey"),
	dc("linsert-errors", "RPUSH l a", "LINSERT l MIDDLE a x", "LINSERT l BEFORE a", "LINSERT l", "LINSERT l BEFORE a x y",
		"SET s v", "LINSERT s BEFORE a x", "LINSERT nokey FOO a x", "LRANGE l 0 -1"),
	dc("linsert-dup-pivot", "RPUSH l a b a b", "LINSERT l AFTER b x", "LINSERT l BEFORE a y", "LRANGE l 0 -1"),

	// LSET.
	dc("lset", "RPUSH l a b c", "LSET l 0 x", "LSET l -1 z", "LSET l 1 ''", "LRANGE l 0 -1", "LSET l 3 q", "LSET l -4 q",
		"LSET nokey 0 a", "LSET l abc a", "LSET l 1.5 a", "LSET l 0", "SET s v", "LSET s 0 a", "LSET l 9223372036854775807 a"),

	// LREM.
	dc("lrem", "RPUSH l a b a c a b a", "LREM l 2 a", "LRANGE l 0 -1", "LREM l -1 b", "LRANGE l 0 -1", "LREM l 0 a",
		"LRANGE l 0 -1", "LREM l 0 nope", "LREM l 1 c", "LRANGE l 0 -1", "LREM l 0 b", "EXISTS l"),
	dc("lrem-negative", "RPUSH l x a x b x c x", "LREM l -2 x", "LRANGE l 0 -1", "LREM l -100 x", "LRANGE l 0 -1"),
	dc("lrem-errors", "RPUSH l a", "LREM l abc a", "LREM l 1.5 a", "LREM l 1", "LREM nokey 0 a", "SET s v", "LREM s 0 a",
		"LREM l 1 a b"),

	// LTRIM.
	dc("ltrim", "RPUSH l 0 1 2 3 4 5 6 7 8 9", "LTRIM l 1 -2", "LRANGE l 0 -1", "LTRIM l -3 100", "LRANGE l 0 -1",
		"LTRIM l 0 0", "LRANGE l 0 -1", "LTRIM l 5 1", "EXISTS l", "LTRIM nokey 0 1"),
	dc("ltrim-errors", "RPUSH l a b", "LTRIM l a 1", "LTRIM l 0", "LTRIM l 0 1 2", "SET s v", "LTRIM s 0 1", "LTRIM l -100 -50",
		"EXISTS l"),

	// LPOS. "LPOS l a RANK -9223372036854775808" is left out: Redis 7.0
	// answers :0 (an overflow of -rank), 7.2 a range error.
	dc("lpos", "RPUSH l a b c 1 2 3 c c", "LPOS l c", "LPOS l c RANK 2", "LPOS l c RANK -1", "LPOS l c RANK -3", "LPOS l c RANK 4",
		"LPOS l c COUNT 0", "LPOS l c COUNT 2", "LPOS l c COUNT 2 RANK -1", "LPOS l c MAXLEN 2", "LPOS l c COUNT 0 MAXLEN 7",
		"LPOS l c COUNT 0 MAXLEN 0", "LPOS l nope", "LPOS l nope COUNT 0", "LPOS nokey a", "LPOS nokey a COUNT 1"),
	dc("lpos-errors", "RPUSH l a", "LPOS l a RANK 0", "LPOS l a COUNT -1", "LPOS l a COUNT x",
		"LPOS l a MAXLEN -1", "LPOS l a RANK x", "LPOS l a COUNT", "LPOS l a FOO", "LPOS l a RANK 1 RANK 2",
		"LPOS l", "SET s v", "LPOS s a", "LPOS nokey a RANK 0", "LPOS l a MAXLEN x", "LPOS l a rank 1 count 1 maxlen 1"),

	// LMOVE / RPOPLPUSH.
	dc("lmove", "RPUSH src a b c", "LMOVE src dst LEFT RIGHT", "LMOVE src dst RIGHT LEFT", "LMOVE src dst LEFT LEFT",
		"LRANGE dst 0 -1", "EXISTS src", "LMOVE src dst LEFT LEFT", "LMOVE dst dst LEFT RIGHT", "LRANGE dst 0 -1",
		"LMOVE dst dst RIGHT RIGHT", "LRANGE dst 0 -1"),
	dc("lmove-errors", "RPUSH src a", "SET s v", "LMOVE src dst UP LEFT", "LMOVE src dst LEFT", "LMOVE src s LEFT LEFT",
		"LMOVE s dst LEFT LEFT", "LMOVE nokey s LEFT LEFT", "LRANGE src 0 -1", "LMOVE src dst left right", "LRANGE dst 0 -1"),
	dc("rpoplpush", "RPUSH src a b c", "RPOPLPUSH src dst", "RPOPLPUSH src dst", "LRANGE dst 0 -1", "RPOPLPUSH src src",
		"LRANGE src 0 -1", "RPOPLPUSH nokey dst", "SET s v", "RPOPLPUSH src s", "RPOPLPUSH s dst", "RPOPLPUSH src", "LRANGE src 0 -1"),
	dc("lmove-one-element-self", "RPUSH l a", "LMOVE l l LEFT RIGHT", "RPOPLPUSH l l", "LRANGE l 0 -1"),

	// LMPOP.
	dc("lmpop", "RPUSH a 1 2 3", "RPUSH b x", "LMPOP 2 nokey a LEFT", "LMPOP 2 a b RIGHT COUNT 10", "LMPOP 2 a b LEFT COUNT 1",
		"LMPOP 1 b LEFT", "LMPOP 1 nokey RIGHT", "EXISTS a b"),
	dc("lmpop-errors", "RPUSH a 1", "LMPOP 0 a LEFT", "LMPOP -1 a LEFT", "LMPOP 2 a LEFT", "LMPOP 1 a UP", "LMPOP 1 a LEFT COUNT 0",
		"LMPOP 1 a LEFT COUNT -1", "LMPOP 1 a LEFT COUNT", "LMPOP 1 a LEFT COUNT 1 COUNT 2", "LMPOP 1 a", "LMPOP x a LEFT",
		"LMPOP", "SET s v", "LMPOP 1 s LEFT", "LMPOP 2 nokey s LEFT", "LMPOP 2 a s LEFT", "LLEN a"),

	// Out-of-range indexes and wrong types elsewhere.
	dc("list-wrongtype2", "SADD set a", "LINSERT set BEFORE a b", "LSET set 0 a", "LREM set 0 a", "LTRIM set 0 1", "LPOS set a",
		"LMOVE set dst LEFT LEFT", "RPOPLPUSH set dst", "LMPOP 1 set LEFT", "TYPE set"),
}

// TestDiffLists2 compares the second part of the list commands with
// redis-server.
func TestDiffLists2(t *testing.T) {
	runDiff(t, append(append(list2Cases, longListCases()...), bigItemCases()...))
}

// bigItemCases use items on both sides of the size at which redisk keeps
// a list item outside its row (engine bigItemAt, 900 bytes), through every
// list path that reads, compares, moves or deletes items.
func bigItemCases() []diffCase {
	s900, b1, b3 := strings.Repeat("s", 900), strings.Repeat("b", 901), strings.Repeat("c", 3000)
	push := "RPUSH l x " + b1 + " " + s900 + " " + b3 + " " + b1 + " y"
	return []diffCase{
		dc("big-items-read", push, "LRANGE l 0 -1", "LINDEX l 1", "LINDEX l -2", "LLEN l", "LPOS l "+b1, "LPOS l "+b1+" RANK -1",
			"LPOS l "+b1+" COUNT 0", "LPOS l "+s900, "LPOS l "+b3+" MAXLEN 2", `LPOS l ""`),
		dc("big-items-pop", push, "LPOP l 2", "RPOP l 2", "LRANGE l 0 -1", "LMOVE l m RIGHT LEFT", "RPOPLPUSH l m",
			"LRANGE m 0 -1", "LMPOP 2 l m LEFT COUNT 3", "RPUSH m "+b3, "BLPOP m 0", "EXISTS l m"),
		dc("big-items-edit", push, "LSET l 0 "+b3, "LSET l 1 small", "LSET l 2 "+b1, "LRANGE l 0 -1",
			"LINSERT l BEFORE "+b1+" "+b3, "LINSERT l AFTER "+b3+" z", "LINSERT l BEFORE "+strings.Repeat("q", 1000)+" z",
			`LINSERT l BEFORE "" z`, "LRANGE l 0 -1", "LREM l 1 "+b3, "LREM l -1 "+b1, "LRANGE l 0 -1", "LREM l 0 "+b3, "LLEN l",
			"LTRIM l 1 -2", "LRANGE l 0 -1", "LTRIM l 5 1", "EXISTS l"),
		dc("big-items-keys", push, "COPY l l2", "RENAME l l3", "LRANGE l3 0 -1", "LRANGE l2 1 1", "DEL l3", "LRANGE l2 0 -1",
			"MOVE l2 1", "SELECT 1", "LLEN l2", "FLUSHDB", "EXISTS l2", "RPUSH e "+b1, `RPUSH e ""`, `LREM e 0 ""`, "LRANGE e 0 -1"),
	}
}

// longListCases edit the middle of a 300-element list so that the
// renumbering of positions after inserts and removals is exercised.
func longListCases() []diffCase {
	items := make([]string, 300)
	for i := range items {
		items[i] = fmt.Sprintf("e%d", i%7)
	}
	push := "RPUSH l " + strings.Join(items, " ")
	return []diffCase{
		dc("long-lrem", push, "LREM l 10 e3", "LLEN l", "LRANGE l 0 30", "LREM l -10 e4", "LRANGE l 250 -1", "LREM l 0 e5",
			"LLEN l", "LRANGE l 100 140", "LINDEX l 150", "LPOS l e6 RANK 20", "LPOS l e6 COUNT 0"),
		dc("long-linsert", push, "LINSERT l AFTER e6 mid1", "LINSERT l BEFORE e2 mid2", "LSET l 150 x150", "LINSERT l AFTER x150 y",
			"LRANGE l 145 155", "LSET l -1 last", "LSET l -300 nearfirst", "LRANGE l 0 5", "LRANGE l -5 -1", "LLEN l",
			"LPOS l y", "LPOS l last", "LINDEX l 151"),
		dc("long-ltrim-lmove", push, "LTRIM l 100 199", "LLEN l", "LRANGE l 0 3", "LMOVE l l LEFT RIGHT", "LRANGE l -3 -1",
			"LREM l 5 e0", "LINSERT l BEFORE e1 z", "LRANGE l 0 -1", "LMPOP 1 l RIGHT COUNT 50", "LRANGE l 0 -1", "LLEN l"),
		dc("long-many-lset", push, "LSET l 0 a", "LSET l 299 b", "LSET l 137 c", "LREM l 1 c", "LRANGE l 135 140",
			"LINSERT l BEFORE a start", "LRANGE l 0 2", "LLEN l", "LREM l 0 e0", "LLEN l", "LRANGE l 200 -1"),
	}
}
