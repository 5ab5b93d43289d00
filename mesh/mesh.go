// Package mesh is the chip's spike network: a 2-D grid of tiles, one router
// each, joined by links. It routes packets tile by tile and keeps the books
// on every packet — injected, delivered, dropped — so that Check can prove
// none was lost. It knows nothing of neurons.
//
// The mesh is the only path between two cores: even a packet between two
// cores of one tile enters the tile's router and leaves through its local
// port.
//
// Two models live here.
//
// Mesh is the first, store-and-forward model the chip drives one hop at a
// time from its event queue (Inject, Hop, Drop, Check): each hop costs the
// router Spec's latency and waits for a busy output port.
//
// Network is the cycle-accurate model: W×H router.VCRouter's (input
// buffers, virtual channels, credits, separable allocators, a configurable
// pipeline; see NetSpec), one network interface per node (a node is one
// local port of a tile: tile·LocalPorts + core) with an unbounded source
// queue, links with their own latencies (east-west and north-south may
// differ) and energies. It runs cycle by cycle but only while there is
// work: Advance jumps over cycles in which no flit is inside. An
// event-driven caller drives it like this:
//
//	net, err := mesh.NewNetwork(mesh.NetSpecFrom(chipSpec.Mesh))
//	net.OnDeliver(func(d mesh.Delivery) {
//		// d.ID reached node d.Node at cycle d.DeliveredCycle
//		// (time net.TimePS(d.DeliveredCycle)); hand it to the core.
//	})
//	net.OnHop(func(h mesh.Hop) { /* tracing: h.ID moved From → To */ }) // optional
//	// a core sends a spike at time tPS:
//	err = net.Inject(srcNode, dstNode, packetID, 1, net.CycleAt(tPS))
//	// before handling the next event of the chip's queue, at time nextPS:
//	err = net.Advance(net.CycleAt(nextPS)) // delivers everything before it
//	// at a barrier: drain the network
//	for net.Busy() {
//		c, _ := net.NextCycle()
//		err = net.Advance(c + 1024)
//	}
//	err = net.Check() // conservation: every packet delivered or reported dropped
//
// Deliveries come out in cycle order, so the caller can treat each as an
// event at DeliveredCycle that precedes its next queued event. Injections
// must not go back in time (cycle ≥ Now()). Advance returns an error
// wrapping ErrDeadlock when flits are inside and none moved for
// NetSpec.WatchdogCycles cycles.
//
// Routing: RoutingXY computes dimension-order routes; RoutingTable looks
// them up in per-router tables (key → output ports) that start as XY and
// can be changed with SetRoute; multicast groups (keys Nodes()+g) are
// always table-routed and may fork at a router (AddMulticastTree builds the
// XY tree from a source to a set of nodes). The shipped presets use XY
// unicast: loihi sends one packet per output-axon route (per destination
// core), truenorth one (dx, dy) packet per spike, small likewise; table
// routing and multicast forks are there for compiler-built routes.
//
// The synthetic-traffic experiments that validate the network against a
// standard NoC simulator live in mesh/noc.
package mesh

import (
	"fmt"

	"github.com/tessera-sim/tessera/router"
)

// Mesh is the routers of one chip and the packet books.
type Mesh struct {
	spec    Spec
	routers []*router.Router // index x + y·width

	injected, delivered, dropped uint64
}

// New builds the mesh of spec, which is validated.
func New(spec Spec) (*Mesh, error) {
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("mesh: %w", err)
	}
	m := &Mesh{spec: spec, routers: make([]*router.Router, spec.Tiles())}
	for y := 0; y < spec.Height; y++ {
		for x := 0; x < spec.Width; x++ {
			r := router.New(spec.Router, x, y)
			if spec.Board() {
				r.OnBoard(spec.ChipWidth, spec.ChipHeight, spec.ChipLink)
			}
			m.routers[x+y*spec.Width] = r
		}
	}
	return m, nil
}

// Spec is the mesh's configuration.
func (m *Mesh) Spec() Spec { return m.spec }

// Router returns the router of tile (x, y).
func (m *Mesh) Router(x, y int) *router.Router { return m.routers[x+y*m.spec.Width] }

// Tile is a tile index, x + y·width.
type Tile int32

// TileOf returns the tile index of a core.
func (m *Mesh) TileOf(core int) Tile { return Tile(core / m.spec.CoresPerTile) }

// XY returns a tile's coordinates.
func (m *Mesh) XY(t Tile) (x, y int) { return int(t) % m.spec.Width, int(t) / m.spec.Width }

// Inject books a packet entering the mesh at a tile's router.
func (m *Mesh) Inject() { m.injected++ }

// Hop moves a packet that is at tile at (arrived at nowPS) one step towards
// tile dst. It returns the tile the packet is at next and when it gets
// there; done is true when the packet left through the local port of dst
// (it is then handed to the core, and counted delivered).
func (m *Mesh) Hop(at, dst Tile, nowPS int64) (next Tile, atPS int64, done bool) {
	if int(dst) < 0 || int(dst) >= len(m.routers) || int(at) < 0 || int(at) >= len(m.routers) {
		m.dropped++
		return at, nowPS, true
	}
	x, y := m.XY(at)
	dx, dy := m.XY(dst)
	p, t := m.routers[at].Forward(nowPS, dx, dy)
	if p == router.Local {
		m.delivered++
		return at, t, true
	}
	nx, ny := router.Step(x, y, p)
	return Tile(nx + ny*m.spec.Width), t, false
}

// Drop books a packet that could not be delivered (for example, its target
// core does not exist).
func (m *Mesh) Drop() { m.dropped++ }

// Stats are the packet books.
type Stats struct {
	Injected  uint64 `json:"injected"`
	Delivered uint64 `json:"delivered"`
	Dropped   uint64 `json:"dropped"`
}

// Stats returns the packet books.
func (m *Mesh) Stats() Stats {
	return Stats{Injected: m.injected, Delivered: m.delivered, Dropped: m.dropped}
}

// Check verifies conservation on a drained mesh: every packet injected was
// delivered or reported dropped. inFlight is the number of packets the
// caller still holds in its queue (0 at a barrier).
func (m *Mesh) Check(inFlight uint64) error {
	if m.injected != m.delivered+m.dropped+inFlight {
		return fmt.Errorf("mesh: packet conservation violated: injected %d ≠ delivered %d + dropped %d + in flight %d",
			m.injected, m.delivered, m.dropped, inFlight)
	}
	return nil
}

// Counters returns every router's counters, by tile index.
func (m *Mesh) Counters() []router.Counters {
	out := make([]router.Counters, len(m.routers))
	for i, r := range m.routers {
		out[i] = r.Counters()
	}
	return out
}

// Reset clears routers and books.
func (m *Mesh) Reset() {
	for _, r := range m.routers {
		r.Reset()
	}
	m.injected, m.delivered, m.dropped = 0, 0, 0
}
