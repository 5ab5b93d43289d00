// Package preset names the hardware configurations Tessera ships — a Spec for
// every component of a chip — and reads user preset files that override them.
//
// A preset is data: the compiler reads its capacity limits, the chip reads its
// costs, and the chip image carries a full copy so that a run never depends on
// the preset table of the binary that executes it.
package preset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/core"
	"github.com/tessera-sim/tessera/mesh"
	"github.com/tessera-sim/tessera/router"
)

// Spec is one complete hardware configuration.
type Spec struct {
	Name    string      `json:"name" yaml:"name"`
	Core    core.Spec   `json:"core" yaml:"core"`
	Mesh    mesh.Spec   `json:"mesh" yaml:"mesh"`
	Barrier BarrierSpec `json:"barrier" yaml:"barrier"`
	// StaticPowerNW is the chip's leakage power in nanowatts; it is charged
	// over the hardware time of the run.
	StaticPowerNW uint64 `json:"static_power_nw" yaml:"static_power_nw"`
	// TickPS, when > 0, is the shortest hardware duration of a timestep: a
	// chip paced by a global tick (TrueNorth's 1 kHz) waits out the rest of
	// the tick after its barrier.
	TickPS int64 `json:"tick_ps" yaml:"tick_ps"`
	// MeshModel picks the spike network's model: "hop" (default: each hop
	// costs the router's per-hop latency, one packet per output port at a
	// time — reproduces the per-hop figures exactly) or "cycle" (the
	// cycle-accurate virtual-channel router mesh, mesh.NetSpecFrom(Mesh):
	// buffers, credits, allocation, flits).
	MeshModel string `json:"mesh_model,omitempty" yaml:"mesh_model"`
	// Packet is how spike packets are encoded (docs/packets.md): header
	// fields, flit width, graded payload. It sits on the preset rather than
	// on mesh.Router (the per-hop cost of one router) because it is a
	// contract between components — cores address axons with it, routers
	// read its destination, the compiler checks graded payloads against
	// it — and checking it needs the mesh and the core limits together
	// (see Validate). The zero value means the
	// preset's default, PacketFormat(): presets, preset files and chip
	// images from before formats existed keep loading and meaning the same.
	Packet router.PacketFormat `json:"packet,omitzero" yaml:"packet,omitempty"`
}

// Mesh models.
const (
	MeshHop   = "hop"
	MeshCycle = "cycle"
)

// BarrierSpec is the cost of the end-of-timestep barrier. Its latency grows
// linearly with the number of tiles in use, from MinLatencyPS at one tile to
// MaxLatencyPS at MaxTiles tiles (and stays there beyond).
type BarrierSpec struct {
	MinLatencyPS int64  `json:"min_latency_ps" yaml:"min_latency_ps"`
	MaxLatencyPS int64  `json:"max_latency_ps" yaml:"max_latency_ps"`
	MaxTiles     int    `json:"max_tiles" yaml:"max_tiles"`
	EnergyFJ     uint64 `json:"energy_fj" yaml:"energy_fj"` // per barrier, whole chip
}

// LatencyPS is the barrier latency for a step that used tiles tiles.
func (b BarrierSpec) LatencyPS(tiles int) int64 {
	if tiles <= 1 || b.MaxTiles <= 1 {
		return b.MinLatencyPS
	}
	if tiles >= b.MaxTiles {
		return b.MaxLatencyPS
	}
	return b.MinLatencyPS + (b.MaxLatencyPS-b.MinLatencyPS)*int64(tiles-1)/int64(b.MaxTiles-1)
}

// Validate reports every bad field of every component.
func (s Spec) Validate() error {
	var errs []error
	if s.Name == "" {
		errs = append(errs, errors.New("preset: name is empty"))
	}
	if err := s.Core.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := s.Mesh.Validate(); err != nil {
		errs = append(errs, err)
	}
	if s.Barrier.MinLatencyPS < 0 || s.Barrier.MaxLatencyPS < s.Barrier.MinLatencyPS {
		errs = append(errs, fmt.Errorf("preset: barrier latency must satisfy 0 ≤ min ≤ max, got %d..%d ps",
			s.Barrier.MinLatencyPS, s.Barrier.MaxLatencyPS))
	}
	if s.MeshModel != "" && s.MeshModel != MeshHop && s.MeshModel != MeshCycle {
		errs = append(errs, fmt.Errorf("preset: mesh_model must be %q or %q, got %q", MeshHop, MeshCycle, s.MeshModel))
	}
	if s.TickPS < 0 {
		errs = append(errs, fmt.Errorf("preset: tick_ps must be ≥ 0, got %d", s.TickPS))
	}
	if s.Barrier.MaxTiles < 1 {
		errs = append(errs, fmt.Errorf("preset: barrier.max_tiles must be ≥ 1, got %d", s.Barrier.MaxTiles))
	}
	errs = append(errs, s.checkPacket()...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("preset %q: %w", s.Name, err)
	}
	return nil
}

// StaticEnergyFJ is the leakage energy over timePS picoseconds
// (nW × ps = 10⁻⁶ fJ), rounded down.
func (s Spec) StaticEnergyFJ(timePS int64) uint64 {
	if timePS <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(s.StaticPowerNW, uint64(timePS))
	if hi >= 1_000_000 {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, 1_000_000)
	return q
}

// Loihi is Intel Loihi 1 as published (Davies et al., IEEE Micro 2018,
// Table 2, 0.75 V): 128 cores, 32 tiles of 4 cores on an 8×4 mesh.
func Loihi() Spec {
	return Spec{
		Name: "loihi",
		Core: core.DefaultSpec(),
		Mesh: mesh.DefaultSpec(),
		// Table 2: barrier sync 113 ns (1 tile) to 465 ns (32 tiles). The
		// paper gives no barrier energy or static power; both stay 0 here.
		Barrier: BarrierSpec{MinLatencyPS: 113_000, MaxLatencyPS: 465_000, MaxTiles: 32},
	}
}

// Small is a 2×2-tile test chip, one core per tile, with limits small
// enough that tests reach every capacity error. Its costs are Loihi's.
func Small() Spec {
	s := Loihi()
	s.Name = "small"
	s.Core.MaxNeurons = 16
	s.Core.MaxAxons = 32
	s.Core.MaxRoutes = 64
	s.Core.SynapseMemoryBits = 4096
	s.Core.MaxDelay = 15
	s.Mesh.Width, s.Mesh.Height, s.Mesh.CoresPerTile = 2, 2, 1
	s.Barrier.MaxTiles = 4
	return s
}

// TrueNorth is IBM TrueNorth (Merolla et al., Science 2014; Akopyan et al.,
// IEEE TCAD 2015): 4096 cores on a 64×64 mesh, one core per router; each
// core a crossbar of 256 axons × 256 neurons; weights come from 4 axon
// types (signed 9-bit per neuron and type); a neuron sends to exactly one
// axon; axonal delays of 1..15 ticks (our delay d arrives at t+1+d, so
// 0..14); a 1 kHz tick paces the steps. Published energies: about 26 pJ per
// synaptic event and 2.3 pJ per hop. The papers give no per-op latencies or
// per-neuron-update energy at this granularity: those are documented
// assumptions in docs/energy-model.md.
func TrueNorth() Spec {
	return Spec{
		Name: "truenorth",
		Core: core.Spec{
			MaxNeurons: 256, MaxAxons: 256, MaxRoutes: 256, MaxRoutesPerNeuron: 1,
			SynapseMemoryBits: 256 * 256, MaxWeightBits: 9, MaxDelay: 14, AxonTypes: 4, Crossbar: true,
			SynOp:          core.OpCost{EnergyFJ: 26_000, LatencyPS: 1_000},
			NeuronActive:   core.OpCost{EnergyFJ: 0, LatencyPS: 1_000},
			NeuronInactive: core.OpCost{EnergyFJ: 0, LatencyPS: 1_000},
			SpikeOut:       core.OpCost{EnergyFJ: 0, LatencyPS: 1_000},
		},
		Mesh: mesh.Spec{Width: 64, Height: 64, CoresPerTile: 1, Router: router.Spec{
			HopEW: router.HopCost{EnergyFJ: 2_300, LatencyPS: 1_000},
			HopNS: router.HopCost{EnergyFJ: 2_300, LatencyPS: 1_000},
		}},
		Barrier: BarrierSpec{MaxTiles: 1},
		TickPS:  1_000_000_000, // 1 kHz
	}
}

var builtin = map[string]func() Spec{
	"loihi":     Loihi,
	"small":     Small,
	"truenorth": TrueNorth,
}

// Default is the preset used when none is named.
const Default = "loihi"

// Names lists the built-in presets in sorted order.
func Names() []string {
	names := make([]string, 0, len(builtin))
	for n := range builtin {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns a built-in preset by name, or reads a preset file when name
// ends in .yaml or .yml.
func Lookup(name string) (Spec, error) {
	if f, ok := builtin[name]; ok {
		return f(), nil
	}
	if n := len(name); (n > 5 && name[n-5:] == ".yaml") || (n > 4 && name[n-4:] == ".yml") {
		return Load(name)
	}
	return Spec{}, fmt.Errorf("unknown preset %q (built-in presets: %v, or give a .yaml preset file)", name, Names())
}

// Load reads a preset file. The file names a built-in preset to start from
// (`base:`, default loihi) and overrides any field; an unknown field is an
// error, so a typo never silently keeps the base value.
func Load(path string) (Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, fmt.Errorf("preset: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load on bytes already read; path only names the source in errors.
func Parse(path string, data []byte) (Spec, error) {
	var head struct {
		Base string `yaml:"base"`
	}
	// A first, lenient pass only to find the base.
	if err := yaml.Unmarshal(data, &head); err != nil {
		return Spec{}, fmt.Errorf("preset %s: %w", path, err)
	}
	if head.Base == "" {
		head.Base = Default
	}
	f, ok := builtin[head.Base]
	if !ok {
		return Spec{}, fmt.Errorf("preset %s: unknown base preset %q (built-in: %v)", path, head.Base, Names())
	}
	base := f()
	file := struct {
		Base string `yaml:"base"`
		Spec `yaml:",inline"`
	}{Spec: base}
	// The packet section starts from the base's format, so that a file may
	// override one key of it (packet: {flit_bits: 16}); a section that
	// leaves it as it was keeps the base's value — for a built-in, the
	// default, which follows the file's own mesh and core limits.
	prefill := base.PacketFormat()
	file.Packet = prefill.Clone()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return Spec{}, fmt.Errorf("preset %s: %w", path, err)
	}
	if file.Packet.Equal(prefill) {
		file.Packet = base.Packet
	}
	if err := file.Spec.Validate(); err != nil {
		return Spec{}, fmt.Errorf("preset %s: %w", path, err)
	}
	return file.Spec, nil
}
