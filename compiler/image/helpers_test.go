package image

import (
	"encoding/binary"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/core/learn"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testImage is a small but complete image on the small preset (2×2 tiles,
// one core per tile): cores 0 (tile (0, 0)) and 3 (tile (1, 1)) with routes
// both ways, a raster and a Poisson input, two neuron populations — "exc"
// split over both cores, "out" on core 3 — and three probes.
//
//	in (raster, 3) ──> core 0 axons 0..2, and channel 2 also to core 3 axon 2
//	noise (Poisson, 2) ──> core 0 axon 3
//	exc 0..3 on core 0 ──> core 3 axons 0, 1
//	exc 4 on core 3 (neuron 0) ──> core 0 axon 3
func testImage() *Image {
	return &Image{
		Name:   "demo",
		Preset: preset.Small(),
		DtPS:   1_000_000_000, // 1 ms
		Cores: []Core{
			{
				ID:        0,
				Used:      true,
				Du:        []int32{0, 410, 4095, 1000},
				Dv:        []int32{0, 205, 100, 4095},
				Vth:       []int32{10, 10, 20, 100},
				BiasMant:  []int32{0, 5, 0, -3},
				BiasExp:   []int32{0, 6, 0, 2},
				UInit:     []int32{0, 0, 0, 0},
				VInit:     []int32{0, 0, 100, -50},
				WeightExp: []int32{0, 2},
				// axon 0: in 0; axon 1: in 1; axon 2: in 2; axon 3: noise, exc 4.
				AxonStart: []uint32{0, 2, 4, 5, 8},
				SynNeuron: []uint32{0, 1, 1, 2, 3, 0, 2, 3},
				SynWeight: []int32{100, 50, -30, 255, -256, 7, 8, 9},
				SynDelay:  []uint8{0, 1, 2, 0, 15, 3, 0, 0},
				SynClass:  []uint8{0, 0, 1, 0, 1, 0, 0, 1},
				// neuron 0 → core 3 axon 0; neuron 1 → core 3 axons 0, 1;
				// neuron 2 → nothing; neuron 3 → core 3 axon 1.
				RouteStart: []uint32{0, 1, 3, 3, 4},
				RouteCore:  []uint32{3, 3, 3, 3},
				RouteAxon:  []uint32{0, 0, 1, 1},
			},
			{
				ID:        3,
				Used:      true,
				Du:        []int32{300, 300, 0, 0},
				Dv:        []int32{100, 100, 4095, 4095},
				Vth:       []int32{50, 50, 1, 1},
				BiasMant:  []int32{0, 0, 0, 0},
				BiasExp:   []int32{0, 0, 0, 0},
				UInit:     []int32{0, 0, 0, 0},
				VInit:     []int32{0, 0, 0, 0},
				WeightExp: []int32{1},
				// axon 0: exc 0, 1; axon 1: exc 1, 3; axon 2: in 2.
				AxonStart: []uint32{0, 2, 3, 4},
				SynNeuron: []uint32{2, 0, 3, 1},
				SynWeight: []int32{40, 20, -40, 60},
				SynDelay:  []uint8{1, 0, 2, 0},
				SynClass:  []uint8{0, 0, 0, 0},
				// neuron 0 (exc 4) → core 0 axon 3.
				RouteStart: []uint32{0, 1, 1, 1, 1},
				RouteCore:  []uint32{0},
				RouteAxon:  []uint32{3},
				// Input channel 2 also drives all four neurons plastically.
				Plastic: []Plastic{{Projection: "in->exc", Rule: "2^-2*x1*y0 - 2^-2*y1*x0", TEpoch: 2,
					Traces:   [5]learn.Trace{{Impulse: 16, Tau: 8}, {}, {Impulse: 12.5, Tau: 4}, {}, {}},
					SignMode: learn.Excitatory, NumWeightBits: 8, PrePopulation: "in",
					Axons: []uint32{2}, PreNeurons: []int32{2}, Weights: []int32{10, 20, 30, 40}}},
			},
		},
		Inputs: []Input{
			{
				Population: "in",
				Size:       3,
				Kind:       InputRaster,
				Spikes:     []Spike{{Step: 1, Index: 0}, {Step: 1, Index: 2}, {Step: 3, Index: 1}},
				RouteStart: []uint32{0, 1, 2, 4},
				RouteCore:  []uint32{0, 0, 0, 3},
				RouteAxon:  []uint32{0, 1, 2, 2},
			},
			{
				Population: "noise",
				Size:       2,
				Kind:       InputPoisson,
				ProbQ32:    1 << 30, // p = 0.25
				Seed:       42,
				RouteStart: []uint32{0, 1, 2},
				RouteCore:  []uint32{0, 0},
				RouteAxon:  []uint32{3, 3},
			},
		},
		Populations: []Population{
			{Name: "in", Size: 3, IsInput: true},
			{Name: "noise", Size: 2, IsInput: true},
			{Name: "exc", Size: 6, Slices: []Slice{
				{Core: 0, Offset: 0, Start: 0, Count: 4},
				{Core: 3, Offset: 0, Start: 4, Count: 2},
			}},
			{Name: "out", Size: 2, Slices: []Slice{{Core: 3, Offset: 2, Start: 0, Count: 2}}},
		},
		Probes: []Probe{
			{Population: "exc", Signals: SignalSpikes | SignalV, Neurons: []int32{0, 5}},
			{Population: "in", Signals: SignalSpikes, Neurons: []int32{0, 1, 2}},
			{Population: "out", Signals: SignalU, Neurons: []int32{1}},
		},
	}
}

// mustEncode encodes testImage.
func mustEncode(t testing.TB) []byte {
	t.Helper()
	data, err := Encode(testImage())
	require.NoError(t, err)
	return data
}

// section is one section of an encoded file.
type section struct {
	tag  string
	body []byte
	at   int // file offset of the section header
}

// splitSections parses the sections of a valid file, independently of the
// decoder, so that tests can mutate and reassemble them.
func splitSections(t testing.TB, data []byte) []section {
	t.Helper()
	require.GreaterOrEqual(t, len(data), HeaderSize+ChecksumSize)
	end := len(data) - ChecksumSize
	var out []section
	for off := HeaderSize; off < end; {
		require.LessOrEqual(t, off+sectionHeaderSize, end, "section header at %d", off)
		n := int(binary.LittleEndian.Uint64(data[off+4:]))
		body := off + sectionHeaderSize
		require.LessOrEqual(t, body+n, end, "section body at %d", body)
		out = append(out, section{tag: string(data[off : off+4]), body: data[body : body+n], at: off})
		off = body + n
	}
	return out
}

// assemble builds a file with a correct header length and checksum around
// the given sections.
func assemble(secs []section) []byte {
	b := []byte(Magic)
	b = binary.LittleEndian.AppendUint16(b, Version)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint64(b, 0)
	for _, s := range secs {
		b = append(b, s.tag...)
		b = binary.LittleEndian.AppendUint64(b, uint64(len(s.body)))
		b = append(b, s.body...)
	}
	binary.LittleEndian.PutUint64(b[8:], uint64(len(b)-HeaderSize))
	return reseal(b)
}

// reseal recomputes the checksum of a file whose trailer is missing or stale;
// b must not include the trailer if it is missing.
func reseal(b []byte) []byte {
	length := int(binary.LittleEndian.Uint64(b[8:]))
	end := HeaderSize + length
	sum := Checksum(b[:end])
	out := append([]byte(nil), b[:end]...)
	return append(out, sum[:]...)
}

// problems splits a Check error into its lines, one per problem.
func problems(err error) []string {
	if err == nil {
		return nil
	}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		var out []string
		for _, e := range joined.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return strings.Split(err.Error(), "\n")
}

// sentinels are the errors every Decode error wraps one of.
var sentinels = []error{ErrMagic, ErrVersion, ErrTruncated, ErrChecksum, ErrCorrupt}

// classify returns the sentinels err wraps.
func classify(err error) []error {
	var out []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}
