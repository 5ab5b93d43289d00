package image

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzDecode feeds Decode arbitrary bytes. Decode must not panic; an error
// must wrap exactly one sentinel; an image it accepts must pass Check,
// re-encode to an equal image and disassemble.
func FuzzDecode(f *testing.F) {
	valid := mustEncode(f)
	f.Add(valid)
	for _, n := range []int{0, 3, 4, 6, HeaderSize, HeaderSize + 20, len(valid) / 2, len(valid) - 1} {
		f.Add(valid[:n])
	}
	for _, off := range []int{4, 8, HeaderSize, HeaderSize + 4, len(valid) / 2} {
		d := bytes.Clone(valid)
		d[off] ^= 0xff
		f.Add(d)
		f.Add(reseal(d[:len(d)-ChecksumSize])) // same fault behind a good checksum
	}
	// A minimal image, and one with counts set to huge values.
	minimal, err := Encode(&Image{Name: "min", Preset: testImage().Preset, DtPS: 1})
	require.NoError(f, err)
	f.Add(minimal)
	secs := splitSections(f, valid)
	for i := 2; i < len(secs); i++ {
		s := append([]section(nil), secs...)
		s[i].body = bytes.Clone(s[i].body)
		binary.LittleEndian.PutUint32(s[i].body, 0xffffffff)
		f.Add(assemble(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode(data)
		if err != nil {
			require.Nil(t, img)
			require.Len(t, classify(err), 1, "%v", err)
			return
		}
		checkAccepted(t, data, img)
	})
}

// FuzzDecodePayload is FuzzDecode behind a valid header and checksum, so
// that the fuzzer's mutations reach the section decoder instead of stopping
// at the checksum.
func FuzzDecodePayload(f *testing.F) {
	valid := mustEncode(f)
	payload := valid[HeaderSize : len(valid)-ChecksumSize]
	f.Add(payload)
	f.Add(payload[:len(payload)/2])
	secs := splitSections(f, valid)
	for i := range secs {
		s := append([]section(nil), secs...)
		s[i].body = bytes.Clone(s[i].body)
		if len(s[i].body) > 0 {
			s[i].body[0] ^= 0x80
		}
		d := assemble(s)
		f.Add(d[HeaderSize : len(d)-ChecksumSize])
	}

	f.Fuzz(func(t *testing.T, payload []byte) {
		d := append(bytes.Clone(valid[:HeaderSize]), payload...)
		binary.LittleEndian.PutUint64(d[8:], uint64(len(payload)))
		d = reseal(d)
		img, err := Decode(d)
		if err != nil {
			require.Nil(t, img)
			require.Len(t, classify(err), 1, "%v", err)
			require.NotErrorIs(t, err, ErrChecksum)
			return
		}
		checkAccepted(t, d, img)
	})
}

// checkAccepted checks an image that Decode accepted from data: it passes
// Check, re-encodes to an equal image — to the same bytes, unless the preset
// JSON was spelled differently — and disassembles.
func checkAccepted(t *testing.T, data []byte, img *Image) {
	require.NoError(t, img.Check())
	again, err := Encode(img)
	require.NoError(t, err)
	img2, err := Decode(again)
	require.NoError(t, err)
	assert.Equal(t, img, img2)
	canonical, err := json.Marshal(img.Preset)
	require.NoError(t, err)
	if bytes.Equal(splitSections(t, data)[1].body, canonical) {
		assert.Equal(t, data, again, "a file Decode accepts is the one Encode writes")
	}
	require.NoError(t, Disassemble(io.Discard, img))
}
