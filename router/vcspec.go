package router

import (
	"errors"
	"fmt"
)

// VCSpec configures the cycle-accurate input-buffered virtual-channel router
// (VCRouter): how many virtual channels each input port has, how deep their
// buffers are, and what each pipeline stage costs in cycles.
//
// A head flit goes through route computation (RouteCycles; 0 means
// lookahead routing, the route is known when the flit arrives), VC
// allocation (VCAllocCycles), switch allocation (SwitchAllocCycles), switch
// traversal (SwitchCycles) and the link (LinkCycles); body and tail flits go
// through switch allocation and traversal only. A flit leaves its input
// buffer when it wins switch allocation and the allocation stage ends; the
// credit for its slot reaches the upstream router CreditCycles later.
//
// Zero-load latency of one hop (flit at the front of an input buffer → the
// same flit at the front of the next router's buffer) is
// RouteCycles + VCAllocCycles + SwitchAllocCycles + SwitchCycles + LinkCycles.
//
// VCSpec is separate from Spec (the per-hop cost model the chip charges) so
// that presets and images written before the cycle model keep their meaning.
type VCSpec struct {
	VCs         int `json:"vcs" yaml:"vcs"`                   // virtual channels per input port, 1..16
	BufferFlits int `json:"buffer_flits" yaml:"buffer_flits"` // private buffer per VC, in flits

	RouteCycles       int `json:"route_cycles" yaml:"route_cycles"`               // 0 = lookahead
	VCAllocCycles     int `json:"vc_alloc_cycles" yaml:"vc_alloc_cycles"`         // ≥ 1
	SwitchAllocCycles int `json:"switch_alloc_cycles" yaml:"switch_alloc_cycles"` // ≥ 1
	SwitchCycles      int `json:"switch_cycles" yaml:"switch_cycles"`             // switch traversal, ≥ 0
	LinkCycles        int `json:"link_cycles" yaml:"link_cycles"`                 // link traversal, ≥ 1
	CreditCycles      int `json:"credit_cycles" yaml:"credit_cycles"`             // credit return over the link, ≥ 0
}

// MaxStageCycles bounds every pipeline stage (it sizes the network's
// timing wheel).
const MaxStageCycles = 64

// MaxPorts is the most ports a VCRouter can have (4 mesh ports + up to 12
// local ports), and MaxInputVCs the most input VCs (ports × VCs).
const (
	MaxPorts    = 16
	MaxInputVCs = 64
)

// DefaultVCSpec is the conventional input-queued router of the validation
// spec (router `iq_default`): 2 VCs of 8 flits, every stage one cycle
// (route computation, VC allocation, switch allocation, switch traversal,
// link), credits return in one cycle over the link.
func DefaultVCSpec() VCSpec {
	return VCSpec{
		VCs: 2, BufferFlits: 8,
		RouteCycles: 1, VCAllocCycles: 1, SwitchAllocCycles: 1, SwitchCycles: 1, LinkCycles: 1,
		CreditCycles: 1,
	}
}

// MinimalVCSpec is DefaultVCSpec with route computation folded away
// (lookahead routing; router `iq_min`).
func MinimalVCSpec() VCSpec {
	s := DefaultVCSpec()
	s.RouteCycles = 0
	return s
}

// HopCycles is the zero-load cycles from a flit's arrival at one router's
// input buffer to its arrival at the next one's.
func (s VCSpec) HopCycles() int {
	return s.RouteCycles + s.VCAllocCycles + s.SwitchAllocCycles + s.SwitchCycles + s.LinkCycles
}

// Validate reports every bad field.
func (s VCSpec) Validate() error {
	var errs []error
	bad := func(name string, v, lo, hi int) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("router vc spec: %s must be in %d..%d, got %d", name, lo, hi, v))
		}
	}
	bad("vcs", s.VCs, 1, 16)
	bad("buffer_flits", s.BufferFlits, 1, 1<<15)
	bad("route_cycles", s.RouteCycles, 0, MaxStageCycles)
	bad("vc_alloc_cycles", s.VCAllocCycles, 1, MaxStageCycles)
	bad("switch_alloc_cycles", s.SwitchAllocCycles, 1, MaxStageCycles)
	bad("switch_cycles", s.SwitchCycles, 0, MaxStageCycles)
	bad("link_cycles", s.LinkCycles, 1, MaxStageCycles)
	bad("credit_cycles", s.CreditCycles, 0, MaxStageCycles)
	return errors.Join(errs...)
}

// PortMask is a set of ports, bit p for Port p. A route is a PortMask: one
// bit for a unicast hop, several for a multicast fork, none for "no route"
// (the packet is dropped and reported).
type PortMask uint16

// Has reports whether p is in the set.
func (m PortMask) Has(p Port) bool { return m&(1<<p) != 0 }

// MaskOf is the set of the given ports.
func MaskOf(ports ...Port) PortMask {
	var m PortMask
	for _, p := range ports {
		m |= 1 << p
	}
	return m
}

// LocalPort is the port of local (injection/ejection) port i of a tile:
// Local for i = 0, then NumPorts, NumPorts+1, … for the further cores of a
// tile that has several.
func LocalPort(i int) Port {
	if i == 0 {
		return Local
	}
	return Port(int(NumPorts) + i - 1)
}

// LocalIndex is the inverse of LocalPort: which local port p is, or -1 for
// a mesh port.
func LocalIndex(p Port) int {
	switch {
	case p == Local:
		return 0
	case p >= NumPorts:
		return int(p) - int(NumPorts) + 1
	}
	return -1
}

// PortsFor is the number of ports of a router with localPorts local ports.
func PortsFor(localPorts int) int { return int(NumPorts) + localPorts - 1 }
