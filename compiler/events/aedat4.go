package events

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pierrec/lz4/v4"
)

// AEDAT 4.0 (DV): a version line, an int32-size-prefixed IOHeader
// FlatBuffer, then packets (int32 stream id, int32 size, size bytes of a
// compressed, size-prefixed FlatBuffer) up to the file data table.

const (
	aedat4Magic     = "#!AER-DAT4.0"
	aedat4MaxHeader = 64 << 20 // an IOHeader is its XML, a few kB
	// aedat4MaxPacket bounds a decompressed packet, so that a tiny LZ4
	// frame cannot expand into gigabytes; DV writes packets of a few MB.
	aedat4MaxPacket = 256 << 20
	aedat4EventSize = 16 // struct Event { int64 t; int16 x, y; bool on; pad[3] }
)

// IOHeader compression values.
const (
	aedat4None = iota
	aedat4LZ4
	aedat4LZ4High
	aedat4ZSTD
	aedat4ZSTDHigh
)

// aedat4Header is the IOHeader's content.
type aedat4Header struct {
	compression int32
	tablePos    int64 // the FileDataTable's byte offset, -1 without one
	info        string
}

// aedat4Streams is what the infoNode XML tells about the event streams.
type aedat4Streams struct {
	events        map[int32]bool // ids of the EVTS streams
	width, height int            // info/sizeX, sizeY of the first
}

func parseAEDAT4Header(b []byte) (aedat4Header, error) {
	root, err := fbRoot(b, "IOHE")
	if err != nil {
		return aedat4Header{}, err
	}
	var h aedat4Header
	if h.compression, err = root.int32Field(0, aedat4None); err != nil {
		return h, err
	}
	if h.tablePos, err = root.int64Field(1, -1); err != nil {
		return h, err
	}
	h.info, err = root.stringField(2)
	return h, err
}

// xmlNode is a DV configuration node: named attributes and child nodes.
type xmlNode struct {
	Name  string    `xml:"name,attr"`
	Attrs []xmlAttr `xml:"attr"`
	Nodes []xmlNode `xml:"node"`
}

type xmlAttr struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func (n *xmlNode) attr(key string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Key == key {
			return strings.TrimSpace(a.Value), true
		}
	}
	return "", false
}

func (n *xmlNode) child(name string) *xmlNode {
	for i := range n.Nodes {
		if n.Nodes[i].Name == name {
			return &n.Nodes[i]
		}
	}
	return nil
}

// parseAEDAT4Streams finds the event streams in the infoNode XML: every
// node named by a stream id whose typeIdentifier is EVTS. Stream 0 is
// often, but not always, the events (a recording may drop that output).
func parseAEDAT4Streams(info string) (aedat4Streams, error) {
	var root xmlNode
	if err := xml.Unmarshal([]byte(info), &root); err != nil {
		return aedat4Streams{}, fmt.Errorf("infoNode XML: %w", err)
	}
	s := aedat4Streams{events: map[int32]bool{}}
	var walk func(n *xmlNode) error
	walk = func(n *xmlNode) error {
		if typ, ok := n.attr("typeIdentifier"); ok && typ == "EVTS" {
			if id, err := strconv.ParseInt(n.Name, 10, 32); err == nil {
				if len(s.events) == 0 {
					var err error
					if s.width, s.height, err = aedat4Size(n.child("info")); err != nil {
						return fmt.Errorf("infoNode XML, stream %d: %w", id, err)
					}
				}
				s.events[int32(id)] = true
			}
		}
		for i := range n.Nodes {
			if err := walk(&n.Nodes[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(&root); err != nil {
		return s, err
	}
	if len(s.events) == 0 {
		return s, errors.New("infoNode XML lists no event stream (typeIdentifier EVTS)")
	}
	return s, nil
}

// aedat4Size reads an event stream's info/sizeX and sizeY, 0 when absent.
func aedat4Size(info *xmlNode) (w, h int, err error) {
	if info == nil {
		return 0, 0, nil
	}
	for _, f := range []struct {
		key string
		v   *int
	}{{"sizeX", &w}, {"sizeY", &h}} {
		s, ok := info.attr(f.key)
		if !ok {
			continue
		}
		if *f.v, err = strconv.Atoi(s); err != nil || *f.v < 0 || *f.v > 1<<16 {
			return 0, 0, fmt.Errorf("info/%s %q is not a sensor size", f.key, s)
		}
	}
	return w, h, nil
}

// aedat4Decompressor undoes a packet's compression into dst.
type aedat4Decompressor func(dst *bytes.Buffer, src []byte) error

func newAEDAT4Decompressor(compression int32) (aedat4Decompressor, error) {
	switch compression {
	case aedat4None:
		return func(dst *bytes.Buffer, src []byte) error {
			dst.Reset()
			dst.Write(src)
			return nil
		}, nil
	case aedat4LZ4, aedat4LZ4High: // both are LZ4 frames; HIGH only compressed harder
		zr := lz4.NewReader(nil)
		return func(dst *bytes.Buffer, src []byte) error {
			dst.Reset()
			zr.Reset(bytes.NewReader(src))
			n, err := io.CopyN(dst, zr, aedat4MaxPacket+1)
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("LZ4: %w", err)
			}
			if n > aedat4MaxPacket {
				return fmt.Errorf("LZ4: decompresses to over %d bytes", aedat4MaxPacket)
			}
			return nil
		}, nil
	case aedat4ZSTD, aedat4ZSTDHigh:
		return nil, errors.New("ZSTD-compressed AEDAT4 is not supported (NONE and LZ4 are)")
	}
	return nil, fmt.Errorf("unknown compression %d in the IOHeader", compression)
}

// decodeAEDAT4 reads a DV AEDAT 4.0 file: the events of the packets of its
// EVTS streams, in file order, and the first event stream's sensor size.
// Timestamps are DV's absolute µs (Unix epoch), as stored.
func decodeAEDAT4(br *bufio.Reader, rec *Recording) error {
	h, off, err := readAEDAT4Header(br)
	if err != nil {
		return err
	}
	streams, err := parseAEDAT4Streams(h.info)
	if err != nil {
		return fmt.Errorf("IOHeader: %w", err)
	}
	if h.tablePos >= 0 && h.tablePos < off {
		return fmt.Errorf("IOHeader: data table position %d lies before the first packet, at byte %d", h.tablePos, off)
	}
	rec.Width, rec.Height = streams.width, streams.height
	decompress, err := newAEDAT4Decompressor(h.compression)
	if err != nil {
		return err
	}
	var packet, raw bytes.Buffer // reused across packets
	var ph [8]byte
	for n := 0; ; n++ {
		if h.tablePos >= 0 && off >= h.tablePos {
			return nil // the FileDataTable: an index of the packets, not events
		}
		k, err := io.ReadFull(br, ph[:])
		switch {
		case errors.Is(err, io.EOF) && h.tablePos >= 0:
			return fmt.Errorf("the file ends at byte %d, before its data table at byte %d", off, h.tablePos)
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("packet %d at byte %d: the file ends after %d of its 8 header bytes", n, off, k)
		case err != nil:
			return fmt.Errorf("packet %d at byte %d: %w", n, off, err)
		}
		stream := int32(binary.LittleEndian.Uint32(ph[0:]))
		size := int64(int32(binary.LittleEndian.Uint32(ph[4:])))
		if size < 0 {
			return fmt.Errorf("packet %d at byte %d: negative size %d", n, off, size)
		}
		end := off + int64(len(ph)) + size
		if h.tablePos >= 0 && end > h.tablePos {
			return fmt.Errorf("packet %d at byte %d: its %d bytes run past the data table at byte %d", n, off, size, h.tablePos)
		}
		if !streams.events[stream] {
			if _, err := io.CopyN(io.Discard, br, size); err != nil {
				return fmt.Errorf("packet %d at byte %d (stream %d): its %d bytes run past the end of the file", n, off, stream, size)
			}
			off = end
			continue
		}
		packet.Reset()
		if _, err := io.CopyN(&packet, br, size); err != nil {
			return fmt.Errorf("packet %d at byte %d (stream %d): its %d bytes run past the end of the file", n, off, stream, size)
		}
		if err := decompress(&raw, packet.Bytes()); err != nil {
			return fmt.Errorf("packet %d at byte %d (stream %d): %w", n, off, stream, err)
		}
		if rec.Events, err = appendAEDAT4Events(rec.Events, raw.Bytes()); err != nil {
			return fmt.Errorf("packet %d at byte %d (stream %d): %w", n, off, stream, err)
		}
		off = end
	}
}

// readAEDAT4Header reads the version line and the IOHeader; off is the
// byte after them, where the first packet starts.
func readAEDAT4Header(br *bufio.Reader) (h aedat4Header, off int64, err error) {
	line := make([]byte, len(aedat4Magic)+2)
	if _, err := io.ReadFull(br, line); err != nil || string(line) != aedat4Magic+"\r\n" {
		return h, 0, fmt.Errorf("header: the file does not start with %q CR LF", aedat4Magic)
	}
	off = int64(len(line))
	var sz [4]byte
	if _, err := io.ReadFull(br, sz[:]); err != nil {
		return h, off, fmt.Errorf("IOHeader size at byte %d: the file ends", off)
	}
	size := int64(int32(binary.LittleEndian.Uint32(sz[:])))
	if size < 8 || size > aedat4MaxHeader {
		return h, off, fmt.Errorf("IOHeader size at byte %d: %d is not in 8..%d", off, size, aedat4MaxHeader)
	}
	off += int64(len(sz))
	var b bytes.Buffer // grows with what is there, not with size
	if _, err := io.CopyN(&b, br, size); err != nil {
		return h, off, fmt.Errorf("IOHeader at byte %d: its %d bytes run past the end of the file", off, size)
	}
	if h, err = parseAEDAT4Header(b.Bytes()); err != nil {
		return h, off, fmt.Errorf("IOHeader at byte %d: %w", off, err)
	}
	return h, off + size, nil
}

// appendAEDAT4Events appends the events of a decompressed packet: a
// size-prefixed EventPacket FlatBuffer whose field 0 is the vector of
// 16-byte Event structs.
func appendAEDAT4Events(events []Event, raw []byte) ([]Event, error) {
	if len(raw) < 4 {
		return events, fmt.Errorf("event packet of %d bytes has no size prefix", len(raw))
	}
	size := int64(binary.LittleEndian.Uint32(raw))
	if size > int64(len(raw)-4) {
		return events, fmt.Errorf("event packet's size prefix %d runs past its %d decompressed bytes", size, len(raw)-4)
	}
	buf := raw[4 : 4+size]
	root, err := fbRoot(buf, "EVTS")
	if err != nil {
		return events, fmt.Errorf("event packet: %w", err)
	}
	start, count, err := root.vector(0, aedat4EventSize)
	if err != nil {
		return events, fmt.Errorf("event packet: %w", err)
	}
	for i := range count {
		e := buf[start+i*aedat4EventSize:][:aedat4EventSize]
		x, y := int16(binary.LittleEndian.Uint16(e[8:])), int16(binary.LittleEndian.Uint16(e[10:]))
		if x < 0 || y < 0 {
			return events, fmt.Errorf("event %d of the packet has negative coordinates (%d, %d)", i, x, y)
		}
		var p uint8
		if e[12] != 0 {
			p = 1
		}
		events = append(events, Event{T: int64(binary.LittleEndian.Uint64(e)), X: uint16(x), Y: uint16(y), P: p})
	}
	return events, nil
}
