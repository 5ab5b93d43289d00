package events

import (
	"testing"
)

// atisRecord is one 5-byte ATIS record.
func atisRecord(x, y byte, p uint8, t uint32) []byte {
	return []byte{x, y, p<<7 | byte(t>>16&0x7F), byte(t >> 8), byte(t)}
}

func TestATIS(t *testing.T) {
	overflow := atisRecord(0, atisOverflowY, 0, 0)
	runDecoderCases(t, decodeATIS, []decoderCase{
		{name: "empty"},
		{
			name: "records",
			data: file("", atisRecord(33, 33, 1, 654), atisRecord(0, 0, 0, 1<<23-1)),
			want: []Event{{T: 654, X: 33, Y: 33, P: 1}, {T: 1<<23 - 1}},
		},
		{
			name: "overflow marks",
			data: file("", atisRecord(1, 2, 0, 8000), overflow, atisRecord(3, 4, 1, 10), overflow, overflow, atisRecord(5, 6, 0, 20)),
			want: []Event{{T: 8000, X: 1, Y: 2}, {T: 1<<13 + 10, X: 3, Y: 4, P: 1}, {T: 3<<13 + 20, X: 5, Y: 6}},
		},
		{name: "header-like bytes are records", data: []byte("% ev"), err: "record at byte 0 cut short"},
		{name: "record cut short", data: file("", atisRecord(1, 2, 0, 3), []byte{1, 2, 3, 4}), err: "record at byte 5 cut short: the file ends after 4 of its 5 bytes"},
	})
}

func FuzzATIS(f *testing.F) {
	f.Add(file("", atisRecord(33, 33, 1, 654), atisRecord(0, atisOverflowY, 0, 0), atisRecord(0, 0, 0, 1<<23-1)))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := decodeBytes(decodeATIS, data)
		if err == nil {
			fuzzEvents(t, rec, len(data)/atisRecordBytes)
			if rec.Width != 0 || rec.Height != 0 {
				t.Fatalf("geometry %dx%d guessed", rec.Width, rec.Height)
			}
		}
	})
}
