package events

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// AEDAT 2.0 (jAER): '#' header lines, then 8-byte big-endian records,
// int32 address then int32 timestamp (µs).

// aedat2Chip is what the header's "# AEChip: <java class>" line tells: the
// address layout and, for the chips we know, the sensor size.
type aedat2Chip struct {
	dvs128        bool // DVS128/Tmpdiff128 layout instead of DAVIS
	width, height int
}

// aedat2ChipFromHeader reads the AEChip line among the header lines. A file
// without one, or naming a class we do not know, is taken as DAVIS layout
// (what every recent jAER camera writes) with an unknown size.
func aedat2ChipFromHeader(lines []string) aedat2Chip {
	for _, line := range lines {
		class, ok := strings.CutPrefix(strings.TrimSpace(line), "AEChip:")
		if !ok {
			continue
		}
		class = strings.TrimSpace(class)
		// The simple class name: "eu.seebetter.ini.chips.davis.Davis346B"
		// → "davis346b". Variants (B, C, red, blue, mono) share the size.
		class = strings.ToLower(class[strings.LastIndexByte(class, '.')+1:])
		switch {
		case strings.HasPrefix(class, "davis346"):
			return aedat2Chip{width: 346, height: 260}
		case strings.HasPrefix(class, "davis240"):
			return aedat2Chip{width: 240, height: 180}
		case strings.HasPrefix(class, "dvs128"), strings.HasPrefix(class, "tmpdiff128"):
			return aedat2Chip{dvs128: true, width: 128, height: 128}
		}
		return aedat2Chip{}
	}
	return aedat2Chip{}
}

// event decodes a record's address; ok is false for what is not a polarity
// event (APS and IMU samples, special and external events). The fields are
// raw: jAER's DVS128 writes x mirrored (127-x), and it stays so here, as
// DAVIS y stays in jAER's bottom-left origin.
func (c aedat2Chip) event(addr uint32) (e Event, ok bool) {
	if c.dvs128 {
		if addr&(1<<15) != 0 { // external event
			return Event{}, false
		}
		return Event{X: uint16(addr >> 1 & 0x7F), Y: uint16(addr >> 8 & 0x7F), P: uint8(addr & 1)}, true
	}
	if addr&(1<<31) != 0 || addr&(1<<10) != 0 { // APS/IMU, special
		return Event{}, false
	}
	return Event{X: uint16(addr >> 12 & 0x3FF), Y: uint16(addr >> 22 & 0x1FF), P: uint8(addr >> 11 & 1)}, true
}

// wrapClock unfolds jAER's signed 32-bit µs counter into 64 bits. The
// counter passes from 2^31-1 to -2^31 after about 35.8 minutes: a drop of
// more than 2^31 between two events can only be that wrap (both values are
// int32), so it adds 2^32 to what follows. A smaller drop is a timestamp
// reset (jAER resets the counter on request), or events out of order: no
// forward step is invented for it, the events keep their raw time.
type wrapClock struct {
	prev, offset int64
	started      bool
}

func (c *wrapClock) unfold(ts int32) int64 {
	t := int64(ts)
	if c.started && c.prev-t > 1<<31 {
		c.offset += 1 << 32
	}
	c.prev, c.started = t, true
	return t + c.offset
}

// decodeAEDAT2 reads a jAER AEDAT 2.0 file: its polarity events in file
// order, and the sensor size when the AEChip class is one we know.
func decodeAEDAT2(br *bufio.Reader, rec *Recording) error {
	lines, off, err := readHeaderLines(br, '#', "")
	if err != nil {
		return err
	}
	if len(lines) == 0 || lines[0] != "!AER-DAT2.0" {
		return errors.New("header: the first line is not #!AER-DAT2.0")
	}
	chip := aedat2ChipFromHeader(lines)
	rec.Width, rec.Height = chip.width, chip.height
	var clock wrapClock
	var buf [8]byte
	for n := 0; ; n++ {
		k, err := io.ReadFull(br, buf[:])
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("record %d at byte %d: the file ends after %d of its 8 bytes", n, off, k)
		case err != nil:
			return fmt.Errorf("record %d at byte %d: %w", n, off, err)
		}
		if e, ok := chip.event(binary.BigEndian.Uint32(buf[0:4])); ok {
			e.T = clock.unfold(int32(binary.BigEndian.Uint32(buf[4:8])))
			rec.Events = append(rec.Events, e)
		}
		off += int64(len(buf))
	}
}
