package image

import (
	"fmt"
	"strings"
)

// Normalize replaces every empty, non-nil slice of img with nil, which is how
// Decode returns them. After it, Decode(Encode(img)) deep-equals img.
func (img *Image) Normalize() {
	if img == nil {
		return
	}
	nilIfEmpty(&img.Cores)
	nilIfEmpty(&img.Inputs)
	nilIfEmpty(&img.Populations)
	nilIfEmpty(&img.Probes)
	for i := range img.Cores {
		c := &img.Cores[i]
		for _, a := range [...]*[]int32{&c.Du, &c.Dv, &c.Vth, &c.BiasMant, &c.BiasExp, &c.UInit, &c.VInit, &c.WeightExp, &c.SynWeight} {
			nilIfEmpty(a)
		}
		for _, a := range [...]*[]uint32{&c.AxonStart, &c.SynNeuron, &c.RouteStart, &c.RouteCore, &c.RouteAxon} {
			nilIfEmpty(a)
		}
		nilIfEmpty(&c.SynDelay)
		nilIfEmpty(&c.SynClass)
	}
	for i := range img.Inputs {
		in := &img.Inputs[i]
		nilIfEmpty(&in.Spikes)
		nilIfEmpty(&in.RouteStart)
		nilIfEmpty(&in.RouteCore)
		nilIfEmpty(&in.RouteAxon)
	}
	for i := range img.Populations {
		nilIfEmpty(&img.Populations[i].Slices)
	}
	for i := range img.Probes {
		nilIfEmpty(&img.Probes[i].Neurons)
	}
}

func nilIfEmpty[T any](s *[]T) {
	if len(*s) == 0 {
		*s = nil
	}
}

// String is "raster", "poisson", or InputKind(n) for an unknown kind.
func (k InputKind) String() string {
	switch k {
	case InputRaster:
		return "raster"
	case InputPoisson:
		return "poisson"
	}
	return fmt.Sprintf("InputKind(%d)", uint8(k))
}

// SignalsKnown is every Signal bit this build defines.
const SignalsKnown = SignalSpikes | SignalU | SignalV

// String lists the set signals, e.g. "spikes|v"; "none" for the empty set and
// a hex remainder for unknown bits.
func (s Signal) String() string {
	if s == 0 {
		return "none"
	}
	var parts []string
	for _, b := range [...]struct {
		bit  Signal
		name string
	}{{SignalSpikes, "spikes"}, {SignalU, "u"}, {SignalV, "v"}} {
		if s&b.bit != 0 {
			parts = append(parts, b.name)
		}
	}
	if rest := s &^ SignalsKnown; rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint8(rest)))
	}
	return strings.Join(parts, "|")
}

// population returns the population named name, or nil.
func (img *Image) population(name string) *Population {
	for i := range img.Populations {
		if img.Populations[i].Name == name {
			return &img.Populations[i]
		}
	}
	return nil
}
