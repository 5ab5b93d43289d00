package image

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Encode returns the .tsi bytes of img. It runs img.Check first and encodes
// nothing if the image is inconsistent. The encoding is deterministic: the same
// image always gives the same bytes.
func Encode(img *Image) ([]byte, error) {
	if img == nil {
		return nil, fmt.Errorf("image: encode: nil image")
	}
	if err := img.Check(); err != nil {
		return nil, fmt.Errorf("image: not encoded, the image is inconsistent:\n%w", err)
	}
	return encode(img)
}

// encode is Encode without the check. On an image whose neuron or synapse
// arrays differ in length it writes a file that does not decode; tests use
// it to write inconsistent images.
func encode(img *Image) ([]byte, error) {
	presetJSON, err := json.Marshal(img.Preset)
	if err != nil {
		return nil, fmt.Errorf("image: encode preset: %w", err)
	}

	e := encoder{b: make([]byte, 0, img.encodedSizeHint()+len(presetJSON))}
	e.b = append(e.b, Magic...)
	e.u16(Version)
	e.u16(0) // flags: none defined in version 1
	e.u64(0) // payload length, patched below

	s := e.begin(tagMeta)
	e.str(img.Name)
	e.i64(img.DtPS)
	e.end(s)

	s = e.begin(tagPreset)
	e.b = append(e.b, presetJSON...)
	e.end(s)

	for i := range img.Cores {
		s = e.begin(tagCore)
		e.core(&img.Cores[i])
		e.end(s)
	}

	s = e.begin(tagInputs)
	e.count(len(img.Inputs), "inputs")
	for i := range img.Inputs {
		e.input(&img.Inputs[i])
	}
	e.end(s)

	s = e.begin(tagPopulations)
	e.count(len(img.Populations), "populations")
	for i := range img.Populations {
		p := &img.Populations[i]
		e.str(p.Name)
		e.i32(p.Size)
		e.bool(p.IsInput)
		e.count(len(p.Slices), "slices")
		for _, sl := range p.Slices {
			e.i32(sl.Core)
			e.i32(sl.Offset)
			e.i32(sl.Start)
			e.i32(sl.Count)
		}
	}
	e.end(s)

	s = e.begin(tagProbes)
	e.count(len(img.Probes), "probes")
	for i := range img.Probes {
		p := &img.Probes[i]
		e.str(p.Population)
		e.u8(uint8(p.Signals))
		e.count(len(p.Neurons), "probe neurons")
		e.i32s(p.Neurons)
	}
	e.end(s)

	if e.err != nil {
		return nil, e.err
	}
	binary.LittleEndian.PutUint64(e.b[8:], uint64(len(e.b)-HeaderSize))
	sum := Checksum(e.b)
	return append(e.b, sum[:]...), nil
}

func (e *encoder) core(c *Core) {
	e.i32(c.ID)
	e.bool(c.Used)
	// Check has made every neuron array as long as Du, and every synapse
	// array as long as SynNeuron, so one count serves each group.
	e.count(len(c.Du), "neurons")
	for _, a := range [...][]int32{c.Du, c.Dv, c.Vth, c.BiasMant, c.BiasExp, c.UInit, c.VInit} {
		e.i32s(a)
	}
	m := &c.Model
	for _, v := range [...]int32{m.RefractorySteps, m.ThetaStep, m.DTheta, m.GradedBits, int32(m.NoiseTarget), m.NoiseExp} {
		e.i32(v)
	}
	e.count(len(c.WeightExp), "weight exponents")
	e.i32s(c.WeightExp)
	e.count(len(c.AxonStart), "axon starts")
	e.u32s(c.AxonStart)
	e.count(len(c.SynNeuron), "synapses")
	e.u32s(c.SynNeuron)
	e.i32s(c.SynWeight)
	e.b = append(e.b, c.SynDelay...)
	e.b = append(e.b, c.SynClass...)
	e.routes(c.RouteStart, c.RouteCore, c.RouteAxon)
	e.count(len(c.Plastic), "plastic groups")
	for i := range c.Plastic {
		p := &c.Plastic[i]
		e.str(p.Projection)
		e.str(p.Rule)
		e.i32(p.TEpoch)
		for _, tr := range p.Traces {
			e.u64(math.Float64bits(tr.Impulse))
			e.u64(math.Float64bits(tr.Tau))
		}
		e.u8(uint8(p.SignMode))
		e.i32(p.NumWeightBits)
		e.i32(p.WeightExp)
		e.str(p.PrePopulation)
		e.count(len(p.Axons), "plastic inputs")
		e.u32s(p.Axons)
		e.i32s(p.PreNeurons)
		e.count(len(p.Weights), "plastic weights")
		e.i32s(p.Weights)
	}
}

func (e *encoder) input(in *Input) {
	e.str(in.Population)
	e.i32(in.Size)
	e.u8(uint8(in.Kind))
	e.count(len(in.Spikes), "spikes")
	for _, s := range in.Spikes {
		e.i32(s.Step)
		e.i32(s.Index)
	}
	e.u32(in.ProbQ32)
	e.u64(in.Seed)
	e.routes(in.RouteStart, in.RouteCore, in.RouteAxon)
}

func (e *encoder) routes(start, core, axon []uint32) {
	e.count(len(start), "route starts")
	e.u32s(start)
	e.count(len(core), "routes")
	e.u32s(core)
	e.u32s(axon)
}

// encodedSizeHint is roughly the encoded size of img without its preset, so
// Encode allocates its buffer once.
func (img *Image) encodedSizeHint() int {
	n := 256 + len(img.Name)
	for i := range img.Cores {
		c := &img.Cores[i]
		n += 64 + 28*len(c.Du) + 4*len(c.WeightExp) + 4*len(c.AxonStart) +
			10*len(c.SynNeuron) + 4*len(c.RouteStart) + 8*len(c.RouteCore)
	}
	for i := range img.Inputs {
		in := &img.Inputs[i]
		n += 64 + len(in.Population) + 8*len(in.Spikes) + 4*len(in.RouteStart) + 8*len(in.RouteCore)
	}
	for i := range img.Populations {
		n += 16 + len(img.Populations[i].Name) + 16*len(img.Populations[i].Slices)
	}
	for i := range img.Probes {
		n += 16 + len(img.Probes[i].Population) + 4*len(img.Probes[i].Neurons)
	}
	return n
}

// encoder appends little-endian fields to b. Its first error sticks.
type encoder struct {
	b   []byte
	err error
}

// begin starts a section and returns where its body starts.
func (e *encoder) begin(tag string) int {
	e.b = append(e.b, tag...)
	e.u64(0) // body length, patched by end
	return len(e.b)
}

// end patches the body length of the section whose body starts at start.
func (e *encoder) end(start int) {
	binary.LittleEndian.PutUint64(e.b[start-8:], uint64(len(e.b)-start))
}

func (e *encoder) count(n int, what string) {
	if uint64(n) > math.MaxUint32 && e.err == nil {
		e.err = fmt.Errorf("image: encode: %d %s do not fit the format's 32-bit count", n, what)
	}
	e.u32(uint32(n))
}

func (e *encoder) u8(v uint8)   { e.b = append(e.b, v) }
func (e *encoder) u16(v uint16) { e.b = binary.LittleEndian.AppendUint16(e.b, v) }
func (e *encoder) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *encoder) i32(v int32)  { e.u32(uint32(v)) }
func (e *encoder) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) i64(v int64)  { e.u64(uint64(v)) }

func (e *encoder) bool(v bool) {
	if v {
		e.u8(1)
	} else {
		e.u8(0)
	}
}

func (e *encoder) str(s string) {
	e.count(len(s), "string bytes")
	e.b = append(e.b, s...)
}

func (e *encoder) i32s(a []int32) {
	n := len(e.b)
	e.b = slices.Grow(e.b, 4*len(a))[:n+4*len(a)]
	for i, v := range a {
		binary.LittleEndian.PutUint32(e.b[n+4*i:], uint32(v))
	}
}

func (e *encoder) u32s(a []uint32) {
	n := len(e.b)
	e.b = slices.Grow(e.b, 4*len(a))[:n+4*len(a)]
	for i, v := range a {
		binary.LittleEndian.PutUint32(e.b[n+4*i:], v)
	}
}
