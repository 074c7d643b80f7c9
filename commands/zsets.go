package commands

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"redisk/engine"
	"redisk/shard"
)

func init() {
	g := "sorted-set"
	w, r, f, d := FlagWrite, FlagReadonly, FlagFast, FlagDenyOOM
	one := func(name string, arity int, flags Flag, since, summary, cx string, run func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: since, Summary: summary, Complexity: cx, Run: run}
	}
	register(
		one("zadd", -4, w|d|f, "1.2.0", "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", "O(log(N)) for each item added, where N is the number of elements in the sorted set.", zaddCommand),
		one("zincrby", 4, w|d|f, "1.2.0", "Increments the score of a member in a sorted set.", "O(log(N)) where N is the number of elements in the sorted set.", zincrbyCommand),
		one("zrem", -3, w|f, "1.2.0", "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.", zremCommand),
		one("zcard", 2, r|f, "1.2.0", "Returns the number of members in a sorted set.", "O(1)", zcardCommand),
		one("zscore", 3, r|f, "1.2.0", "Returns the score of a member in a sorted set.", "O(1)", zscoreCommand),
		one("zmscore", -3, r|f, "6.2.0", "Returns the score of one or more members in a sorted set.", "O(N) where N is the number of members being requested.", zscoreCommand),
		one("zrank", -3, r|f, "2.0.0", "Returns the index of a member in a sorted set ordered by ascending scores.", "O(log(N))", zrankCommand),
		one("zrevrank", -3, r|f, "2.0.0", "Returns the index of a member in a sorted set ordered by descending scores.", "O(log(N))", zrankCommand),
		one("zcount", 4, r|f, "2.0.0", "Returns the count of members in a sorted set that have scores within a range.", "O(log(N)) with N being the number of elements in the sorted set.", zcountCommand),
		one("zlexcount", 4, r|f, "2.8.9", "Returns the number of members in a sorted set within a lexicographical range.", "O(log(N)) with N being the number of elements in the sorted set.", zcountCommand),
		one("zrange", -4, r, "1.2.0", "Returns members in a sorted set within a range of indexes.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", zrangeCommand),
		one("zrangebyscore", -4, r, "1.0.5", "Returns members in a sorted set within a range of scores.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.", zrangeCommand),
		one("zrevrangebyscore", -4, r, "2.2.0", "Returns members in a sorted set within a range of scores in reverse order.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.", zrangeCommand),
		one("zrangebylex", -4, r, "2.8.9", "Returns members in a sorted set within a lexicographical range.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.", zrangeCommand),
		one("zrevrangebylex", -4, r, "2.8.9", "Returns members in a sorted set within a lexicographical range in reverse order.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.", zrangeCommand),
		one("zrevrange", -4, r, "1.2.0", "Returns members in a sorted set within a range of indexes in reverse order.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", zrangeCommand),
		&Command{Name: "zrangestore", Arity: -5, Flags: w | d, FirstKey: 1, LastKey: 2, Step: 1, Group: g, Since: "6.2.0", Summary: "Stores a range of members from sorted set in a key.", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.", Run: zrangeCommand},
		one("zremrangebyrank", 4, w, "2.0.0", "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", zremrangeCommand),
		one("zremrangebyscore", 4, w, "1.2.0", "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", zremrangeCommand),
		one("zremrangebylex", 4, w, "2.8.9", "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", zremrangeCommand),
		one("zpopmin", -2, w|f, "5.0.0", "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", zpopCommand),
		one("zpopmax", -2, w|f, "5.0.0", "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", zpopCommand),
		one("zrandmember", -2, r, "6.2.0", "Returns one or more random members from a sorted set.", "O(N) where N is the number of members returned", zrandmemberCommand),
		one("zscan", -3, r, "2.8.0", "Iterates over members and scores of a sorted set.", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", zscanCommand),
		&Command{Name: "zmpop", Arity: -4, Flags: w | FlagMovableKeys, Group: g, Since: "7.0.0", Summary: "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.", Complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", Run: zmpopCommand},
		&Command{Name: "bzpopmin", Arity: -3, Flags: w | f | FlagBlocking, FirstKey: 1, LastKey: -2, Step: 1, Group: g, Since: "5.0.0", Summary: "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", Complexity: "O(log(N)) with N being the number of elements in the sorted set.", Run: bzpopCommand},
		&Command{Name: "bzpopmax", Arity: -3, Flags: w | f | FlagBlocking, FirstKey: 1, LastKey: -2, Step: 1, Group: g, Since: "5.0.0", Summary: "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.", Complexity: "O(log(N)) with N being the number of elements in the sorted set.", Run: bzpopCommand},
		&Command{Name: "bzmpop", Arity: -5, Flags: w | FlagBlocking | FlagMovableKeys, Group: g, Since: "7.0.0", Summary: "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", Complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", Run: zmpopCommand},
		&Command{Name: "zunion", Arity: -3, Flags: r | FlagMovableKeys, Group: g, Since: "6.2.0", Summary: "Returns the union of multiple sorted sets.", Complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", Run: zsetopCommand},
		&Command{Name: "zinter", Arity: -3, Flags: r | FlagMovableKeys, Group: g, Since: "6.2.0", Summary: "Returns the intersect of multiple sorted sets.", Complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", Run: zsetopCommand},
		&Command{Name: "zdiff", Arity: -3, Flags: r | FlagMovableKeys, Group: g, Since: "6.2.0", Summary: "Returns the difference between multiple sorted sets.", Complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", Run: zsetopCommand},
		&Command{Name: "zunionstore", Arity: -4, Flags: w | d | FlagMovableKeys, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.0.0", Summary: "Stores the union of multiple sorted sets in a key.", Complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", Run: zsetopCommand},
		&Command{Name: "zinterstore", Arity: -4, Flags: w | d | FlagMovableKeys, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "2.0.0", Summary: "Stores the intersect of multiple sorted sets in a key.", Complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", Run: zsetopCommand},
		&Command{Name: "zdiffstore", Arity: -4, Flags: w | d | FlagMovableKeys, FirstKey: 1, LastKey: 1, Step: 1, Group: g, Since: "6.2.0", Summary: "Stores the difference of multiple sorted sets in a key.", Complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", Run: zsetopCommand},
		&Command{Name: "zintercard", Arity: -3, Flags: r | FlagMovableKeys, Group: g, Since: "7.0.0", Summary: "Returns the number of members of the intersect of multiple sorted sets.", Complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.", Run: zintercardCommand},
	)
}

// scores writes members (and their scores) the way ZRANGE ... WITHSCORES
// does: RESP2 a flat array, RESP3 an array of [member, score] pairs.
func (c *Ctx) writeZMembers(ms []engine.ZMember, withScores bool) {
	if !withScores {
		c.W.Array(len(ms))
		for _, z := range ms {
			c.W.Bulk(z.Member)
		}
		return
	}
	if c.W.Proto >= 3 {
		c.W.Array(len(ms))
		for _, z := range ms {
			c.W.Array(2)
			c.W.Bulk(z.Member)
			c.W.Double(z.Score)
		}
		return
	}
	c.W.Array(2 * len(ms))
	for _, z := range ms {
		c.W.Bulk(z.Member)
		c.W.Double(z.Score)
	}
}

// parseScoreBound parses a score range end: "(1.5", "-inf", "+inf", "3".
func parseScoreBound(b []byte) (engine.ScoreBound, bool) {
	var sb engine.ScoreBound
	if len(b) > 0 && b[0] == '(' {
		sb.Excl = true
		b = b[1:]
	}
	// Like zslParseRange: plain strtod, so leading spaces are skipped and an
	// empty bound ("(" alone) reads as 0.
	s := strings.TrimLeft(string(b), " \t\r\n\v\f")
	if s == "" {
		return sb, true
	}
	f, ok := strtod(s)
	sb.V = f
	return sb, ok
}

// parseLexBound parses a lex range end: "-", "+", "[a" or "(a".
func parseLexBound(b []byte) (engine.LexBound, bool) {
	switch {
	case len(b) == 1 && b[0] == '-':
		return engine.LexBound{Inf: -1}, true
	case len(b) == 1 && b[0] == '+':
		return engine.LexBound{Inf: 1}, true
	case len(b) > 0 && b[0] == '[':
		return engine.LexBound{V: b[1:]}, true
	case len(b) > 0 && b[0] == '(':
		return engine.LexBound{V: b[1:], Excl: true}, true
	}
	return engine.LexBound{}, false
}

// parseRange fills spec from min and max arguments of the given kind.
func (c *Ctx) parseRange(spec *engine.ZRangeSpec, min, max []byte) bool {
	switch spec.By {
	case engine.ByScore:
		a, ok1 := parseScoreBound(min)
		b, ok2 := parseScoreBound(max)
		if !ok1 || !ok2 {
			c.errorReply("ERR min or max is not a float")
			return false
		}
		spec.Min, spec.Max = a, b
	case engine.ByLex:
		a, ok1 := parseLexBound(min)
		b, ok2 := parseLexBound(max)
		if !ok1 || !ok2 {
			c.errorReply("ERR min or max not valid string range item")
			return false
		}
		spec.LexMin, spec.LexMax = a, b
	default:
		s, ok1 := parseInt(min)
		e, ok2 := parseInt(max)
		if !ok1 || !ok2 {
			c.errorReply(errNotInteger)
			return false
		}
		spec.Start, spec.Stop = s, e
	}
	return true
}

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
func zaddCommand(c *Ctx) {
	var a engine.ZAddArgs
	i := 2
	for ; i < len(c.Args); i++ {
		switch strings.ToLower(string(c.Args[i])) {
		case "nx":
			a.NX = true
		case "xx":
			a.XX = true
		case "gt":
			a.GT = true
		case "lt":
			a.LT = true
		case "ch":
			a.CH = true
		case "incr":
			a.Incr = true
		default:
			goto pairs
		}
	}
pairs:
	rest := len(c.Args) - i
	if rest == 0 || rest%2 != 0 {
		c.errorReply(errSyntax)
		return
	}
	switch {
	case a.NX && a.XX:
		c.errorReply("ERR XX and NX options at the same time are not compatible")
		return
	case (a.GT && a.NX) || (a.LT && a.NX) || (a.GT && a.LT):
		c.errorReply(errGTLTNX)
		return
	case a.Incr && rest > 2:
		c.errorReply("ERR INCR option supports a single increment-element pair")
		return
	}
	ms := make([]engine.ZMember, 0, rest/2)
	for ; i < len(c.Args); i += 2 {
		s, ok := parseFloat(c.Args[i])
		if !ok {
			c.errorReply(errNotFloat)
			return
		}
		ms = append(ms, engine.ZMember{Member: c.Args[i+1], Score: s})
	}
	var n int64
	var score float64
	var ok bool
	if !c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, score, ok, err = tx.ZAdd(c.Args[1], ms, a); return }) {
		return
	}
	switch {
	case !a.Incr:
		c.W.Int(n)
	case ok:
		c.W.Double(score)
	default:
		c.W.Null()
	}
}

// ZINCRBY key increment member
func zincrbyCommand(c *Ctx) {
	incr, ok := parseFloat(c.Args[2])
	if !ok {
		c.errorReply(errNotFloat)
		return
	}
	var s float64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { s, err = tx.ZIncrBy(c.Args[1], incr, c.Args[3]); return }) {
		c.W.Double(s)
	}
}

// ZREM key member [member ...]
func zremCommand(c *Ctx) {
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.ZRem(c.Args[1], c.Args[2:]); return }) {
		c.W.Int(n)
	}
}

// ZCARD key
func zcardCommand(c *Ctx) {
	var n int64
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.ZCard(c.Args[1]); return }) {
		c.W.Int(n)
	}
}

// ZSCORE key member / ZMSCORE key member [member ...]
func zscoreCommand(c *Ctx) {
	members := c.Args[2:]
	scores := make([]float64, len(members))
	found := make([]bool, len(members))
	if !c.read(c.Args[1], func(tx *engine.Tx) error {
		for i, m := range members {
			s, ok, err := tx.ZScore(c.Args[1], m)
			if err != nil {
				return err
			}
			scores[i], found[i] = s, ok
		}
		return nil
	}) {
		return
	}
	if c.cmd.Name == "zscore" {
		if found[0] {
			c.W.Double(scores[0])
		} else {
			c.W.Null()
		}
		return
	}
	c.W.Array(len(members))
	for i := range members {
		if found[i] {
			c.W.Double(scores[i])
		} else {
			c.W.Null()
		}
	}
}

// ZRANK|ZREVRANK key member [WITHSCORE]
func zrankCommand(c *Ctx) {
	withScore := false
	if len(c.Args) > 4 || (len(c.Args) == 4 && !isArg(c.Args[3], "withscore")) {
		c.errorReply(errSyntax)
		return
	}
	withScore = len(c.Args) == 4
	var rank int64
	var score float64
	var ok bool
	if !c.read(c.Args[1], func(tx *engine.Tx) (err error) {
		rank, score, ok, err = tx.ZRank(c.Args[1], c.Args[2], c.cmd.Name == "zrevrank")
		return
	}) {
		return
	}
	switch {
	case !ok && withScore:
		c.W.NullArray()
	case !ok:
		c.W.Null()
	case withScore:
		c.W.Array(2)
		c.W.Int(rank)
		c.W.Double(score)
	default:
		c.W.Int(rank)
	}
}

// ZCOUNT key min max / ZLEXCOUNT key min max
func zcountCommand(c *Ctx) {
	spec := engine.ZRangeSpec{By: engine.ByScore}
	if c.cmd.Name == "zlexcount" {
		spec.By = engine.ByLex
	}
	if !c.parseRange(&spec, c.Args[2], c.Args[3]) {
		return
	}
	var n int64
	if c.read(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.ZCount(c.Args[1], spec); return }) {
		c.W.Int(n)
	}
}

// ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
// and ZRANGESTORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX,
// ZREVRANGEBYLEX, ZREVRANGE (zrangeGenericCommand).
func zrangeCommand(c *Ctx) {
	name := c.cmd.Name
	store := name == "zrangestore"
	src, argStart := c.Args[1], 2
	if store {
		src, argStart = c.Args[2], 3
	}
	spec := engine.ZRangeSpec{By: -1, Count: -1}
	dir := 0 // 0 auto, 1 forward, -1 reverse
	switch name {
	case "zrangebyscore":
		spec.By, dir = engine.ByScore, 1
	case "zrevrangebyscore":
		spec.By, dir = engine.ByScore, -1
	case "zrangebylex":
		spec.By, dir = engine.ByLex, 1
	case "zrevrangebylex":
		spec.By, dir = engine.ByLex, -1
	case "zrevrange":
		spec.By, dir = engine.ByRank, -1
	}
	withScores := false
	limit := int64(-1)
	for j := argStart + 2; j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		switch {
		case !store && isArg(c.Args[j], "withscores"):
			withScores = true
		case isArg(c.Args[j], "limit") && left >= 2:
			off, ok1 := parseInt(c.Args[j+1])
			cnt, ok2 := parseInt(c.Args[j+2])
			if !ok1 || !ok2 {
				c.errorReply(errNotInteger)
				return
			}
			spec.Offset, limit = off, cnt
			j += 2
		case dir == 0 && isArg(c.Args[j], "rev"):
			dir = -1
		case spec.By == -1 && isArg(c.Args[j], "bylex"):
			spec.By = engine.ByLex
		case spec.By == -1 && isArg(c.Args[j], "byscore"):
			spec.By = engine.ByScore
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	if spec.By == -1 {
		spec.By = engine.ByRank
	}
	spec.Rev = dir == -1
	if limit != -1 && spec.By == engine.ByRank {
		c.errorReply("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return
	}
	if withScores && spec.By == engine.ByLex {
		c.errorReply("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return
	}
	lo, hi := c.Args[argStart], c.Args[argStart+1]
	if spec.Rev && spec.By != engine.ByRank {
		lo, hi = hi, lo
	}
	if !c.parseRange(&spec, lo, hi) {
		return
	}
	spec.Count = limit
	if limit < 0 {
		spec.Count = -1
	}
	var ms []engine.ZMember
	if store {
		dst := c.Args[1]
		if c.multi([][]byte{dst, src}, true, func(m *shard.Multi) (err error) {
			if ms, err = m.Tx(src).ZRange(src, spec); err != nil {
				return err
			}
			m.Tx(dst).ZStore(dst, ms)
			return nil
		}) {
			c.W.Int(int64(len(ms)))
		}
		return
	}
	if c.read(src, func(tx *engine.Tx) (err error) { ms, err = tx.ZRange(src, spec); return }) {
		c.writeZMembers(ms, withScores)
	}
}

// ZREMRANGEBYRANK|ZREMRANGEBYSCORE|ZREMRANGEBYLEX key min max
func zremrangeCommand(c *Ctx) {
	spec := engine.ZRangeSpec{By: engine.ByRank, Count: -1}
	switch c.cmd.Name {
	case "zremrangebyscore":
		spec.By = engine.ByScore
	case "zremrangebylex":
		spec.By = engine.ByLex
	}
	if !c.parseRange(&spec, c.Args[2], c.Args[3]) {
		return
	}
	var n int64
	if c.write(c.Args[1], func(tx *engine.Tx) (err error) { n, err = tx.ZRemRange(c.Args[1], spec); return }) {
		c.W.Int(n)
	}
}

// parseCount parses a COUNT value that must be positive.
func (c *Ctx) parseCount(b []byte) (int64, bool) {
	n, ok := parseInt(b)
	if !ok || n < 0 {
		c.errorReply(errPositive)
		return 0, false
	}
	return n, true
}

// ZPOPMIN|ZPOPMAX key [count]
func zpopCommand(c *Ctx) {
	if len(c.Args) > 3 {
		c.errorReply(errSyntax)
		return
	}
	count, withCount := int64(1), len(c.Args) == 3
	if withCount {
		n, ok := c.parseCount(c.Args[2])
		if !ok {
			return
		}
		count = n
	}
	var ms []engine.ZMember
	if count > 0 && !c.write(c.Args[1], func(tx *engine.Tx) (err error) {
		ms, err = tx.ZPop(c.Args[1], count, c.cmd.Name == "zpopmax")
		return
	}) {
		return
	}
	if withCount {
		c.writeZMembers(ms, true)
		return
	}
	c.W.Array(2 * len(ms))
	for _, z := range ms {
		c.W.Bulk(z.Member)
		c.W.Double(z.Score)
	}
}

// ZRANDMEMBER key [count [WITHSCORES]]
func zrandmemberCommand(c *Ctx) {
	if len(c.Args) > 4 || (len(c.Args) == 4 && !isArg(c.Args[3], "withscores")) {
		c.errorReply(errSyntax)
		return
	}
	if len(c.Args) == 2 {
		var ms []engine.ZMember
		if c.read(c.Args[1], func(tx *engine.Tx) (err error) { ms, err = tx.ZRandMember(c.Args[1], 1); return }) {
			if len(ms) == 0 {
				c.W.Null()
			} else {
				c.W.Bulk(ms[0].Member)
			}
		}
		return
	}
	count, ok := c.parseRandomCount(c.Args[2])
	if !ok {
		return
	}
	withScores := len(c.Args) == 4
	if count < -maxRandomRepeats {
		c.errorReply(errRandCountRange)
		return
	}
	var ms []engine.ZMember
	if count != 0 && !c.read(c.Args[1], func(tx *engine.Tx) (err error) { ms, err = tx.ZRandMember(c.Args[1], count); return }) {
		return
	}
	c.writeZMembers(ms, withScores)
}

// parseScanArgs parses a *SCAN cursor with MATCH and COUNT.
func (c *Ctx) parseScanArgs(args [][]byte) (cursor int64, match []byte, count int, ok bool) {
	u, ok := parseCursor(args[0])
	if !ok {
		c.errorReply(errCursor)
		return 0, nil, 0, false
	}
	count = 10
	for i := 1; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.errorReply(errSyntax)
			return 0, nil, 0, false
		}
		switch {
		case isArg(args[i], "match"):
			match = args[i+1]
		case isArg(args[i], "count"):
			n, ok := parseInt(args[i+1])
			if !ok {
				c.errorReply(errNotInteger)
				return 0, nil, 0, false
			}
			if n < 1 {
				c.errorReply(errSyntax)
				return 0, nil, 0, false
			}
			count = int(min(n, 1<<20))
		default:
			c.errorReply(errSyntax)
			return 0, nil, 0, false
		}
	}
	if u > 0xFFFFFFFF {
		u = 0xFFFFFFFF + 1
	}
	return int64(u), match, count, true
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
func zscanCommand(c *Ctx) {
	cursor, pat, count, ok := c.parseScanArgs(c.Args[2:])
	if !ok {
		return
	}
	var ms []engine.ZMember
	next := int64(-1)
	keep := func(m []byte) bool { return pat == nil || engine.Match(pat, m, false) }
	if cursor <= 0xFFFFFFFF && !c.read(c.Args[1], func(tx *engine.Tx) (err error) {
		ms, next, err = tx.ZScan(c.Args[1], cursor, count, keep)
		return
	}) {
		return
	}
	c.W.Array(2)
	c.W.BulkString(strconv.FormatInt(max(next, 0), 10))
	c.W.Array(2 * len(ms))
	for _, z := range ms {
		c.W.Bulk(z.Member)
		c.W.BulkString(formatScore(z.Score))
	}
}

// formatScore formats a score as a bulk string in every protocol (ZSCAN).
func formatScore(f float64) string { return string(appendScore(nil, f)) }

func appendScore(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}

// ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]
// BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count]
func zmpopCommand(c *Ctx) {
	blocking := c.cmd.Name == "bzmpop"
	keys, min, count, timeout, ok := c.parseMPop(blocking, "min", "max")
	if !ok {
		return
	}
	try := c.zpopTry(count, !min, func(key []byte, ms []engine.ZMember) { c.writeMPop(key, ms) })
	c.popOrBlock(keys, blocking, timeout, try, c.W.NullArray)
}

// zpopTry returns the blocking attempt that pops from one sorted set.
func (c *Ctx) zpopTry(count int64, max bool, reply func(key []byte, ms []engine.ZMember)) func([]byte) (func(), bool) {
	return func(key []byte) (func(), bool) {
		var ms []engine.ZMember
		err := c.writeErr(key, func(tx *engine.Tx) (err error) {
			ms, err = tx.ZPop(key, count, max)
			return err
		})
		if err != nil {
			return c.popFailed(err)
		}
		if len(ms) == 0 {
			return nil, false
		}
		return func() { reply(key, ms) }, true
	}
}

// BZPOPMIN|BZPOPMAX key [key ...] timeout
func bzpopCommand(c *Ctx) {
	keys := c.Args[1 : len(c.Args)-1]
	timeout, ok := c.parseTimeout(c.Args[len(c.Args)-1])
	if !ok {
		return
	}
	try := c.zpopTry(1, c.cmd.Name == "bzpopmax", func(key []byte, ms []engine.ZMember) {
		c.W.Array(3)
		c.W.Bulk(key)
		c.W.Bulk(ms[0].Member)
		c.W.Double(ms[0].Score)
	})
	c.popOrBlock(keys, true, timeout, try, c.W.NullArray)
}

// writeMPop writes [key, [[member, score], ...]] or a null array.
func (c *Ctx) writeMPop(key []byte, ms []engine.ZMember) {
	if key == nil {
		c.W.NullArray()
		return
	}
	c.W.Array(2)
	c.W.Bulk(key)
	c.W.Array(len(ms))
	for _, z := range ms {
		c.W.Array(2)
		c.W.Bulk(z.Member)
		c.W.Double(z.Score)
	}
}

// ZUNION|ZINTER|ZDIFF numkeys key [key ...] [WEIGHTS weight ...]
// [AGGREGATE SUM|MIN|MAX] [WITHSCORES], and their STORE forms.
func zsetopCommand(c *Ctx) {
	name := c.cmd.Name
	store := strings.HasSuffix(name, "store")
	op := strings.TrimSuffix(name, "store")
	nkIdx := 1
	if store {
		nkIdx = 2
	}
	nk, ok := parseInt(c.Args[nkIdx])
	if !ok {
		c.errorReply(errNotInteger)
		return
	}
	if nk < 1 {
		c.errorReply("ERR at least 1 input key is needed for '" + name + "' command")
		return
	}
	if nk > int64(len(c.Args)-nkIdx-1) {
		c.errorReply(errSyntax)
		return
	}
	keys := c.Args[nkIdx+1 : nkIdx+1+int(nk)]
	weights := make([]float64, len(keys))
	for i := range weights {
		weights[i] = 1
	}
	agg := "sum"
	withScores := false
	for j := nkIdx + 1 + int(nk); j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		switch {
		case op != "zdiff" && isArg(c.Args[j], "weights") && left >= len(keys):
			for i := range keys {
				w, ok := parseFloat(c.Args[j+1+i])
				if !ok {
					c.errorReply("ERR weight value is not a float")
					return
				}
				weights[i] = w
			}
			j += len(keys)
		case op != "zdiff" && isArg(c.Args[j], "aggregate") && left >= 1:
			agg = strings.ToLower(string(c.Args[j+1]))
			if agg != "sum" && agg != "min" && agg != "max" {
				c.errorReply(errSyntax)
				return
			}
			j++
		case !store && isArg(c.Args[j], "withscores"):
			withScores = true
		default:
			c.errorReply(errSyntax)
			return
		}
	}
	all := keys
	if store {
		all = append([][]byte{c.Args[1]}, keys...)
	}
	var result []engine.ZMember
	if !c.multi(all, store, func(m *shard.Multi) error {
		sets := make([][]engine.ZMember, len(keys))
		for i, k := range keys {
			ms, _, err := m.Tx(k).ZAll(k)
			if err != nil {
				return err
			}
			sets[i] = ms
		}
		result = combineZSets(op, sets, weights, agg)
		if store {
			m.Tx(c.Args[1]).ZStore(c.Args[1], result)
		}
		return nil
	}) {
		return
	}
	if store {
		c.W.Int(int64(len(result)))
		return
	}
	c.writeZMembers(result, withScores)
}

// combineZSets computes a union, intersection or difference with weights
// and aggregation, sorted by score then member.
func combineZSets(op string, sets [][]engine.ZMember, weights []float64, agg string) []engine.ZMember {
	mul := func(s, w float64) float64 {
		v := s * w
		if math.IsNaN(v) {
			return 0
		}
		return v
	}
	combine := func(a, b float64) float64 {
		switch agg {
		case "min":
			return math.Min(a, b)
		case "max":
			return math.Max(a, b)
		}
		v := a + b
		if math.IsNaN(v) {
			return 0
		}
		return v
	}
	acc := map[string]float64{}
	var order []string
	switch op {
	case "zunion":
		for i, set := range sets {
			for _, z := range set {
				k := string(z.Member)
				v := mul(z.Score, weights[i])
				if cur, ok := acc[k]; ok {
					acc[k] = combine(cur, v)
				} else {
					acc[k] = v
					order = append(order, k)
				}
			}
		}
	case "zinter":
		for _, z := range sets[0] {
			acc[string(z.Member)] = mul(z.Score, weights[0])
			order = append(order, string(z.Member))
		}
		for i := 1; i < len(sets); i++ {
			in := map[string]float64{}
			for _, z := range sets[i] {
				in[string(z.Member)] = mul(z.Score, weights[i])
			}
			kept := order[:0]
			for _, k := range order {
				if v, ok := in[k]; ok {
					acc[k] = combine(acc[k], v)
					kept = append(kept, k)
				} else {
					delete(acc, k)
				}
			}
			order = kept
		}
	case "zdiff":
		rm := map[string]bool{}
		for _, set := range sets[1:] {
			for _, z := range set {
				rm[string(z.Member)] = true
			}
		}
		for _, z := range sets[0] {
			if !rm[string(z.Member)] {
				acc[string(z.Member)] = z.Score
				order = append(order, string(z.Member))
			}
		}
	}
	out := make([]engine.ZMember, 0, len(order))
	for _, k := range order {
		out = append(out, engine.ZMember{Member: []byte(k), Score: acc[k]})
	}
	slices.SortFunc(out, func(a, b engine.ZMember) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return strings.Compare(string(a.Member), string(b.Member))
	})
	return out
}

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
func zintercardCommand(c *Ctx) {
	nk, ok := parseInt(c.Args[1])
	switch {
	case !ok:
		c.errorReply(errNotInteger)
		return
	case nk < 1:
		c.errorReply("ERR at least 1 input key is needed for 'zintercard' command")
		return
	case nk > int64(len(c.Args)-2):
		c.errorReply(errSyntax)
		return
	}
	n := int(nk)
	keys := c.Args[2 : 2+n]
	limit := int64(0)
	for j := 2 + n; j < len(c.Args); j++ {
		if isArg(c.Args[j], "limit") && j+1 < len(c.Args) {
			l, ok := parseInt(c.Args[j+1])
			if !ok || l < 0 {
				c.errorReply("ERR LIMIT can't be negative")
				return
			}
			limit = l
			j++
			continue
		}
		c.errorReply(errSyntax)
		return
	}
	var card int64
	if !c.multi(keys, false, func(m *shard.Multi) error {
		sets := make([][]engine.ZMember, len(keys))
		weights := make([]float64, len(keys))
		for i, k := range keys {
			ms, _, err := m.Tx(k).ZAll(k)
			if err != nil {
				return err
			}
			sets[i], weights[i] = ms, 1
		}
		card = int64(len(combineZSets("zinter", sets, weights, "sum")))
		return nil
	}) {
		return
	}
	if limit > 0 {
		card = min(card, limit)
	}
	c.W.Int(card)
}
