package shard

import (
	"strconv"
	"testing"

	"redisk/engine"
)

// TestSlot checks Slot against CLUSTER KEYSLOT answers from redis-server
// 7.0 in cluster mode.
func TestSlot(t *testing.T) {
	cases := []struct {
		key  string
		slot int
	}{
		{"foo", 12182},
		{"bar", 5061},
		{"", 0},
		{"a", 15495},
		{"b", 3300},
		{"123456789", 12739},
		{"hello world", 15332},
		{"key:1", 6657},
		{"mykey", 14687},
		{"user:1000", 1649},
		// Hash tags: the part inside the first {...} that is not empty.
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"foo{bar}{zap}", 5061}, // "bar"
		{"a{b}c", 3300},         // "b"
		{"{b}", 3300},
		{"{a}{b}", 15495}, // "a"
		{"}{a}", 15495},   // a '}' before the '{' does not matter
		{"foo{{bar}}zap", 4015},
		{"{{bar}", 4015}, // "{bar"
		{"{bar", 4015},   // no closing brace: the whole key
		{"{{}}", 4092},   // "{"
		{"{", 4092},
		// An empty tag hashes the whole key.
		{"foo{}{bar}", 8363},
		{"{}", 15257},
		{"{}}", 14790},
		{"x{}", 2608},
		{"{}x", 10595},
		{"}", 12090},
		{"bar}", 6624},
		{"foo{bar", 15278},
	}
	for _, tc := range cases {
		if got := Slot([]byte(tc.key)); got != tc.slot {
			t.Errorf("Slot(%q) = %d, want %d", tc.key, got, tc.slot)
		}
	}
}

// TestCRC16 checks the CRC16-XMODEM check value used by Redis Cluster.
func TestCRC16(t *testing.T) {
	if got := crc16([]byte("123456789")); got != 0x31C3 {
		t.Fatalf("crc16(123456789) = %#x, want 0x31c3", got)
	}
}

// keyPerSlot returns one key for every hash slot.
func keyPerSlot() [][]byte {
	keys := make([][]byte, SlotCount)
	for found, i := 0, 0; found < SlotCount; i++ {
		k := []byte(strconv.Itoa(i))
		if s := Slot(k); keys[s] == nil {
			keys[s] = k
			found++
		}
	}
	return keys
}

// TestShardOf checks that slots map onto shards in contiguous, nearly
// equal ranges covering every shard.
func TestShardOf(t *testing.T) {
	keys := keyPerSlot()
	for _, n := range []int{1, 3, 4, 16, 1024} {
		s := &Set{stores: make([]*engine.Store, n)}
		counts := make([]int, n)
		last := 0
		for slot, k := range keys {
			i := s.ShardOf(k)
			if i < last || i >= n {
				t.Fatalf("%d shards: slot %d -> shard %d after shard %d", n, slot, i, last)
			}
			last = i
			counts[i]++
		}
		for i, c := range counts {
			if c < SlotCount/n || c > SlotCount/n+1 {
				t.Errorf("%d shards: shard %d holds %d slots", n, i, c)
			}
		}
	}
}
