package events

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// EVT 3.0 word types (the top 4 bits of a 16-bit little-endian word).
const (
	evt3AddrY    = 0x0 // y:11 (bit 11: master/slave, ignored)
	evt3AddrX    = 0x2 // one event at x:11, polarity bit 11
	evt3VectBase = 0x3 // base x:11 and polarity bit 11 of the vectors that follow
	evt3Vect12   = 0x4 // 12-pixel mask from base x
	evt3Vect8    = 0x5 // 8-pixel mask from base x
	evt3TimeLow  = 0x6 // time bits 0..11
	evt3TimeHigh = 0x8 // time bits 12..23
	// 0xA EXT_TRIGGER, 0xE OTHERS, 0x7/0xF CONTINUED and the unassigned
	// types carry no CD event and are skipped.
)

// evt3MaxX is the largest x an 11-bit address field can hold.
const evt3MaxX = 0x7FF

// evt3State is what an EVT 3.0 decoder remembers between words: each
// word states only what changed.
type evt3State struct {
	y        uint16
	baseX    int // next pixel a vector covers; runs past evt3MaxX only in a bad file
	vectPol  uint8
	timeHigh int64 // unfolded TIME_HIGH, in 4096 µs units
	timeLow  int64
	high     wrapCounter
}

// decodeEVT3 reads a Prophesee EVT 3.0 .raw file: a '%' header, then
// 16-bit little-endian words that update a state (y, base x and polarity,
// time) and emit events from it.
//
// The time is TIME_HIGH<<12 | TIME_LOW, the rule of Prophesee's format
// description: a TIME_LOW below the previous one carries nothing into
// TIME_HIGH (expelliarmus adds 4096 µs there, which inflates the times of
// real files whose TIME_LOW jitters backward). The 24-bit time wraps
// every 16.8 s: a TIME_HIGH more than half its range below the previous
// one counts as a wrap and adds 2^24 µs (see wrapCounter).
//
// Words before the first EVT_ADDR_Y, VECT_BASE_X or TIME_HIGH use 0 for
// what they lack (as expelliarmus does) rather than being dropped:
// recordings start with a TIME_HIGH and an ADDR_Y, so only a cut file
// has such events. A vector that would reach past x 2047 — the largest
// the format addresses — is an error, and so is an odd final byte.
func decodeEVT3(br *bufio.Reader, rec *Recording) error {
	start, err := readPropheseeHeader(br, rec)
	if err != nil {
		return err
	}
	s := evt3State{high: wrapCounter{bits: 12}}
	return readRecordChunks(br, start, 2, "word", func(chunk []byte, offset int64) error {
		for i := 0; i < len(chunk); i += 2 {
			if err := s.word(binary.LittleEndian.Uint16(chunk[i:]), rec); err != nil {
				return fmt.Errorf("word at byte %d: %w", offset+int64(i), err)
			}
		}
		return nil
	})
}

// word applies one EVT 3.0 word, appending the events it emits to rec.
func (s *evt3State) word(w uint16, rec *Recording) error {
	v := w & 0xFFF
	switch w >> 12 {
	case evt3AddrY:
		s.y = v & 0x7FF
	case evt3AddrX:
		rec.Events = append(rec.Events, Event{T: s.time(), X: v & 0x7FF, Y: s.y, P: uint8(v >> 11)})
	case evt3VectBase:
		s.baseX, s.vectPol = int(v&0x7FF), uint8(v>>11)
	case evt3Vect12:
		return s.vector(v, 12, rec)
	case evt3Vect8:
		return s.vector(v&0xFF, 8, rec)
	case evt3TimeLow:
		s.timeLow = int64(v)
	case evt3TimeHigh:
		s.timeHigh = s.high.unfold(uint64(v))
	}
	return nil
}

// vector emits an event for each set bit of mask (bit i is pixel
// baseX+i, so x increases within a vector) and moves baseX past the
// width pixels the vector covers.
func (s *evt3State) vector(mask uint16, width int, rec *Recording) error {
	if mask != 0 {
		if last := s.baseX + bits.Len16(mask) - 1; last > evt3MaxX {
			return fmt.Errorf("vector reaches x %d, past %d, the largest the format addresses", last, evt3MaxX)
		}
		t := s.time()
		for i := 0; mask != 0; i, mask = i+1, mask>>1 {
			if mask&1 != 0 {
				rec.Events = append(rec.Events, Event{T: t, X: uint16(s.baseX + i), Y: s.y, P: s.vectPol})
			}
		}
	}
	s.baseX += width
	return nil
}

// time is the current event time.
func (s *evt3State) time() int64 { return s.timeHigh<<12 | s.timeLow }
