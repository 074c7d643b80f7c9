package commands

import (
	"math"
	"time"

	"redisk/engine"
	"redisk/shard"
)

func init() {
	g := "list"
	register(
		&Command{Name: "lpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", Run: pushCommand},
		&Command{Name: "rpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", Run: pushCommand},
		&Command{Name: "lpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.2.0", Summary: "Prepends one or more elements to a list only when the list exists.", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", Run: pushCommand},
		&Command{Name: "rpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.2.0", Summary: "Appends an element to a list only when the list exists.", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", Run: pushCommand},
		&Command{Name: "lpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", Complexity: "O(N) where N is the number of elements returned", Run: popCommand},
		&Command{Name: "rpop", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", Complexity: "O(N) where N is the number of elements returned", Run: popCommand},
		&Command{Name: "llen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Returns the length of a list.", Complexity: "O(1)", Run: llenCommand},
		&Command{Name: "lrange", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Returns a range of elements from a list.", Complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", Run: lrangeCommand},
		&Command{Name: "lset", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Sets the value of an element in a list by its index.", Complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", Run: lsetCommand},
		&Command{Name: "linsert", Arity: 5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.2.0", Summary: "Inserts an element before or after another element in a list.", Complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot.", Run: linsertCommand},
		&Command{Name: "lrem", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Removes elements from a list. Deletes the list if the last element was removed.", Complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.", Run: lremCommand},
		&Command{Name: "ltrim", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", Complexity: "O(N) where N is the number of elements to be removed by the operation.", Run: ltrimCommand},
		&Command{Name: "lpos", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "6.0.6", Summary: "Returns the index of matching elements in a list.", Complexity: "O(N) where N is the number of elements in the list, for the average case.", Run: lposCommand},
		&Command{Name: "lmove", Arity: 5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "6.2.0", Summary: "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", Complexity: "O(1)", Run: lmoveCommand},
		&Command{Name: "rpoplpush", Arity: 3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "1.2.0", Summary: "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", Complexity: "O(1)", Run: lmoveCommand},
		&Command{Name: "lmpop", Arity: -4, Flags: FlagWrite | FlagMovableKeys, Group: g, Since: "7.0.0", Summary: "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.", Run: lmpopCommand},
		&Command{Name: "blpop", Arity: -3, Flags: FlagWrite | FlagBlocking, FirstKey: 1, LastKey: -2, Step: 1, Group: g, Since: "2.0.0", Summary: "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", Complexity: "O(N) where N is the number of provided keys.", Run: bpopCommand},
		&Command{Name: "brpop", Arity: -3, Flags: FlagWrite | FlagBlocking, FirstKey: 1, LastKey: -2, Step: 1, Group: g, Since: "2.0.0", Summary: "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", Complexity: "O(N) where N is the number of provided keys.", Run: bpopCommand},
		&Command{Name: "blmove", Arity: 6, Flags: FlagWrite | FlagDenyOOM | FlagBlocking, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "6.2.0", Summary: "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", Complexity: "O(1)", Run: lmoveCommand},
		&Command{Name: "brpoplpush", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagBlocking, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "2.2.0", Summary: "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", Complexity: "O(1)", Run: lmoveCommand},
		&Command{Name: "blmpop", Arity: -5, Flags: FlagWrite | FlagBlocking | FlagMovableKeys, Group: g, Since: "7.0.0", Summary: "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.", Run: lmpopCommand},
		&Command{Name: "lindex", Arity: 3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "1.0.0", Summary: "Returns an element from a list by its index.", Complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", Run: lindexCommand},
	)
}

// LPUSH|RPUSH|LPUSHX|RPUSHX key element [element ...]
func pushCommand(c *Ctx) {
	name := c.cmd.Name
	left, onlyExisting := name[0] == 'l', name[len(name)-1] == 'x'
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) {
		n, err = tx.Push(c.Args[1], c.Args[2:], left, onlyExisting)
		return
	}) {
		c.W.Int(n)
	}
}

// LPOP|RPOP key [count]
func popCommand(c *Ctx) {
	count, withCount := int64(1), len(c.Args) == 3
	if len(c.Args) > 3 {
		c.errorReply(errArity(c.cmd.Name))
		return
	}
	if withCount {
		n, ok := parseInt(c.Args[2])
		if !ok || n < 0 {
			c.errorReply(errPositive)
			return
		}
		count = n
	}
	var items [][]byte
	var exists bool
	if !c.write(c.Args[1], func(tx *engine.Tx) (err error) {
		var n int64
		if n, err = tx.LLen(c.Args[1]); err != nil {
			return err
		}
		exists = n > 0
		if count > 0 {
			items, err = tx.Pop(c.Args[1], count, c.cmd.Name == "lpop")
		}
		return err
	}) {
		return
	}
	switch {
	case !exists && withCount:
		c.W.NullArray()
	case !exists:
		c.W.Null()
	case withCount:
		c.writeBulks(items)
	default:
		c.W.Bulk(items[0])
	}
}

// writeBulks writes an array of bulk strings.
func (c *Ctx) writeBulks(items [][]byte) {
	c.W.Array(len(items))
	for _, it := range items {
		c.W.Bulk(it)
	}
}

// LLEN key
func llenCommand(c *Ctx) {
	var n int64
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.LLen(c.Args[1]); return }) {
		c.W.Int(n)
	}
}

// LRANGE key start stop
func lrangeCommand(c *Ctx) {
	start, ok1 := parseInt(c.Args[2])
	stop, ok2 := parseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.errorReply(errNotInteger)
		return
	}
	var items [][]byte
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { items, err = tx.LRange(c.Args[1], start, stop); return }) {
		c.writeBulks(items)
	}
}

// LINDEX key index
func lindexCommand(c *Ctx) {
	// Redis looks the key up before it parses the index.
	var v []byte
	var found bool
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) {
		if n, err := tx.LLen(c.Args[1]); err != nil || n == 0 {
			return err
		}
		i, ok := parseInt(c.Args[2])
		if !ok {
			return replyError(errNotInteger)
		}
		v, found, err = tx.LIndex(c.Args[1], i)
		return
	}) {
		c.bulkOrNull(v, found)
	}
}

// LSET key index element
func lsetCommand(c *Ctx) {
	i, ok := parseInt(c.Args[2])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	if c.write(c.Args[1], func(tx *engine.Tx) error { return tx.LSet(c.Args[1], i, c.Args[3]) }) {
		c.W.OK()
	}
}

// LINSERT key BEFORE | AFTER pivot element
func linsertCommand(c *Ctx) {
	var before bool
	switch {
	case isArg(c.Args[2], "before"):
		before = true
	case isArg(c.Args[2], "after"):
	default:
		c.errorReply(errSyntax)
		return
	}
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.LInsert(c.Args[1], before, c.Args[3], c.Args[4]); return }) {
		c.W.Int(n)
	}
}

// LREM key count element
func lremCommand(c *Ctx) {
	count, ok := parseInt(c.Args[2])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.LRem(c.Args[1], count, c.Args[3]); return }) {
		c.W.Int(n)
	}
}

// LTRIM key start stop
func ltrimCommand(c *Ctx) {
	start, ok1 := parseInt(c.Args[2])
	stop, ok2 := parseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.errorReply(errNotInteger)
		return
	}
	if c.write(c.Args[1], func(tx *engine.Tx) error { return tx.LTrim(c.Args[1], start, stop) }) {
		c.W.OK()
	}
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func lposCommand(c *Ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for i := 3; i < len(c.Args); i += 2 {
		if i+1 >= len(c.Args) {
			c.errorReply(errSyntax)
			return
		}
		n, ok := parseInt(c.Args[i+1])
		switch {
		case isArg(c.Args[i], "rank"):
			if !ok {
				c.errorReply(errNotInteger)
				return
			}
			if n == math.MinInt64 {
				c.errorReply(errRandCountLong)
				return
			}
			if n == 0 {
				c.errorReply("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
				return
			}
			rank = n
		case isArg(c.Args[i], "count"):
			if !ok || n < 0 {
				c.errorReply("ERR COUNT can't be negative")
				return
			}
			count = n
		case isArg(c.Args[i], "maxlen"):
			if !ok || n < 0 {
				c.errorReply("ERR MAXLEN can't be negative")
				return
			}
			maxlen = n
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	limit := count
	if count < 0 {
		limit = 1
	}
	var idx []int64
	if !c.read(c.Args[1], func(tx *engine.Tx) (err error) {
		idx, err = tx.LPos(c.Args[1], c.Args[2], rank, limit, maxlen)
		return
	}) {
		return
	}
	if count < 0 {
		if len(idx) == 0 {
			c.W.Null()
		} else {
			c.W.Int(idx[0])
		}
		return
	}
	c.W.Array(len(idx))
	for _, i := range idx {
		c.W.Int(i)
	}
}

// parseEnd parses LEFT | RIGHT.
func parseEnd(b []byte) (left, ok bool) {
	switch {
	case isArg(b, "left"):
		return true, true
	case isArg(b, "right"):
		return false, true
	}
	return false, false
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT, RPOPLPUSH source destination,
// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout, BRPOPLPUSH source destination timeout
func lmoveCommand(c *Ctx) {
	src, dst := c.Args[1], c.Args[2]
	fromLeft, toLeft := false, true
	name := c.cmd.Name
	if name == "lmove" || name == "blmove" {
		var ok1, ok2 bool
		fromLeft, ok1 = parseEnd(c.Args[3])
		toLeft, ok2 = parseEnd(c.Args[4])
		if !ok1 || !ok2 {
			c.errorReply(errSyntax)
			return
		}
	}
	var timeout time.Duration
	blocking := name[0] == 'b'
	if blocking {
		var ok bool
		if timeout, ok = c.parseTimeout(c.Args[len(c.Args)-1]); !ok {
			return
		}
	}
	try := func(key []byte) (func(), bool) {
		var v []byte
		var got bool
		err := c.keysErr([][]byte{src, dst}, true, func(m *shard.Multi) error {
			from, to := m.Tx(src), m.Tx(dst)
			n, err := from.LLen(src)
			if err != nil || n == 0 {
				return err
			}
			if _, err := to.LLen(dst); err != nil {
				return err
			}
			items, _ := from.Pop(src, 1, fromLeft)
			if _, err := to.Push(dst, items, toLeft, false); err != nil {
				return err
			}
			v, got = items[0], true
			return nil
		})
		if err != nil {
			return c.popFailed(err)
		}
		if !got {
			return nil, false
		}
		return func() {
			c.W.Bulk(v)
			c.srv.block.signal(c.db(), [][]byte{dst})
		}, true
	}
	c.popOrBlock([][]byte{src}, blocking, timeout, try, c.W.Null)
}

// BLPOP|BRPOP key [key ...] timeout
func bpopCommand(c *Ctx) {
	keys := c.Args[1 : len(c.Args)-1]
	timeout, ok := c.parseTimeout(c.Args[len(c.Args)-1])
	if !ok {
		return
	}
	left := c.cmd.Name == "blpop"
	try := func(key []byte) (func(), bool) {
		var items [][]byte
		err := c.writeErr(key, func(tx *engine.Tx) (err error) {
			items, err = tx.Pop(key, 1, left)
			return err
		})
		if err != nil {
			return c.popFailed(err)
		}
		if len(items) == 0 {
			return nil, false
		}
		return func() { c.writeBulks([][]byte{key, items[0]}) }, true
	}
	c.popOrBlock(keys, true, timeout, try, c.W.NullArray)
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func lmpopCommand(c *Ctx) {
	blocking := c.cmd.Name == "blmpop"
	keys, left, count, timeout, ok := c.parseMPop(blocking, "left", "right")
	if !ok {
		return
	}
	try := func(key []byte) (func(), bool) {
		var items [][]byte
		err := c.writeErr(key, func(tx *engine.Tx) (err error) {
			items, err = tx.Pop(key, count, left)
			return err
		})
		if err != nil {
			return c.popFailed(err)
		}
		if len(items) == 0 {
			return nil, false
		}
		return func() {
			c.W.Array(2)
			c.W.Bulk(key)
			c.writeBulks(items)
		}, true
	}
	c.popOrBlock(keys, blocking, timeout, try, c.W.NullArray)
}
