package commands

import (
	"errors"
	"math"
	"strconv"

	"redisk/engine"
)

func init() {
	g := "hash"
	w, r, f, d := FlagWrite, FlagReadonly, FlagFast, FlagDenyOOM
	one := func(name string, arity int, flags Flag, since, summary, cx string, run func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: since, Summary: summary, Complexity: cx, Run: run}
	}
	register(
		one("hset", -4, w|d|f, "2.0.0", "Creates or modifies the value of a field in a hash.", "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.", hsetCommand),
		one("hmset", -4, w|d|f, "2.0.0", "Sets the values of multiple fields.", "O(N) where N is the number of fields being set.", hsetCommand),
		one("hsetnx", 4, w|d|f, "2.0.0", "Sets the value of a field in a hash only when the field doesn't exist.", "O(1)", hsetnxCommand),
		one("hget", 3, r|f, "2.0.0", "Returns the value of a field in a hash.", "O(1)", hgetCommand),
		one("hmget", -3, r|f, "2.0.0", "Returns the values of all fields in a hash.", "O(N) where N is the number of fields being requested.", hmgetCommand),
		one("hgetall", 2, r, "2.0.0", "Returns all fields and values in a hash.", "O(N) where N is the size of the hash.", hgetallCommand),
		one("hkeys", 2, r, "2.0.0", "Returns all fields in a hash.", "O(N) where N is the size of the hash.", hgetallCommand),
		one("hvals", 2, r, "2.0.0", "Returns all values in a hash.", "O(N) where N is the size of the hash.", hgetallCommand),
		one("hdel", -3, w|f, "2.0.0", "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", "O(N) where N is the number of fields to be removed.", hdelCommand),
		one("hexists", 3, r|f, "2.0.0", "Determines whether a field exists in a hash.", "O(1)", hexistsCommand),
		one("hlen", 2, r|f, "2.0.0", "Returns the number of fields in a hash.", "O(1)", hlenCommand),
		one("hstrlen", 3, r|f, "3.2.0", "Returns the length of the value of a field.", "O(1)", hstrlenCommand),
		one("hincrby", 4, w|d|f, "2.0.0", "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", "O(1)", hincrbyCommand),
		one("hincrbyfloat", 4, w|d|f, "2.6.0", "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", "O(1)", hincrbyfloatCommand),
		one("hrandfield", -2, r, "6.2.0", "Returns one or more random fields from a hash.", "O(N) where N is the number of fields returned", hrandfieldCommand),
		one("hscan", -3, r, "2.8.0", "Iterates over fields and values of a hash.", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", hscanCommand),
	)
}

// HSET key field value [field value ...] / HMSET key field value [field value ...]
func hsetCommand(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.errorReply(errArity(c.cmd.Name))
		return
	}
	var n int64
	if !c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.HSet(c.Args[1], c.Args[2:]); return }) {
		return
	}
	if c.cmd.Name == "hmset" {
		c.W.OK()
		return
	}
	c.W.Int(n)
}

// HSETNX key field value
func hsetnxCommand(c *Ctx) {
	var set bool
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { set, err = tx.HSetNX(c.Args[1], c.Args[2], c.Args[3]); return }) {
		c.W.Int(oneIf(set))
	}
}

// oneIf is 1 for true: the integer replies of HEXISTS, SISMEMBER… (not RESP3 booleans).
func oneIf(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// HGET key field
func hgetCommand(c *Ctx) {
	var v []byte
	var ok bool
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { v, ok, err = tx.HGet(c.Args[1], c.Args[2]); return }) {
		c.bulkOrNull(v, ok)
	}
}

// HMGET key field [field ...]
func hmgetCommand(c *Ctx) {
	var vals [][]byte
	if !c.read(c.Args[1], func(tx *engine.Tx) (err error) { vals, err = tx.HMGet(c.Args[1], c.Args[2:]); return }) {
		return
	}
	c.W.Array(len(vals))
	for _, v := range vals {
		c.bulkOrNull(v, v != nil)
	}
}

// HGETALL key / HKEYS key / HVALS key
func hgetallCommand(c *Ctx) {
	var fields, vals [][]byte
	if !c.read(c.Args[1], func(tx *engine.Tx) (err error) { fields, vals, err = tx.HGetAll(c.Args[1]); return }) {
		return
	}
	switch c.cmd.Name {
	case "hkeys":
		c.writeBulks(fields)
	case "hvals":
		c.writeBulks(vals)
	default:
		c.W.Map(len(fields))
		for i := range fields {
			c.W.Bulk(fields[i])
			c.W.Bulk(vals[i])
		}
	}
}

// HDEL key field [field ...]
func hdelCommand(c *Ctx) {
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.HDel(c.Args[1], c.Args[2:]); return }) {
		c.W.Int(n)
	}
}

// HEXISTS key field
func hexistsCommand(c *Ctx) {
	var ok bool
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { ok, err = tx.HExists(c.Args[1], c.Args[2]); return }) {
		c.W.Int(oneIf(ok))
	}
}

// HLEN key
func hlenCommand(c *Ctx) {
	var n int64
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.HLen(c.Args[1]); return }) {
		c.W.Int(n)
	}
}

// HSTRLEN key field
func hstrlenCommand(c *Ctx) {
	var n int64
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.HStrLen(c.Args[1], c.Args[2]); return }) {
		c.W.Int(n)
	}
}

// HINCRBY key field increment
func hincrbyCommand(c *Ctx) {
	by, ok := parseInt(c.Args[3])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	var n int64
	err := c.writeErr(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.HIncrBy(c.Args[1], c.Args[2], by); return })
	switch {
	case errors.Is(err, engine.ErrNotInteger):
		c.errorReply(errHashNotInteger)
	case err != nil:
		c.fail(err)
	default:
		c.W.Int(n)
	}
}

// HINCRBYFLOAT key field increment
func hincrbyfloatCommand(c *Ctx) {
	incr, ok := engine.ParseLongDouble(string(c.Args[3]))
	if !ok {
		c.errorReply(errNotFloat)
		return
	}
	if incr.IsInf() {
		c.errorReply(errIncrNaNOrInf)
		return
	}
	var s string
	err := c.writeErr(c.Args[1], func(tx *engine.Tx) (err error) {
		s, err = tx.HIncrByFloat(c.Args[1], c.Args[2], string(c.Args[3]))
		return
	})
	switch {
	case errors.Is(err, engine.ErrNotFloat):
		c.errorReply(errHashNotFloat)
	case err != nil:
		c.fail(err)
	default:
		c.W.BulkString(s)
	}
}

// maxRandomRepeats bounds the negative count of HRANDFIELD and SRANDMEMBER.
// Redis serves any count up to LONG_MAX, streaming the reply for as long
// as it takes (the server is stuck meanwhile); redisk builds a reply in
// memory, so it refuses counts that would not fit rather than exhaust it.
const maxRandomRepeats = 10_000_000

// parseRandomCount parses the count of HRANDFIELD/SRANDMEMBER, which Redis
// takes in [-LONG_MAX, LONG_MAX].
func (c *Ctx) parseRandomCount(b []byte) (int64, bool) {
	n, ok := parseInt(b)
	if !ok {
		c.errorReply(errNotInteger)
		return 0, false
	}
	if n == math.MinInt64 {
		c.errorReply(errRandCountLong)
		return 0, false
	}
	return n, true
}

// HRANDFIELD key [count [WITHVALUES]]
func hrandfieldCommand(c *Ctx) {
	key := c.Args[1]
	if len(c.Args) == 2 {
		var fields [][]byte
		if c.read(key, func(tx *engine.Tx) (err error) { fields, _, err = tx.HRandField(key, 1); return }) {
			if len(fields) == 0 {
				c.W.Null()
			} else {
				c.W.Bulk(fields[0])
			}
		}
		return
	}
	count, ok := c.parseRandomCount(c.Args[2])
	if !ok {
		return
	}
	withValues := len(c.Args) == 4 && isArg(c.Args[3], "withvalues")
	if len(c.Args) > 4 || (len(c.Args) == 4 && !withValues) {
		c.errorReply(errSyntax)
		return
	}
	if withValues && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
		c.errorReply(errRandCountRange)
		return
	}
	if count < -maxRandomRepeats {
		c.errorReply(errRandCountRange)
		return
	}
	var fields, vals [][]byte
	if !c.read(key, func(tx *engine.Tx) (err error) { fields, vals, err = tx.HRandField(key, count); return }) {
		return
	}
	switch {
	case !withValues:
		c.writeBulks(fields)
	case c.W.Proto >= 3:
		c.W.Array(len(fields))
		for i := range fields {
			c.W.Array(2)
			c.W.Bulk(fields[i])
			c.W.Bulk(vals[i])
		}
	default:
		c.W.Array(2 * len(fields))
		for i := range fields {
			c.W.Bulk(fields[i])
			c.W.Bulk(vals[i])
		}
	}
}

// memberScan is a parsed HSCAN/SSCAN call.
type memberScan struct {
	cursor int64 // a member hash, or past the last one when done
	count  int64
	keep   func([]byte) bool
	// optErr is the reply for bad options, which Redis checks only once
	// the key is known to exist with the right type.
	optErr string
}

// parseMemberScan parses cursor [MATCH pattern] [COUNT count] of HSCAN and
// SSCAN; it writes the error and returns false for a bad cursor.
func (c *Ctx) parseMemberScan(args [][]byte) (memberScan, bool) {
	u, ok := parseCursor(args[0])
	if !ok {
		c.errorReply(errCursor)
		return memberScan{}, false
	}
	s := memberScan{cursor: int64(min(u, 0xFFFFFFFF+1)), count: 10}
	var pat []byte
	for i := 1; i < len(args); i += 2 {
		switch {
		case i+1 >= len(args):
			s.optErr = errSyntax
		case isArg(args[i], "count"):
			n, ok := parseInt(args[i+1])
			if !ok {
				s.optErr = errNotInteger
			} else if n < 1 {
				s.optErr = errSyntax
			}
			s.count = n
		case isArg(args[i], "match"):
			pat = args[i+1]
		default:
			s.optErr = errSyntax
		}
		if s.optErr != "" {
			break
		}
	}
	if pat != nil && !(len(pat) == 1 && pat[0] == '*') {
		s.keep = func(m []byte) bool { return engine.Match(pat, m, false) }
	}
	return s, true
}

// writeScanReply writes [cursor, items].
func (c *Ctx) writeScanReply(next int64, items [][]byte) {
	c.W.Array(2)
	c.W.BulkString(strconv.FormatInt(next, 10))
	c.writeBulks(items)
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
//
// The cursor is a field hash: fields present for the whole scan are
// returned exactly once.
func hscanCommand(c *Ctx) {
	key := c.Args[1]
	s, ok := c.parseMemberScan(c.Args[2:])
	if !ok {
		return
	}
	var fields, vals [][]byte
	var next int64
	if !c.read(key, func(tx *engine.Tx) error {
		if n, err := tx.HLen(key); err != nil || n == 0 {
			return err
		}
		if s.optErr != "" {
			return replyError(s.optErr)
		}
		var err error
		fields, vals, next, err = tx.HScan(key, s.cursor, s.count, s.keep)
		return err
	}) {
		return
	}
	items := make([][]byte, 0, 2*len(fields))
	for i := range fields {
		items = append(items, fields[i], vals[i])
	}
	c.writeScanReply(next, items)
}
