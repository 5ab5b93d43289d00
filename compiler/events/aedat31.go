package events

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// AEDAT 3.1 (cAER/libcaer): '#' header lines up to "#!END-HEADER", then
// packets: a 28-byte little-endian header and eventNumber*eventSize bytes.

const (
	aedat31PacketHeader = 28
	aedat31Polarity     = 1 // eventType of polarity packets
	// aedat31MaxEventSize bounds a polarity packet's eventSize, so that the
	// one-event buffer is never sized by an untrusted field: libcaer's
	// polarity event is 8 bytes, and anything near this is not one.
	aedat31MaxEventSize = 1 << 12
)

// aedat31Packet is a packet header.
type aedat31Packet struct {
	eventType, eventSource int16
	eventSize, tsOffset    int32
	tsOverflow, capacity   int32
	number, valid          int32
}

func parseAEDAT31Packet(b []byte) aedat31Packet {
	le := binary.LittleEndian
	return aedat31Packet{
		eventType:   int16(le.Uint16(b[0:])),
		eventSource: int16(le.Uint16(b[2:])),
		eventSize:   int32(le.Uint32(b[4:])),
		tsOffset:    int32(le.Uint32(b[8:])),
		tsOverflow:  int32(le.Uint32(b[12:])),
		capacity:    int32(le.Uint32(b[16:])),
		number:      int32(le.Uint32(b[20:])),
		valid:       int32(le.Uint32(b[24:])),
	}
}

// payload is the packet's length after its header. It is eventNumber *
// eventSize, not eventCapacity: they agree in files libcaer writes, but
// only the former counts what was written.
func (p aedat31Packet) payload() int64 { return int64(p.number) * int64(p.eventSize) }

// readAEDAT31Header reads the header through its "#!END-HEADER" line; the
// data may start with a '#' byte, so the marker, not the first byte of the
// next line, ends it. It returns the header's length in bytes.
func readAEDAT31Header(br *bufio.Reader) (int64, error) {
	var read int64
	for n := 0; ; n++ {
		line, err := br.ReadSlice('\n')
		at := read
		read += int64(len(line))
		switch {
		case errors.Is(err, bufio.ErrBufferFull) || read > maxHeader:
			return read, fmt.Errorf("header line at byte %d: longer than the reader's buffer, or a header over %d bytes", at, maxHeader)
		case errors.Is(err, io.EOF):
			return read, fmt.Errorf("header: the file ends at byte %d before #!END-HEADER", read)
		case err != nil:
			return read, fmt.Errorf("header line at byte %d: %w", at, err)
		}
		s := strings.TrimRight(string(line), "\r\n")
		switch {
		case n == 0 && s != "#!AER-DAT3.1":
			return read, fmt.Errorf("header: the first line is %q, not #!AER-DAT3.1", s)
		case !strings.HasPrefix(s, "#"):
			return read, fmt.Errorf("header line at byte %d does not start with '#'", at)
		case s == "#!END-HEADER":
			return read, nil
		}
		// Any other format packs the data differently (serialized
		// timestamps, compressed frames): reading it as RAW would be wrong.
		if f, ok := strings.CutPrefix(s, "#Format:"); ok && strings.TrimSpace(f) != "RAW" {
			return read, fmt.Errorf("header line at byte %d: format %q is not read (RAW is)", at, strings.TrimSpace(f))
		}
	}
}

// decodeAEDAT31 reads a cAER/libcaer AEDAT 3.1 file: the valid events of
// its polarity packets, in file order, with eventTSOverflow unfolded into
// the timestamp. The header states no sensor size, so Width and Height
// stay 0.
func decodeAEDAT31(br *bufio.Reader, rec *Recording) error {
	off, err := readAEDAT31Header(br)
	if err != nil {
		return err
	}
	var hdr [aedat31PacketHeader]byte
	var event []byte // one polarity event, reused across packets
	for n := 0; ; n++ {
		k, err := io.ReadFull(br, hdr[:])
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("packet %d at byte %d: the file ends after %d of its %d header bytes", n, off, k, aedat31PacketHeader)
		case err != nil:
			return fmt.Errorf("packet %d at byte %d: %w", n, off, err)
		}
		p := parseAEDAT31Packet(hdr[:])
		if p.number < 0 || p.eventSize < 0 {
			return fmt.Errorf("packet %d at byte %d: negative eventNumber %d or eventSize %d", n, off, p.number, p.eventSize)
		}
		if p.eventType == aedat31Polarity {
			if err := p.checkPolarity(); err != nil {
				return fmt.Errorf("packet %d at byte %d: %w", n, off, err)
			}
			if cap(event) < int(p.eventSize) {
				event = make([]byte, p.eventSize)
			}
			if err := p.readPolarity(br, event[:p.eventSize], rec); err != nil {
				return fmt.Errorf("packet %d at byte %d: %w", n, off, err)
			}
		} else if skipped, err := io.CopyN(io.Discard, br, p.payload()); err != nil {
			return fmt.Errorf("packet %d at byte %d: its %d-byte payload (type %d) runs past the end of the file, at byte %d",
				n, off, p.payload(), p.eventType, off+aedat31PacketHeader+skipped)
		}
		off += aedat31PacketHeader + p.payload()
	}
}

// checkPolarity checks a polarity packet's header before its events are
// read with it.
func (p aedat31Packet) checkPolarity() error {
	switch {
	case p.eventSize < 8 || p.eventSize > aedat31MaxEventSize:
		return fmt.Errorf("polarity eventSize %d is not in 8..%d", p.eventSize, aedat31MaxEventSize)
	case p.tsOffset < 4 || p.tsOffset > p.eventSize-4:
		return fmt.Errorf("eventTSOffset %d does not fit a timestamp after the 4-byte data in a %d-byte event", p.tsOffset, p.eventSize)
	case p.tsOverflow < 0:
		return fmt.Errorf("negative eventTSOverflow %d", p.tsOverflow)
	}
	return nil
}

// readPolarity reads the packet's eventNumber events, one at a time into
// buf (eventSize bytes): eventNumber is not trusted for an allocation, and
// a file that ends early fails at its end, however large the count.
func (p aedat31Packet) readPolarity(br *bufio.Reader, buf []byte, rec *Recording) error {
	le := binary.LittleEndian
	for i := range int(p.number) {
		if k, err := io.ReadFull(br, buf); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("the file ends in event %d of %d (after %d of its %d bytes)", i, p.number, k, len(buf))
			}
			return fmt.Errorf("event %d: %w", i, err)
		}
		data := le.Uint32(buf)
		if data&1 == 0 { // the valid mark: libcaer's way to delete an event in place
			continue
		}
		ts := int32(le.Uint32(buf[p.tsOffset:]))
		if ts < 0 { // 31 bits of µs; the 32nd is eventTSOverflow's
			return fmt.Errorf("event %d has timestamp %d, outside the 31 bits AEDAT 3.1 uses", i, ts)
		}
		rec.Events = append(rec.Events, Event{
			T: int64(p.tsOverflow)<<31 | int64(ts),
			X: uint16(data >> 17 & 0x7FFF),
			Y: uint16(data >> 2 & 0x7FFF),
			P: uint8(data >> 1 & 1),
		})
	}
	return nil
}
