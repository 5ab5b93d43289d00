package trace

import (
	"errors"
	"fmt"
	"sort"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/image"
)

// Layout is what a trace declares up front: the mesh, the cores in use, the
// populations and where their neurons live, and the few latencies a trace
// needs to place what the Tracer reports only by its end.
type Layout struct {
	Network string
	Preset  string

	Width, Height, CoresPerTile int

	Cores       []CoreInfo   // cores in use, by increasing id
	Populations []Population // in the image's order: the index chip.Tracer.Spike carries

	// HopEWPS and HopNSPS are how long a hop holds a router's output port
	// east-west and north-south (the router's valid signal and hop slices
	// end at the hop's arrival and last this long). 0: from the packet's
	// arrival at the router.
	HopEWPS, HopNSPS int64
	// CycleMesh: the hops come from the cycle-accurate mesh, so a hop's
	// wait is the one the chip reports (chip.PacketEvent.WaitPS) rather
	// than the time it waited for the output port.
	CycleMesh bool
	// NeuronActivePS is the latency of an active neuron update: a firing
	// neuron's own update ends at its spike time and lasts this long.
	NeuronActivePS int64
}

// CoreInfo is one core in use and its tile.
type CoreInfo struct {
	ID   int32
	X, Y int
}

// Population is one population of the network.
type Population struct {
	Name  string
	Size  int32
	Input bool    // injected by the host; its neurons live on no core
	Slice []Slice // neuron populations: where its neurons live
	// Probed are the neurons whose spikes the image records (the rows of
	// spikes.csv), in increasing order.
	Probed []int32
}

// Slice is a run of a population's neurons on one core.
type Slice struct {
	Core  int32 // global core id
	Start int32 // first neuron index within the population
	Count int32
}

// LayoutOf reads the layout of a chip image.
func LayoutOf(img *image.Image) Layout {
	m := img.Preset.Mesh
	l := Layout{Network: img.Name, Preset: img.Preset.Name, Width: m.Width, Height: m.Height,
		CoresPerTile: m.CoresPerTile, HopEWPS: m.Router.HopEW.LatencyPS, HopNSPS: m.Router.HopNS.LatencyPS,
		NeuronActivePS: img.Preset.Core.NeuronActive.LatencyPS, CycleMesh: img.Preset.MeshModel == preset.MeshCycle}
	for _, c := range img.Cores {
		x, y := m.CoreTile(int(c.ID))
		l.Cores = append(l.Cores, CoreInfo{ID: c.ID, X: x, Y: y})
	}
	probed := map[string]map[int32]bool{}
	for _, pr := range img.Probes {
		if pr.Signals&image.SignalSpikes == 0 {
			continue
		}
		set := probed[pr.Population]
		if set == nil {
			set = map[int32]bool{}
			probed[pr.Population] = set
		}
		for _, n := range pr.Neurons {
			set[n] = true
		}
	}
	for _, p := range img.Populations {
		lp := Population{Name: p.Name, Size: p.Size, Input: p.IsInput}
		for _, s := range p.Slices {
			lp.Slice = append(lp.Slice, Slice{Core: s.Core, Start: s.Start, Count: s.Count})
		}
		sort.Slice(lp.Slice, func(i, j int) bool { return lp.Slice[i].Start < lp.Slice[j].Start })
		for n := range probed[p.Name] {
			lp.Probed = append(lp.Probed, n)
		}
		sort.Slice(lp.Probed, func(i, j int) bool { return lp.Probed[i] < lp.Probed[j] })
		l.Populations = append(l.Populations, lp)
	}
	return l
}

// Tiles is the number of tiles (routers) of the mesh.
func (l *Layout) Tiles() int { return l.Width * l.Height }

// TileXY returns the coordinates of tile index t (x + y·width).
func (l *Layout) TileXY(t int32) (x, y int) { return int(t) % l.Width, int(t) / l.Width }

// CoreTile returns the tile index of a core id.
func (l *Layout) CoreTile(core int32) int32 { return core / int32(l.CoresPerTile) }

// Population returns the index of a population by name, or -1.
func (l *Layout) Population(name string) int {
	for i := range l.Populations {
		if l.Populations[i].Name == name {
			return i
		}
	}
	return -1
}

// Check reports what makes a layout unusable.
func (l *Layout) Check() error {
	var errs []error
	if l.Width <= 0 || l.Height <= 0 || l.CoresPerTile <= 0 {
		errs = append(errs, fmt.Errorf("mesh %d×%d with %d cores per tile: each must be > 0",
			l.Width, l.Height, l.CoresPerTile))
	}
	maxCore := int32(l.Width * l.Height * l.CoresPerTile)
	for i, c := range l.Cores {
		if c.ID < 0 || c.ID >= maxCore {
			errs = append(errs, fmt.Errorf("core %d is outside the mesh (0..%d)", c.ID, maxCore-1))
		} else if i > 0 && c.ID <= l.Cores[i-1].ID {
			errs = append(errs, fmt.Errorf("core ids must increase: %d after %d", c.ID, l.Cores[i-1].ID))
		}
	}
	names := map[string]bool{}
	for _, p := range l.Populations {
		if names[p.Name] {
			errs = append(errs, fmt.Errorf("population %q is listed twice", p.Name))
		}
		names[p.Name] = true
		for _, s := range p.Slice {
			if s.Core < 0 || s.Core >= maxCore || s.Start < 0 || s.Count < 0 || s.Start+s.Count > p.Size {
				errs = append(errs, fmt.Errorf("population %q: slice %+v is outside the mesh or the population", p.Name, s))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("trace layout: %w", err)
	}
	return nil
}

// coreOf returns the core id of neuron n of population p, or -1 (inputs, or
// outside every slice).
func (l *Layout) coreOf(p, n int32) int32 {
	if p < 0 || int(p) >= len(l.Populations) {
		return -1
	}
	sl := l.Populations[p].Slice
	i := sort.Search(len(sl), func(i int) bool { return sl[i].Start+sl[i].Count > n })
	if i < len(sl) && n >= sl[i].Start {
		return sl[i].Core
	}
	return -1
}
