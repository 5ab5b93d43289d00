package chip

import (
	"fmt"

	"github.com/tessera-sim/tessera/mesh"
	"github.com/tessera-sim/tessera/router"
)

// netCounters maps the cycle-accurate network's router counters onto the
// per-router counters of the report. They count flits: with the shipped
// presets every spike is one flit, so a hop is a packet hop; a packet of n
// flits (a narrow packet format, docs/packets.md) counts n hops per router
// and is charged n hop energies.
func (c *Chip) netCounters() []router.Counters {
	out := make([]router.Counters, c.spec.Mesh.Tiles())
	cyc := c.net.Spec().CyclePS
	for t := range out {
		vc := c.net.RouterCounters(mesh.Tile(t))
		rc := router.Counters{HopsEW: vc.HopsEW, HopsNS: vc.HopsNS, Ejected: vc.Ejected,
			BusyPS: int64(vc.BusyCycles) * cyc, StallPS: int64(vc.CreditStalls) * cyc}
		// Flits over a chip-to-chip link are chip hops, not router hops.
		for _, p := range []router.Port{router.East, router.West, router.North, router.South} {
			if !c.net.IsChipLink(mesh.Tile(t), p) {
				continue
			}
			lc := c.net.LinkCounters(mesh.Tile(t), p)
			rc.ChipHops += lc.Flits
			rc.ChipFJ += lc.EnergyFJ
			if p == router.East || p == router.West {
				rc.HopsEW -= lc.Flits
			} else {
				rc.HopsNS -= lc.Flits
			}
		}
		out[t] = rc
	}
	return out
}

// netLinks lists the links of the cycle-accurate network that carried
// flits.
func (c *Chip) netLinks() []LinkReport {
	var out []LinkReport
	lp := c.spec.Mesh.CoresPerTile
	for t := 0; t < c.spec.Mesh.Tiles(); t++ {
		x, y := c.mesh.XY(mesh.Tile(t))
		for p := 0; p < router.PortsFor(lp); p++ {
			lc := c.net.LinkCounters(mesh.Tile(t), router.Port(p))
			if lc.Flits == 0 {
				continue
			}
			name := router.Port(p).String()
			if p == 0 || p >= int(router.NumPorts) {
				name = fmt.Sprintf("local%d", localIndex(p))
			}
			out = append(out, LinkReport{Tile: [2]int{x, y}, Port: name, LinkCounters: lc,
				ChipLink: c.net.IsChipLink(mesh.Tile(t), router.Port(p))})
		}
	}
	return out
}

// localIndex numbers local ports: port 0 is local 0, ports after the four
// directions are locals 1, 2, …
func localIndex(p int) int {
	if p == 0 {
		return 0
	}
	return p - int(router.NumPorts) + 1
}
