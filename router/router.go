// Package router is one mesh router: which output port a packet takes,
// when it can go, and what each hop costs. It knows nothing of neurons or
// files; the mesh package lays routers out and drives them.
//
// It has two models of the same router, picked by the preset's mesh_model:
//
//   - Router, the per-hop model: "a packet for tile (dx, dy) reached you at
//     time t" → "it leaves through port p and reaches the next tile at time
//     t'". Store-and-forward, one packet per output port at a time, each hop
//     priced by Spec (Loihi's east-west and north-south hop costs).
//   - VCRouter, the cycle-accurate model: input buffers per port and
//     virtual channel, credit flow control, route computation (XY or a
//     table, with multicast forks), separable round-robin VC and switch
//     allocation, every pipeline stage a VCSpec field. A network wires its
//     VCRouters into a Fabric (Wire, Link, Upstream) so that unicast flits
//     and credits go from router to router without the driver.
//
// PacketFormat describes how a preset encodes a spike packet — header
// fields and their widths, flit width, graded payload — so that the chip
// knows how many flits a packet takes (docs/packets.md).
package router

import "fmt"

// Port is one side of a router.
type Port uint8

const (
	Local Port = iota // to or from the cores of this tile
	East              // +x
	West              // −x
	North             // +y
	South             // −y
	NumPorts
)

func (p Port) String() string {
	if p >= NumPorts && int(p) < MaxPorts {
		return fmt.Sprintf("local%d", LocalIndex(p))
	}
	return [...]string{"local", "east", "west", "north", "south", "?"}[min(int(p), int(NumPorts))]
}

// RouteXY is dimension-order routing: travel along x until the column
// matches, then along y. It is deadlock-free on a mesh.
func RouteXY(x, y, dx, dy int) Port {
	switch {
	case dx > x:
		return East
	case dx < x:
		return West
	case dy > y:
		return North
	case dy < y:
		return South
	}
	return Local
}

// Step returns the neighbour of (x, y) through port p.
func Step(x, y int, p Port) (int, int) {
	switch p {
	case East:
		return x + 1, y
	case West:
		return x - 1, y
	case North:
		return x, y + 1
	case South:
		return x, y - 1
	}
	return x, y
}

// Counters are the ops of one router.
type Counters struct {
	ChipHops  uint64 `json:"chip_hops"` // packets sent over a chip-to-chip link (board only)
	ChipFJ    uint64 `json:"chip_fj"`   // their energy
	HopsEW    uint64 `json:"hops_ew"`   // packets sent east or west
	HopsNS    uint64 `json:"hops_ns"`   // packets sent north or south
	Ejected   uint64 `json:"ejected"`   // packets handed to a local core
	StallPS   int64  `json:"stall_ps"`  // total time packets waited for a busy port
	BusyPS    int64  `json:"busy_ps"`   // total time output ports were held
	MaxWaitPS int64  `json:"max_wait_ps"`
}

// Router is one router's state.
type Router struct {
	spec     Spec
	X, Y     int
	freeAtPS [NumPorts]int64 // when each output port is free
	// On a board: the chip size in tiles and the chip-to-chip link.
	chipW, chipH int
	chipLink     HopCost
	count        Counters
}

// New returns the router of tile (x, y). spec must be valid.
func New(spec Spec, x, y int) *Router { return &Router{spec: spec, X: x, Y: y} }

// OnBoard makes the router part of a board of chips of chipW×chipH tiles:
// its hops across a chip edge take the chip-to-chip link.
func (r *Router) OnBoard(chipW, chipH int, link HopCost) {
	r.chipW, r.chipH, r.chipLink = chipW, chipH, link
}

// crossesChip says whether leaving through p crosses a chip edge.
func (r *Router) crossesChip(p Port) bool {
	if r.chipW == 0 {
		return false
	}
	switch p {
	case East:
		return (r.X+1)%r.chipW == 0
	case West:
		return r.X%r.chipW == 0
	case North:
		return (r.Y+1)%r.chipH == 0
	case South:
		return r.Y%r.chipH == 0
	}
	return false
}

// Forward takes a packet for tile (dx, dy) that reached the router at
// nowPS. It returns the output port and the time the packet reaches the next
// tile (for Local: the time it is handed to the core).
func (r *Router) Forward(nowPS int64, dx, dy int) (Port, int64) {
	p := RouteXY(r.X, r.Y, dx, dy)
	if p == Local {
		r.count.Ejected++
		return p, nowPS
	}
	hop := r.spec.HopEW
	switch {
	case r.crossesChip(p):
		hop = r.chipLink
		r.count.ChipHops++
		r.count.ChipFJ += hop.EnergyFJ
	case p == North || p == South:
		hop = r.spec.HopNS
		r.count.HopsNS++
	default:
		r.count.HopsEW++
	}
	start := max(nowPS, r.freeAtPS[p])
	if wait := start - nowPS; wait > 0 {
		r.count.StallPS += wait
		r.count.MaxWaitPS = max(r.count.MaxWaitPS, wait)
	}
	r.freeAtPS[p] = start + hop.LatencyPS
	r.count.BusyPS += hop.LatencyPS
	return p, start + hop.LatencyPS
}

// Counters returns the router's ops so far.
func (r *Router) Counters() Counters { return r.count }

// EnergyFJ prices the router's hops.
func (c Counters) EnergyFJ(s Spec) uint64 {
	return c.HopsEW*s.HopEW.EnergyFJ + c.HopsNS*s.HopNS.EnergyFJ + c.ChipFJ
}

// Reset clears the router's state and counters.
func (r *Router) Reset() {
	*r = Router{spec: r.spec, X: r.X, Y: r.Y, chipW: r.chipW, chipH: r.chipH, chipLink: r.chipLink}
}
