package events

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// datCD is the DAT event type of 2D change-detection events, the only one
// read: the others (triggers, IMU...) would need their own record layout.
const datCD = 0

// datRecordBytes is the size of the part of a DAT record that is decoded:
// uint32 t, uint32 x:14 y:14 p:4.
const datRecordBytes = 8

// decodeDAT reads a Prophesee DAT (Event2D) .dat file: a '%' header, a
// byte naming the event type and a byte giving the record size, then the
// records, each a little-endian uint32 time (µs) and a uint32 holding x
// (bits 0..13), y (bits 14..27) and the polarity (bits 28..31).
//
// An event type other than 0 (CD events) is an error naming it. A record
// size above 8 means records of that many bytes whose first 8 are the CD
// event (room a writer kept for more fields); below 8 is an error. A
// polarity other than 0 or 1 is an error: the field is wider than the
// value, so anything else means the file is not what its header says.
// The 32-bit time wraps after about 71.6 min: a time more than 2^31 µs
// below the previous one counts as a wrap and adds 2^32 µs (see
// wrapCounter); a smaller step back is kept as the file states it, where
// expelliarmus would count a wrap on any decrease.
func decodeDAT(br *bufio.Reader, rec *Recording) error {
	start, err := readPropheseeHeader(br, rec)
	if err != nil {
		return err
	}
	var ts [2]byte
	if _, err := io.ReadFull(br, ts[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("the file ends at byte %d, before the event type and size bytes", start)
		}
		return fmt.Errorf("reading the event type and size at byte %d: %w", start, err)
	}
	typ, size := ts[0], int(ts[1])
	if typ != datCD {
		return fmt.Errorf("event type %d at byte %d: only type 0 (CD events) is read", typ, start)
	}
	if size < datRecordBytes {
		return fmt.Errorf("event size %d at byte %d: a CD record needs %d bytes", size, start+1, datRecordBytes)
	}
	clock := wrapCounter{bits: 32}
	return readRecordChunks(br, start+2, size, "record", func(chunk []byte, offset int64) error {
		rec.Events = slices.Grow(rec.Events, len(chunk)/size)
		for i := 0; i < len(chunk); i += size {
			t := binary.LittleEndian.Uint32(chunk[i:])
			w := binary.LittleEndian.Uint32(chunk[i+4:])
			p := w >> 28
			if p > 1 {
				return fmt.Errorf("record at byte %d: polarity %d, not 0 or 1", offset+int64(i), p)
			}
			rec.Events = append(rec.Events, Event{
				T: clock.unfold(uint64(t)),
				X: uint16(w & 0x3FFF),
				Y: uint16(w >> 14 & 0x3FFF),
				P: uint8(p),
			})
		}
		return nil
	})
}
