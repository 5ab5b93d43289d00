package image

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/core"
	"github.com/tessera-sim/tessera/core/learn"
)

// Decode reads an image from its .tsi bytes and validates all of it: magic,
// version, length, checksum, the bounds of every section and field, and
// finally the image itself (Check, which includes Preset.Validate). Every
// error wraps one of ErrMagic, ErrVersion, ErrTruncated, ErrChecksum or
// ErrCorrupt. Decode never panics, and whatever the counts in data say it
// allocates at most a small constant times len(data): a count is believed
// only if the rest of its section can hold that many elements.
//
// Empty slices decode as nil, so Decode(Encode(img)) equals img when img's
// empty slices are nil; Normalize makes them so. The result shares no memory
// with data.
func Decode(data []byte) (*Image, error) {
	payload, err := unwrap(data)
	if err != nil {
		return nil, err
	}
	img, err := decodePayload(payload)
	if err != nil {
		return nil, err
	}
	if err := img.Check(); err != nil {
		return nil, fmt.Errorf("%w: the image fails its consistency check:\n%w", ErrCorrupt, err)
	}
	return img, nil
}

// unwrap checks the header and trailer of a file and returns its payload.
func unwrap(data []byte) ([]byte, error) {
	n := len(data)
	if n < len(Magic) {
		if bytes.HasPrefix([]byte(Magic), data) {
			if n == 0 {
				return nil, fmt.Errorf("%w: the file is empty", ErrTruncated)
			}
			return nil, fmt.Errorf("%w: the file is %d bytes, shorter than the %d-byte header", ErrTruncated, n, HeaderSize)
		}
		return nil, fmt.Errorf("%w: the file starts with % x, an image starts with % x", ErrMagic, data, Magic)
	}
	if string(data[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("%w: the file starts with % x, an image starts with % x", ErrMagic, data[:len(Magic)], Magic)
	}
	if n < len(Magic)+2 {
		return nil, fmt.Errorf("%w: the file is %d bytes, shorter than the %d-byte header", ErrTruncated, n, HeaderSize)
	}
	if v := binary.LittleEndian.Uint16(data[4:]); v != Version {
		return nil, fmt.Errorf("%w: the file has format version %d, this build reads version %d "+
			"(compile the network again with this build, or use a tessera build that reads version %d)",
			ErrVersion, v, Version, v)
	}
	if n < HeaderSize {
		return nil, fmt.Errorf("%w: the file is %d bytes, shorter than the %d-byte header", ErrTruncated, n, HeaderSize)
	}
	flags := binary.LittleEndian.Uint16(data[6:])
	length := binary.LittleEndian.Uint64(data[8:])
	rest := uint64(n - HeaderSize)
	if rest < ChecksumSize || length > rest-ChecksumSize {
		return nil, fmt.Errorf("%w: the file has %d bytes after its %d-byte header, "+
			"which announces a %d-byte payload and a %d-byte checksum", ErrTruncated, rest, HeaderSize, length, ChecksumSize)
	}
	end := HeaderSize + int(length)
	want := Checksum(data[:end])
	if !bytes.Equal(want[:], data[end:end+ChecksumSize]) {
		return nil, fmt.Errorf("%w: stored %x…, computed %x…", ErrChecksum, data[end:end+4], want[:4])
	}
	if extra := n - end - ChecksumSize; extra > 0 {
		return nil, fmt.Errorf("%w: %d bytes follow the checksum", ErrCorrupt, extra)
	}
	if flags != 0 {
		return nil, fmt.Errorf("%w: the file sets flags %#04x, which this build does not know (version %d defines none)",
			ErrVersion, flags, Version)
	}
	return data[HeaderSize:end], nil
}

// decodePayload reads the sections of a payload whose checksum matched.
func decodePayload(payload []byte) (*Image, error) {
	sr := sections{p: payload}
	img := &Image{}

	d, err := sr.want(tagMeta, "metadata")
	if err != nil {
		return nil, err
	}
	img.Name = d.str("image name")
	img.DtPS = d.i64("dt_ps")
	if err := d.done(); err != nil {
		return nil, err
	}

	d, err = sr.want(tagPreset, "preset")
	if err != nil {
		return nil, err
	}
	if img.Preset, err = decodePreset(d.b); err != nil {
		return nil, fmt.Errorf("%w: section %q: %w", ErrCorrupt, tagPreset, err)
	}

	for sr.peek() == tagCore {
		d, err := sr.want(tagCore, fmt.Sprintf("cores[%d]", len(img.Cores)))
		if err != nil {
			return nil, err
		}
		c := d.core()
		if err := d.done(); err != nil {
			return nil, err
		}
		img.Cores = append(img.Cores, c)
	}

	if d, err = sr.want(tagInputs, "inputs"); err != nil {
		return nil, err
	}
	if n := d.count("inputs", 33); n > 0 {
		img.Inputs = make([]Input, n)
		for i := range img.Inputs {
			d.input(&img.Inputs[i])
		}
	}
	if err := d.done(); err != nil {
		return nil, err
	}

	if d, err = sr.want(tagPopulations, "populations"); err != nil {
		return nil, err
	}
	if n := d.count("populations", 13); n > 0 {
		img.Populations = make([]Population, n)
		for i := range img.Populations {
			p := &img.Populations[i]
			p.Name = d.str("population name")
			p.Size = d.i32("population size")
			p.IsInput = d.bool("is_input")
			if k := d.count("slices", 16); k > 0 {
				p.Slices = make([]Slice, k)
				for j := range p.Slices {
					p.Slices[j] = Slice{
						Core:   d.i32("slice core"),
						Offset: d.i32("slice offset"),
						Start:  d.i32("slice start"),
						Count:  d.i32("slice count"),
					}
				}
			}
		}
	}
	if err := d.done(); err != nil {
		return nil, err
	}

	if d, err = sr.want(tagProbes, "probes"); err != nil {
		return nil, err
	}
	if n := d.count("probes", 9); n > 0 {
		img.Probes = make([]Probe, n)
		for i := range img.Probes {
			p := &img.Probes[i]
			p.Population = d.str("probe population")
			p.Signals = Signal(d.u8("probe signals"))
			p.Neurons = d.i32s(d.count("probe neurons", 4), "probe neurons")
		}
	}
	if err := d.done(); err != nil {
		return nil, err
	}

	if left := len(sr.p) - sr.off; left > 0 {
		if left < sectionHeaderSize {
			return nil, fmt.Errorf("%w: section header at byte %d needs %d bytes, %d left",
				ErrTruncated, HeaderSize+sr.off, sectionHeaderSize, left)
		}
		return nil, fmt.Errorf("%w: section %q at byte %d follows the last section %q",
			ErrCorrupt, sr.peek(), HeaderSize+sr.off, tagProbes)
	}
	return img, nil
}

// decodePreset reads the preset JSON strictly: an unknown field (from a newer
// build, or a typo in a hand-edited file) or trailing data is an error.
func decodePreset(body []byte) (preset.Spec, error) {
	var s preset.Spec
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return preset.Spec{}, fmt.Errorf("preset JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return preset.Spec{}, errors.New("preset JSON: data after the preset object")
	}
	return s, nil
}

// sections walks the sections of a payload.
type sections struct {
	p   []byte
	off int
}

// peek returns the next section's tag, or "" at the end of the payload (or
// before a header too short to hold a tag, which want then reports).
func (s *sections) peek() string {
	if len(s.p)-s.off < 4 {
		return ""
	}
	return string(s.p[s.off : s.off+4])
}

// want reads the next section, which must have the given tag, and returns a
// decoder over its body. name says which section in errors.
func (s *sections) want(tag, name string) (*decoder, error) {
	at := HeaderSize + s.off // file offset, for messages
	left := len(s.p) - s.off
	if left == 0 {
		return nil, fmt.Errorf("%w: section %q (%s) is missing; the payload ends at byte %d", ErrCorrupt, tag, name, at)
	}
	if left < sectionHeaderSize {
		return nil, fmt.Errorf("%w: section header at byte %d needs %d bytes, %d left", ErrTruncated, at, sectionHeaderSize, left)
	}
	got := string(s.p[s.off : s.off+4])
	if got != tag {
		if !knownTag(got) {
			return nil, fmt.Errorf("%w: unknown section tag %q at byte %d, where section %q (%s) belongs", ErrCorrupt, got, at, tag, name)
		}
		return nil, fmt.Errorf("%w: section %q at byte %d, where section %q (%s) belongs (sections out of order)", ErrCorrupt, got, at, tag, name)
	}
	length := binary.LittleEndian.Uint64(s.p[s.off+4:])
	body := uint64(left - sectionHeaderSize)
	if length > body {
		return nil, fmt.Errorf("%w: section %q (%s) at byte %d needs %d bytes, %d left", ErrTruncated, tag, name, at, length, body)
	}
	start := s.off + sectionHeaderSize
	s.off = start + int(length)
	return &decoder{b: s.p[start:s.off], where: fmt.Sprintf("section %q (%s)", tag, name)}, nil
}

func knownTag(t string) bool {
	switch t {
	case tagMeta, tagPreset, tagCore, tagInputs, tagPopulations, tagProbes:
		return true
	}
	return false
}

// decoder reads little-endian fields from one section body. Its first error
// sticks: later reads return zero values, and done reports it.
type decoder struct {
	b     []byte
	off   int
	where string
	err   error
}

// done reports the first error, or unread bytes at the end of the section.
func (d *decoder) done() error {
	if d.err == nil && d.off != len(d.b) {
		d.err = fmt.Errorf("%w: %s: %d unused bytes at the end of the section", ErrCorrupt, d.where, len(d.b)-d.off)
	}
	return d.err
}

// need reports whether n more bytes are left, and records a truncation error
// naming what (formatted only on failure) if not.
func (d *decoder) need(n uint64, what string, args ...any) bool {
	if d.err != nil {
		return false
	}
	if left := uint64(len(d.b) - d.off); n > left {
		d.err = fmt.Errorf("%w: %s: reading %s needs %d bytes, %d left", ErrTruncated, d.where, fmt.Sprintf(what, args...), n, left)
		return false
	}
	return true
}

func (d *decoder) take(n uint64, what string) []byte {
	if !d.need(n, "%s", what) {
		return nil
	}
	s := d.b[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) u8(what string) uint8 {
	if b := d.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u32(what string) uint32 {
	if b := d.take(4, what); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) i32(what string) int32 { return int32(d.u32(what)) }

func (d *decoder) u64(what string) uint64 {
	if b := d.take(8, what); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) i64(what string) int64 { return int64(d.u64(what)) }

func (d *decoder) bool(what string) bool {
	at := d.off
	switch v := d.u8(what); v {
	case 0:
		return false
	case 1:
		return true
	default:
		if d.err == nil {
			d.err = fmt.Errorf("%w: %s: %s is %d at section byte %d; a bool is 0 or 1", ErrCorrupt, d.where, what, v, at)
		}
		return false
	}
}

func (d *decoder) str(what string) string {
	n := d.u32(what + " length")
	return string(d.take(uint64(n), what))
}

// count reads a u32 element count and checks that the section has room for
// that many elements of at least elemSize bytes each, so a corrupted count
// fails here instead of making the caller allocate for it.
func (d *decoder) count(what string, elemSize uint64) int {
	n := d.u32(what + " count")
	if !d.need(uint64(n)*elemSize, "%d %s", n, what) {
		return 0
	}
	return int(n)
}

func (d *decoder) i32s(n int, what string) []int32 {
	b := d.take(4*uint64(n), what)
	if len(b) == 0 {
		return nil
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func (d *decoder) u32s(n int, what string) []uint32 {
	b := d.take(4*uint64(n), what)
	if len(b) == 0 {
		return nil
	}
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

func (d *decoder) u8s(n int, what string) []uint8 {
	b := d.take(uint64(n), what)
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

func (d *decoder) core() Core {
	var c Core
	c.ID = d.i32("core id")
	c.Used = d.bool("used")
	n := d.count("neurons", 7*4)
	c.Du = d.i32s(n, "du")
	c.Dv = d.i32s(n, "dv")
	c.Vth = d.i32s(n, "vth")
	c.BiasMant = d.i32s(n, "bias_mant")
	c.BiasExp = d.i32s(n, "bias_exp")
	c.UInit = d.i32s(n, "u_init")
	c.VInit = d.i32s(n, "v_init")
	m := &c.Model
	m.RefractorySteps = d.i32("refractory_steps")
	m.ThetaStep = d.i32("theta_step")
	m.DTheta = d.i32("dtheta")
	m.GradedBits = d.i32("graded_bits")
	m.NoiseTarget = core.NoiseTarget(d.i32("noise_target"))
	m.NoiseExp = d.i32("noise_exp")
	c.WeightExp = d.i32s(d.count("weight exponents", 4), "weight exponents")
	c.AxonStart = d.u32s(d.count("axon starts", 4), "axon starts")
	s := d.count("synapses", 4+4+1+1)
	c.SynNeuron = d.u32s(s, "syn_neuron")
	c.SynWeight = d.i32s(s, "syn_weight")
	c.SynDelay = d.u8s(s, "syn_delay")
	c.SynClass = d.u8s(s, "syn_class")
	c.RouteStart, c.RouteCore, c.RouteAxon = d.routes()
	if n := d.count("plastic groups", 4+4+4+80+1+4+4+4+4+4); n > 0 {
		c.Plastic = make([]Plastic, n)
		for i := range c.Plastic {
			p := &c.Plastic[i]
			p.Projection = d.str("plastic projection")
			p.Rule = d.str("plastic rule")
			p.TEpoch = d.i32("t_epoch")
			for k := range p.Traces {
				p.Traces[k].Impulse = math.Float64frombits(d.u64("trace impulse"))
				p.Traces[k].Tau = math.Float64frombits(d.u64("trace tau"))
			}
			p.SignMode = learn.SignMode(d.u8("sign mode"))
			p.NumWeightBits = d.i32("num_weight_bits")
			p.WeightExp = d.i32("plastic weight_exp")
			p.PrePopulation = d.str("plastic pre population")
			j := d.count("plastic inputs", 8)
			p.Axons = d.u32s(j, "plastic axons")
			p.PreNeurons = d.i32s(j, "plastic pre neurons")
			p.Weights = d.i32s(d.count("plastic weights", 4), "plastic weights")
		}
	}
	return c
}

func (d *decoder) input(in *Input) {
	in.Population = d.str("input population")
	in.Size = d.i32("input size")
	in.Kind = InputKind(d.u8("input kind"))
	if n := d.count("spikes", 8); n > 0 {
		in.Spikes = make([]Spike, n)
		for i := range in.Spikes {
			in.Spikes[i] = Spike{Step: d.i32("spike step"), Index: d.i32("spike index")}
		}
	}
	in.ProbQ32 = d.u32("prob_q32")
	in.Seed = d.u64("seed")
	in.RouteStart, in.RouteCore, in.RouteAxon = d.routes()
}

func (d *decoder) routes() (start, core, axon []uint32) {
	start = d.u32s(d.count("route starts", 4), "route starts")
	n := d.count("routes", 8)
	core = d.u32s(n, "route cores")
	axon = d.u32s(n, "route axons")
	return start, core, axon
}
