package image

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/router"
)

func TestRoundTrip(t *testing.T) {
	want := testImage()
	want.Normalize()

	data, err := Encode(testImage())
	require.NoError(t, err)
	again, err := Encode(testImage())
	require.NoError(t, err)
	assert.Equal(t, data, again, "Encode must be deterministic")

	got, err := Decode(data)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// Decode shares no memory with its input.
	for i := range data {
		data[i] = 0xff
	}
	assert.Equal(t, want, got)
}

// The preset section is JSON: an image whose preset names no packet format
// has no packet key (as images written before formats existed) and reads
// back as the preset's default; one that names a format carries it.
func TestPresetPacketFormat(t *testing.T) {
	data, err := Encode(testImage())
	require.NoError(t, err)
	assert.NotContains(t, string(data), `"packet"`)
	got, err := Decode(data)
	require.NoError(t, err)
	assert.True(t, got.Preset.Packet.IsZero())
	assert.Equal(t, router.LoihiPacketFormat(), got.Preset.PacketFormat())

	img := testImage()
	img.Preset.Packet = router.LoihiPacketFormat()
	img.Preset.Packet.FlitBits = 16
	data, err = Encode(img)
	require.NoError(t, err)
	got, err = Decode(data)
	require.NoError(t, err)
	assert.Equal(t, img.Preset.Packet, got.Preset.Packet)

	// A format the preset does not fit is a bad preset, as any other field.
	img.Preset.Packet.Fields[3].Bits = 4 // axon: 16 axons, small has 32
	_, err = Encode(img)
	assert.ErrorContains(t, err, "core.max_axons is 32, but axon (4 bits) numbers 0..15")
}

func TestNormalize(t *testing.T) {
	img := testImage()
	img.Cores[1].BiasMant = img.Cores[1].BiasMant[:4:4]
	img.Inputs[0].Spikes = []Spike{}
	img.Inputs[1].Spikes = []Spike{}
	img.Populations[0].Slices = []Slice{}
	img.Cores = append(img.Cores[:2:2], img.Cores[2:]...)

	data, err := Encode(img)
	require.NoError(t, err)
	got, err := Decode(data)
	require.NoError(t, err)
	assert.NotEqual(t, img, got, "empty non-nil slices decode as nil")
	img.Normalize()
	assert.Equal(t, img, got)
	assert.Nil(t, img.Inputs[0].Spikes)
	assert.Nil(t, img.Populations[0].Slices)

	var none *Image
	none.Normalize() // no panic
}

// TestLayout pins the parts of the layout that docs/image-format.md states.
func TestLayout(t *testing.T) {
	data := mustEncode(t)
	assert.Equal(t, []byte("TSI\x00"), data[:4], "magic")
	assert.Equal(t, uint16(1), binary.LittleEndian.Uint16(data[4:]), "version")
	assert.Equal(t, uint16(0), binary.LittleEndian.Uint16(data[6:]), "flags")
	assert.Equal(t, uint64(len(data)-HeaderSize-ChecksumSize), binary.LittleEndian.Uint64(data[8:]), "payload length")
	sum := Checksum(data[:len(data)-ChecksumSize])
	assert.Equal(t, sum[:], data[len(data)-ChecksumSize:], "trailer")

	var tags []string
	for _, s := range splitSections(t, data) {
		tags = append(tags, s.tag)
	}
	assert.Equal(t, []string{"META", "PRST", "CORE", "CORE", "INPT", "POPS", "PROB"}, tags)

	secs := splitSections(t, data)
	meta := secs[0].body
	assert.Equal(t, uint32(4), binary.LittleEndian.Uint32(meta), "name length")
	assert.Equal(t, "demo", string(meta[4:8]))
	assert.Equal(t, uint64(1_000_000_000), binary.LittleEndian.Uint64(meta[8:]), "dt_ps")
	assert.True(t, bytes.HasPrefix(secs[1].body, []byte(`{"name":"small",`)), "preset JSON: %s", secs[1].body)
	core3 := secs[3].body
	assert.Equal(t, uint32(3), binary.LittleEndian.Uint32(core3), "core id")
	assert.Equal(t, byte(1), core3[4], "used")
	assert.Equal(t, uint32(4), binary.LittleEndian.Uint32(core3[5:]), "neuron count")
	assert.Equal(t, uint32(300), binary.LittleEndian.Uint32(core3[9:]), "du[0]")
}

func TestWriteFileReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "net.tsi")
	require.NoError(t, os.WriteFile(path, []byte("old contents"), 0o600))

	require.NoError(t, WriteFile(path, testImage()))
	got, err := ReadFile(path)
	require.NoError(t, err)
	want := testImage()
	want.Normalize()
	assert.Equal(t, want, got)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, mustEncode(t), data)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	assertOnlyFiles(t, dir, "net.tsi")

	// A failed write leaves the old file and no temporary file.
	bad := testImage()
	bad.DtPS = 0
	err = WriteFile(path, bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "dt_ps")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, data, after)
	assertOnlyFiles(t, dir, "net.tsi")

	// A file in a missing directory.
	err = WriteFile(filepath.Join(dir, "missing", "x.tsi"), testImage())
	require.Error(t, err)
	assertOnlyFiles(t, dir, "net.tsi")
}

func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.Equal(t, names, got)
}

func TestReadFileErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()

	missing := filepath.Join(dir, "missing.tsi")
	_, err := ReadFile(missing)
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), missing)

	cut := filepath.Join(dir, "cut.tsi")
	require.NoError(t, os.WriteFile(cut, mustEncode(t)[:100], 0o644))
	_, err = ReadFile(cut)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrTruncated)
	assert.True(t, strings.HasPrefix(err.Error(), cut+": image: truncated: "), err.Error())
}

func TestWriteRead(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, testImage()))
	assert.Equal(t, mustEncode(t), buf.Bytes())

	// Read takes exactly one image and leaves what follows.
	buf.WriteString("next")
	got, err := Read(&buf)
	require.NoError(t, err)
	want := testImage()
	want.Normalize()
	assert.Equal(t, want, got)
	assert.Equal(t, "next", buf.String())

	bad := testImage()
	bad.Probes[0].Neurons = nil
	assert.ErrorContains(t, Write(&buf, bad), "lists no neurons")
	assert.Error(t, Write(&buf, nil))
}

// TestRejects feeds Decode and Read broken files, one fault each.
func TestRejects(t *testing.T) {
	valid := mustEncode(t)
	secs := func() []section { return splitSections(t, bytes.Clone(valid)) }
	patch := func(off int, b ...byte) []byte {
		d := bytes.Clone(valid)
		copy(d[off:], b)
		return d
	}
	// withSection replaces the body of section i and reassembles the file.
	withSection := func(i int, f func([]byte) []byte) []byte {
		s := secs()
		s[i].body = f(bytes.Clone(s[i].body))
		return assemble(s)
	}
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	u64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	const (
		meta, prst, core0, core3, inpt, pops, prob = 0, 1, 2, 3, 4, 5, 6
	)

	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		// Decode only: Read takes one image from a stream and leaves
		// whatever follows it (TestWriteRead).
		{"trailing bytes", append(bytes.Clone(valid), 0), ErrCorrupt, "1 bytes follow the checksum"},
	}
	readTests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrTruncated, "the file is empty"},
		{"magic prefix", []byte("TS"), ErrTruncated, "2 bytes"},
		{"garbage", []byte("hello, world, this is not an image"), ErrMagic, "68 65 6c 6c"},
		{"short garbage", []byte("x"), ErrMagic, "78"},
		{"ELF", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"), ErrMagic, "7f 45 4c 46"},
		{"version 2", reseal(patch(4, 2, 0)), ErrVersion, "version 2, this build reads version 1"},
		{"version 0, stale checksum", patch(4, 0, 0), ErrVersion, "version 0"},
		{"version 7, header only", patch(4, 7, 0)[:HeaderSize], ErrVersion, "version 7"},
		{"flags", reseal(patch(6, 1, 0)), ErrVersion, "flags 0x0001"},
		{"payload length too big", patch(8, u64(uint64(len(valid)))...), ErrTruncated, "announces"},
		{"payload length huge", patch(8, u64(^uint64(0))...), ErrTruncated, "announces"},
		{"payload length too small", patch(8, u64(uint64(len(valid)-HeaderSize-ChecksumSize-1))...), ErrChecksum, ""},
		{"flipped payload byte", patch(100, valid[100]^0x10), ErrChecksum, "file is corrupted"},
		{"flipped checksum byte", patch(len(valid)-1, valid[len(valid)-1]^1), ErrChecksum, ""},
		{"flipped flags, stale checksum", patch(6, 1), ErrChecksum, ""},
		{"no sections", assemble(nil), ErrCorrupt, `section "META" (metadata) is missing`},
		{"missing probes", assemble(secs()[:prob]), ErrCorrupt, `section "PROB" (probes) is missing`},
		{"extra section", assemble(append(secs(), section{tag: "META"})), ErrCorrupt, `section "META" at byte`},
		{"unknown tag", assemble(append(secs()[:1], append([]section{{tag: "XTRA"}}, secs()[1:]...)...)), ErrCorrupt, `unknown section tag "XTRA"`},
		{"out of order", assemble([]section{secs()[prst], secs()[meta]}), ErrCorrupt, "out of order"},
		{"short section header", func() []byte {
			d := append(bytes.Clone(valid[:len(valid)-ChecksumSize]), 'P', 'R')
			binary.LittleEndian.PutUint64(d[8:], uint64(len(d)-HeaderSize))
			return reseal(d)
		}(), ErrTruncated, "needs 12 bytes, 2 left"},
		{"neuron count huge", withSection(core0, func(b []byte) []byte { copy(b[5:], u32(0xffffffff)); return b }),
			ErrTruncated, `section "CORE" (cores[0]): reading 4294967295 neurons needs 120259084260 bytes`},
		{"synapse count off by one", withSection(core3, func(b []byte) []byte {
			// id 4 + used 1 + neurons 4+7·4·4 + model 6·4 + wexp 4+4 + axon starts 4+4·4 = 173
			require.Equal(t, uint32(4), binary.LittleEndian.Uint32(b[173:]))
			copy(b[173:], u32(5))
			return b
		}), ErrTruncated, "reading 65536 route starts needs 262144 bytes, 195 left"},
		{"section length huge", func() []byte {
			d := bytes.Clone(valid)
			copy(d[secs()[core3].at+4:], u64(1<<40))
			return reseal(d)
		}(), ErrTruncated, `section "CORE" (cores[1]) at byte`},
		{"used is 2", withSection(core0, func(b []byte) []byte { b[4] = 2; return b }), ErrCorrupt, "used is 2"},
		{"is_input is 3", withSection(pops, func(b []byte) []byte {
			// count 4 + name length 4 + "in" + size 4
			require.Equal(t, byte(1), b[14])
			b[14] = 3
			return b
		}), ErrCorrupt, "is_input is 3"},
		{"unused bytes", withSection(inpt, func(b []byte) []byte { return append(b, 0) }), ErrCorrupt, "1 unused bytes"},
		{"string too long", withSection(meta, func(b []byte) []byte { copy(b, u32(1000)); return b }), ErrTruncated, "reading image name needs 1000 bytes"},
		{"input count huge", withSection(inpt, func(b []byte) []byte { copy(b, u32(1<<30)); return b }), ErrTruncated, "1073741824 inputs"},
		{"preset unknown field", withSection(prst, func(b []byte) []byte {
			return append([]byte(`{"warp_drive":1,`), b[1:]...)
		}), ErrCorrupt, `unknown field "warp_drive"`},
		{"preset trailing data", withSection(prst, func(b []byte) []byte { return append(b, "{}"...) }), ErrCorrupt, "data after the preset"},
		{"preset not JSON", withSection(prst, func([]byte) []byte { return []byte("name: small") }), ErrCorrupt, "preset JSON"},
		{"preset invalid", withSection(prst, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"cores_per_tile":1`), []byte(`"cores_per_tile":0`), 1)
		}), ErrCorrupt, "cores_per_tile must be in 1..64"},
		{"inconsistent image", withSection(core3, func(b []byte) []byte { copy(b, u32(2)); return b }), ErrCorrupt,
			"consistency check:\ncore 0 (cores[0]): route 0 (of neuron 0) targets core 3, which is not in the image"},
	}
	decode := []reader{{"Decode", Decode}}
	read := []reader{decode[0], {"Read", func(b []byte) (*Image, error) { return Read(bytes.NewReader(b)) }}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assertRejected(t, decode, tc.data, tc.want, tc.msg) })
	}
	for _, tc := range readTests {
		t.Run(tc.name, func(t *testing.T) { assertRejected(t, read, tc.data, tc.want, tc.msg) })
	}
}

type reader struct {
	name string
	f    func([]byte) (*Image, error)
}

func assertRejected(t *testing.T, readers []reader, data []byte, want error, msg string) {
	t.Helper()
	for _, read := range readers {
		var img *Image
		var err error
		require.NotPanics(t, func() { img, err = read.f(data) }, read.name)
		require.Error(t, err, read.name)
		assert.Nil(t, img, read.name)
		assert.Equal(t, []error{want}, classify(err), "%s: %v", read.name, err)
		assert.Contains(t, err.Error(), msg, read.name)
	}
}

// TestRejectsInconsistentImage writes images that fail Check, bypassing
// Encode's own check, and requires Decode to refuse them with Check's words.
func TestRejectsInconsistentImage(t *testing.T) {
	img := testImage()
	img.Cores[0].SynDelay[0] = 16
	img.Probes[2].Signals = 0
	data, err := encode(img)
	require.NoError(t, err)
	_, err = Decode(data)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "core 0 (cores[0]): synapse 0 has delay 16, more than core.max_delay 15")
	assert.Contains(t, err.Error(), `probe 2 (population "out"): it records no signal`)
}

func TestEveryTruncationIsTruncated(t *testing.T) {
	valid := mustEncode(t)
	for n := range len(valid) {
		_, err := Decode(valid[:n])
		require.ErrorIs(t, err, ErrTruncated, "prefix of %d bytes", n)
		require.Len(t, classify(err), 1, "prefix of %d bytes: %v", n, err)
		_, err = Read(bytes.NewReader(valid[:n]))
		require.ErrorIs(t, err, ErrTruncated, "Read, prefix of %d bytes", n)
	}
}

// TestEveryByteFlipIsCaught flips each byte of a valid file in turn.
func TestEveryByteFlipIsCaught(t *testing.T) {
	valid := mustEncode(t)
	for i := range valid {
		d := bytes.Clone(valid)
		d[i] ^= 0x5a
		var err error
		require.NotPanics(t, func() { _, err = Decode(d) }, "byte %d", i)
		require.Error(t, err, "byte %d", i)
		want := ErrChecksum
		switch {
		case i < 4:
			want = ErrMagic
		case i < 6:
			want = ErrVersion
		case i >= 8 && i < 16:
			// The payload length now points elsewhere: past the end
			// (truncated) or at the wrong trailer (checksum).
			require.Len(t, classify(err), 1, "byte %d: %v", i, err)
			continue
		}
		require.Equal(t, []error{want}, classify(err), "byte %d: %v", i, err)
	}
}

// TestCorruptCountDoesNotAllocate checks that a count claiming billions of
// elements fails before anything is allocated for them.
func TestCorruptCountDoesNotAllocate(t *testing.T) {
	secs := splitSections(t, mustEncode(t))
	for _, s := range []int{2, 4, 5, 6} { // first core, inputs, populations, probes
		b := bytes.Clone(secs[s].body)
		off := 0
		if s == 2 {
			off = 5 // neuron count
		}
		binary.LittleEndian.PutUint32(b[off:], 0xfffffff0)
		mutated := append([]section(nil), secs...)
		mutated[s].body = b
		data := assemble(mutated)

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := Decode(data)
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, err, ErrTruncated, secs[s].tag)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "%s: bytes allocated", secs[s].tag)
	}
}

func TestReadDoesNotTrustTheLength(t *testing.T) {
	// A header announcing an exabyte payload, followed by a few bytes.
	d := bytes.Clone(mustEncode(t)[:HeaderSize])
	binary.LittleEndian.PutUint64(d[8:], 1<<60)
	d = append(d, make([]byte, 100)...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Read(bytes.NewReader(d))
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, ErrTruncated)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}
