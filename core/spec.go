package core

import (
	"errors"
	"fmt"
)

// Spec is the configuration of one neurocore: its capacity limits and the
// cost (energy and latency) of every operation it performs. Presets fill it;
// a core never invents a cost of its own.
type Spec struct {
	// Capacity.
	MaxNeurons        int `json:"max_neurons" yaml:"max_neurons"`
	MaxAxons          int `json:"max_axons" yaml:"max_axons"`                     // input axons
	MaxRoutes         int `json:"max_routes" yaml:"max_routes"`                   // output axon routes (one per neuron→destination core)
	SynapseMemoryBits int `json:"synapse_memory_bits" yaml:"synapse_memory_bits"` // synapse memory size
	MaxWeightBits     int `json:"max_weight_bits" yaml:"max_weight_bits"`         // weight precision, sign included
	MaxDelay          int `json:"max_delay" yaml:"max_delay"`                     // largest synaptic delay in timesteps
	// MaxRoutesPerNeuron caps the destinations of one neuron (TrueNorth: 1);
	// 0 means only MaxRoutes applies.
	MaxRoutesPerNeuron int `json:"max_routes_per_neuron" yaml:"max_routes_per_neuron"`
	// AxonTypes > 0 means weights are not stored per synapse: each axon has
	// one of AxonTypes types and each neuron one weight per type
	// (TrueNorth: 4). 0 means per-synapse weights (Loihi).
	AxonTypes int `json:"axon_types" yaml:"axon_types"`
	// Crossbar means synapse memory is a full axons × neurons bit matrix
	// (TrueNorth) rather than per-axon synapse lists.
	Crossbar bool `json:"crossbar" yaml:"crossbar"`

	// Cost of each op class: energy in femtojoules, latency in picoseconds.
	SynOp          OpCost `json:"syn_op" yaml:"syn_op"`                   // one synapse of an arriving spike
	SynUpdate      OpCost `json:"syn_update" yaml:"syn_update"`           // one learning update of a synapse
	NeuronActive   OpCost `json:"neuron_active" yaml:"neuron_active"`     // neuron update with state to change
	NeuronInactive OpCost `json:"neuron_inactive" yaml:"neuron_inactive"` // neuron update of a quiescent neuron
	SpikeOut       OpCost `json:"spike_out" yaml:"spike_out"`             // one packet leaving the core (within-tile spike)
}

// OpCost is what one operation costs.
type OpCost struct {
	EnergyFJ  uint64 `json:"energy_fj" yaml:"energy_fj"`
	LatencyPS int64  `json:"latency_ps" yaml:"latency_ps"`
}

// DefaultSpec is a Loihi-1 neurocore (Davies et al., IEEE Micro 2018, Table 2, 0.75 V).
func DefaultSpec() Spec {
	return Spec{
		MaxNeurons:        1024,
		MaxAxons:          4096,
		MaxRoutes:         4096,
		SynapseMemoryBits: 128 * 1024 * 8,
		MaxWeightBits:     9,
		MaxDelay:          63,
		SynOp:             OpCost{EnergyFJ: 23_600, LatencyPS: 3_500},
		SynUpdate:         OpCost{EnergyFJ: 120_000, LatencyPS: 6_100},
		NeuronActive:      OpCost{EnergyFJ: 81_000, LatencyPS: 8_400},
		NeuronInactive:    OpCost{EnergyFJ: 52_000, LatencyPS: 5_300},
		SpikeOut:          OpCost{EnergyFJ: 1_700, LatencyPS: 2_100},
	}
}

// Validate reports every field that is out of range.
func (s Spec) Validate() error {
	var errs []error
	pos := func(name string, v int) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("core spec: %s must be > 0, got %d", name, v))
		}
	}
	pos("max_neurons", s.MaxNeurons)
	pos("max_axons", s.MaxAxons)
	pos("max_routes", s.MaxRoutes)
	pos("synapse_memory_bits", s.SynapseMemoryBits)
	if s.MaxWeightBits < 1 || s.MaxWeightBits > 16 {
		errs = append(errs, fmt.Errorf("core spec: max_weight_bits must be in 1..16, got %d", s.MaxWeightBits))
	}
	if s.MaxDelay < 0 || s.MaxDelay > MaxDelayLimit {
		errs = append(errs, fmt.Errorf("core spec: max_delay must be in 0..%d, got %d", MaxDelayLimit, s.MaxDelay))
	}
	if s.MaxRoutesPerNeuron < 0 {
		errs = append(errs, fmt.Errorf("core spec: max_routes_per_neuron must be ≥ 0, got %d", s.MaxRoutesPerNeuron))
	}
	if s.AxonTypes < 0 || s.AxonTypes > 255 {
		errs = append(errs, fmt.Errorf("core spec: axon_types must be in 0..255, got %d", s.AxonTypes))
	}
	if s.Crossbar && s.MaxAxons*s.MaxNeurons > s.SynapseMemoryBits {
		errs = append(errs, fmt.Errorf("core spec: a crossbar of %d axons × %d neurons needs %d bits, synapse_memory_bits is %d",
			s.MaxAxons, s.MaxNeurons, s.MaxAxons*s.MaxNeurons, s.SynapseMemoryBits))
	}
	if s.MaxNeurons > 1<<16 {
		errs = append(errs, fmt.Errorf("core spec: max_neurons must be ≤ 65536, got %d", s.MaxNeurons))
	}
	for _, c := range []struct {
		name string
		c    OpCost
	}{{"syn_op", s.SynOp}, {"syn_update", s.SynUpdate}, {"neuron_active", s.NeuronActive},
		{"neuron_inactive", s.NeuronInactive}, {"spike_out", s.SpikeOut}} {
		if c.c.LatencyPS < 0 {
			errs = append(errs, fmt.Errorf("core spec: %s.latency_ps must be ≥ 0, got %d", c.name, c.c.LatencyPS))
		}
	}
	return errors.Join(errs...)
}

// MaxDelayLimit is the largest synaptic delay the dendritic ring buffer supports.
const MaxDelayLimit = 63
