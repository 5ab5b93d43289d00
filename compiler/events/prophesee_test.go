package events

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/tools/refdata"
)

// decoder is the signature of the format decoders.
type decoder func(*bufio.Reader, *Recording) error

// decodeBytes runs dec on data as a whole file.
func decodeBytes(dec decoder, data []byte) (*Recording, error) {
	rec := &Recording{}
	err := dec(bufio.NewReader(bytes.NewReader(data)), rec)
	return rec, err
}

// decoderCase is one row of the decoders' tables: a file, and either the
// events and geometry it decodes to or a fragment of its error.
type decoderCase struct {
	name          string
	data          []byte
	want          []Event
	width, height int
	err           string
}

// runDecoderCases checks dec against each case.
func runDecoderCases(t *testing.T, dec decoder, cases []decoderCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := decodeBytes(dec, tc.data)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			if len(tc.want) == 0 {
				assert.Empty(t, rec.Events)
			} else {
				assert.Equal(t, tc.want, rec.Events)
			}
			assert.Equal(t, tc.width, rec.Width, "width")
			assert.Equal(t, tc.height, rec.Height, "height")
		})
	}
}

// file joins a text header and a body.
func file(header string, body ...[]byte) []byte {
	return append([]byte(header), bytes.Join(body, nil)...)
}

// le32 and le16 lay words out little-endian.
func words32(words ...uint32) []byte {
	b := make([]byte, 0, 4*len(words))
	for _, w := range words {
		b = binary.LittleEndian.AppendUint32(b, w)
	}
	return b
}

func words16(words ...uint16) []byte {
	b := make([]byte, 0, 2*len(words))
	for _, w := range words {
		b = binary.LittleEndian.AppendUint16(b, w)
	}
	return b
}

// EVT 2.0 words.
func cd2(p, tsLSB, x, y uint32) uint32 { return p<<28 | tsLSB<<22 | x<<11 | y }
func timeHigh2(v uint32) uint32        { return evt2TimeHigh<<28 | v }

// EVT 3.0 words.
func w3(typ, v uint16) uint16 { return typ<<12 | v }

const evt2Header = "% evt 2.0\n"
const evt3Header = "% evt 3.0\n"

func TestHeaderGeometry(t *testing.T) {
	body := words32(cd2(1, 1, 2, 3))
	one := []Event{{T: 1, X: 2, Y: 3, P: 1}}
	runDecoderCases(t, decodeEVT2, []decoderCase{
		{name: "none", data: file("% Date 2020-09-14\n% plugin_name hal_plugin_gen3_fx3\n"+evt2Header, body), want: one},
		{name: "format line", data: file("% format EVT2;height=480;width=640\n% end\n", body), want: one, width: 640, height: 480},
		{name: "format line, other case and spaces", data: file("% Format EVT2; Width = 1280 ;HEIGHT=720\n", body), want: one, width: 1280, height: 720},
		{name: "geometry line", data: file("% geometry 640x480\n", body), want: one, width: 640, height: 480},
		{name: "Height and Width lines", data: file("% Height 100\r\n% Width 120\r\n", body), want: one, width: 120, height: 100},
		{name: "one side only", data: file("% Width 120\n", body), want: one},
		{name: "header only, no final line end", data: file("% evt 2.0\n% geometry 304x240"), width: 304, height: 240},
		{name: "bad number", data: file("% Height ten\n", body), err: "header line 1"},
		{name: "zero", data: file("% geometry 0x480\n", body), err: "not a number in 1..65536"},
		{name: "geometry without x", data: file("% evt 2.0\n% geometry 640\n", body), err: "header line 2: geometry"},
		{name: "format line bad width", data: file("% format EVT2;width=-1;height=2\n", body), err: "header line 1"},
	})
}

// TestHeaderEnd checks that "% end" ends the header even when the body's
// first byte is '%'.
func TestHeaderEnd(t *testing.T) {
	first := cd2(0, 0, 4, '%') // low byte 0x25
	rec, err := decodeBytes(decodeEVT2, file("% evt 2.0\n% end\n", words32(first, first)))
	require.NoError(t, err)
	assert.Equal(t, []Event{{X: 4, Y: '%'}, {X: 4, Y: '%'}}, rec.Events)
}

func TestHeaderLineTooLong(t *testing.T) {
	long := "% " + string(bytes.Repeat([]byte("x"), 5000)) + "\n"
	_, err := decodeBytes(decodeEVT2, file(long))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "header line at byte 0")
}

func TestEVT2(t *testing.T) {
	const wrap = int64(1) << 34
	runDecoderCases(t, decodeEVT2, []decoderCase{
		{name: "empty body", data: file(evt2Header)},
		{name: "no header", data: words32(timeHigh2(1), cd2(1, 2, 3, 4)), want: []Event{{T: 66, X: 3, Y: 4, P: 1}}},
		{
			name: "ON and OFF with TIME_HIGH",
			data: file(evt2Header, words32(timeHigh2(0x0FFFFFFF), cd2(0, 0x3F, 0x7FF, 0x7FF), timeHigh2(20), cd2(1, 5, 639, 479))),
			want: []Event{{T: 0x0FFFFFFF<<6 | 0x3F, X: 0x7FF, Y: 0x7FF}, {T: wrap + 20<<6 | 5, X: 639, Y: 479, P: 1}},
		},
		{
			name: "before the first TIME_HIGH",
			data: file(evt2Header, words32(cd2(1, 7, 1, 2), timeHigh2(3), cd2(0, 1, 1, 2))),
			want: []Event{{T: 7, X: 1, Y: 2, P: 1}, {T: 3<<6 | 1, X: 1, Y: 2}},
		},
		{
			name: "trigger, others and continued skipped",
			data: file(evt2Header, words32(timeHigh2(1), 0xA<<28|0x123, 0xE<<28|7, 0xF<<28|0xFFFFFFF, 0x5<<28, cd2(0, 0, 9, 9))),
			want: []Event{{T: 64, X: 9, Y: 9}},
		},
		{
			name: "TIME_HIGH wraps twice",
			data: file(evt2Header, words32(timeHigh2(1<<28-1), timeHigh2(0), cd2(1, 0, 0, 0), timeHigh2(1<<28-2), timeHigh2(3), cd2(1, 0, 0, 0))),
			want: []Event{{T: wrap, P: 1}, {T: 2*wrap + 3<<6, P: 1}},
		},
		{
			name: "small step back is not a wrap",
			data: file(evt2Header, words32(timeHigh2(1000), timeHigh2(999), cd2(0, 0, 0, 0))),
			want: []Event{{T: 999 << 6}},
		},
		{name: "word cut short", data: file(evt2Header, words32(timeHigh2(1)), []byte{1, 2}), err: "word at byte 14 cut short"},
	})
}

func TestEVT3(t *testing.T) {
	const wrap = int64(1) << 24
	runDecoderCases(t, decodeEVT3, []decoderCase{
		{name: "empty body", data: file(evt3Header)},
		{
			name: "single events",
			data: file(evt3Header, words16(w3(evt3TimeHigh, 2), w3(evt3TimeLow, 5), w3(evt3AddrY, 1<<11|719), w3(evt3AddrX, 1<<11|1279), w3(evt3AddrX, 3))),
			want: []Event{{T: 2<<12 | 5, X: 1279, Y: 719, P: 1}, {T: 2<<12 | 5, X: 3, Y: 719}},
		},
		{
			name: "before any state",
			data: file(evt3Header, words16(w3(evt3AddrX, 1<<11|7), w3(evt3Vect8, 1))),
			want: []Event{{X: 7, P: 1}, {X: 0}},
		},
		{
			name: "vectors advance base x",
			data: file(evt3Header, words16(w3(evt3AddrY, 10), w3(evt3TimeLow, 1), w3(evt3VectBase, 1<<11|100),
				w3(evt3Vect12, 0x801), w3(evt3Vect8, 0x0F2), w3(evt3Vect12, 0), w3(evt3Vect8, 0x80))),
			want: []Event{
				{T: 1, X: 100, Y: 10, P: 1}, {T: 1, X: 111, Y: 10, P: 1}, // VECT_12 from 100
				{T: 1, X: 113, Y: 10, P: 1}, {T: 1, X: 116, Y: 10, P: 1}, // VECT_8 from 112 (mask 0xF2: bits 1, 4..7)
				{T: 1, X: 117, Y: 10, P: 1}, {T: 1, X: 118, Y: 10, P: 1}, {T: 1, X: 119, Y: 10, P: 1},
				{T: 1, X: 139, Y: 10, P: 1}, // VECT_8 from 132, after an empty VECT_12
			},
		},
		{
			name: "VECT_8 ignores bits 8..11",
			data: file(evt3Header, words16(w3(evt3VectBase, 0), w3(evt3Vect8, 0xF00))),
		},
		{
			name: "TIME_LOW going back carries nothing",
			data: file(evt3Header, words16(w3(evt3TimeHigh, 2861), w3(evt3TimeLow, 811), w3(evt3AddrX, 1), w3(evt3TimeLow, 800), w3(evt3AddrX, 2))),
			want: []Event{{T: 2861<<12 | 811, X: 1}, {T: 2861<<12 | 800, X: 2}},
		},
		{
			name: "TIME_HIGH wraps",
			data: file(evt3Header, words16(w3(evt3TimeHigh, 4095), w3(evt3AddrX, 1), w3(evt3TimeHigh, 0), w3(evt3AddrX, 2), w3(evt3TimeHigh, 4090), w3(evt3TimeHigh, 1), w3(evt3AddrX, 3))),
			want: []Event{{T: 4095 << 12, X: 1}, {T: wrap, X: 2}, {T: 2*wrap + 1<<12, X: 3}},
		},
		{
			name: "small TIME_HIGH step back is not a wrap",
			data: file(evt3Header, words16(w3(evt3TimeHigh, 2863), w3(evt3TimeHigh, 2853), w3(evt3AddrX, 1))),
			want: []Event{{T: 2853 << 12, X: 1}},
		},
		{
			name: "trigger, others, continued and unassigned skipped",
			data: file(evt3Header, words16(w3(0xA, 0x101), w3(0xE, 0xFFF), w3(0xF, 0xFFF), w3(0x7, 0xF), w3(0x1, 0xFFF), w3(evt3AddrX, 5))),
			want: []Event{{X: 5}},
		},
		{
			name: "vector up to x 2047",
			data: file(evt3Header, words16(w3(evt3VectBase, 2036), w3(evt3Vect12, 0x800))),
			want: []Event{{X: 2047}},
		},
		{
			name: "vector past x 2047",
			data: file(evt3Header, words16(w3(evt3VectBase, 2040), w3(evt3Vect12, 0x100))),
			err:  "word at byte 12: vector reaches x 2048",
		},
		{name: "odd final byte", data: file(evt3Header, words16(w3(evt3AddrX, 5)), []byte{0}), err: "word at byte 12 cut short"},
	})
}

// datHeader starts the DAT test files (51 bytes); datRecord is one CD record.
const datHeader = "% Data file containing Event2d events.\n% Version 2\n"

func datRecord(t, x, y, p uint32) []byte { return words32(t, p<<28|y<<14|x) }

func TestDAT(t *testing.T) {
	cd := []byte{datCD, datRecordBytes}
	runDecoderCases(t, decodeDAT, []decoderCase{
		{name: "no records", data: file(datHeader, cd)},
		{
			name: "records",
			data: file(datHeader, cd, datRecord(0, 77, 41, 1), datRecord(99952, 0x3FFF, 0x3FFF, 0)),
			want: []Event{{T: 0, X: 77, Y: 41, P: 1}, {T: 99952, X: 0x3FFF, Y: 0x3FFF}},
		},
		{
			name: "geometry",
			data: file(datHeader+"% Height 240\n% Width 304\n", cd, datRecord(5, 1, 2, 0)),
			want: []Event{{T: 5, X: 1, Y: 2}}, width: 304, height: 240,
		},
		{
			name: "bigger records",
			data: file(datHeader, []byte{datCD, 10}, datRecord(1, 2, 3, 1), []byte{0xAA, 0xBB}, datRecord(4, 5, 6, 0), []byte{0, 0}),
			want: []Event{{T: 1, X: 2, Y: 3, P: 1}, {T: 4, X: 5, Y: 6}},
		},
		{
			name: "32-bit wrap",
			data: file(datHeader, cd, datRecord(1<<32-10, 0, 0, 0), datRecord(5, 0, 0, 0), datRecord(3, 0, 0, 0)),
			want: []Event{{T: 1<<32 - 10}, {T: 1<<32 + 5}, {T: 1<<32 + 3}},
		},
		{name: "bad type", data: file(datHeader, []byte{12, 8}), err: "event type 12 at byte 51"},
		{name: "small size", data: file(datHeader, []byte{datCD, 4}), err: "event size 4 at byte 52"},
		{name: "no type and size", data: file(datHeader), err: "before the event type and size bytes"},
		{name: "size only cut", data: file(datHeader, []byte{datCD}), err: "before the event type and size bytes"},
		{name: "record cut short", data: file(datHeader, cd, datRecord(1, 2, 3, 1), []byte{1, 2, 3}), err: "record at byte 61 cut short"},
		{name: "bad polarity", data: file(datHeader, cd, datRecord(1, 2, 3, 1), datRecord(1, 2, 3, 2)), err: "record at byte 61: polarity 2"},
	})
}

// TestReadProphesee goes through Read's format detection to the decoders.
func TestReadProphesee(t *testing.T) {
	for _, tc := range []struct {
		name   string
		data   []byte
		format Format
		want   []Event
	}{
		{"x.raw", file("% evt 3.0\n% format EVT3;height=720;width=1280\n% end\n", words16(w3(evt3AddrY, 3), w3(evt3AddrX, 4))), EVT3, []Event{{X: 4, Y: 3}}},
		{"x.raw", file("% format EVT2;height=480;width=640\n% end\n", words32(cd2(1, 0, 4, 3))), EVT2, []Event{{X: 4, Y: 3, P: 1}}},
		{"x.dat", file(datHeader, []byte{datCD, 8}, datRecord(9, 4, 3, 1)), DAT, []Event{{T: 9, X: 4, Y: 3, P: 1}}},
	} {
		rec, err := Read(bytes.NewReader(tc.data), tc.name)
		require.NoError(t, err, tc.format)
		assert.Equal(t, tc.format, rec.Format)
		assert.Equal(t, tc.want, rec.Events, tc.format)
	}
}

// TestEVT2ReferenceDirect decodes the reference EVT 2.0 file with
// decodeEVT2 itself: Detect does not see its "% evt 2.0" line, which
// comes after byte 64 (see TestReferenceFiles).
func TestEVT2ReferenceDirect(t *testing.T) {
	dir := refdata.Dir(t, "events")
	raw, err := os.ReadFile(filepath.Join(dir, "evt2_gen3_640x480_expelliarmus_trunc.raw"))
	require.NoError(t, err)
	rec, err := decodeBytes(decodeEVT2, raw)
	require.NoError(t, err)
	expected := readEventCSV(t, filepath.Join(dir, "evt2_gen3_640x480_expelliarmus_trunc.raw.expected.csv"))
	require.GreaterOrEqual(t, len(rec.Events), len(expected))
	assert.Equal(t, expected, rec.Events[:len(expected)])
	s := rec.Stats()
	assert.Equal(t, Stats{
		Events: 372812, On: 254362, Off: 118450,
		FirstT: 1317888, LastT: 1352233, MinT: s.MinT, MaxT: s.MaxT,
		MaxX: 599, MaxY: 475, Decreasing: s.Decreasing, DurationMicros: s.DurationMicros,
	}, s)
	assert.Zero(t, rec.Width, "the header states no geometry")
}

// fuzzEvents checks what holds for any decoded input.
func fuzzEvents(t *testing.T, rec *Recording, maxEvents int) {
	if len(rec.Events) > maxEvents {
		t.Fatalf("%d events from at most %d records", len(rec.Events), maxEvents)
	}
	if (rec.Width == 0) != (rec.Height == 0) {
		t.Fatalf("geometry %dx%d half stated", rec.Width, rec.Height)
	}
	for _, e := range rec.Events {
		if e.P > 1 || e.T < 0 {
			t.Fatalf("event %+v", e)
		}
	}
}

func FuzzEVT2(f *testing.F) {
	f.Add(file(evt2Header, words32(timeHigh2(1<<28-1), cd2(0, 63, 1, 2), timeHigh2(0), cd2(1, 0, 3, 4), 0xA<<28)))
	f.Add(file("% format EVT2;height=480;width=640\n% end\n", words32(cd2(1, 1, 2, 3))))
	f.Add(file("% geometry 640x480\n", words32(cd2(1, 1, 2, 3)), []byte{1}))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := decodeBytes(decodeEVT2, data)
		if err == nil {
			fuzzEvents(t, rec, len(data)/4)
		}
	})
}

func FuzzEVT3(f *testing.F) {
	f.Add(file(evt3Header, words16(w3(evt3TimeHigh, 4095), w3(evt3TimeLow, 7), w3(evt3AddrY, 5), w3(evt3AddrX, 1<<11|9),
		w3(evt3VectBase, 2030), w3(evt3Vect12, 0xFFF), w3(evt3Vect8, 0x0F), w3(evt3TimeHigh, 0), w3(0xA, 1))))
	f.Add(file("% Height 720\n% Width 1280\n", words16(w3(evt3AddrX, 3)), []byte{0}))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := decodeBytes(decodeEVT3, data)
		if err == nil {
			fuzzEvents(t, rec, 12*len(data)/2)
			for _, e := range rec.Events {
				if e.X > evt3MaxX || e.Y > evt3MaxX {
					t.Fatalf("event %+v past the 11-bit address", e)
				}
			}
		}
	})
}

func FuzzDAT(f *testing.F) {
	f.Add(file(datHeader, []byte{datCD, 8}, datRecord(1<<32-1, 1, 2, 1), datRecord(3, 4, 5, 0)))
	f.Add(file(datHeader+"% Width 304\n% Height 240\n", []byte{datCD, 12}, datRecord(1, 2, 3, 1), words32(0)))
	f.Add(file(datHeader, []byte{3, 8}))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := decodeBytes(decodeDAT, data)
		if err == nil {
			fuzzEvents(t, rec, len(data)/datRecordBytes)
		}
	})
}
