package engine

// ZRankOn marks the sorted set at key ranked and builds its rank levels, as
// the first rank query on it does in a write of its own (for benchmarks in
// package engine_test).
func (tx *Tx) ZRankOn(key []byte) { tx.zrankOn(key, 0) }
