package commands

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"

	"redisk/engine"
	"redisk/shard"
)

func init() {
	g := "generic"
	register(
		&Command{Name: "del", Arity: -2, Flags: FlagWrite, FirstKey: 1, LastKey: -1, Step: 1, Group: g, Since: "1.0.0", Summary: "Deletes one or more keys.", Complexity: "O(N) where N is the number of keys that will be removed.", Run: delCommand},
		&Command{Name: "unlink", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Group: g, Since: "4.0.0", Summary: "Asynchronously deletes one or more keys.", Complexity: "O(1) for each key removed regardless of its size.", Run: delCommand},
		&Command{Name: "exists", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Group: g, Since: "1.0.0", Summary: "Determines whether one or more keys exist.", Complexity: "O(N) where N is the number of keys to check.", Run: existsCommand},
		&Command{Name: "touch", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Group: g, Since: "3.2.1", Summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.", Complexity: "O(N) where N is the number of keys that will be touched.", Run: existsCommand},
		&Command{Name: "type", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Determines the type of value stored at a key.", Complexity: "O(1)", Run: typeCommand},
		&Command{Name: "expire", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Sets the expiration time of a key in seconds.", Complexity: "O(1)", Run: expireCommand},
		&Command{Name: "pexpire", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.6.0", Summary: "Sets the expiration time of a key in milliseconds.", Complexity: "O(1)", Run: expireCommand},
		&Command{Name: "expireat", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.2.0", Summary: "Sets the expiration time of a key to a Unix timestamp.", Complexity: "O(1)", Run: expireCommand},
		&Command{Name: "pexpireat", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.6.0", Summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", Complexity: "O(1)", Run: expireCommand},
		&Command{Name: "ttl", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Returns the expiration time in seconds of a key.", Complexity: "O(1)", Run: ttlCommand},
		&Command{Name: "pttl", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.6.0", Summary: "Returns the expiration time in milliseconds of a key.", Complexity: "O(1)", Run: ttlCommand},
		&Command{Name: "expiretime", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "7.0.0", Summary: "Returns the expiration time of a key as a Unix timestamp.", Complexity: "O(1)", Run: ttlCommand},
		&Command{Name: "pexpiretime", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "7.0.0", Summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.", Complexity: "O(1)", Run: ttlCommand},
		&Command{Name: "persist", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.2.0", Summary: "Removes the expiration time of a key.", Complexity: "O(1)", Run: persistCommand},
		&Command{Name: "rename", Arity: 3, Flags: FlagWrite, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "1.0.0", Summary: "Renames a key and overwrites the destination.", Complexity: "O(1)", Run: renameCommand},
		&Command{Name: "renamenx", Arity: 3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "1.0.0", Summary: "Renames a key only when the target key name doesn't exist.", Complexity: "O(1)", Run: renameCommand},
		&Command{Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "6.2.0", Summary: "Copies the value of a key to a new key.", Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.", Run: copyCommand},
		&Command{Name: "move", Arity: 3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Moves a key to another database.", Complexity: "O(1)", Run: moveCommand},
		&Command{Name: "keys", Arity: 2, Flags: FlagReadonly, Group: g, Since: "1.0.0", Summary: "Returns all key names that match a pattern.", Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.", Run: keysCommand},
		&Command{Name: "scan", Arity: -2, Flags: FlagReadonly, Group: g, Since: "2.8.0", Summary: "Iterates over the key names in the database.", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", Run: scanCommand},
		&Command{Name: "randomkey", Arity: 1, Flags: FlagReadonly, Group: g, Since: "1.0.0", Summary: "Returns a random key name from the database.", Complexity: "O(1)", Run: randomkeyCommand},
		&Command{Name: "object", Arity: -2, Group: g, Since: "2.2.3", Summary: "A container for object introspection commands."},
		&Command{Name: "object|encoding", Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, Since: "2.2.3", Summary: "Returns the internal encoding of a Redis object.", Complexity: "O(1)", Run: objectCommand},
		&Command{Name: "object|refcount", Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, Since: "2.2.3", Summary: "Returns the reference count of a value of a key.", Complexity: "O(1)", Run: objectCommand},
		&Command{Name: "object|idletime", Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, Since: "2.2.3", Summary: "Returns the time since the last access to a Redis object.", Complexity: "O(1)", Run: objectCommand},
		&Command{Name: "object|freq", Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, Since: "4.0.0", Summary: "Returns the logarithmic access frequency counter of a Redis object.", Complexity: "O(1)", Run: objectCommand},
		&Command{Name: "object|help", Arity: 2, Flags: FlagLoading | FlagStale, Since: "6.2.0", Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)", Run: objectHelpCommand},
	)
}

// DEL key [key ...] / UNLINK key [key ...]
func delCommand(c *Ctx) {
	keys := c.Args[1:]
	var n atomic.Int64
	if c.ok(c.eachErr(keys, func(tx *engine.Tx, i int) error {
		if tx.Delete(keys[i]) {
			n.Add(1)
		}
		return nil
	})) {
		c.W.Int(n.Load())
	}
}

// EXISTS key [key ...] / TOUCH key [key ...]
func existsCommand(c *Ctx) {
	keys := c.Args[1:]
	var n int64
	if c.multi(keys, false, func(m *shard.Multi) error {
		for _, k := range keys {
			if m.Tx(k).Exists(k) {
				n++
			}
		}
		return nil
	}) {
		c.W.Int(n)
	}
}

// TYPE key
func typeCommand(c *Ctx) {
	var t engine.Type
	var ok bool
	if !c.read(c.Args[1], func(tx *engine.Tx) error { t, ok = tx.TypeOf(c.Args[1]); return nil }) {
		return
	}
	if !ok {
		c.W.Status("none")
		return
	}
	c.W.Status(t.String())
}

// EXPIRE key seconds [NX | XX | GT | LT] (and PEXPIRE, EXPIREAT, PEXPIREAT)
func expireCommand(c *Ctx) {
	name := c.cmd.Name
	cond := engine.ExpireAlways
	var nx, xx, gt, lt bool
	for _, a := range c.Args[3:] {
		switch strings.ToLower(string(a)) {
		case "nx":
			nx = true
		case "xx":
			xx = true
		case "gt":
			gt = true
		case "lt":
			lt = true
		default:
			c.errorReply("ERR Unsupported option " + string(a))
			return
		}
	}
	switch {
	case nx && (xx || gt || lt):
		c.errorReply(errNXXXGTLT)
		return
	case gt && lt:
		c.errorReply("ERR GT and LT options at the same time are not compatible")
		return
	case nx:
		cond = engine.ExpireNX
	case xx:
		cond = engine.ExpireXX
	case gt:
		cond = engine.ExpireGT
	case lt:
		cond = engine.ExpireLT
	}
	when, ok := parseInt(c.Args[2])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	if name == "expire" || name == "expireat" {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.errorReply(errInvalidExpire(name))
			return
		}
		when *= 1000
	}
	if name == "expire" || name == "pexpire" {
		now := nowMs()
		if when > math.MaxInt64-now {
			c.errorReply(errInvalidExpire(name))
			return
		}
		when += now
	}
	if when <= 0 {
		// Any time at or before the epoch is in the past; 0 would mean "persistent".
		when = 1
	}
	var set bool
	if c.write(c.Args[1], func(tx *engine.Tx) error { set = tx.Expire(c.Args[1], when, cond); return nil }) {
		c.intBool(set)
	}
}

// TTL / PTTL / EXPIRETIME / PEXPIRETIME key
func ttlCommand(c *Ctx) {
	var exp int64
	var ok bool
	now := nowMs()
	if !c.read(c.Args[1], func(tx *engine.Tx) error { exp, ok = tx.ExpireTime(c.Args[1]); return nil }) {
		return
	}
	switch {
	case !ok:
		c.W.Int(-2)
	case exp == 0:
		c.W.Int(-1)
	default:
		switch c.cmd.Name {
		case "ttl":
			c.W.Int((max(exp-now, 0) + 500) / 1000)
		case "pttl":
			c.W.Int(max(exp-now, 0))
		case "expiretime":
			c.W.Int((exp + 500) / 1000)
		default:
			c.W.Int(exp)
		}
	}
}

// PERSIST key
func persistCommand(c *Ctx) {
	var ok bool
	if c.write(c.Args[1], func(tx *engine.Tx) error { ok = tx.Persist(c.Args[1]); return nil }) {
		c.intBool(ok)
	}
}

// RENAME key newkey / RENAMENX key newkey
func renameCommand(c *Ctx) {
	src, dst := c.Args[1], c.Args[2]
	nx := c.cmd.Name == "renamenx"
	var done bool
	if !c.multi(c.Args[1:3], true, func(m *shard.Multi) error {
		from, to := m.Tx(src), m.Tx(dst)
		if from == to {
			var err error
			done, err = from.Rename(src, dst, nx)
			return err
		}
		v, ok := from.Dump(src)
		if !ok {
			return engine.ErrNoSuchKey
		}
		if nx && to.Exists(dst) {
			return nil
		}
		to.Restore(dst, v)
		from.Delete(src)
		done = true
		return nil
	}) {
		return
	}
	if nx {
		c.intBool(done)
	} else {
		c.W.OK()
	}
}

// parseDB parses a database index argument.
func (c *Ctx) parseDB(b []byte) (int, bool) {
	n, ok := parseInt(b)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		c.errorReply(errNotInteger)
		return 0, false
	}
	if n < 0 || n >= int64(c.srv.Data.Databases()) {
		c.errorReply(errDBIndex)
		return 0, false
	}
	return int(n), true
}

// COPY source destination [DB destination-db] [REPLACE]
func copyCommand(c *Ctx) {
	src, dst := c.Args[1], c.Args[2]
	dstDB, replace := c.db(), false
	for i := 3; i < len(c.Args); i++ {
		switch {
		case isArg(c.Args[i], "replace"):
			replace = true
		case isArg(c.Args[i], "db") && i+1 < len(c.Args):
			db, ok := c.parseDB(c.Args[i+1])
			if !ok {
				return
			}
			dstDB = db
			i++
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	if dstDB == c.db() && string(src) == string(dst) {
		c.errorReply(errSameObject)
		return
	}
	var copied bool
	if !c.multi(c.Args[1:3], true, func(m *shard.Multi) error {
		from, to := m.Tx(src), m.Tx(dst)
		pdb := m.PhysDB(dstDB)
		if from == to {
			copied = from.CopyTo(src, dst, pdb, replace)
			return nil
		}
		v, ok := from.Dump(src)
		if !ok {
			return nil
		}
		to.DB = pdb
		if to.Exists(dst) && !replace {
			return nil
		}
		to.Restore(dst, v)
		copied = true
		return nil
	}) {
		return
	}
	c.intBool(copied)
}

// MOVE key db
func moveCommand(c *Ctx) {
	db, ok := c.parseDB(c.Args[2])
	if !ok {
		return
	}
	if db == c.db() {
		c.errorReply(errSameObject)
		return
	}
	var moved bool
	if c.multi(c.Args[1:2], true, func(m *shard.Multi) error {
		moved = m.Tx(c.Args[1]).Move(c.Args[1], m.PhysDB(db))
		return nil
	}) {
		c.intBool(moved)
	}
}

// KEYS pattern
func keysCommand(c *Ctx) {
	pat := c.Args[1]
	all := len(pat) == 1 && pat[0] == '*'
	var out [][]byte
	err := c.allErr(func(m *shard.Multi) error {
		for i := 0; i < m.Shards(); i++ {
			tx := m.Shard(i)
			for from := int64(0); from >= 0; {
				page := tx.Scan(from, 1000, func(k []byte, _ engine.Type) bool { return all || engine.Match(pat, k, false) })
				out = append(out, page.Keys...)
				from = page.Next
			}
		}
		return nil
	})
	if err != nil {
		c.fail(err)
		return
	}
	c.W.Array(len(out))
	for _, k := range out {
		c.W.Bulk(k)
	}
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
//
// The cursor is shard<<32 | hash: keys are visited in (shard, hash) order,
// so a key present for the whole scan is returned exactly once or, if it
// shares a hash with keys added during the scan, at least once.
func scanCommand(c *Ctx) {
	cursor, ok := parseCursor(c.Args[1])
	if !ok {
		c.errorReply(errCursor)
		return
	}
	var pat []byte
	count := int64(10)
	typ := ""
	for i := 2; i < len(c.Args); i += 2 {
		if i+1 >= len(c.Args) {
			c.errorReply(errSyntax)
			return
		}
		switch {
		case isArg(c.Args[i], "match"):
			pat = c.Args[i+1]
		case isArg(c.Args[i], "count"):
			n, ok := parseInt(c.Args[i+1])
			if !ok {
				c.errorReply(errNotInteger)
				return
			}
			if n < 1 {
				c.errorReply(errSyntax)
				return
			}
			count = n
		case isArg(c.Args[i], "type"):
			typ = strings.ToLower(string(c.Args[i+1]))
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	keep := func(k []byte, t engine.Type) bool {
		if typ != "" && t.String() != typ {
			return false
		}
		return pat == nil || (len(pat) == 1 && pat[0] == '*') || engine.Match(pat, k, false)
	}
	shards := uint64(c.shards())
	si, h := cursor>>32, int64(cursor&0xFFFFFFFF)
	var keys [][]byte
	next := uint64(0)
	// Visit shards in order until COUNT keys were looked at.
	for left := int(min(count, 1<<20)); si < shards && left > 0; si, h = si+1, 0 {
		var page engine.ScanResult
		if err := c.shardErr(int(si), func(tx *engine.Tx) error {
			page = tx.Scan(h, left, keep)
			return nil
		}); err != nil {
			c.fail(err)
			return
		}
		keys = append(keys, page.Keys...)
		left -= page.Visited
		if page.Next >= 0 {
			next = si<<32 | uint64(page.Next)
			break
		}
		if left <= 0 && si+1 < shards {
			next = (si + 1) << 32
		}
	}
	c.W.Array(2)
	c.W.BulkString(strconv.FormatUint(next, 10))
	c.W.Array(len(keys))
	for _, k := range keys {
		c.W.Bulk(k)
	}
}

// RANDOMKEY
func randomkeyCommand(c *Ctx) {
	n := c.shards()
	start := rand.IntN(n)
	for i := 0; i < n; i++ {
		var k []byte
		var ok bool
		if err := c.shardErr((start+i)%n, func(tx *engine.Tx) error { k, ok = tx.RandomKey(); return nil }); err != nil {
			c.fail(err)
			return
		}
		if ok {
			c.W.Bulk(k)
			return
		}
	}
	c.W.Null()
}

// OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ key
func objectCommand(c *Ctx) {
	key := c.Args[2]
	var m engine.Meta
	var ok bool
	var val []byte
	if !c.read(key, func(tx *engine.Tx) error {
		m, ok = tx.Lookup(key)
		if ok && m.Type == engine.TypeString {
			val, _, _ = tx.Get(key)
		}
		return nil
	}) {
		return
	}
	if !ok {
		c.W.Null()
		return
	}
	switch c.cmd.Name {
	case "encoding":
		c.W.BulkString(encoding(m, val))
	case "refcount":
		c.W.Int(1)
	case "idletime":
		if strings.Contains(c.srv.Cfg.Get("maxmemory-policy"), "lfu") {
			c.errorReply("ERR An LRU maxmemory policy is not selected, no idle time tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
			return
		}
		c.W.Int(0)
	case "freq":
		if !strings.Contains(c.srv.Cfg.Get("maxmemory-policy"), "lfu") {
			c.errorReply("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
			return
		}
		c.W.Int(0)
	}
}

// encoding names the representation Redis would choose for a value of this size.
func encoding(m engine.Meta, val []byte) string {
	switch m.Type {
	case engine.TypeString:
		if _, err := engine.ParseInt(val); err == nil && len(val) <= 20 {
			return "int"
		}
		if len(val) <= 44 {
			return "embstr"
		}
		return "raw"
	case engine.TypeList:
		if m.N <= 128 {
			return "listpack"
		}
		return "quicklist"
	case engine.TypeHash:
		if m.N <= 128 {
			return "listpack"
		}
		return "hashtable"
	case engine.TypeSet:
		if m.N <= 128 {
			return "listpack"
		}
		return "hashtable"
	default:
		if m.N <= 128 {
			return "listpack"
		}
		return "skiplist"
	}
}

// OBJECT HELP
func objectHelpCommand(c *Ctx) {
	lines := []string{
		"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
		"    <key>.",
		"HELP", "    Print this help.",
	}
	c.writeHelp(lines)
}
