package commands

import (
	"strings"

	"redisk/engine"
	"redisk/shard"
)

func init() {
	g := "set"
	w, r, f, d := FlagWrite, FlagReadonly, FlagFast, FlagDenyOOM
	one := func(name string, arity int, flags Flag, since, summary, cx string, run func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: since, Summary: summary, Complexity: cx, Run: run}
	}
	all := func(name string, arity int, flags Flag, since, summary, cx string, run func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: -1, Step: 1, Group: g, Since: since, Summary: summary, Complexity: cx, Run: run}
	}
	register(
		one("sadd", -3, w|d|f, "1.0.0", "Adds one or more members to a set. Creates the key if it doesn't exist.", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", saddCommand),
		one("srem", -3, w|f, "1.0.0", "Removes one or more members from a set. Deletes the set if the last member was removed.", "O(N) where N is the number of members to be removed.", sremCommand),
		one("smembers", 2, r, "1.0.0", "Returns all members of a set.", "O(N) where N is the set cardinality.", smembersCommand),
		one("sismember", 3, r|f, "1.0.0", "Determines whether a member belongs to a set.", "O(1)", sismemberCommand),
		one("smismember", -3, r|f, "6.2.0", "Determines whether multiple members belong to a set.", "O(N) where N is the number of elements being checked for membership", smismemberCommand),
		one("scard", 2, r|f, "1.0.0", "Returns the number of members in a set.", "O(1)", scardCommand),
		one("spop", -2, w|f, "1.0.0", "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", spopCommand),
		one("srandmember", -2, r, "1.0.0", "Get one or multiple random members from a set", "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", srandmemberCommand),
		&Command{Name: "smove", Arity: 4, Flags: w | f, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "1.0.0", Summary: "Moves a member from one set to another.", Complexity: "O(1)", Run: smoveCommand},
		all("sinter", -2, r, "1.0.0", "Returns the intersect of multiple sets.", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", setopCommand),
		all("sunion", -2, r, "1.0.0", "Returns the union of multiple sets.", "O(N) where N is the total number of elements in all given sets.", setopCommand),
		all("sdiff", -2, r, "1.0.0", "Returns the difference of multiple sets.", "O(N) where N is the total number of elements in all given sets.", setopCommand),
		all("sinterstore", -3, w|d, "1.0.0", "Stores the intersect of multiple sets in a key.", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", setopCommand),
		all("sunionstore", -3, w|d, "1.0.0", "Stores the union of multiple sets in a key.", "O(N) where N is the total number of elements in all given sets.", setopCommand),
		all("sdiffstore", -3, w|d, "1.0.0", "Stores the difference of multiple sets in a key.", "O(N) where N is the total number of elements in all given sets.", setopCommand),
		&Command{Name: "sintercard", Arity: -3, Flags: r | FlagMovableKeys, Group: g, Since: "7.0.0", Summary: "Returns the number of members of the intersect of multiple sets.", Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", Run: sintercardCommand},
		one("sscan", -3, r, "2.8.0", "Iterates over members of a set.", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", sscanCommand),
	)
}

// writeSetMembers writes members as a RESP3 set (an array in RESP2).
func (c *Ctx) writeSetMembers(members [][]byte) {
	c.W.Set(len(members))
	for _, m := range members {
		c.W.Bulk(m)
	}
}

// SADD key member [member ...]
func saddCommand(c *Ctx) {
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.SAdd(c.Args[1], c.Args[2:]); return }) {
		c.W.Int(n)
	}
}

// SREM key member [member ...]
func sremCommand(c *Ctx) {
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.SRem(c.Args[1], c.Args[2:]); return }) {
		c.W.Int(n)
	}
}

// SMEMBERS key
func smembersCommand(c *Ctx) {
	var ms [][]byte
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { ms, err = tx.SMembers(c.Args[1]); return }) {
		c.writeSetMembers(ms)
	}
}

// SISMEMBER key member
func sismemberCommand(c *Ctx) {
	var ok bool
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { ok, err = tx.SIsMember(c.Args[1], c.Args[2]); return }) {
		c.W.Int(oneIf(ok))
	}
}

// SMISMEMBER key member [member ...]
func smismemberCommand(c *Ctx) {
	var in []bool
	if !c.read(c.Args[1], func(tx *engine.Tx) (err error) { in, err = tx.SMIsMember(c.Args[1], c.Args[2:]); return }) {
		return
	}
	c.W.Array(len(in))
	for _, b := range in {
		c.W.Int(oneIf(b))
	}
}

// SCARD key
func scardCommand(c *Ctx) {
	var n int64
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.SCard(c.Args[1]); return }) {
		c.W.Int(n)
	}
}

// SPOP key [count]
func spopCommand(c *Ctx) {
	if len(c.Args) > 3 {
		c.errorReply(errSyntax)
		return
	}
	withCount := len(c.Args) == 3
	count := int64(1)
	if withCount {
		n, ok := parseInt(c.Args[2])
		if !ok || n < 0 {
			c.errorReply(errPositive)
			return
		}
		count = n
	}
	var ms [][]byte
	if !c.write(c.Args[1], func(tx *engine.Tx) (err error) { ms, err = tx.SPop(c.Args[1], count); return }) {
		return
	}
	switch {
	case withCount:
		c.writeSetMembers(ms)
	case len(ms) == 0:
		c.W.Null()
	default:
		c.W.Bulk(ms[0])
	}
}

// SRANDMEMBER key [count]
func srandmemberCommand(c *Ctx) {
	key := c.Args[1]
	if len(c.Args) > 3 {
		c.errorReply(errSyntax)
		return
	}
	if len(c.Args) == 2 {
		var ms [][]byte
		if c.read(key, func(tx *engine.Tx) (err error) { ms, err = tx.SRandMember(key, 1); return }) {
			if len(ms) == 0 {
				c.W.Null()
			} else {
				c.W.Bulk(ms[0])
			}
		}
		return
	}
	count, ok := c.parseRandomCount(c.Args[2])
	if !ok {
		return
	}
	if count < -maxRandomRepeats {
		c.errorReply(errRandCountRange)
		return
	}
	var ms [][]byte
	if c.read(key, func(tx *engine.Tx) (err error) { ms, err = tx.SRandMember(key, count); return }) {
		c.writeBulks(ms)
	}
}

// SMOVE source destination member
func smoveCommand(c *Ctx) {
	src, dst := c.Args[1], c.Args[2]
	var moved bool
	if c.multi(c.Args[1:3], true, func(m *shard.Multi) (err error) {
		moved, err = engine.SMove(engine.SetRef{Tx: m.Tx(src), Key: src}, engine.SetRef{Tx: m.Tx(dst), Key: dst}, c.Args[3])
		return
	}) {
		c.W.Int(oneIf(moved))
	}
}

// setRefs pairs each key with its shard's transaction.
func setRefs(m *shard.Multi, keys [][]byte) []engine.SetRef {
	refs := make([]engine.SetRef, len(keys))
	for i, k := range keys {
		refs[i] = engine.SetRef{Tx: m.Tx(k), Key: k}
	}
	return refs
}

// SINTER|SUNION|SDIFF key [key ...]
// SINTERSTORE|SUNIONSTORE|SDIFFSTORE destination key [key ...]
//
// The STORE forms replace the destination whatever it holds, and delete it
// when the result is empty.
func setopCommand(c *Ctx) {
	name := c.cmd.Name
	store := strings.HasSuffix(name, "store")
	srcs := c.Args[1:]
	if store {
		srcs = c.Args[2:]
	}
	op := engine.SUnion
	switch {
	case strings.HasPrefix(name, "sinter"):
		op = engine.SInter
	case strings.HasPrefix(name, "sdiff"):
		op = engine.SDiff
	}
	var res [][]byte
	var n int64
	if !c.multi(c.Args[1:], store, func(m *shard.Multi) (err error) {
		if res, err = op(setRefs(m, srcs)); err != nil || !store {
			return err
		}
		n = m.Tx(c.Args[1]).SStore(c.Args[1], res)
		return nil
	}) {
		return
	}
	if store {
		c.W.Int(n)
		return
	}
	c.writeSetMembers(res)
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func sintercardCommand(c *Ctx) {
	numkeys, ok := parseInt(c.Args[1])
	if !ok || numkeys < 1 {
		c.errorReply(errSetNumkeys)
		return
	}
	if numkeys > int64(len(c.Args)-2) {
		c.errorReply(errSetNumkeysArgs)
		return
	}
	keys := c.Args[2 : 2+numkeys]
	var limit int64
	for j := 2 + int(numkeys); j < len(c.Args); j++ {
		if !isArg(c.Args[j], "limit") || j+1 >= len(c.Args) {
			c.errorReply(errSyntax)
			return
		}
		j++
		l, ok := parseInt(c.Args[j])
		if !ok || l < 0 {
			c.errorReply(errSetLimitNegative)
			return
		}
		limit = l
	}
	var n int64
	if c.multi(keys, false, func(m *shard.Multi) (err error) { n, err = engine.SInterCard(setRefs(m, keys), limit); return }) {
		c.W.Int(n)
	}
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
//
// The cursor is a member hash: members present for the whole scan are
// returned exactly once.
func sscanCommand(c *Ctx) {
	key := c.Args[1]
	s, ok := c.parseMemberScan(c.Args[2:])
	if !ok {
		return
	}
	var ms [][]byte
	var next int64
	if !c.read(key, func(tx *engine.Tx) error {
		if n, err := tx.SCard(key); err != nil || n == 0 {
			return err
		}
		if s.optErr != "" {
			return replyError(s.optErr)
		}
		var err error
		ms, next, err = tx.SScan(key, s.cursor, s.count, s.keep)
		return err
	}) {
		return
	}
	c.writeScanReply(next, ms)
}
