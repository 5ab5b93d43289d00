package events

import (
	"encoding/binary"
	"fmt"
)

// The few FlatBuffers reads AEDAT 4.0 needs, by hand: a root table, its
// scalar, string and struct-vector fields. Every offset comes from the
// file, so each is checked against the buffer before it is followed;
// positions are computed in int64, where no uint32 offset can overflow.

// fbTable is a table found in buf: its position, its vtable's and their
// lengths, all checked to lie inside buf.
type fbTable struct {
	buf           []byte
	pos, vt       int64
	vtLen, tblLen int64
}

func le16(b []byte, at int64) int64 { return int64(binary.LittleEndian.Uint16(b[at:])) }
func le32(b []byte, at int64) int64 { return int64(binary.LittleEndian.Uint32(b[at:])) }

// fbRoot finds the root table of buf, whose file identifier (bytes 4..8)
// must be ident.
func fbRoot(buf []byte, ident string) (fbTable, error) {
	if len(buf) < 8 {
		return fbTable{}, fmt.Errorf("FlatBuffer of %d bytes is too short for a root offset and an identifier", len(buf))
	}
	if id := string(buf[4:8]); id != ident {
		return fbTable{}, fmt.Errorf("FlatBuffer identifier is %q, not %q", id, ident)
	}
	return fbTableAt(buf, le32(buf, 0))
}

// fbTableAt reads the table at pos: an int32 back-offset to its vtable,
// which holds uint16 vtable length, table length, then field offsets.
func fbTableAt(buf []byte, pos int64) (fbTable, error) {
	n := int64(len(buf))
	if pos < 0 || pos+4 > n {
		return fbTable{}, fmt.Errorf("table at %d outside the %d-byte FlatBuffer", pos, n)
	}
	vt := pos - int64(int32(le32(buf, pos)))
	if vt < 0 || vt+4 > n {
		return fbTable{}, fmt.Errorf("vtable of the table at %d is at %d, outside the %d-byte FlatBuffer", pos, vt, n)
	}
	t := fbTable{buf: buf, pos: pos, vt: vt, vtLen: le16(buf, vt), tblLen: le16(buf, vt+2)}
	if t.vtLen < 4 || t.vtLen%2 != 0 || vt+t.vtLen > n {
		return fbTable{}, fmt.Errorf("vtable at %d has length %d, not an even 4..%d", vt, t.vtLen, n-vt)
	}
	if t.tblLen < 4 || pos+t.tblLen > n {
		return fbTable{}, fmt.Errorf("table at %d has length %d, not 4..%d", pos, t.tblLen, n-pos)
	}
	return t, nil
}

// field is the position of field i, of size bytes, in the buffer; ok is
// false when the table does not store it (the schema's default applies).
func (t fbTable) field(i int, size int64) (pos int64, ok bool, err error) {
	slot := 4 + 2*int64(i)
	if slot+2 > t.vtLen {
		return 0, false, nil // a vtable written before the field existed
	}
	off := le16(t.buf, t.vt+slot)
	if off == 0 {
		return 0, false, nil
	}
	if off < 4 || off+size > t.tblLen {
		return 0, false, fmt.Errorf("field %d at offset %d of the table at %d is outside its %d bytes", i, off, t.pos, t.tblLen)
	}
	return t.pos + off, true, nil
}

func (t fbTable) int32Field(i int, def int32) (int32, error) {
	p, ok, err := t.field(i, 4)
	if !ok {
		return def, err
	}
	return int32(le32(t.buf, p)), nil
}

func (t fbTable) int64Field(i int, def int64) (int64, error) {
	p, ok, err := t.field(i, 8)
	if !ok {
		return def, err
	}
	return int64(binary.LittleEndian.Uint64(t.buf[p:])), nil
}

// vector is field i as a vector of elem-byte elements: the position of
// its first element and their count (0, 0 when absent).
func (t fbTable) vector(i int, elem int64) (start, count int64, err error) {
	p, ok, err := t.field(i, 4)
	if !ok {
		return 0, 0, err
	}
	n := int64(len(t.buf))
	at := p + le32(t.buf, p)
	if at+4 > n {
		return 0, 0, fmt.Errorf("vector of field %d is at %d, outside the %d-byte FlatBuffer", i, at, n)
	}
	start, count = at+4, le32(t.buf, at)
	if count*elem > n-start {
		return 0, 0, fmt.Errorf("vector of field %d: %d elements of %d bytes at %d run past the %d-byte FlatBuffer", i, count, elem, start, n)
	}
	return start, count, nil
}

func (t fbTable) stringField(i int) (string, error) {
	start, count, err := t.vector(i, 1)
	if err != nil {
		return "", err
	}
	return string(t.buf[start : start+count]), nil
}
