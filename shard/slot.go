// Package shard routes keys to shard files by hash slot, like Redis Cluster,
// and keeps commands that span shards isolated.
package shard

// SlotCount is the number of hash slots (as in Redis Cluster).
const SlotCount = 16384

// Slot returns the hash slot of key: CRC16 (XMODEM) of the key, or of the
// part inside the first non-empty {hash tag}, mod 16384.
func Slot(key []byte) int {
	for i, c := range key {
		if c == '{' {
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' {
					if j > i+1 {
						key = key[i+1 : j]
					}
					return int(crc16(key)) & (SlotCount - 1)
				}
			}
			break
		}
	}
	return int(crc16(key)) & (SlotCount - 1)
}

var crcTable = func() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for j := 0; j < 8; j++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return
}()

func crc16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^c]
	}
	return crc
}
