package image

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
)

// bigImage is a ring of cores on the loihi preset: neuron i of core c
// drives axon i of core c+1, whose synapses reach fanOut neurons.
func bigImage(cores, neurons, fanOut int) *Image {
	img := &Image{Name: "ring", Preset: preset.Loihi(), DtPS: 1_000_000_000}
	pop := Population{Name: "ring", Size: int32(cores * neurons)}
	for c := range cores {
		co := Core{ID: int32(c), Used: true, WeightExp: []int32{0}}
		for _, a := range []*[]int32{&co.Du, &co.Dv, &co.Vth, &co.BiasMant, &co.BiasExp, &co.UInit, &co.VInit} {
			*a = make([]int32, neurons)
		}
		co.AxonStart = make([]uint32, 0, neurons+1)
		co.RouteStart = make([]uint32, 0, neurons+1)
		for i := range neurons {
			co.Du[i], co.Dv[i], co.Vth[i] = int32(i%4096), 100, 64
			co.AxonStart = append(co.AxonStart, uint32(len(co.SynNeuron)))
			for j := range fanOut {
				co.SynNeuron = append(co.SynNeuron, uint32((i+j)%neurons))
				co.SynWeight = append(co.SynWeight, int32(j%200-100))
				co.SynDelay = append(co.SynDelay, uint8(j%16))
				co.SynClass = append(co.SynClass, 0)
			}
			co.RouteStart = append(co.RouteStart, uint32(i))
			co.RouteCore = append(co.RouteCore, uint32((c+1)%cores))
			co.RouteAxon = append(co.RouteAxon, uint32(i))
		}
		co.AxonStart = append(co.AxonStart, uint32(len(co.SynNeuron)))
		co.RouteStart = append(co.RouteStart, uint32(neurons))
		img.Cores = append(img.Cores, co)
		pop.Slices = append(pop.Slices, Slice{Core: int32(c), Start: int32(c * neurons), Count: int32(neurons)})
	}
	img.Populations = []Population{pop}
	img.Probes = []Probe{{Population: "ring", Signals: SignalSpikes, Neurons: []int32{0, 1, 2}}}
	return img
}

// The loihi chip full: 128 cores × 1024 neurons × 64 synapses per axon.
func benchImage(b *testing.B) (*Image, []byte) {
	img := bigImage(128, 1024, 64)
	data, err := Encode(img)
	require.NoError(b, err)
	return img, data
}

func BenchmarkEncode(b *testing.B) {
	img, data := benchImage(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	_, data := benchImage(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	img, _ := benchImage(b)
	var syn int
	for i := range img.Cores {
		syn += len(img.Cores[i].SynNeuron)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := img.Check(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(syn)*float64(b.N)/b.Elapsed().Seconds(), "synapses/s")
}

func BenchmarkDisassemble(b *testing.B) {
	img, _ := benchImage(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := Disassemble(io.Discard, img); err != nil {
			b.Fatal(err)
		}
	}
}
