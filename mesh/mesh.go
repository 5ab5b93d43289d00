// Package mesh is the chip's spike network: a 2-D grid of tiles, one router
// each, joined by links. It routes packets tile by tile and keeps the books
// on every packet — injected, delivered, dropped — so that Check can prove
// none was lost.
//
// The mesh is the only path between two cores: even a packet between two
// cores of one tile enters the tile's router and leaves through its local
// port. The chip drives the mesh one hop at a time from its event queue.
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
			m.routers[x+y*spec.Width] = router.New(spec.Router, x, y)
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
