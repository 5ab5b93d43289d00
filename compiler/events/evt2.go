package events

import (
	"bufio"
	"encoding/binary"
	"slices"
)

// EVT 2.0 word types (the top 4 bits of a 32-bit little-endian word).
const (
	evt2CDOff    = 0x0 // CD event, OFF: ts_lsb:6 x:11 y:11
	evt2CDOn     = 0x1 // CD event, ON
	evt2TimeHigh = 0x8 // the upper 28 bits of the 34-bit time
	// 0xA EXT_TRIGGER, 0xE OTHERS, 0xF CONTINUED and the unassigned
	// types carry no CD event and are skipped.
)

// evt2TimeHighBits is the width of the TIME_HIGH field.
const evt2TimeHighBits = 28

// decodeEVT2 reads a Prophesee EVT 2.0 .raw file: a '%' header, then
// 32-bit little-endian words. A CD word's time is TIME_HIGH<<6 | its own
// 6 low bits.
//
// Events before the first TIME_HIGH word take 0 as their time's high part
// (as expelliarmus does); real recordings start with a TIME_HIGH, so this
// only matters for a cut file. The 34-bit time wraps after about 4.8 h:
// a TIME_HIGH more than half its range below the previous one counts as
// a wrap and adds 2^34 µs (see wrapCounter). A word cut short by the end
// of the file is an error.
func decodeEVT2(br *bufio.Reader, rec *Recording) error {
	start, err := readPropheseeHeader(br, rec)
	if err != nil {
		return err
	}
	high := wrapCounter{bits: evt2TimeHighBits}
	var timeHigh int64 // unfolded TIME_HIGH, in 64 µs units
	return readRecordChunks(br, start, 4, "word", func(chunk []byte, _ int64) error {
		// Every word is at most one event: a safe bound to grow by.
		rec.Events = slices.Grow(rec.Events, len(chunk)/4)
		for i := 0; i < len(chunk); i += 4 {
			w := binary.LittleEndian.Uint32(chunk[i:])
			switch w >> 28 {
			case evt2CDOff, evt2CDOn:
				rec.Events = append(rec.Events, Event{
					T: timeHigh<<6 | int64(w>>22&0x3F),
					X: uint16(w >> 11 & 0x7FF),
					Y: uint16(w & 0x7FF),
					P: uint8(w >> 28),
				})
			case evt2TimeHigh:
				timeHigh = high.unfold(uint64(w & 0x0FFFFFFF))
			}
		}
		return nil
	})
}
