package commands

import (
	"redisk/engine"
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
	i, ok := parseInt(c.Args[2])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	var v []byte
	var found bool
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { v, found, err = tx.LIndex(c.Args[1], i); return }) {
		c.bulkOrNull(v, found)
	}
}
