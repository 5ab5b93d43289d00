package router

import (
	"errors"
	"fmt"
)

// Spec configures one router: what a hop costs in each direction.
type Spec struct {
	// A hop east or west (along x) and north or south (along y): the router
	// traversal plus the link to the next tile. Loihi charges them differently.
	HopEW HopCost `json:"hop_ew" yaml:"hop_ew"`
	HopNS HopCost `json:"hop_ns" yaml:"hop_ns"`
}

// HopCost is the energy and latency of one hop.
type HopCost struct {
	EnergyFJ  uint64 `json:"energy_fj" yaml:"energy_fj"`
	LatencyPS int64  `json:"latency_ps" yaml:"latency_ps"`
}

// DefaultSpec is a Loihi-1 router (Davies et al. 2018, Table 2).
func DefaultSpec() Spec {
	return Spec{
		HopEW: HopCost{EnergyFJ: 3_000, LatencyPS: 4_100},
		HopNS: HopCost{EnergyFJ: 4_000, LatencyPS: 6_500},
	}
}

// Validate checks that every hop takes time: the mesh has no zero-latency path.
func (s Spec) Validate() error {
	var errs []error
	if s.HopEW.LatencyPS <= 0 {
		errs = append(errs, fmt.Errorf("router spec: hop_ew.latency_ps must be > 0, got %d", s.HopEW.LatencyPS))
	}
	if s.HopNS.LatencyPS <= 0 {
		errs = append(errs, fmt.Errorf("router spec: hop_ns.latency_ps must be > 0, got %d", s.HopNS.LatencyPS))
	}
	return errors.Join(errs...)
}
