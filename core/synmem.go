package core

import "math/bits"

// Encoding is how one axon's synapse list is laid out in synapse memory.
// Loihi offers several and its compiler picks, per list, the one that takes
// the fewest bits; so does ours.
type Encoding uint8

const (
	// Sparse stores each synapse with the index of its target neuron.
	Sparse Encoding = iota + 1
	// Dense stores one entry per neuron of the span from the first to the
	// last target, and the span's start once.
	Dense
	// RunLength stores each synapse with the gap from the previous target
	// (RunBits wide), so it needs every gap < 2^RunBits.
	RunLength
	// Crossbar is TrueNorth's: one bit per (axon, neuron), the weight coming
	// from the axon's type.
	Crossbar
)

func (e Encoding) String() string {
	switch e {
	case Sparse:
		return "sparse"
	case Dense:
		return "dense"
	case RunLength:
		return "run-length"
	case Crossbar:
		return "crossbar"
	}
	return "unknown"
}

// RunBits is the width of a run-length gap field.
const RunBits = 6

// SynapseGroup summarises the synapses of one axon on one core — what
// their memory footprint depends on.
type SynapseGroup struct {
	Count                int   // synapses
	MinNeuron, MaxNeuron int   // first and last target neuron
	MaxGap               int   // largest distance between consecutive targets (first: from 0)
	MinWeight, MaxWeight int32 // weight range
	MaxDelay             int   // largest delay
}

// WeightBits is the narrowest weight field that holds every weight of the
// group exactly: the magnitude bits, plus a sign bit when signs are mixed.
// Loihi's synapse formats allow 1..9 bits; a group of zero weights still
// takes one bit.
func (g SynapseGroup) WeightBits() int {
	mag := max(absInt32(g.MinWeight), absInt32(g.MaxWeight))
	b := bits.Len32(uint32(mag))
	if g.MinWeight < 0 && g.MaxWeight > 0 {
		b++
	}
	return max(b, 1)
}

func absInt32(x int32) int32 { return max(x, -x) }

// GroupBits is the synapse memory a group takes on a core of this spec, in
// its cheapest encoding, and that encoding. A delay field (wide enough for
// the spec's largest delay) is only stored when a synapse of the group has
// a delay.
func (s Spec) GroupBits(g SynapseGroup) (int, Encoding) {
	if g.Count == 0 {
		return 0, Sparse
	}
	if s.Crossbar {
		return s.MaxNeurons, Crossbar
	}
	entry := g.WeightBits()
	if g.MaxDelay > 0 {
		entry += bits.Len(uint(s.MaxDelay))
	}
	index := bits.Len(uint(max(s.MaxNeurons-1, 1)))
	best, enc := g.Count*(entry+index), Sparse
	if d := (g.MaxNeuron-g.MinNeuron+1)*entry + index; d < best {
		best, enc = d, Dense
	}
	if g.MaxGap < 1<<RunBits {
		if r := g.Count * (entry + RunBits); r < best {
			best, enc = r, RunLength
		}
	}
	return best, enc
}
