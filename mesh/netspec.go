package mesh

import (
	"errors"
	"fmt"

	"github.com/tessera-sim/tessera/router"
)

// Routing modes of a Network.
const (
	// RoutingXY routes unicast packets by dimension order (x, then y),
	// computed at every router. Multicast groups still use tables.
	RoutingXY = "xy"
	// RoutingTable looks every route up in a per-router table (key → output
	// ports). The tables start as XY routes; SetRoute changes entries.
	RoutingTable = "table"
)

// NetSpec configures a cycle-accurate Network: a Width×Height mesh of
// VCRouters, LocalPorts nodes (cores) per tile, links and network
// interfaces.
//
// Link latencies: a flit sent east or west takes Router.LinkCycles on the
// link, north or south LinkNSCycles (0 = the same); credits over a
// north-south link take the difference longer too. The injection channel
// (node → its router) takes InjectCycles, the ejection channel (router →
// node) EjectCycles. Energies are Cost's per-hop energies, charged per flit
// hop (HopEW for east-west, HopNS for north-south).
type NetSpec struct {
	Width      int           `json:"width" yaml:"width"`
	Height     int           `json:"height" yaml:"height"`
	LocalPorts int           `json:"local_ports" yaml:"local_ports"` // nodes (cores) per tile
	Router     router.VCSpec `json:"router" yaml:"router"`
	Cost       router.Spec   `json:"cost" yaml:"cost"`

	LinkNSCycles int `json:"link_ns_cycles" yaml:"link_ns_cycles"` // 0 = Router.LinkCycles
	InjectCycles int `json:"inject_cycles" yaml:"inject_cycles"`
	EjectCycles  int `json:"eject_cycles" yaml:"eject_cycles"`

	Routing         string `json:"routing" yaml:"routing"`                   // RoutingXY or RoutingTable
	MulticastGroups int    `json:"multicast_groups" yaml:"multicast_groups"` // table entries for multicast keys

	// A board: the mesh is cut into chips of ChipWidth×ChipHeight tiles;
	// a link across a chip edge takes ChipLinkCycles (instead of the
	// router's link cycles) and costs ChipLinkFJ per flit. 0: one chip.
	ChipWidth      int    `json:"chip_width,omitempty" yaml:"chip_width"`
	ChipHeight     int    `json:"chip_height,omitempty" yaml:"chip_height"`
	ChipLinkCycles int    `json:"chip_link_cycles,omitempty" yaml:"chip_link_cycles"`
	ChipLinkFJ     uint64 `json:"chip_link_fj,omitempty" yaml:"chip_link_fj"`

	// CyclePS is the router clock period, for converting between the chip's
	// picoseconds and the network's cycles.
	CyclePS int64 `json:"cycle_ps" yaml:"cycle_ps"`
	// WatchdogCycles: Advance fails with ErrDeadlock when flits are inside
	// the network and none has moved for this many cycles.
	WatchdogCycles int64 `json:"watchdog_cycles" yaml:"watchdog_cycles"`
}

// DefaultNetSpec is an 8×8 mesh of conventional routers (router.DefaultVCSpec),
// one node per tile, XY routing, one-cycle injection and ejection channels,
// 1 GHz, the Loihi hop energies.
func DefaultNetSpec() NetSpec {
	return NetSpec{
		Width: 8, Height: 8, LocalPorts: 1,
		Router: router.DefaultVCSpec(), Cost: router.DefaultSpec(),
		InjectCycles: 1, EjectCycles: 1,
		Routing: RoutingXY, CyclePS: 1000, WatchdogCycles: 10_000,
	}
}

// NetSpecFrom is the cycle-accurate counterpart of a chip's mesh Spec: the
// same tiles, one local port per core, the conventional router, and a clock
// chosen so that a zero-load east-west hop (router.VCSpec.HopCycles cycles)
// takes about s.Router.HopEW.LatencyPS; north-south links are lengthened so
// that a north-south hop takes about s.Router.HopNS.LatencyPS.
func NetSpecFrom(s Spec) NetSpec {
	n := DefaultNetSpec()
	n.Width, n.Height, n.LocalPorts, n.Cost = s.Width, s.Height, s.CoresPerTile, s.Router
	hop := int64(n.Router.HopCycles())
	n.CyclePS = max(1, (s.Router.HopEW.LatencyPS+hop/2)/hop)
	ns := (s.Router.HopNS.LatencyPS + n.CyclePS/2) / n.CyclePS
	n.LinkNSCycles = max(1, int(ns)-(n.Router.HopCycles()-n.Router.LinkCycles))
	if n.LinkNSCycles == n.Router.LinkCycles {
		n.LinkNSCycles = 0
	}
	if s.Board() {
		n.ChipWidth, n.ChipHeight, n.ChipLinkFJ = s.ChipWidth, s.ChipHeight, s.ChipLink.EnergyFJ
		c := (s.ChipLink.LatencyPS + n.CyclePS/2) / n.CyclePS
		n.ChipLinkCycles = min(max(n.Router.LinkCycles, int(c)-(n.Router.HopCycles()-n.Router.LinkCycles)), router.MaxStageCycles)
	}
	if n.Router.VCs*router.PortsFor(n.LocalPorts) > router.MaxInputVCs {
		n.Router.VCs = max(1, router.MaxInputVCs/router.PortsFor(n.LocalPorts))
	}
	return n
}

// Validate reports every bad field.
func (s NetSpec) Validate() error {
	var errs []error
	if s.Width <= 0 || s.Height <= 0 || s.Width > 1<<12 || s.Height > 1<<12 {
		errs = append(errs, fmt.Errorf("net spec: width and height must be in 1..4096, got %d×%d", s.Width, s.Height))
	}
	maxLocal := router.MaxPorts - int(router.NumPorts) + 1
	if s.LocalPorts < 1 || s.LocalPorts > maxLocal {
		errs = append(errs, fmt.Errorf("net spec: local_ports must be in 1..%d, got %d", maxLocal, s.LocalPorts))
	} else if n := router.PortsFor(s.LocalPorts) * s.Router.VCs; n > router.MaxInputVCs {
		errs = append(errs, fmt.Errorf("net spec: %d ports × %d VCs = %d input VCs per router, more than %d",
			router.PortsFor(s.LocalPorts), s.Router.VCs, n, router.MaxInputVCs))
	}
	if err := s.Router.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("net spec: %w", err))
	}
	if err := s.Cost.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("net spec: cost: %w", err))
	}
	if s.LinkNSCycles < 0 || s.LinkNSCycles > router.MaxStageCycles {
		errs = append(errs, fmt.Errorf("net spec: link_ns_cycles must be in 0..%d, got %d", router.MaxStageCycles, s.LinkNSCycles))
	}
	if s.InjectCycles < 1 || s.InjectCycles > router.MaxStageCycles {
		errs = append(errs, fmt.Errorf("net spec: inject_cycles must be in 1..%d, got %d", router.MaxStageCycles, s.InjectCycles))
	}
	if s.EjectCycles < 1 || s.EjectCycles > router.MaxStageCycles {
		errs = append(errs, fmt.Errorf("net spec: eject_cycles must be in 1..%d, got %d", router.MaxStageCycles, s.EjectCycles))
	}
	if s.Routing != RoutingXY && s.Routing != RoutingTable {
		errs = append(errs, fmt.Errorf("net spec: routing must be %q or %q, got %q", RoutingXY, RoutingTable, s.Routing))
	}
	if s.MulticastGroups < 0 {
		errs = append(errs, fmt.Errorf("net spec: multicast_groups must be ≥ 0, got %d", s.MulticastGroups))
	}
	if s.Width > 0 && s.Height > 0 && s.LocalPorts > 0 && s.MulticastGroups >= 0 {
		keys := int64(s.MulticastGroups)
		if s.Routing == RoutingTable {
			keys += int64(s.Nodes())
		}
		if keys*int64(s.Tiles()) > 1<<28 {
			errs = append(errs, fmt.Errorf("net spec: routing tables of %d keys × %d tiles are too large; use xy routing or fewer multicast groups",
				keys, s.Tiles()))
		}
	}
	if s.ChipWidth != 0 || s.ChipHeight != 0 {
		switch {
		case s.ChipWidth <= 0 || s.ChipHeight <= 0 || s.Width%s.ChipWidth != 0 || s.Height%s.ChipHeight != 0:
			errs = append(errs, fmt.Errorf("net spec: the %d×%d mesh is not a whole number of %d×%d chips", s.Width, s.Height, s.ChipWidth, s.ChipHeight))
		case s.ChipLinkCycles < s.Router.LinkCycles || s.ChipLinkCycles > router.MaxStageCycles:
			errs = append(errs, fmt.Errorf("net spec: chip_link_cycles must be in %d..%d (at least the router's link), got %d",
				s.Router.LinkCycles, router.MaxStageCycles, s.ChipLinkCycles))
		}
	}
	if s.CyclePS <= 0 {
		errs = append(errs, fmt.Errorf("net spec: cycle_ps must be > 0, got %d", s.CyclePS))
	}
	if s.WatchdogCycles <= 0 {
		errs = append(errs, fmt.Errorf("net spec: watchdog_cycles must be > 0, got %d", s.WatchdogCycles))
	}
	return errors.Join(errs...)
}

// crossesChip says whether the link from tile (x, y) through port p
// crosses a chip edge of a board.
func (s NetSpec) crossesChip(x, y int, p router.Port) bool {
	if s.ChipWidth <= 0 || s.ChipHeight <= 0 {
		return false
	}
	switch p {
	case router.East:
		return (x+1)%s.ChipWidth == 0
	case router.West:
		return x%s.ChipWidth == 0
	case router.North:
		return (y+1)%s.ChipHeight == 0
	case router.South:
		return y%s.ChipHeight == 0
	}
	return false
}

// Tiles is the number of routers.
func (s NetSpec) Tiles() int { return s.Width * s.Height }

// Nodes is the number of nodes (injection/ejection ports): tiles × local ports.
func (s NetSpec) Nodes() int { return s.Tiles() * s.LocalPorts }

func (s NetSpec) linkNS() int {
	if s.LinkNSCycles > 0 {
		return s.LinkNSCycles
	}
	return s.Router.LinkCycles
}

// ZeroLoadCycles is the latency of a lone packet of sizeFlits flits from
// node src to node dst on an empty network, from its creation to the
// arrival of its tail at dst:
//
//	InjectCycles + H·(Route+VCAlloc+SwitchAlloc+Switch) + hx·Link + hy·LinkNS + EjectCycles + (sizeFlits−1)
//
// with hx, hy the hops along x and y and H = hx+hy+1 the routers passed.
func (s NetSpec) ZeroLoadCycles(src, dst, sizeFlits int) int64 {
	st, dt := src/s.LocalPorts, dst/s.LocalPorts
	hx := abs(st%s.Width - dt%s.Width)
	hy := abs(st/s.Width - dt/s.Width)
	r := s.Router
	perRouter := r.RouteCycles + r.VCAllocCycles + r.SwitchAllocCycles + r.SwitchCycles
	return int64(s.InjectCycles + (hx+hy+1)*perRouter + hx*r.LinkCycles + hy*s.linkNS() + s.EjectCycles + sizeFlits - 1)
}

func abs(x int) int { return max(x, -x) }
