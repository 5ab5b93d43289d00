package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWeightBits(t *testing.T) {
	tests := []struct {
		lo, hi int32
		want   int
	}{
		{0, 0, 1}, {0, 1, 1}, {0, 255, 8}, {-255, 0, 8}, {-256, 255, 10}, {-1, 1, 2}, {-128, 127, 9}, {3, 7, 3},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, SynapseGroup{MinWeight: tc.lo, MaxWeight: tc.hi}.WeightBits(), "%d..%d", tc.lo, tc.hi)
	}
}

func TestGroupBits(t *testing.T) {
	s := DefaultSpec() // 1024 neurons: 10 index bits; max delay 63: 6 delay bits
	tests := []struct {
		name string
		g    SynapseGroup
		bits int
		enc  Encoding
	}{
		{"empty", SynapseGroup{}, 0, Sparse},
		// 3 scattered synapses, 8-bit weights: sparse 3·(8+10) = 54.
		{"sparse", SynapseGroup{Count: 3, MinNeuron: 0, MaxNeuron: 900, MaxGap: 500, MaxWeight: 200}, 54, Sparse},
		// All 1024 neurons: dense 1024·8+10 beats RLE 1024·(8+6) and sparse.
		{"dense", SynapseGroup{Count: 1024, MaxNeuron: 1023, MaxGap: 1, MaxWeight: 255}, 1024*8 + 10, Dense},
		// Every 4th neuron: RLE 256·(8+6) = 3584 < dense 1021·8+10 = 8178 < sparse 4608.
		{"run-length", SynapseGroup{Count: 256, MaxNeuron: 1020, MaxGap: 4, MaxWeight: 255}, 256 * 14, RunLength},
		// Gaps too long for RLE fall back to sparse.
		{"gap", SynapseGroup{Count: 2, MaxNeuron: 1000, MaxGap: 1000, MaxWeight: 1}, 2 * 11, Sparse},
		// A delay adds 6 bits per entry.
		{"delay", SynapseGroup{Count: 1, MaxNeuron: 5, MaxGap: 5, MaxWeight: 1, MaxDelay: 3}, 1 + 6 + 6, RunLength},
	}
	for _, tc := range tests {
		b, e := s.GroupBits(tc.g)
		assert.Equal(t, tc.bits, b, tc.name)
		assert.Equal(t, tc.enc, e, tc.name)
	}
	s.Crossbar, s.MaxNeurons = true, 256
	b, e := s.GroupBits(SynapseGroup{Count: 7, MaxNeuron: 200, MaxWeight: 1})
	assert.Equal(t, 256, b)
	assert.Equal(t, Crossbar, e)
}
