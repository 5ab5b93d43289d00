package nir

import (
	"github.com/tessera-sim/tessera/compiler/quantstat"

	"fmt"
	"strings"
)

// Report says what Import had to approximate.
type Report struct {
	// Weights compares each synapse's ideal weight (the NIR weight times
	// the neuron's input gain, in the target's voltage units) with the
	// stored mantissa times 2^WeightExp. Zeroed counts synapses whose
	// weight rounded to 0 and were left out.
	Weights Quant
	// Decays compares dt/tau with dv/4096 (and dt/tau_syn with
	// (du+1)/4096), per neuron. Zeroed counts leaks that rounded to none.
	Decays Quant
	// Biases compares each neuron's constant drive (leak towards v_leak,
	// Affine/Conv biases) with bias_mant<<bias_exp.
	Biases Quant
	// Delays compares each Delay element in steps with its rounding.
	Delays Quant
	// Populations maps NIR nodes to the populations made of them.
	Populations []PopulationMap
	// Projections describes each projection made.
	Projections []ProjectionStat
	// Notes lists everything else the import assumed or left out.
	Notes []string
}

// Quant is the quantization error of one kind of value (see
// compiler/quantstat).
type Quant = quantstat.Stat

// PopulationMap says which population holds which elements of a NIR node.
type PopulationMap struct {
	Node       string // qualified node name
	Type       string // NIR type
	Population string
	// Elements are the node's elements (flat, C order) held by the
	// population, in neuron order; nil means all of them, in order.
	Elements []int32
}

// ProjectionStat describes one projection.
type ProjectionStat struct {
	Name      string
	Synapses  int
	WeightExp int32
	WorstRel  float64 // worst relative weight error in this projection
}

func (r *Report) finish() {
	r.Weights.Finish()
	r.Decays.Finish()
	r.Biases.Finish()
	r.Delays.Finish()
}

// String is a compact, stable text form of the report.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "weights: %v\n", r.Weights)
	fmt.Fprintf(&b, "decays:  %v\n", r.Decays)
	fmt.Fprintf(&b, "biases:  %v\n", r.Biases)
	fmt.Fprintf(&b, "delays:  %v\n", r.Delays)
	for _, p := range r.Populations {
		fmt.Fprintf(&b, "node %q (%s) -> population %q", p.Node, p.Type, p.Population)
		if p.Elements != nil {
			fmt.Fprintf(&b, " elements %v", p.Elements)
		}
		b.WriteByte('\n')
	}
	for _, p := range r.Projections {
		fmt.Fprintf(&b, "projection %q: %d synapses, weight_exp %d, worst %.3g%%\n", p.Name, p.Synapses, p.WeightExp, 100*p.WorstRel)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}
