package events

import (
	"bufio"
	"slices"
)

// atisRecordBytes is the size of an ATIS .bin record.
const atisRecordBytes = 5

// atisOverflowY is the y of an overflow record: not an event, but a mark
// that the time counter has moved on by atisOverflowMicros.
const (
	atisOverflowY      = 240
	atisOverflowMicros = 1 << 13
)

// decodeATIS reads an N-MNIST / N-Caltech101 .bin file: no header, 5-byte
// records of x, y, then the polarity (bit 7) over a 23-bit big-endian
// time in µs.
//
// A record with y == 240 is an overflow mark, not an event: every later
// time gets 2^13 µs more, as Orchard's reader (and tonic, after it) does.
// (That step is not the 23-bit counter's range, 2^23; we follow the
// readers the data sets were published with.) The file states no sensor
// size, and the data sets differ (N-MNIST 34x34, N-Caltech101 up to about
// 240x180), so Width and Height stay 0. A record cut short by the end of
// the file is an error.
func decodeATIS(br *bufio.Reader, rec *Recording) error {
	var overflow int64
	return readRecordChunks(br, 0, atisRecordBytes, "record", func(chunk []byte, _ int64) error {
		rec.Events = slices.Grow(rec.Events, len(chunk)/atisRecordBytes)
		for i := 0; i < len(chunk); i += atisRecordBytes {
			r := chunk[i : i+atisRecordBytes : i+atisRecordBytes]
			if r[1] == atisOverflowY {
				overflow += atisOverflowMicros
				continue
			}
			t := int64(r[2]&0x7F)<<16 | int64(r[3])<<8 | int64(r[4])
			rec.Events = append(rec.Events, Event{T: overflow + t, X: uint16(r[0]), Y: uint16(r[1]), P: r[2] >> 7})
		}
		return nil
	})
}
