package events

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name, head string
		want       Format
		err        string
	}{
		{"a.aedat", "#!AER-DAT2.0\r\n# AEChip: x\r\n", AEDAT2, ""},
		{"a.aedat", "#!AER-DAT3.1\r\n", AEDAT31, ""},
		{"a.aedat4", "#!AER-DAT4.0\r\n", AEDAT4, ""},
		{"a.aedat", "#!AER-DAT1.0\r\n", 0, `AEDAT version "1.0" is not read`},
		{"a.raw", "% evt 2.0\n% end\n", EVT2, ""},
		{"a.raw", "% format EVT3;height=720;width=1280\n", EVT3, ""},
		{"a.raw", "% date 2020\n" + string(bytes.Repeat([]byte("% camera comment\n"), 30)) + "% evt 3.0\n", EVT3, ""},
		{"a.raw", "% date 2020\n", 0, "without an evt 2.0 or evt 3.0 line"},
		{"a.dat", "% Data file containing Event2D events.\n", DAT, ""},
		{"a.DAT", "% Version 2\n", DAT, ""},
		{"digit.bin", "\x07\x0f\x80\x02\x8e", ATIS, ""},
		{"a.csv", "t,x,y,p\n", 0, "not a known event-camera format"},
		{"", "", 0, "not a known event-camera format"},
	}
	for _, tc := range tests {
		got, err := Detect(tc.name, []byte(tc.head))
		if tc.err != "" {
			assert.ErrorIs(t, err, ErrUnknownFormat, "%s %q", tc.name, tc.head)
			assert.ErrorContains(t, err, tc.err, "%s %q", tc.name, tc.head)
			continue
		}
		if assert.NoError(t, err, "%s %q", tc.name, tc.head) {
			assert.Equal(t, tc.want, got, "%s %q", tc.name, tc.head)
		}
	}
}

// FuzzRead feeds Read any bytes under each kind of name: whatever the
// format detection decides, decoding must return events or an error,
// never panic.
func FuzzRead(f *testing.F) {
	f.Add("a.aedat", []byte("#!AER-DAT2.0\r\n\x00\x00\x10\x00\x00\x00\x00\x01"))
	f.Add("a.raw", []byte("% evt 3.0\n% end\n\x00\x80\x05\x00"))
	f.Add("a.dat", []byte("% Version 2\n\x00\x08\x01\x00\x00\x00\x05\x00\x00\x10"))
	f.Add("a.bin", []byte("\x01\x02\x80\x00\x10"))
	f.Add("a.aedat4", []byte("#!AER-DAT4.0\r\n\x08\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		rec, err := Read(bytes.NewReader(data), name)
		if err == nil {
			_ = rec.Stats()
		}
	})
}
