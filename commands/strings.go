package commands

import (
	"math"
	"strings"

	"redisk/engine"
	"redisk/shard"
)

func init() {
	g := "string"
	register(
		&Command{Name: "get", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Returns the string value of a key.", Complexity: "O(1)", Run: getCommand},
		&Command{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", Complexity: "O(1)", Run: setCommand},
		&Command{Name: "setnx", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Set the string value of a key only when the key doesn't exist.", Complexity: "O(1)", Run: setnxCommand},
		&Command{Name: "setex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.0.0", Summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", Complexity: "O(1)", Run: setexCommand},
		&Command{Name: "psetex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.6.0", Summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", Complexity: "O(1)", Run: setexCommand},
		&Command{Name: "getset", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Returns the previous string value of a key after setting it to a new value.", Complexity: "O(1)", Run: getsetCommand},
		&Command{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "6.2.0", Summary: "Returns the string value of a key after deleting the key.", Complexity: "O(1)", Run: getdelCommand},
		&Command{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "6.2.0", Summary: "Returns the string value of a key after setting its expiration time.", Complexity: "O(1)", Run: getexCommand},
		&Command{Name: "mget", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Group: g, Since: "1.0.0", Summary: "Atomically returns the string values of one or more keys.", Complexity: "O(N) where N is the number of keys to retrieve.", Run: mgetCommand},
		&Command{Name: "mset", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2, Group: g, Since: "1.0.1", Summary: "Atomically creates or modifies the string values of one or more keys.", Complexity: "O(N) where N is the number of keys to set.", Run: msetCommand},
		&Command{Name: "msetnx", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2, Group: g, Since: "1.0.1", Summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.", Complexity: "O(N) where N is the number of keys to set.", Run: msetCommand},
		&Command{Name: "append", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.0.0", Summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.", Complexity: "O(1)", Run: appendCommand},
		&Command{Name: "strlen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.2.0", Summary: "Returns the length of a string value.", Complexity: "O(1)", Run: strlenCommand},
		&Command{Name: "getrange", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.4.0", Summary: "Returns a substring of the string stored at a key.", Complexity: "O(N) where N is the length of the returned string.", Run: getrangeCommand},
		&Command{Name: "substr", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Returns a substring from a string value.", Complexity: "O(N) where N is the length of the returned string.", Run: getrangeCommand},
		&Command{Name: "setrange", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.2.0", Summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", Complexity: "O(1)", Run: setrangeCommand},
		&Command{Name: "incr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", Complexity: "O(1)", Run: incrCommand},
		&Command{Name: "decr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", Complexity: "O(1)", Run: incrCommand},
		&Command{Name: "incrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", Complexity: "O(1)", Run: incrCommand},
		&Command{Name: "decrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", Complexity: "O(1)", Run: incrCommand},
		&Command{Name: "incrbyfloat", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.6.0", Summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", Complexity: "O(1)", Run: incrbyfloatCommand},
		&Command{Name: "lcs", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "7.0.0", Summary: "Finds the longest common substring.", Complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively", Run: lcsCommand},
	)
}

// bulkOrNull writes v, or null when !ok.
func (c *Ctx) bulkOrNull(v []byte, ok bool) {
	if ok {
		c.W.Bulk(v)
	} else {
		c.W.Null()
	}
}

// GET key
func getCommand(c *Ctx) {
	var v []byte
	var ok bool
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { v, ok, err = tx.Get(c.Args[1]); return }) {
		c.bulkOrNull(v, ok)
	}
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
// EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
func setCommand(c *Ctx) {
	var a engine.SetArgs
	var e expireArgs
	now := nowMs()
	for i := 3; i < len(c.Args); {
		arg := c.Args[i]
		switch {
		case isArg(arg, "nx") && !a.XX:
			a.NX = true
		case isArg(arg, "xx") && !a.NX:
			a.XX = true
		case isArg(arg, "get"):
			a.Get = true
		case isArg(arg, "keepttl") && !e.set:
			e.keepTTL = true
		default:
			n, errText := parseExpireOpt(c.Args, i, "set", now, &e)
			if errText != "" || n == 0 {
				if errText == "" {
					errText = errSyntax
				}
				c.errorReply(errText)
				return
			}
			i += n
			continue
		}
		i++
	}
	a.KeepTTL, a.Exp = e.keepTTL, e.at
	var old []byte
	var hadOld, written bool
	if !c.write(c.Args[1], func(tx *engine.Tx) (err error) {
		old, hadOld, written, err = tx.Set(c.Args[1], c.Args[2], a)
		return
	}) {
		return
	}
	switch {
	case a.Get:
		c.bulkOrNull(old, hadOld)
	case written:
		c.W.OK()
	default:
		c.W.Null()
	}
}

// SETNX key value
func setnxCommand(c *Ctx) {
	var written bool
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) {
		_, _, written, err = tx.Set(c.Args[1], c.Args[2], engine.SetArgs{NX: true})
		return
	}) {
		c.intBool(written)
	}
}

// SETEX key seconds value / PSETEX key milliseconds value
func setexCommand(c *Ctx) {
	unit := int64(1000)
	if c.cmd.Name == "psetex" {
		unit = 1
	}
	n, ok := parseInt(c.Args[2])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	now := nowMs()
	if n <= 0 || n > math.MaxInt64/unit || n*unit > math.MaxInt64-now {
		c.errorReply(errInvalidExpire(c.cmd.Name))
		return
	}
	if c.write(c.Args[1], func(tx *engine.Tx) error { tx.SetString(c.Args[1], c.Args[3], now+n*unit); return nil }) {
		c.W.OK()
	}
}

// GETSET key value
func getsetCommand(c *Ctx) {
	var old []byte
	var had bool
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) {
		old, had, _, err = tx.Set(c.Args[1], c.Args[2], engine.SetArgs{Get: true})
		return
	}) {
		c.bulkOrNull(old, had)
	}
}

// GETDEL key
func getdelCommand(c *Ctx) {
	var v []byte
	var ok bool
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { v, ok, err = tx.GetDel(c.Args[1]); return }) {
		c.bulkOrNull(v, ok)
	}
}

// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
// PXAT unix-time-milliseconds | PERSIST]
func getexCommand(c *Ctx) {
	var e expireArgs
	now := nowMs()
	for i := 2; i < len(c.Args); {
		if isArg(c.Args[i], "persist") && !e.set && !e.persist {
			e.persist = true
			i++
			continue
		}
		n, errText := parseExpireOpt(c.Args, i, "getex", now, &e)
		if errText != "" || n == 0 {
			if errText == "" {
				errText = errSyntax
			}
			c.errorReply(errText)
			return
		}
		i += n
	}
	var v []byte
	var ok bool
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) {
		v, ok, err = tx.GetEx(c.Args[1], e.set || e.persist, e.at)
		return
	}) {
		c.bulkOrNull(v, ok)
	}
}

// MGET key [key ...]
func mgetCommand(c *Ctx) {
	keys := c.Args[1:]
	vals := make([][]byte, len(keys))
	oks := make([]bool, len(keys))
	if !c.multi(keys, false, func(m *shard.Multi) error {
		for i, k := range keys {
			v, ok, err := m.Tx(k).Get(k)
			if err == nil {
				vals[i], oks[i] = v, ok
			}
		}
		return nil
	}) {
		return
	}
	c.W.Array(len(keys))
	for i := range keys {
		c.bulkOrNull(vals[i], oks[i])
	}
}

// MSET key value [key value ...] / MSETNX key value [key value ...]
func msetCommand(c *Ctx) {
	if len(c.Args)%2 == 0 {
		c.errorReply(errArity(c.cmd.Name))
		return
	}
	keys := c.cmd.KeyArgs(c.Args)
	if c.cmd.Name == "mset" {
		if c.ok(c.eachErr(keys, func(tx *engine.Tx, i int) error {
			tx.SetString(keys[i], c.Args[2+2*i], 0)
			return nil
		})) {
			c.W.OK()
		}
		return
	}
	written := true
	if c.multi(keys, true, func(m *shard.Multi) error {
		for _, k := range keys {
			if m.Tx(k).Exists(k) {
				written = false
				return nil
			}
		}
		for i := 1; i < len(c.Args); i += 2 {
			m.Tx(c.Args[i]).SetString(c.Args[i], c.Args[i+1], 0)
		}
		return nil
	}) {
		c.intBool(written)
	}
}

// APPEND key value
func appendCommand(c *Ctx) {
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.Append(c.Args[1], c.Args[2]); return }) {
		c.W.Int(n)
	}
}

// STRLEN key
func strlenCommand(c *Ctx) {
	var n int64
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.StrLen(c.Args[1]); return }) {
		c.W.Int(n)
	}
}

// GETRANGE key start end
func getrangeCommand(c *Ctx) {
	start, ok1 := parseInt(c.Args[2])
	end, ok2 := parseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.errorReply(errNotInteger)
		return
	}
	var v []byte
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { v, err = tx.GetRange(c.Args[1], start, end); return }) {
		c.W.Bulk(v)
	}
}

// SETRANGE key offset value
func setrangeCommand(c *Ctx) {
	off, ok := parseInt(c.Args[2])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	if off < 0 {
		c.errorReply(errOffsetRange)
		return
	}
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.SetRange(c.Args[1], off, c.Args[3]); return }) {
		c.W.Int(n)
	}
}

// INCR key / DECR key / INCRBY key increment / DECRBY key decrement
func incrCommand(c *Ctx) {
	by := int64(1)
	if len(c.Args) == 3 {
		var ok bool
		if by, ok = parseInt(c.Args[2]); !ok {
			c.errorReply(errNotInteger)
			return
		}
	}
	if strings.HasPrefix(c.cmd.Name, "decr") {
		if by == math.MinInt64 {
			c.errorReply("ERR decrement would overflow")
			return
		}
		by = -by
	}
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.IncrBy(c.Args[1], by); return }) {
		c.W.Int(n)
	}
}

// INCRBYFLOAT key increment
func incrbyfloatCommand(c *Ctx) {
	if _, ok := engine.ParseLongDouble(string(c.Args[2])); !ok {
		c.errorReply(errNotFloat)
		return
	}
	var s string
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { s, err = tx.IncrByFloat(c.Args[1], string(c.Args[2])); return }) {
		c.W.BulkString(s)
	}
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
func lcsCommand(c *Ctx) {
	var getLen, getIdx, withLen bool
	var minLen int64
	for i := 3; i < len(c.Args); i++ {
		switch {
		case isArg(c.Args[i], "idx"):
			getIdx = true
		case isArg(c.Args[i], "len"):
			getLen = true
		case isArg(c.Args[i], "withmatchlen"):
			withLen = true
		case isArg(c.Args[i], "minmatchlen") && i+1 < len(c.Args):
			n, ok := parseInt(c.Args[i+1])
			if !ok {
				c.errorReply(errNotInteger)
				return
			}
			minLen = max(n, 0)
			i++
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	var a, b []byte
	if !c.multi(c.Args[1:3], false, func(m *shard.Multi) error {
		var err1, err2 error
		a, _, err1 = m.Tx(c.Args[1]).Get(c.Args[1])
		b, _, err2 = m.Tx(c.Args[2]).Get(c.Args[2])
		if err1 != nil || err2 != nil {
			return replyError("ERR The specified keys must contain string values")
		}
		return nil
	}) {
		return
	}
	if getIdx && getLen {
		c.errorReply("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	if int64(len(a)+1)*int64(len(b)+1)*4 > c.srv.Cfg.Int("proto-max-bulk-len") {
		c.errorReply("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	alen, blen := len(a), len(b)
	w := blen + 1
	dp := make([]uint32, (alen+1)*w)
	for i := 1; i <= alen; i++ {
		for j := 1; j <= blen; j++ {
			if a[i-1] == b[j-1] {
				dp[i*w+j] = dp[(i-1)*w+j-1] + 1
			} else {
				dp[i*w+j] = max(dp[(i-1)*w+j], dp[i*w+j-1])
			}
		}
	}
	total := dp[alen*w+blen]
	if getLen {
		c.W.Int(int64(total))
		return
	}
	result := make([]byte, total)
	idx := total
	type match struct{ as, ae, bs, be int }
	var matches []match
	as, ae, bs, be := alen, 0, 0, 0
	for i, j := alen, blen; i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if as == alen {
				as, ae, bs, be = i-1, i-1, j-1, j-1
			} else if as == i && bs == j {
				as--
				bs--
			} else {
				emit = true
			}
			if as == 0 || bs == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if dp[(i-1)*w+j] > dp[i*w+j-1] {
				i--
			} else {
				j--
			}
			if as != alen {
				emit = true
			}
		}
		if emit {
			if minLen == 0 || int64(ae-as+1) >= minLen {
				matches = append(matches, match{as, ae, bs, be})
			}
			as = alen
		}
	}
	if !getIdx {
		c.W.Bulk(result)
		return
	}
	c.W.Map(2)
	c.W.BulkString("matches")
	c.W.Array(len(matches))
	for _, m := range matches {
		if withLen {
			c.W.Array(3)
		} else {
			c.W.Array(2)
		}
		c.W.Array(2)
		c.W.Int(int64(m.as))
		c.W.Int(int64(m.ae))
		c.W.Array(2)
		c.W.Int(int64(m.bs))
		c.W.Int(int64(m.be))
		if withLen {
			c.W.Int(int64(m.ae - m.as + 1))
		}
	}
	c.W.BulkString("len")
	c.W.Int(int64(total))
}
