package events

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pierrec/lz4/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/tools/refdata"
)

// ---- AEDAT 2.0 -------------------------------------------------------

const aedat2Head = "#!AER-DAT2.0\r\n# This is a raw AE data file\r\n"

// davisAddr is a DAVIS polarity address.
func davisAddr(x, y, p uint32) uint32 { return y<<22 | x<<12 | p<<11 }

// aedat2File is a header (after the version line) and big-endian
// (address, timestamp) records.
func aedat2File(header string, recs ...[2]uint32) []byte {
	b := []byte(aedat2Head + header)
	for _, r := range recs {
		b = binary.BigEndian.AppendUint32(b, r[0])
		b = binary.BigEndian.AppendUint32(b, r[1])
	}
	return b
}

func readBytes(data []byte, name string) (*Recording, error) {
	return Read(bytes.NewReader(data), name)
}

func TestAEDAT2(t *testing.T) {
	const davis346 = "# AEChip: eu.seebetter.ini.chips.davis.Davis346B\r\n"
	tests := []struct {
		name         string
		data         []byte
		want         []Event
		width, heigh int
	}{
		{"DAVIS346 polarity events; APS, IMU and special records dropped", aedat2File(davis346,
			[2]uint32{davisAddr(3, 4, 1), 100},
			[2]uint32{1<<31 | 5, 101},                  // APS
			[2]uint32{davisAddr(7, 8, 0) | 1<<10, 102}, // special
			[2]uint32{davisAddr(345, 259, 0), 103},
		), []Event{{T: 100, X: 3, Y: 4, P: 1}, {T: 103, X: 345, Y: 259, P: 0}}, 346, 260},
		{"DAVIS240C size", aedat2File("# AEChip: eu.seebetter.ini.chips.davis.DAVIS240C\r\n",
			[2]uint32{davisAddr(1, 2, 0), 7}), []Event{{T: 7, X: 1, Y: 2}}, 240, 180},
		{"DVS128 layout, raw mirrored x, external dropped", aedat2File("# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\r\n",
			[2]uint32{5<<8 | 9<<1 | 1, 10},
			[2]uint32{1<<15 | 5<<8, 11},
			[2]uint32{127<<8 | 127<<1, 12},
		), []Event{{T: 10, X: 9, Y: 5, P: 1}, {T: 12, X: 127, Y: 127, P: 0}}, 128, 128},
		{"Tmpdiff128 is DVS128", aedat2File("# AEChip: ch.unizh.ini.jaer.chip.retina.Tmpdiff128\n",
			[2]uint32{2<<8 | 3<<1, 1}), []Event{{T: 1, X: 3, Y: 2}}, 128, 128},
		{"unknown chip: DAVIS layout, no size", aedat2File("# AEChip: some.lab.Davis640\r\n",
			[2]uint32{davisAddr(600, 400, 1), 1}), []Event{{T: 1, X: 600, Y: 400, P: 1}}, 0, 0},
		{"no AEChip line, LF line ends", append([]byte("#!AER-DAT2.0\n# x\n"), aedat2File("", [2]uint32{davisAddr(1, 1, 1), 2})[len(aedat2Head):]...),
			[]Event{{T: 2, X: 1, Y: 1, P: 1}}, 0, 0},
		{"header only", aedat2File(davis346), nil, 346, 260},
		{"signed wrap unfolded, reset kept", aedat2File("",
			[2]uint32{davisAddr(1, 1, 1), 0x7FFFFFF0},
			[2]uint32{davisAddr(1, 1, 1), 0x80000005}, // -2^31+5: the counter passed 2^31-1
			[2]uint32{davisAddr(1, 1, 1), 0x00000003}, // 2^32+3: no decrease as a 32-bit count
			[2]uint32{davisAddr(1, 1, 1), 0x00000001}, // a small step back: kept
		), []Event{{T: 0x7FFFFFF0, X: 1, Y: 1, P: 1}, {T: 1<<31 + 5, X: 1, Y: 1, P: 1}, {T: 1<<32 + 3, X: 1, Y: 1, P: 1}, {T: 1<<32 + 1, X: 1, Y: 1, P: 1}}, 0, 0},
		{"negative start is kept", aedat2File("", [2]uint32{davisAddr(0, 0, 0), 0xFFFFFFFF}), []Event{{T: -1}}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := readBytes(tt.data, "x.aedat")
			require.NoError(t, err)
			assert.Equal(t, AEDAT2, rec.Format)
			assert.Equal(t, tt.want, rec.Events)
			assert.Equal(t, [2]int{tt.width, tt.heigh}, [2]int{rec.Width, rec.Height})
		})
	}
}

func TestAEDAT2Malformed(t *testing.T) {
	ok := aedat2File("", [2]uint32{davisAddr(1, 1, 1), 1}, [2]uint32{davisAddr(1, 1, 1), 2})
	tests := []struct {
		name, want string
		data       []byte
	}{
		{"bad version line", "first line is not #!AER-DAT2.0", []byte("#!AER-DAT2.0x\r\n")},
		{"header line over the buffer", "header line at byte 14", []byte(aedat2Head[:14] + "#" + strings.Repeat("x", 1<<17))},
		{"truncated record", "record 1 at byte 52: the file ends after 5 of its 8 bytes", ok[:len(ok)-3]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readBytes(tt.data, "x.aedat")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "AEDAT 2.0: "), err.Error())
		})
	}
}

// ---- AEDAT 3.1 -------------------------------------------------------

const aedat31Head = "#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DAVIS346B\r\n#!END-HEADER\r\n"

// aedat31Header is a packet header; size and number are the fields, the
// payload is written separately.
type aedat31Hdr struct {
	typ                                  int16
	size, tsOff, overflow, number, valid int32
}

func (h aedat31Hdr) bytes() []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(h.typ))
	b = binary.LittleEndian.AppendUint16(b, 1)
	for _, v := range []int32{h.size, h.tsOff, h.overflow, h.number, h.number, h.valid} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b
}

// polarityPacket is a polarity packet of (data, timestamp) events.
func polarityPacket(overflow int32, events ...[2]uint32) []byte {
	b := aedat31Hdr{typ: 1, size: 8, tsOff: 4, overflow: overflow, number: int32(len(events)), valid: int32(len(events))}.bytes()
	for _, e := range events {
		b = binary.LittleEndian.AppendUint32(b, e[0])
		b = binary.LittleEndian.AppendUint32(b, e[1])
	}
	return b
}

// polData is a polarity event's data word.
func polData(x, y, p, valid uint32) uint32 { return x<<17 | y<<2 | p<<1 | valid }

func aedat31File(packets ...[]byte) []byte {
	return append([]byte(aedat31Head), bytes.Join(packets, nil)...)
}

func TestAEDAT31(t *testing.T) {
	special := append(aedat31Hdr{typ: 0, size: 8, tsOff: 4, number: 1, valid: 1}.bytes(), 5, 0, 0, 0, 1, 0, 0, 0)
	imu := append(aedat31Hdr{typ: 3, size: 36, tsOff: 4, number: 2}.bytes(), make([]byte, 72)...)
	// eventType 0x2323 starts with '#': the header ends at its marker, not
	// at the first line that does not start with '#'.
	hashType := append(aedat31Hdr{typ: 0x2323, size: 3, number: 1}.bytes(), "#\r\n"...)
	wide := aedat31Hdr{typ: 1, size: 12, tsOff: 8, number: 1, valid: 1}.bytes()
	wide = binary.LittleEndian.AppendUint32(wide, polData(9, 9, 0, 1))
	wide = binary.LittleEndian.AppendUint32(wide, 0xFFFFFFFF)
	wide = binary.LittleEndian.AppendUint32(wide, 77)
	data := aedat31File(hashType, special,
		polarityPacket(0, [2]uint32{polData(3, 4, 1, 1), 1<<31 - 10}, [2]uint32{polData(5, 6, 0, 0), 1<<31 - 9}, [2]uint32{polData(32767, 32767, 0, 1), 1<<31 - 1}),
		imu,
		polarityPacket(1, [2]uint32{polData(1, 2, 1, 1), 3}),
		wide,
		polarityPacket(0), // empty
	)
	rec, err := readBytes(data, "x.aedat")
	require.NoError(t, err)
	assert.Equal(t, AEDAT31, rec.Format)
	assert.Equal(t, []Event{
		{T: 1<<31 - 10, X: 3, Y: 4, P: 1},
		{T: 1<<31 - 1, X: 32767, Y: 32767},
		{T: 1<<31 | 3, X: 1, Y: 2, P: 1}, // overflow 1: after, not 35.8 minutes before
		{T: 77, X: 9, Y: 9},
	}, rec.Events, "the invalid event is dropped, special and IMU packets skipped")
	assert.Zero(t, rec.Width)
	assert.Zero(t, rec.Height)
}

func TestAEDAT31Malformed(t *testing.T) {
	one := polarityPacket(0, [2]uint32{polData(1, 1, 1, 1), 1})
	pol := func(h aedat31Hdr) []byte {
		h.typ = 1
		return append(h.bytes(), make([]byte, 16)...)
	}
	at := int64(len(aedat31Head))
	tests := []struct {
		name, want string
		data       []byte
	}{
		{"no end marker", "before #!END-HEADER", []byte("#!AER-DAT3.1\r\n#Format: RAW\r\n")},
		{"not RAW", `format "SerializedTS" is not read`, []byte("#!AER-DAT3.1\r\n#Format: SerializedTS\r\n#!END-HEADER\r\n")},
		{"line without #", "header line at byte 14 does not start with '#'", []byte("#!AER-DAT3.1\r\nFormat: RAW\r\n#!END-HEADER\r\n")},
		{"bad version line", "not #!AER-DAT3.1", []byte("#!AER-DAT3.10\r\n#!END-HEADER\r\n")},
		{"truncated packet header", "packet 1 at byte 100: the file ends after 10 of its 28 header bytes", aedat31File(one, one[:10])},
		{"truncated event", "packet 0 at byte 64: the file ends in event 0 of 1 (after 5 of its 8 bytes)", aedat31File(one[:33])},
		{"huge eventNumber, polarity", "the file ends in event 2 of 2147483647", aedat31File(pol(aedat31Hdr{size: 8, tsOff: 4, number: 1<<31 - 1}))},
		{"huge eventNumber, skipped", "runs past the end of the file", aedat31File(append(aedat31Hdr{typ: 2, size: 1 << 30, number: 1<<31 - 1}.bytes(), 1, 2, 3))},
		{"negative eventNumber", "negative eventNumber -1", aedat31File(aedat31Hdr{typ: 2, size: 8, number: -1}.bytes())},
		{"negative eventSize", "eventSize -8", aedat31File(aedat31Hdr{typ: 2, size: -8, number: 1}.bytes())},
		{"polarity eventSize 4", "polarity eventSize 4 is not in 8..", aedat31File(pol(aedat31Hdr{size: 4, tsOff: 4, number: 1}))},
		{"polarity eventSize huge", "polarity eventSize 1073741824", aedat31File(pol(aedat31Hdr{size: 1 << 30, tsOff: 4, number: 1}))},
		{"tsOffset past the event", "eventTSOffset 6 does not fit", aedat31File(pol(aedat31Hdr{size: 8, tsOff: 6, number: 1}))},
		{"tsOffset over the data", "eventTSOffset 0 does not fit", aedat31File(pol(aedat31Hdr{size: 8, tsOff: 0, number: 1}))},
		{"negative overflow", "negative eventTSOverflow", aedat31File(polarityPacket(-1, [2]uint32{1, 1}))},
		{"negative timestamp", "timestamp -1", aedat31File(polarityPacket(0, [2]uint32{1, 0xFFFFFFFF}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readBytes(tt.data, "x.aedat")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assert.Equal(t, int64(64), at, "the offsets above assume this header length")
}

// ---- AEDAT 4.0 -------------------------------------------------------

// fbField is one field of a table built by fbBuild: inline scalar bytes,
// or the elements of a vector (count of them) placed after the table.
type fbField struct {
	inline []byte
	vec    []byte
	count  int
	isVec  bool
}

func fbScalar32(v int32) fbField {
	return fbField{inline: binary.LittleEndian.AppendUint32(nil, uint32(v))}
}
func fbScalar64(v int64) fbField {
	return fbField{inline: binary.LittleEndian.AppendUint64(nil, uint64(v))}
}
func fbString(s string) fbField { return fbField{vec: []byte(s), count: len(s), isVec: true} }
func fbAbsent() fbField         { return fbField{} }

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// fbBuild lays out a FlatBuffer: root offset, identifier, vtable, the
// root table, then its vectors.
func fbBuild(ident string, fields ...fbField) []byte {
	vt := 8
	vtLen := 4 + 2*len(fields)
	pos := vt + vtLen
	pos += (4 - pos%4) % 4
	offs := make([]int, len(fields))
	tblLen := 4
	for i, f := range fields {
		switch {
		case f.isVec:
			offs[i], tblLen = tblLen, tblLen+4
		case f.inline != nil:
			offs[i], tblLen = tblLen, tblLen+len(f.inline)
		}
	}
	b := binary.LittleEndian.AppendUint32(nil, uint32(pos))
	b = append(b, ident...)
	b = binary.LittleEndian.AppendUint16(b, uint16(vtLen))
	b = binary.LittleEndian.AppendUint16(b, uint16(tblLen))
	for _, o := range offs {
		b = binary.LittleEndian.AppendUint16(b, uint16(o))
	}
	b = pad4(b)
	b = binary.LittleEndian.AppendUint32(b, uint32(pos-vt))
	b = append(b, make([]byte, tblLen-4)...)
	for i, f := range fields {
		switch {
		case f.isVec:
			b = pad4(b)
			field := pos + offs[i]
			binary.LittleEndian.PutUint32(b[field:], uint32(len(b)-field))
			b = binary.LittleEndian.AppendUint32(b, uint32(f.count))
			b = append(b, f.vec...)
		case f.inline != nil:
			copy(b[pos+offs[i]:], f.inline)
		}
	}
	return pad4(b)
}

// evtsPacket is a size-prefixed EventPacket FlatBuffer.
func evtsPacket(events ...Event) []byte {
	var v []byte
	for _, e := range events {
		v = binary.LittleEndian.AppendUint64(v, uint64(e.T))
		v = binary.LittleEndian.AppendUint16(v, e.X)
		v = binary.LittleEndian.AppendUint16(v, e.Y)
		v = append(v, e.P, 0, 0, 0)
	}
	return sizePrefixed(fbBuild("EVTS", fbField{vec: v, count: len(events), isVec: true}))
}

func sizePrefixed(fb []byte) []byte {
	return append(binary.LittleEndian.AppendUint32(nil, uint32(len(fb))), fb...)
}

// aedat4XML names stream 1 the events (64x48) and stream 0 an IMU.
const aedat4XML = `<dv version="2.0"><node name="outInfo" path="/mainloop/Recorder/outInfo/">` +
	`<node name="0" path="/0/"><attr key="typeIdentifier" type="string">IMUS</attr></node>` +
	`<node name="1" path="/1/"><attr key="typeIdentifier" type="string">EVTS</attr>` +
	`<node name="info" path="/1/info/"><attr key="sizeX" type="int">64</attr><attr key="sizeY" type="int">48</attr></node>` +
	`</node></node></dv>`

type aedat4Pkt struct {
	stream int32
	body   []byte // as stored: already compressed
}

// aedat4File writes a file whose packets are followed by a data table
// (when table is set; its bytes are anything: the reader stops there).
func aedat4File(compression int32, xml string, table bool, packets ...aedat4Pkt) []byte {
	var body []byte
	for _, p := range packets {
		body = binary.LittleEndian.AppendUint32(body, uint32(p.stream))
		body = binary.LittleEndian.AppendUint32(body, uint32(len(p.body)))
		body = append(body, p.body...)
	}
	header := func(tablePos int64) []byte {
		return fbBuild("IOHE", fbScalar32(compression), fbScalar64(tablePos), fbString(xml))
	}
	tablePos := int64(-1)
	if table {
		tablePos = int64(len(aedat4Magic) + 2 + 4 + len(header(0)) + len(body))
	}
	h := header(tablePos)
	b := append([]byte(aedat4Magic+"\r\n"), binary.LittleEndian.AppendUint32(nil, uint32(len(h)))...)
	b = append(append(b, h...), body...)
	if table {
		b = append(b, "FTAB table bytes, never read as a packet"...)
	}
	return b
}

func lz4Frame(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	w := lz4.NewWriter(&out)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return out.Bytes()
}

var aedat4Events = [][]Event{
	{{T: 1605537493718345, X: 1, Y: 2, P: 1}, {T: 1605537493718346, X: 63, Y: 47}},
	{{T: 1605537493718400, X: 5, Y: 6, P: 1}},
}

func TestAEDAT4(t *testing.T) {
	none := func(b []byte) []byte { return b }
	lz := func(b []byte) []byte { return lz4Frame(t, b) }
	for _, tt := range []struct {
		name        string
		compression int32
		compress    func([]byte) []byte
		table       bool
	}{
		{"NONE, data table", aedat4None, none, true},
		{"NONE, no table", aedat4None, none, false},
		{"LZ4", aedat4LZ4, lz, true},
		{"LZ4_HIGH", aedat4LZ4High, lz, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := aedat4File(tt.compression, aedat4XML, tt.table,
				aedat4Pkt{1, tt.compress(evtsPacket(aedat4Events[0]...))},
				aedat4Pkt{0, []byte("an IMU packet, skipped unread")},
				aedat4Pkt{7, []byte("a stream the XML does not list")},
				aedat4Pkt{1, tt.compress(evtsPacket(aedat4Events[1]...))},
				aedat4Pkt{1, tt.compress(evtsPacket())},
			)
			rec, err := readBytes(data, "x.aedat4")
			require.NoError(t, err)
			assert.Equal(t, AEDAT4, rec.Format)
			assert.Equal(t, append(append([]Event(nil), aedat4Events[0]...), aedat4Events[1]...), rec.Events)
			assert.Equal(t, [2]int{64, 48}, [2]int{rec.Width, rec.Height})
		})
	}
}

func TestAEDAT4Malformed(t *testing.T) {
	good := aedat4Pkt{1, evtsPacket(aedat4Events[0]...)}
	file := func(packets ...aedat4Pkt) []byte { return aedat4File(aedat4None, aedat4XML, false, packets...) }
	withHeader := func(h []byte) []byte {
		b := append([]byte(aedat4Magic+"\r\n"), binary.LittleEndian.AppendUint32(nil, uint32(len(h)))...)
		return append(b, h...)
	}
	ioHeader := fbBuild("IOHE", fbScalar32(0), fbScalar64(-1), fbString(aedat4XML))
	patched := func(b []byte, at int, v uint32) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint32(b[at:], v)
		return b
	}
	withTable := aedat4File(aedat4None, aedat4XML, true, good)
	tests := []struct {
		name, want string
		data       []byte
	}{
		{"ZSTD", "ZSTD-compressed AEDAT4 is not supported", aedat4File(aedat4ZSTD, aedat4XML, false, good)},
		{"ZSTD_HIGH", "ZSTD-compressed AEDAT4 is not supported", aedat4File(aedat4ZSTDHigh, aedat4XML, false, good)},
		{"unknown compression", "unknown compression 9", aedat4File(9, aedat4XML, false, good)},
		{"version line without CR", "does not start with", []byte(aedat4Magic + "\n\x00\x00\x00\x00")},
		{"huge header size", "IOHeader size at byte 14: 2147483647 is not in", append([]byte(aedat4Magic+"\r\n"), 0xFF, 0xFF, 0xFF, 0x7F)},
		{"header past the end", "IOHeader at byte 18: its 1000 bytes run past", append(append([]byte(aedat4Magic+"\r\n"), 0xE8, 3, 0, 0), ioHeader...)},
		{"header identifier", `identifier is "IOHX"`, withHeader(patched(ioHeader, 4, binary.LittleEndian.Uint32([]byte("IOHX"))))},
		{"root offset outside", "table at 100000 outside", withHeader(patched(ioHeader, 0, 100000))},
		{"vtable offset outside", "vtable of the table at", withHeader(patched(ioHeader, 20, 0x7FFFFFFF))},
		{"string past the end", "vector of field 2", withHeader(patched(ioHeader, 36, 1<<30))},
		{"bad XML", "infoNode XML", aedat4File(aedat4None, "<dv><node", false)},
		{"no EVTS stream", "no event stream", aedat4File(aedat4None, `<dv><node name="0"><attr key="typeIdentifier">IMUS</attr></node></dv>`, false)},
		{"bad sizeX", `info/sizeX "wide"`, aedat4File(aedat4None, strings.Replace(aedat4XML, ">64<", ">wide<", 1), false)},
		{"truncated packet header", "the file ends after 3 of its 8 header bytes", file(good)[:len(file())+3]},
		{"packet past the end", "(stream 1): its 64 bytes run past the end", file(good)[:len(file(good))-1]},
		{"skipped packet past the end", "(stream 0): its 9 bytes run past the end", file(aedat4Pkt{0, []byte("012345678")})[:len(file())+10]},
		{"negative packet size", "negative size -1", patched(file(good), len(file())+4, 0xFFFFFFFF)},
		{"packet past the table", "run past the data table", patched(withTable, len(file())+4, 1000)},
		{"table inside the header", "data table position 8 lies before", withHeader(fbBuild("IOHE", fbScalar32(0), fbScalar64(8), fbString(aedat4XML)))},
		{"file ends before the table", "before its data table", withTable[:len(file())]},
		{"not LZ4", "LZ4:", aedat4File(aedat4LZ4, aedat4XML, false, good)},
		{"packet identifier", `identifier is "IMUS"`, file(aedat4Pkt{1, patched(good.body, 8, binary.LittleEndian.Uint32([]byte("IMUS")))})},
		{"size prefix too large", "size prefix 1000 runs past", file(aedat4Pkt{1, patched(good.body, 0, 1000)})},
		{"no size prefix", "has no size prefix", file(aedat4Pkt{1, []byte{1}})},
		{"event vector too long", "3 elements of 16 bytes at 28 run past the 60-byte FlatBuffer", file(aedat4Pkt{1, patched(good.body, 28, 3)})},
		{"event vector offset outside", "vector of field 0 is at", file(aedat4Pkt{1, patched(good.body, 24, 1<<31)})},
		{"vtable length odd", "not an even", file(aedat4Pkt{1, append(patched(good.body, 4+8, 5), 0)})},
		{"negative x", "negative coordinates", file(aedat4Pkt{1, evtsPacket(Event{X: 0x8000})})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readBytes(tt.data, "x.aedat4")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// ---- fuzzing ---------------------------------------------------------

// addReferencePrefix seeds f with the first n bytes of a reference file,
// when the reference folder is there (the seeds built in memory suffice).
func addReferencePrefix(f *testing.F, name string, n int) {
	dir, err := refdata.Find("events")
	if err != nil {
		return
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return
	}
	f.Add(b[:min(n, len(b))])
}

// fuzzDecoder checks that decode never panics and that what it returns
// is bounded by the input: no event without its bytes in the file.
func fuzzDecoder(f *testing.F, decode func(*bufio.Reader, *Recording) error, bytesPerEvent float64) {
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := &Recording{}
		if err := decode(bufio.NewReader(bytes.NewReader(data)), rec); err != nil {
			return
		}
		if float64(len(rec.Events))*bytesPerEvent > float64(len(data)) {
			t.Fatalf("%d events from %d bytes", len(rec.Events), len(data))
		}
	})
}

func FuzzAEDAT2(f *testing.F) {
	f.Add(aedat2File("# AEChip: eu.seebetter.ini.chips.davis.Davis346B\r\n",
		[2]uint32{davisAddr(3, 4, 1), 100}, [2]uint32{1<<31 | 5, 101}, [2]uint32{davisAddr(7, 8, 0) | 1<<10, 102}))
	f.Add(aedat2File("# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\r\n", [2]uint32{5<<8 | 9<<1 | 1, 10}))
	f.Add(aedat2File("", [2]uint32{1, 0x7FFFFFF0}, [2]uint32{1, 0x80000005}))
	addReferencePrefix(f, "synthetic_aedat2.aedat", 1024)
	addReferencePrefix(f, "aedat2_header_only_davis346red_tonic.aedat", 1024)
	fuzzDecoder(f, decodeAEDAT2, 8)
}

func FuzzAEDAT31(f *testing.F) {
	f.Add(aedat31File(
		append(aedat31Hdr{typ: 0, size: 8, tsOff: 4, number: 1, valid: 1}.bytes(), 5, 0, 0, 0, 1, 0, 0, 0),
		polarityPacket(0, [2]uint32{polData(3, 4, 1, 1), 1<<31 - 10}, [2]uint32{polData(5, 6, 0, 0), 7}),
		polarityPacket(1, [2]uint32{polData(1, 2, 1, 1), 3})))
	addReferencePrefix(f, "synthetic_aedat31.aedat", 1024)
	fuzzDecoder(f, decodeAEDAT31, 8)
}

func FuzzAEDAT4(f *testing.F) {
	evts := evtsPacket(aedat4Events[0]...)
	f.Add(aedat4File(aedat4None, aedat4XML, true, aedat4Pkt{1, evts}, aedat4Pkt{0, []byte("imu")}))
	f.Add(aedat4File(aedat4LZ4, aedat4XML, false, aedat4Pkt{1, lz4Frame(f, evts)}))
	addReferencePrefix(f, "aedat4_dvxplorer_tonic.aedat4", 8192)
	// An LZ4 frame expands at most about 255 times: each 16-byte event
	// costs the input at least 1/16 of a byte.
	fuzzDecoder(f, decodeAEDAT4, 1.0/16)
}

// FuzzAEDAT4FlatBuffers feeds the FlatBuffer readers directly: through
// the whole file, most mutations stop at the version line or the XML.
func FuzzAEDAT4FlatBuffers(f *testing.F) {
	f.Add(evtsPacket(aedat4Events[0]...))
	f.Add(sizePrefixed(fbBuild("IOHE", fbScalar32(1), fbScalar64(-1), fbString(aedat4XML))))
	f.Fuzz(func(t *testing.T, data []byte) {
		if events, err := appendAEDAT4Events(nil, data); err == nil && len(events)*16 > len(data) {
			t.Fatalf("%d events from %d bytes", len(events), len(data))
		}
		if len(data) >= 4 {
			_, _ = parseAEDAT4Header(data[4:])
		}
	})
}
