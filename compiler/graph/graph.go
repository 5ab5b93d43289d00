// Package graph is the compiler's in-memory network: populations of neurons,
// input sources, projections between them and probes, each remembering where
// in its source file it was written. Every front end (network file, NIR,
// SANA-FE) produces a Graph; every later stage of the compiler reads one.
//
// A Graph holds integer hardware parameters; front ends that accept
// biological floats convert them before building it.
package graph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tessera-sim/tessera/compiler/quantstat"
	"github.com/tessera-sim/tessera/core"
	"github.com/tessera-sim/tessera/core/learn"
)

// Graph is one parsed network.
type Graph struct {
	Name string
	// DtPS is the algorithmic timestep in picoseconds (1 ms = 1e9 ps). It
	// converts rates to per-step probabilities; it is not hardware time.
	DtPS        int64
	Populations []Population // neuron populations and input sources, in file order
	Projections []Projection
	Probes      []Probe
	Pos         Pos // the file itself
	// Quantization reports, for front ends that take floats (biological
	// units, NIR, SANA-FE), how far the integers are from the floats: one
	// entry per kind of value (e.g. "weights of exc->inh", "decays").
	Quantization []Quantization
}

// Quantization is the error of one kind of quantized value.
type Quantization struct {
	What string
	Stat quantstat.Stat
}

// Population is a group of neurons, or of input channels when Input is set.
type Population struct {
	Name   string
	Size   int
	Neuron NeuronParams // unused for inputs
	Input  *InputSource // nil for neuron populations
	Pos    Pos
}

// IsInput says whether the population is an input source.
func (p *Population) IsInput() bool { return p.Input != nil }

// NeuronParams are integer CUBA LIF fields as Loihi stores them. The
// per-neuron slices have length Size (front ends expand a scalar).
type NeuronParams struct {
	// Model is "lif" or "if" (non-leaky integrate-and-fire: the front end
	// sets Du = 4095 and Dv = 0).
	Model    string
	Du, Dv   int32 // 12-bit decay constants, 0..4095
	Vth      int32 // threshold mantissa; compared as vth<<6
	BiasMant []int32
	BiasExp  []int32
	UInit    []int32
	VInit    []int32
	// Options are the variants on the LIF datapath: refractory period,
	// adaptive threshold, graded spikes, noise (see core.Model). The zero
	// value is the plain Loihi LIF.
	Options core.Model
}

// InputKind says where an input population's spikes come from.
type InputKind uint8

const (
	InputRaster  InputKind = iota + 1 // a fixed list of (step, index) spikes
	InputPoisson                      // independent Bernoulli spikes each step, seeded
)

// InputSource describes an input population's spikes.
type InputSource struct {
	Kind InputKind
	// Raster: spikes sorted by (Step, Index). Steps are 1-based timesteps.
	Spikes []Spike
	File   string // raster file it came from, if any (for messages)
	// Poisson: rate and seed.
	RateHz float64
	Seed   uint64
}

// Spike is one input spike.
type Spike struct {
	Step  int32 // 1-based timestep
	Index int32 // channel within the population
}

// ConnKind is a connectivity rule.
type ConnKind uint8

const (
	AllToAll ConnKind = iota + 1
	OneToOne
	FixedProbability
	List
)

func (k ConnKind) String() string {
	switch k {
	case AllToAll:
		return "all_to_all"
	case OneToOne:
		return "one_to_one"
	case FixedProbability:
		return "fixed_probability"
	case List:
		return "list"
	}
	return fmt.Sprintf("ConnKind(%d)", uint8(k))
}

// Projection is a set of synapses from Pre to Post.
type Projection struct {
	Name      string // optional; "pre->post" when not given
	Pre, Post string
	Conn      Connectivity
	Weight    int32 // default weight for generated synapses (signed)
	// WeightInit, if set, draws each generated synapse's weight instead:
	// uniformly from Lo..Hi inclusive, from a generator seeded by Seed
	// (pairs of a list that give their own weight keep it).
	WeightInit *WeightInit
	WeightExp  int32 // a_in = (sum of weights) shifted by WeightExp (left if > 0)
	Delay      int32 // default delay in timesteps
	// Plasticity, if set, makes the projection's synapses learn on the
	// chip. Plastic projections are all-to-all, without delays.
	Plasticity *Plasticity
	Pos        Pos
}

// Plasticity is a projection's on-chip learning rule (package core/learn).
type Plasticity struct {
	// Rule is the rule text (`2^-2*x1*y0 - 2^-2*y1*x0`) — a named rule
	// (pair_stdp, multiplicative_stdp, triplet_stdp) is expanded to its
	// text by the front end.
	Rule    string
	RulePos Pos // where the rule text starts, for positioned rule errors
	TEpoch  int32
	// Traces x1, x2, y1, y2, y3: impulse and decay time constant (steps).
	Traces        [5]learn.Trace
	SignMode      learn.SignMode
	NumWeightBits int32
	Pos           Pos
}

// WeightInit is a seeded random initial weight.
type WeightInit struct {
	Lo, Hi int32
	Seed   uint64
}

// Connectivity is a projection's rule for which synapses exist.
type Connectivity struct {
	Kind  ConnKind
	P     float64 // FixedProbability
	Seed  uint64  // FixedProbability
	Pairs []Pair  // List
}

// Pair is one explicit synapse; a nil Weight or Delay takes the projection's.
type Pair struct {
	Pre, Post int32
	Weight    *int32
	Delay     *int32
}

// Probe asks the chip to record signals of some neurons.
type Probe struct {
	Population string
	Spikes     bool
	U, V       bool
	Neurons    []int32 // nil means every neuron
	Pos        Pos
}

// Pos is a place in a source file.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	switch {
	case p.File == "":
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	case p.Line == 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is one problem with a network, at a place.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Errorf builds an *Error.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// ErrorList is every problem found in one pass, so a user fixes them all at once.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(pos Pos, format string, args ...any) {
	*l = append(*l, Errorf(pos, format, args...))
}

// Sort orders errors by file, line and column.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Err returns nil for an empty list, else the list itself as an error.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	if len(l) > 1 {
		fmt.Fprintf(&b, "\n(%d errors)", len(l))
	}
	return b.String()
}

// Population returns the population named name, or nil.
func (g *Graph) Population(name string) *Population {
	for i := range g.Populations {
		if g.Populations[i].Name == name {
			return &g.Populations[i]
		}
	}
	return nil
}
