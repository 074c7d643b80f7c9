package commands_test

import (
	"strings"
	"testing"
	"time"
)

// TestPushPop covers LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP and RPOP with and
// without a count.
func TestPushPop(t *testing.T) {
	runTable(t, []tc{
		cmd("LPUSH l a b c", integer(3)),
		cmd("LRANGE l 0 -1", bulks("c", "b", "a")),
		cmd("RPUSH l d e", integer(5)),
		cmd("LRANGE l 0 -1", bulks("c", "b", "a", "d", "e")),
		cmd("LPUSHX l z", integer(6)),
		cmd("RPUSHX l y x", integer(8)),
		cmd("LPUSHX nosuch a", zero),
		cmd("RPUSHX nosuch a", zero),
		cmd("EXISTS nosuch", zero),
		cmd("LPOP l", bulk("z")),
		cmd("RPOP l", bulk("x")),
		cmd("LPOP l 2", bulks("c", "b")),
		cmd("RPOP l 2", bulks("y", "e")),
		cmd("LPOP l 0", emptyArr),
		cmd("LLEN l", integer(2)),
		cmd("RPOP l 10", bulks("d", "a")),
		cmd("EXISTS l", zero),
		cmd("LPOP l", null),
		cmd("LPOP l 1", nullArray),
		cmd("RPOP nosuch 0", nullArray),
		cmd("LPOP l -1", "-ERR value is out of range, must be positive\r\n"),
		cmd("LPOP l abc", "-ERR value is out of range, must be positive\r\n"),
		cmd("LPOP l 1 2", errArity("lpop")),
		cmd("LPUSH l", errArity("lpush")),
		args(integer(1), "RPUSH", "bin", "a\r\n\x00"),
		args(bulks("a\r\n\x00"), "LRANGE", "bin", "0", "0"),
		cmd("SET s v", ok),
		cmd("LPUSH s a", errWrongType),
		cmd("RPUSHX s a", errWrongType),
		cmd("LPOP s", errWrongType),
		cmd("RPOP s 2", errWrongType),
		cmd("LLEN s", errWrongType),
	})
}

// TestRangeIndex covers LLEN, LRANGE and LINDEX with negative and
// out-of-range indexes.
func TestRangeIndex(t *testing.T) {
	runTable(t, []tc{
		cmd("RPUSH l 0 1 2 3 4 5 6 7 8 9", integer(10)),
		cmd("LLEN l", integer(10)),
		cmd("LLEN nosuch", zero),
		cmd("LRANGE l 0 2", bulks("0", "1", "2")),
		cmd("LRANGE l -3 -1", bulks("7", "8", "9")),
		cmd("LRANGE l -100 1", bulks("0", "1")),
		cmd("LRANGE l 8 100", bulks("8", "9")),
		cmd("LRANGE l 5 4", emptyArr),
		cmd("LRANGE l 10 20", emptyArr),
		cmd("LRANGE l -1 -2", emptyArr),
		cmd("LRANGE nosuch 0 -1", emptyArr),
		cmd("LRANGE l 0 abc", errNotInt),
		cmd("LINDEX l 0", bulk("0")),
		cmd("LINDEX l -1", bulk("9")),
		cmd("LINDEX l -10", bulk("0")),
		cmd("LINDEX l 10", null),
		cmd("LINDEX l -11", null),
		cmd("LINDEX nosuch 0", null),
		cmd("LINDEX l x", errNotInt),
		cmd("SET s v", ok),
		cmd("LRANGE s 0 -1", errWrongType),
		cmd("LINDEX s 0", errWrongType),
	})
}

// TestListEdit covers LSET, LINSERT, LREM and LTRIM.
func TestListEdit(t *testing.T) {
	runTable(t, []tc{
		cmd("RPUSH l a b c b a", integer(5)),
		cmd("LSET l 0 A", ok),
		cmd("LSET l -1 Z", ok),
		cmd("LRANGE l 0 -1", bulks("A", "b", "c", "b", "Z")),
		cmd("LSET l 5 x", "-ERR index out of range\r\n"),
		cmd("LSET nosuch 0 x", errNoSuchKey),
		cmd("LSET l x y", errNotInt),
		cmd("LINSERT l BEFORE c X", integer(6)),
		cmd("LINSERT l after c Y", integer(7)),
		cmd("LRANGE l 0 -1", bulks("A", "b", "X", "c", "Y", "b", "Z")),
		cmd("LINSERT l BEFORE nosuch X", ":-1\r\n"),
		cmd("LINSERT nosuch BEFORE a X", zero),
		cmd("LINSERT l MIDDLE c X", errSyntax),
		cmd("LREM l 0 b", integer(2)),
		cmd("RPUSH l X X", integer(7)),
		cmd("LREM l 1 X", one),
		cmd("LREM l -1 X", one),
		cmd("LRANGE l 0 -1", bulks("A", "c", "Y", "Z", "X")),
		cmd("LREM l 0 nosuch", zero),
		cmd("LREM l x X", errNotInt),
		cmd("LTRIM l 1 -2", ok),
		cmd("LRANGE l 0 -1", bulks("c", "Y", "Z")),
		cmd("LTRIM l 5 10", ok),
		cmd("EXISTS l", zero),
		cmd("LTRIM nosuch 0 1", ok),
		cmd("SET s v", ok),
		cmd("LSET s 0 x", errWrongType),
		cmd("LINSERT s BEFORE a b", errWrongType),
		cmd("LREM s 0 a", errWrongType),
		cmd("LTRIM s 0 1", errWrongType),
	})
}

// TestLpos covers LPOS with RANK, COUNT and MAXLEN.
func TestLpos(t *testing.T) {
	runTable(t, []tc{
		cmd("RPUSH l a b c 1 2 3 c c", integer(8)),
		cmd("LPOS l c", integer(2)),
		cmd("LPOS l nosuch", null),
		cmd("LPOS nosuch a", null),
		cmd("LPOS l c RANK 2", integer(6)),
		cmd("LPOS l c RANK -1", integer(7)),
		cmd("LPOS l c COUNT 2", arr(integer(2), integer(6))),
		cmd("LPOS l c COUNT 0", arr(integer(2), integer(6), integer(7))),
		cmd("LPOS l c RANK -1 COUNT 2", arr(integer(7), integer(6))),
		cmd("LPOS l c COUNT 0 MAXLEN 3", arr(integer(2))),
		cmd("LPOS l nosuch COUNT 1", emptyArr),
		cmd("LPOS nosuch a COUNT 1", emptyArr),
		cmd("LPOS l c RANK 0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"),
		cmd("LPOS l c COUNT -1", "-ERR COUNT can't be negative\r\n"),
		cmd("LPOS l c MAXLEN -1", "-ERR MAXLEN can't be negative\r\n"),
		cmd("LPOS l c FOO", errSyntax),
		cmd("LPOS l c RANK", errSyntax),
		cmd("SET s v", ok),
		cmd("LPOS s v", errWrongType),
	})
}

// TestLmove covers LMOVE, RPOPLPUSH and LMPOP, also across shards.
func TestLmove(t *testing.T) {
	runTable(t, []tc{
		cmd("RPUSH src a b c", integer(3)),
		cmd("LMOVE src dst LEFT RIGHT", bulk("a")),
		cmd("LMOVE src dst RIGHT LEFT", bulk("c")),
		cmd("LRANGE dst 0 -1", bulks("c", "a")),
		cmd("RPOPLPUSH src other", bulk("b")),
		cmd("EXISTS src", zero),
		cmd("LRANGE other 0 -1", bulks("b")),
		cmd("LMOVE nosuch dst LEFT LEFT", null),
		cmd("RPOPLPUSH nosuch dst", null),
		cmd("LMOVE dst dst LEFT RIGHT", bulk("c")),
		cmd("LRANGE dst 0 -1", bulks("a", "c")),
		cmd("LMOVE dst dst UP RIGHT", errSyntax),
		cmd("SET s v", ok),
		cmd("LMOVE dst s LEFT LEFT", errWrongType),
		cmd("LRANGE dst 0 -1", bulks("a", "c")),
		cmd("LMOVE s dst LEFT LEFT", errWrongType),

		cmd("LMPOP 2 nosuch dst LEFT", arr(bulk("dst"), bulks("a"))),
		cmd("LMPOP 1 dst RIGHT COUNT 5", arr(bulk("dst"), bulks("c"))),
		cmd("LMPOP 1 dst RIGHT", nullArray),
		cmd("LMPOP 0 dst LEFT", "-ERR numkeys should be greater than 0\r\n"),
		cmd("LMPOP 2 dst LEFT", errSyntax),
		cmd("LMPOP 1 dst LEFT COUNT 0", "-ERR count should be greater than 0\r\n"),
		cmd("LMPOP 1 dst MIDDLE", errSyntax),
		cmd("LMPOP 1 s LEFT", errWrongType),
	})
}

// TestBlockingPops covers BLPOP, BRPOP and BLMOVE when data is there, on
// timeout, and woken by a push from another client.
func TestBlockingPops(t *testing.T) {
	s := startTarget(t)
	c := s.dial(t)
	c.run([]tc{
		cmd("RPUSH l a b", integer(2)),
		cmd("BLPOP nosuch l 1", bulks("l", "a")),
		cmd("BRPOP l 1", bulks("l", "b")),
		cmd("BLPOP l 0.05", nullArray),
		cmd("BLMOVE l dst LEFT LEFT 0.05", nullArray), // the timeout reply is a null array
		cmd("BLPOP l -1", "-ERR timeout is negative\r\n"),
		cmd("BLPOP l abc", "-ERR timeout is not a float or out of range\r\n"),
		cmd("SET s v", ok),
		cmd("BLPOP s 1", errWrongType),
	})
	c.Send(encode("BLPOP", "w1", "w2", "5"))
	time.Sleep(100 * time.Millisecond)
	s.dial(t).run([]tc{cmd("RPUSH w2 x y", integer(2))})
	check(t, "woken BLPOP", c.Read(), bulks("w2", "x"))
	c.run([]tc{cmd("LRANGE w2 0 -1", bulks("y"))})
}

// TestListLarge pushes and pops enough items to leave the small cases.
func TestListLarge(t *testing.T) {
	c := startTarget(t).dial(t)
	var items []string
	for i := 0; i < 500; i++ {
		items = append(items, strings.Repeat("x", i%7)+string(rune('a'+i%26)))
	}
	c.run([]tc{args(integer(500), append([]string{"RPUSH", "l"}, items...)...)})
	c.run([]tc{
		cmd("LINDEX l 250", bulk(items[250])),
		cmd("LINDEX l -1", bulk(items[499])),
		cmd("LRANGE l 497 -1", bulks(items[497:]...)),
		cmd("LPOP l 3", bulks(items[:3]...)),
		cmd("LLEN l", integer(497)),
	})
}
