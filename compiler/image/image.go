package image

import (
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/core"
	"github.com/tessera-sim/tessera/core/learn"
)

// Image is a compiled network mapped onto a chip.
type Image struct {
	Name   string
	Preset preset.Spec
	// DtPS is the algorithmic timestep the network was written for, in ps.
	DtPS        int64
	Cores       []Core       // only cores in use, in increasing ID order
	Inputs      []Input      // input sources, injected by the host
	Populations []Population // name → where its neurons live
	Probes      []Probe
}

// Core is one neurocore's contents. Neuron arrays have NumNeurons entries;
// synapses are stored axon by axon (CSR: axon a owns synapses
// AxonStart[a]..AxonStart[a+1]); routes neuron by neuron likewise.
type Core struct {
	ID   int32 // global core id: tile (x + y·width) · cores per tile + slot
	Used bool  // always true in a written image; kept for inspect output

	// Neurons (structure of arrays).
	Du, Dv   []int32
	Vth      []int32
	BiasMant []int32
	BiasExp  []int32
	UInit    []int32
	VInit    []int32

	// Model is the neuron model shared by the core's neurons.
	Model core.Model

	// WeightExp has one entry per weight-exponent class; a synapse names its
	// class. Sums are formed per class and shifted by its exponent.
	WeightExp []int32

	// Synapse memory.
	AxonStart []uint32 // len = number of axons + 1
	SynNeuron []uint32 // target neuron within this core
	SynWeight []int32
	SynDelay  []uint8
	SynClass  []uint8

	// Output routes: a spike of neuron n becomes one packet per route
	// RouteStart[n]..RouteStart[n+1], to (RouteCore, RouteAxon).
	RouteStart []uint32 // len = NumNeurons + 1
	RouteCore  []uint32
	RouteAxon  []uint32

	// Plastic synapse groups: learning on the core.
	Plastic []Plastic
}

// Plastic is one plastic synapse group of a core (core.PlasticGroup): all
// the core's neurons from each of a list of axons, with a learning rule.
type Plastic struct {
	Projection    string // the projection it came from (for weight dumps)
	Rule          string // rule text, as learn.ParseRule reads it
	TEpoch        int32
	Traces        [5]learn.Trace // x1, x2, y1, y2, y3
	SignMode      learn.SignMode
	NumWeightBits int32
	WeightExp     int32
	PrePopulation string
	Axons         []uint32 // pre input j arrives on Axons[j]
	PreNeurons    []int32  // and is neuron PreNeurons[j] of PrePopulation
	Weights       []int32  // [post][pre], post = every neuron of the core
}

// Params converts the group to the learning engine's parameters.
func (p *Plastic) Params() (learn.Params, error) {
	rule, err := learn.ParseRule(p.Rule)
	if err != nil {
		return learn.Params{}, err
	}
	return learn.Params{Rule: rule, TEpoch: int(p.TEpoch), X1: p.Traces[0], X2: p.Traces[1], Y1: p.Traces[2],
		Y2: p.Traces[3], Y3: p.Traces[4], SignMode: p.SignMode, NumWeightBits: int(p.NumWeightBits),
		WeightExp: int(p.WeightExp)}, nil
}

// NumNeurons is the number of neurons in use on the core.
func (c *Core) NumNeurons() int { return len(c.Du) }

// NumAxons is the number of input axons in use on the core.
func (c *Core) NumAxons() int {
	if len(c.AxonStart) == 0 {
		return 0
	}
	return len(c.AxonStart) - 1
}

// InputKind mirrors graph.InputKind in the image.
type InputKind uint8

const (
	InputRaster  InputKind = 1
	InputPoisson InputKind = 2
)

// Input is an input population. Its spikes come from the host, which
// injects them at tile (0, 0) — the chip's corner port — from where they
// cross the mesh like any other packet.
type Input struct {
	Population string
	Size       int32
	Kind       InputKind
	Spikes     []Spike // raster, sorted by (Step, Index)
	// Poisson: each channel spikes in a step with probability ProbQ32 / 2³².
	ProbQ32 uint32
	Seed    uint64
	// Routes per channel, CSR as in Core.
	RouteStart []uint32
	RouteCore  []uint32
	RouteAxon  []uint32
}

// Spike is one raster spike (1-based step).
type Spike struct {
	Step  int32
	Index int32
}

// Population says where a population's neurons were placed: slice k holds
// neurons Start..Start+Count-1 as neurons Offset.. of core Core. Inputs have
// no slices.
type Population struct {
	Name    string
	Size    int32
	IsInput bool
	Slices  []Slice
}

// Slice is one partition of a population.
type Slice struct {
	Core   int32
	Offset int32 // first neuron index within the core
	Start  int32 // first neuron index within the population
	Count  int32
}

// Signal is a bit set of what a probe records.
type Signal uint8

const (
	SignalSpikes Signal = 1 << iota
	SignalU
	SignalV
)

// Probe records signals of some neurons of one population.
type Probe struct {
	Population string
	Signals    Signal
	Neurons    []int32 // indices within the population; never empty in an image
}
