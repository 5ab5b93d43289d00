package sanafe

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/core"
	"github.com/tessera-sim/tessera/mesh"
	"github.com/tessera-sim/tessera/router"
)

// ArchOptions choose which of a core's alternative hardware units price
// the emulated core. Tessera's core has one cost per op class, while a
// SANA-FE core may offer several synapse or soma units that neurons pick
// by name; SNNReport.MainUnits names the ones a network uses most.
type ArchOptions struct {
	// Synapse names the synapse unit whose energy_process_spike and
	// latency_process_spike become core.Spec.SynOp. "" means the first
	// listed, SANA-FE's own default.
	Synapse string
	// Soma names the soma unit whose access/update costs become the
	// neuron update costs. "" means the first listed unit whose model is
	// not `input`.
	Soma string
	// OnlyFileLimits makes the capacities the file does not give (input
	// axons, output routes, synapse memory) unlimited, as in SANA-FE,
	// which bounds a core only by max_neurons_supported. By default they
	// are Loihi's, which a network mapped for SANA-FE may not fit.
	OnlyFileLimits bool
}

// Unlimited is the capacity OnlyFileLimits gives the fields the file does
// not: far beyond any network the compiler can hold.
const Unlimited = 1 << 30

// Unit kinds, in pipeline order.
const (
	KindAxonIn   = "axon_in"
	KindSynapse  = "synapse"
	KindDendrite = "dendrite"
	KindSoma     = "soma"
	KindAxonOut  = "axon_out"
)

var unitKinds = []string{KindAxonIn, KindSynapse, KindDendrite, KindSoma, KindAxonOut}

// unitCostOps lists, per unit kind, the ops an energy_X/latency_X pair
// prices.
var unitCostOps = map[string][]string{
	KindAxonIn:   {"message_in"},
	KindSynapse:  {"process_spike"},
	KindDendrite: {"update"},
	KindSoma:     {"access_neuron", "update_neuron", "spike_out"},
	KindAxonOut:  {"message_out"},
}

// unitExtraAttrs are unit attributes that are not costs: SANA-FE reads
// them, Tessera notes them (or, for model, uses it).
var unitExtraAttrs = map[string]bool{
	"model": true, "plugin": true, "force_update": true, "force_synapse_update": true,
	"force_dendrite_update": true, "force_soma_update": true, "update_every_timestep": true,
	"log_spikes": true, "log_potential": true, "latency_concurrent_access": true, "noise": true,
	"weight_bits": true,
}

// Unit is one hardware unit of a SANA-FE core, as the file describes it.
type Unit struct {
	Kind   string // axon_in, synapse, dendrite, soma, axon_out
	Name   string // as written, e.g. loihi_inputs[0..1023]
	Copies int    // how many units the name's index range makes
	Model  string // "" when the file gives none
	Costs  []UnitCost
	Pos    graph.Pos

	base   string
	lo, hi int
	ranged bool
}

// UnitCost is one op of a unit, converted to integer units.
type UnitCost struct {
	Op        string // e.g. process_spike, access_neuron
	EnergyFJ  uint64
	LatencyPS int64
}

// Cost returns the cost of op (zero if the unit does not give it).
func (u *Unit) Cost(op string) UnitCost {
	for _, c := range u.Costs {
		if c.Op == op {
			return c
		}
	}
	return UnitCost{Op: op}
}

// matches says whether name refers to this unit: its written name, its
// base name, or base[k] within its index range.
func (u *Unit) matches(name string) bool {
	if name == u.Name || name == u.base {
		return true
	}
	if !u.ranged {
		return false
	}
	b, lo, hi, ranged, ok := splitNameRange(name)
	return ok && ranged && b == u.base && lo == hi && lo >= u.lo && lo <= u.hi
}

// Hop is the cost of one mesh hop in one direction, as the file gives it.
type Hop struct {
	Direction string // north, east, south, west
	EnergyFJ  uint64
	LatencyPS int64
}

// BarrierPoint compares SANA-FE's barrier latency with ours at one tile
// count.
type BarrierPoint struct {
	Tiles  int
	FilePS int64 // SANA-FE's step table (or fixed value)
	OursPS int64 // preset.BarrierSpec.LatencyPS
}

// BarrierReport says how the barrier was approximated.
type BarrierReport struct {
	Model string // "table", "fixed" or "none"
	// Table has one point per entry of the file's table (per key).
	Table []BarrierPoint
	// WorstDiffPS is the largest |ours − file| over 1..chip tiles, at
	// WorstAtTiles tiles.
	WorstDiffPS  int64
	WorstAtTiles int
}

// Rounding is a value that did not convert to a whole number of fJ or ps.
type Rounding struct {
	Field string
	Pos   graph.Pos
	Value float64 // in joules or seconds, as written
	Got   int64   // in fJ or ps
	Unit  string  // "fJ" or "ps"
}

// ChosenUnits names the units that priced the core.
type ChosenUnits struct {
	AxonIn, Synapse, Dendrite, Soma, AxonOut string
}

// ArchReport says what ReadArch made of an architecture file and what it
// could not represent.
type ArchReport struct {
	File string
	Name string
	// Mesh as the file gives it. TilesDefined is the number of tiles its
	// tile list makes (it may be less than Width×Height).
	Width, Height, CoresPerTile, TilesDefined int
	// MaxNeurons is max_neurons_supported of the first core.
	MaxNeurons int
	// Units are the units of the first core, in file order; every core of
	// the chip is priced like it.
	Units  []Unit
	Chosen ChosenUnits
	// Hops are the per-direction hop costs of the first tile.
	Hops    []Hop
	Barrier BarrierReport
	// Rounded lists values that were not whole fJ or ps.
	Rounded []Rounding
	// Notes lists every field the preset cannot represent and every
	// choice made in its place.
	Notes []string
}

// Unit returns the unit of kind named name ("" = the first of that kind),
// or nil.
func (r *ArchReport) Unit(kind, name string) *Unit {
	for i := range r.Units {
		u := &r.Units[i]
		if u.Kind == kind && (name == "" || u.matches(name)) {
			return u
		}
	}
	return nil
}

// ReadArch reads a SANA-FE architecture file and converts it into a
// Tessera preset, pricing the core with the first listed units.
func ReadArch(path string) (preset.Spec, ArchReport, error) {
	return ReadArchWith(path, ArchOptions{})
}

// ReadArchWith is ReadArch with a choice of units.
func ReadArchWith(path string, opts ArchOptions) (preset.Spec, ArchReport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return preset.Spec{}, ArchReport{}, fmt.Errorf("sanafe: %w", err)
	}
	return ParseArch(path, data, opts)
}

// ParseArch is ReadArchWith on bytes already read; file names the source
// in errors.
func ParseArch(file string, data []byte, opts ArchOptions) (preset.Spec, ArchReport, error) {
	r := newReader(file)
	a := &archReader{reader: r, rep: ArchReport{File: file}}
	spec := a.read(data, opts)
	a.rep.Notes = r.notes
	if err := r.err(); err != nil {
		return preset.Spec{}, a.rep, err
	}
	return spec, a.rep, nil
}

type archReader struct {
	*reader
	rep ArchReport
}

// tileDesc is one tile entry's costs and cores, for comparing entries.
type tileDesc struct {
	node   *yaml.Node
	copies int
	hops   map[string]Hop
	cores  []coreDesc // one per core entry
}

type coreDesc struct {
	node       *yaml.Node
	copies     int
	maxNeurons int
	units      []Unit
}

func (a *archReader) read(data []byte, opts ArchOptions) preset.Spec {
	root := a.parseYAML(data)
	if root == nil {
		return preset.Spec{}
	}
	top, ok := a.mapPairs(root, "the file")
	if !ok {
		return preset.Spec{}
	}
	var archNode *yaml.Node
	for _, p := range top {
		switch p.key {
		case "architecture":
			archNode = p.val
		case "network", "mappings":
			a.errorf(p.kn, "%s: this is a SANA-FE network file; an architecture file has the top key `architecture:`", p.key)
		default:
			a.errorf(p.kn, "unknown top-level key %q (an architecture file has `architecture:`)", p.key)
		}
	}
	if archNode == nil {
		if len(a.errs) == 0 {
			a.errorf(root, "no `architecture:` section")
		}
		return preset.Spec{}
	}
	fields, ok := a.mapPairs(archNode, "architecture")
	if !ok {
		return preset.Spec{}
	}
	var attrNode, tileNode *yaml.Node
	for _, p := range fields {
		switch p.key {
		case "name":
			a.rep.Name, _ = a.text(p.val, "architecture name")
		case "attributes":
			attrNode = p.val
		case "tile":
			tileNode = p.val
		default:
			a.errorf(p.kn, "unknown architecture key %q (expected name, attributes, tile)", p.key)
		}
	}
	if a.rep.Name == "" {
		a.rep.Name = strings.TrimSuffix(filepath.Base(a.file), filepath.Ext(a.file))
	}
	spec := preset.Spec{Name: a.rep.Name, Core: core.DefaultSpec()}
	a.readNoC(attrNode, archNode, &spec)
	tiles := a.readTiles(tileNode, archNode)
	if len(tiles) == 0 {
		if tileNode != nil && len(a.errs) == 0 {
			a.errorf(tileNode, "the tile list is empty")
		} else if tileNode == nil {
			a.errorf(archNode, "no `tile:` list")
		}
		return spec
	}
	a.buildCore(tiles, opts, &spec)
	if opts.OnlyFileLimits {
		spec.Core.MaxAxons, spec.Core.MaxRoutes, spec.Core.SynapseMemoryBits = Unlimited, Unlimited, Unlimited
		a.note("OnlyFileLimits: input axons, output routes and synapse memory per core are unlimited (%d), as in SANA-FE; %d-bit weights and delays up to %d are Loihi's",
			Unlimited, spec.Core.MaxWeightBits, spec.Core.MaxDelay)
	} else {
		a.note("capacities the file does not give (input axons %d, output routes %d, synapse memory %d bits, %d-bit weights, delays up to %d) are Loihi's (core.DefaultSpec); ArchOptions.OnlyFileLimits lifts the first three, as SANA-FE does",
			spec.Core.MaxAxons, spec.Core.MaxRoutes, spec.Core.SynapseMemoryBits, spec.Core.MaxWeightBits, spec.Core.MaxDelay)
	}
	a.note("SANA-FE has no on-chip learning: syn_update keeps Loihi's cost (%d fJ, %d ps)", spec.Core.SynUpdate.EnergyFJ, spec.Core.SynUpdate.LatencyPS)
	a.note("SANA-FE gives no static (leakage) power or barrier energy: both are 0")
	if len(a.errs) == 0 {
		if err := spec.Validate(); err != nil {
			a.errorf(archNode, "the converted preset is not valid: %v", err)
		}
	}
	return spec
}

// readNoC reads the network-on-chip attributes: mesh size and barrier.
func (a *archReader) readNoC(attrNode, archNode *yaml.Node, spec *preset.Spec) {
	attrs, _ := a.attrList(attrNode, "architecture attributes")
	var width, height *yaml.Node
	var syncModel string
	var syncModelNode, latencySync *yaml.Node
	for _, p := range attrs {
		switch p.key {
		case "topology":
			if t, ok := a.text(p.val, "topology"); ok && t != "mesh" {
				a.errorf(p.val, "topology %q is not supported: Tessera chips are 2-D meshes (topology: mesh)", t)
			}
		case "width", "noc_width":
			width = p.val
		case "height", "noc_height":
			height = p.val
		case "link_buffer_size", "noc_buffer_size":
			if n, ok := a.integer(p.val, p.key, 0, math.MaxInt32); ok {
				a.note("%s %d (per-link message buffer depth of SANA-FE's NoC timing model) is not represented: Tessera's router model has no such field", p.key, n)
			}
		case "sync_model":
			syncModel, _ = a.text(p.val, "sync_model")
			syncModelNode = p.val
		case "latency_sync":
			latencySync = p.val
		default:
			a.errorf(p.kn, "unknown architecture attribute %q", p.key)
		}
	}
	w, okW := a.requireInt(width, attrNode, archNode, "width", 1, 4096)
	h, okH := a.requireInt(height, attrNode, archNode, "height", 1, 4096)
	if okW && okH {
		a.rep.Width, a.rep.Height = int(w), int(h)
		spec.Mesh.Width, spec.Mesh.Height = int(w), int(h)
	}
	a.readBarrier(syncModel, syncModelNode, latencySync, spec)
}

func (a *archReader) requireInt(n, parent, fallback *yaml.Node, what string, lo, hi int64) (int64, bool) {
	if n == nil {
		if parent == nil {
			parent = fallback
		}
		a.errorf(parent, "architecture attribute %s is missing", what)
		return 0, false
	}
	return a.integer(n, what, lo, hi)
}

// readBarrier converts latency_sync into a linear BarrierSpec: exact at
// the table's first entry and from its last key on, linear between.
func (a *archReader) readBarrier(model string, modelNode, ls *yaml.Node, spec *preset.Spec) {
	b := &a.rep.Barrier
	spec.Barrier = preset.BarrierSpec{MaxTiles: 1}
	if ls == nil {
		b.Model = "none"
		if model != "" && model != "none" {
			a.errorf(modelNode, "sync_model %s needs latency_sync", model)
		}
		a.note("no latency_sync: the barrier costs nothing")
		return
	}
	ls = resolveAlias(ls)
	switch {
	case ls.Kind == yaml.ScalarNode:
		if model != "" && model != "fixed" {
			a.errorf(ls, "sync_model %s needs a table latency_sync ({tiles: seconds, ...}), found one value", model)
			return
		}
		sec, ok := a.number(ls, "latency_sync")
		if !ok {
			return
		}
		ps, _ := a.seconds(ls, "latency_sync", sec)
		b.Model = "fixed"
		spec.Barrier = preset.BarrierSpec{MinLatencyPS: ps, MaxLatencyPS: ps, MaxTiles: 1}
		b.Table = []BarrierPoint{{Tiles: 1, FilePS: ps, OursPS: ps}}
		return
	case ls.Kind == yaml.MappingNode:
		if model != "" && model != "table" {
			a.errorf(ls, "sync_model %s needs one latency_sync value, found a table", model)
			return
		}
	default:
		a.errorf(ls, "latency_sync must be seconds or a table {tiles: seconds}, found %s", kindName(ls))
		return
	}
	pairs, _ := a.mapPairs(ls, "latency_sync")
	type entry struct {
		tiles int
		ps    int64
	}
	var table []entry
	for _, p := range pairs {
		k, err := strconv.Atoi(strings.TrimSpace(p.key))
		if err != nil || k < 1 {
			a.errorf(p.kn, "latency_sync key %q must be a tile count ≥ 1", p.key)
			continue
		}
		sec, ok := a.number(p.val, fmt.Sprintf("latency_sync[%d]", k))
		if !ok {
			continue
		}
		ps, _ := a.seconds(p.val, fmt.Sprintf("latency_sync[%d]", k), sec)
		table = append(table, entry{k, ps})
	}
	if len(table) == 0 {
		if len(pairs) == 0 {
			a.errorf(ls, "latency_sync table is empty")
		}
		return
	}
	sort.SliceStable(table, func(i, j int) bool { return table[i].tiles < table[j].tiles })
	for i := 1; i < len(table); i++ {
		if table[i].tiles == table[i-1].tiles {
			a.errorf(ls, "latency_sync lists %d tiles twice", table[i].tiles)
			return
		}
	}
	first, last := table[0], table[len(table)-1]
	b.Model = "table"
	spec.Barrier = preset.BarrierSpec{MinLatencyPS: first.ps, MaxLatencyPS: last.ps, MaxTiles: max(last.tiles, 1)}
	if last.ps < first.ps {
		spec.Barrier.MaxLatencyPS = first.ps
		a.note("latency_sync falls with more tiles; the barrier is held at its first value %d ps", first.ps)
	}
	step := func(tiles int) int64 {
		v := first.ps // below the first key: its value
		for _, e := range table {
			if e.tiles <= tiles {
				v = e.ps
			}
		}
		return v
	}
	for _, e := range table {
		b.Table = append(b.Table, BarrierPoint{Tiles: e.tiles, FilePS: e.ps, OursPS: spec.Barrier.LatencyPS(e.tiles)})
	}
	tiles := max(a.rep.Width*a.rep.Height, last.tiles)
	for n := 1; n <= tiles; n++ {
		d := spec.Barrier.LatencyPS(n) - step(n)
		if d < 0 {
			d = -d
		}
		if d > b.WorstDiffPS {
			b.WorstDiffPS, b.WorstAtTiles = d, n
		}
	}
	if len(table) > 2 || (len(table) == 2 && first.tiles != 1) || b.WorstDiffPS > 0 {
		a.note("latency_sync is a step table of %d entries; the preset's barrier is linear from %d ps (1 tile) to %d ps (%d tiles and more), exact at those ends, at most %d ps off (at %d tiles)",
			len(table), spec.Barrier.MinLatencyPS, spec.Barrier.MaxLatencyPS, spec.Barrier.MaxTiles, b.WorstDiffPS, b.WorstAtTiles)
	}
}

// joules converts joules to whole femtojoules, recording any rounding.
func (a *archReader) joules(n *yaml.Node, field string, j float64) (uint64, bool) {
	v, ok := a.whole(n, field, j, 1e15, "J", "fJ")
	return uint64(v), ok
}

// seconds converts seconds to whole picoseconds, recording any rounding.
func (a *archReader) seconds(n *yaml.Node, field string, s float64) (int64, bool) {
	return a.whole(n, field, s, 1e12, "s", "ps")
}

// whole converts v (in unit) to whole multiples of unit/scale (in to),
// refusing negative and huge values and recording any rounding.
func (a *archReader) whole(n *yaml.Node, field string, v, scale float64, unit, to string) (int64, bool) {
	if v < 0 {
		a.errorf(n, "%s must be ≥ 0 %s, found %g", field, unit, v)
		return 0, false
	}
	x := v * scale
	if x > math.MaxInt64/2 {
		a.errorf(n, "%s = %g %s is too large", field, v, unit)
		return 0, false
	}
	got := math.Round(x)
	if math.Abs(x-got) > 1e-6*max(1, x) {
		a.rep.Rounded = append(a.rep.Rounded, Rounding{Field: field, Pos: a.pos(n), Value: v, Got: int64(got), Unit: to})
	}
	return int64(got), true
}

// readTiles reads the tile list and every tile's cores.
func (a *archReader) readTiles(n, archNode *yaml.Node) []tileDesc {
	items, ok := a.seqItems(n, "tile")
	if !ok {
		return nil
	}
	var tiles []tileDesc
	for ti, item := range items {
		fields, ok := a.mapPairs(item, "a tile")
		if !ok {
			continue
		}
		td := tileDesc{node: item, copies: 1, hops: map[string]Hop{}}
		var attrNode, coreNode *yaml.Node
		name := ""
		for _, p := range fields {
			switch p.key {
			case "name":
				name, _ = a.text(p.val, "tile name")
				td.copies = a.copies(p.val, name, "tile")
			case "attributes":
				attrNode = p.val
			case "core":
				coreNode = p.val
			default:
				a.errorf(p.kn, "unknown tile key %q (expected name, attributes, core)", p.key)
			}
		}
		where := fmt.Sprintf("tile %s", name)
		if name == "" {
			where = fmt.Sprintf("tile entry %d", ti)
		}
		attrs, _ := a.attrList(attrNode, where+" attributes")
		for _, p := range attrs {
			dir, isHop := hopAttr(p.key)
			if !isHop {
				a.errorf(p.kn, "unknown tile attribute %q (expected energy_/latency_ north/east/south/west _hop)", p.key)
				continue
			}
			v, ok := a.number(p.val, p.key)
			if !ok {
				continue
			}
			h := td.hops[dir]
			h.Direction = dir
			if strings.HasPrefix(p.key, "energy_") {
				h.EnergyFJ, _ = a.joules(p.val, where+" "+p.key, v)
			} else {
				h.LatencyPS, _ = a.seconds(p.val, where+" "+p.key, v)
			}
			td.hops[dir] = h
		}
		cores, ok := a.seqItems(coreNode, where+" core")
		if ok && len(cores) == 0 {
			a.errorf(item, "%s has no cores", where)
		}
		for ci, c := range cores {
			td.cores = append(td.cores, a.readCore(c, fmt.Sprintf("%s core entry %d", where, ci)))
		}
		tiles = append(tiles, td)
	}
	return tiles
}

// hopAttr maps energy_north_hop etc. to its direction.
func hopAttr(key string) (string, bool) {
	for _, pre := range []string{"energy_", "latency_"} {
		if rest, ok := strings.CutPrefix(key, pre); ok {
			if dir, ok := strings.CutSuffix(rest, "_hop"); ok {
				switch dir {
				case "north", "east", "south", "west":
					return dir, true
				}
			}
		}
	}
	return "", false
}

// copies is the number of copies a possibly ranged name makes.
func (a *archReader) copies(n *yaml.Node, name, what string) int {
	_, lo, hi, ranged, ok := splitNameRange(name)
	if !ok {
		a.errorf(n, "%s name %q: an index range is written name[first..last], e.g. %s[0..3]", what, name, what)
		return 1
	}
	if !ranged {
		return 1
	}
	if hi-lo >= 1<<24 {
		a.errorf(n, "%s name %q makes %d copies: too many", what, name, hi-lo+1)
		return 1
	}
	return hi - lo + 1
}

func (a *archReader) readCore(n *yaml.Node, where string) coreDesc {
	cd := coreDesc{node: n, copies: 1, maxNeurons: -1}
	fields, ok := a.mapPairs(n, "a core")
	if !ok {
		return cd
	}
	name := ""
	for _, p := range fields {
		switch p.key {
		case "name":
			name, _ = a.text(p.val, "core name")
			cd.copies = a.copies(p.val, name, "core")
			where = "core " + name
		}
	}
	for _, p := range fields {
		switch p.key {
		case "name":
		case "attributes":
			attrs, _ := a.attrList(p.val, where+" attributes")
			for _, q := range attrs {
				switch q.key {
				case "max_neurons_supported":
					if v, ok := a.integer(q.val, q.key, 1, 1<<16); ok {
						cd.maxNeurons = int(v)
					}
				case "buffer_position":
					if s, ok := a.text(q.val, q.key); ok {
						switch s {
						case "soma", "dendrite", "synapse", "axon_in", "axon_out", "before_soma", "before_dendrite", "before_synapse":
						default:
							a.errorf(q.val, "unknown buffer_position %q", s)
						}
						a.note("buffer_position %s (where SANA-FE splits the core pipeline for its timing model) is not represented: Tessera's core is one sequential pipeline (sweep, then arrivals)", s)
					}
				case "buffer_inside_unit":
					if v, ok := a.boolean(q.val, q.key); ok {
						a.note("buffer_inside_unit %v is not represented (SANA-FE timing-model detail)", v)
					}
				case "log_energy", "log_latency":
					a.note("core attribute %s (SANA-FE logging) is ignored", q.key)
				default:
					a.errorf(q.kn, "unknown core attribute %q", q.key)
				}
			}
		case KindAxonIn, KindSynapse, KindDendrite, KindSoma, KindAxonOut:
			items, _ := a.seqItems(p.val, where+" "+p.key)
			for _, it := range items {
				if u, ok := a.readUnit(p.key, it); ok {
					cd.units = append(cd.units, u)
				}
			}
		default:
			a.errorf(p.kn, "unknown core key %q (expected name, attributes, axon_in, synapse, dendrite, soma, axon_out)", p.key)
		}
	}
	return cd
}

func (a *archReader) readUnit(kind string, n *yaml.Node) (Unit, bool) {
	u := Unit{Kind: kind, Copies: 1, Pos: a.pos(n)}
	fields, ok := a.mapPairs(n, "a "+kind+" unit")
	if !ok {
		return u, false
	}
	var attrNode *yaml.Node
	for _, p := range fields {
		switch p.key {
		case "name":
			u.Name, _ = a.text(p.val, kind+" unit name")
			u.Copies = a.copies(p.val, u.Name, kind+" unit")
			u.base, u.lo, u.hi, u.ranged, _ = splitNameRange(u.Name)
		case "attributes":
			attrNode = p.val
		default:
			a.errorf(p.kn, "unknown %s unit key %q (expected name, attributes)", kind, p.key)
		}
	}
	if u.Name == "" {
		a.errorf(n, "a %s unit needs a name", kind)
		return u, false
	}
	attrs, _ := a.attrList(attrNode, kind+" unit "+u.Name+" attributes")
	costs := map[string]*UnitCost{}
	for _, op := range unitCostOps[kind] {
		costs[op] = &UnitCost{Op: op}
	}
	for _, p := range attrs {
		if unitExtraAttrs[p.key] {
			switch p.key {
			case "model":
				u.Model, _ = a.text(p.val, "model")
			case "plugin":
				a.note("%s unit %s loads a plugin (%s): plugins are SANA-FE code and cannot run here", kind, u.Name, p.val.Value)
			default:
				a.note("%s unit %s: attribute %s = %s is not represented", kind, u.Name, p.key, p.val.Value)
			}
			continue
		}
		var op string
		var energy bool
		if rest, ok := strings.CutPrefix(p.key, "energy_"); ok {
			op, energy = rest, true
		} else if rest, ok := strings.CutPrefix(p.key, "latency_"); ok {
			op = rest
		}
		c := costs[op]
		if c == nil {
			a.errorf(p.kn, "unknown %s unit attribute %q", kind, p.key)
			continue
		}
		v, ok := a.number(p.val, p.key)
		if !ok {
			continue
		}
		field := kind + " " + u.Name + " " + p.key
		if energy {
			c.EnergyFJ, _ = a.joules(p.val, field, v)
		} else {
			c.LatencyPS, _ = a.seconds(p.val, field, v)
		}
	}
	for _, op := range unitCostOps[kind] {
		u.Costs = append(u.Costs, *costs[op])
	}
	switch u.Model {
	case "", "current_based", "loihi", "accumulator", "accumulator_with_delay", "leaky_integrate_fire", "input":
	case "taps":
		a.note("dendrite unit %s uses model taps (multi-tap dendrite): Tessera's neuron has one compartment; a network that uses this unit fails to import", u.Name)
	default:
		a.note("%s unit %s uses model %s, which Tessera does not emulate; a network that uses this unit fails to import", kind, u.Name, u.Model)
	}
	return u, true
}

// signature is a comparable text of a core's units and capacity.
func (c coreDesc) signature() string {
	var b strings.Builder
	fmt.Fprintf(&b, "max=%d;", c.maxNeurons)
	for _, u := range c.units {
		fmt.Fprintf(&b, "%s/%s/%s/%v;", u.Kind, u.Name, u.Model, u.Costs)
	}
	return b.String()
}

// buildCore checks that every tile and core is alike and fills the core
// and router specs from the first.
func (a *archReader) buildCore(tiles []tileDesc, opts ArchOptions, spec *preset.Spec) {
	first := tiles[0]
	for _, t := range tiles {
		a.rep.TilesDefined += t.copies
	}
	perTile := func(t tileDesc) int {
		n := 0
		for _, c := range t.cores {
			n += c.copies
		}
		return n
	}
	a.rep.CoresPerTile = perTile(first)
	spec.Mesh.CoresPerTile = a.rep.CoresPerTile
	if a.rep.CoresPerTile > 64 {
		a.errorf(first.node, "a tile has %d cores; Tessera supports at most 64 per tile", a.rep.CoresPerTile)
	}
	if mt := a.rep.Width * a.rep.Height; mt > 0 {
		switch {
		case a.rep.TilesDefined > mt:
			a.errorf(first.node, "the tile list makes %d tiles, more than the %d×%d mesh holds", a.rep.TilesDefined, a.rep.Width, a.rep.Height)
		case a.rep.TilesDefined < mt:
			a.note("the tile list makes %d tiles for a %d×%d mesh; the preset fills all %d positions with tiles like the first", a.rep.TilesDefined, a.rep.Width, a.rep.Height, mt)
		}
	}
	sigOf := func(t tileDesc) string {
		var b strings.Builder
		for _, d := range []string{"north", "east", "south", "west"} {
			fmt.Fprintf(&b, "%v;", t.hops[d])
		}
		for _, c := range t.cores {
			b.WriteString(c.signature())
		}
		return b.String()
	}
	for _, t := range tiles[1:] {
		if sigOf(t) != sigOf(first) || perTile(t) != perTile(first) {
			a.note("tile entries differ (costs, units or core count); Tessera's tiles are all alike, every tile is priced and sized as the first")
		}
	}
	if len(first.cores) == 0 {
		return
	}
	c0 := first.cores[0]
	for _, c := range first.cores[1:] {
		if c.signature() != c0.signature() {
			a.note("core entries of a tile differ; Tessera's cores are all alike, every core is priced as the first (%s)", c0.units[0].Name)
		}
	}
	// Router: east/west and north/south averaged.
	for _, d := range []string{"north", "east", "south", "west"} {
		a.rep.Hops = append(a.rep.Hops, Hop{Direction: d, EnergyFJ: first.hops[d].EnergyFJ, LatencyPS: first.hops[d].LatencyPS})
	}
	spec.Mesh.Router = router.Spec{
		HopEW: a.hopPair(first.hops["east"], first.hops["west"], "east", "west"),
		HopNS: a.hopPair(first.hops["north"], first.hops["south"], "north", "south"),
	}
	// Core.
	a.rep.Units = c0.units
	if c0.maxNeurons > 0 {
		spec.Core.MaxNeurons = c0.maxNeurons
		a.rep.MaxNeurons = c0.maxNeurons
	} else {
		a.note("max_neurons_supported not given: %d neurons per core (Loihi's)", spec.Core.MaxNeurons)
	}
	pick := func(kind, name string, skipInput bool) *Unit {
		if name != "" {
			u := a.rep.Unit(kind, name)
			if u == nil {
				a.errorf(c0.node, "no %s unit named %q in the first core (ArchOptions)", kind, name)
			}
			return u
		}
		for i := range a.rep.Units {
			u := &a.rep.Units[i]
			if u.Kind == kind && !(skipInput && u.Model == "input") {
				return u
			}
		}
		return nil
	}
	if u := pick(KindSynapse, opts.Synapse, false); u != nil {
		a.rep.Chosen.Synapse = u.Name
		c := u.Cost("process_spike")
		spec.Core.SynOp = core.OpCost{EnergyFJ: c.EnergyFJ, LatencyPS: c.LatencyPS}
	} else if opts.Synapse == "" {
		a.note("the core has no synapse unit: synaptic ops cost nothing")
		spec.Core.SynOp = core.OpCost{}
	}
	if u := pick(KindSoma, opts.Soma, true); u != nil {
		a.rep.Chosen.Soma = u.Name
		acc, upd, out := u.Cost("access_neuron"), u.Cost("update_neuron"), u.Cost("spike_out")
		spec.Core.NeuronInactive = core.OpCost{EnergyFJ: acc.EnergyFJ, LatencyPS: acc.LatencyPS}
		spec.Core.NeuronActive = core.OpCost{EnergyFJ: acc.EnergyFJ + upd.EnergyFJ, LatencyPS: acc.LatencyPS + upd.LatencyPS}
		if out.EnergyFJ != 0 || out.LatencyPS != 0 {
			a.note("soma unit %s: energy_spike_out %d fJ / latency_spike_out %d ps per fired neuron is not represented: Tessera prices a spike per packet sent (spike_out ← axon_out), not per neuron that fires",
				u.Name, out.EnergyFJ, out.LatencyPS)
		}
	} else if opts.Soma == "" {
		a.note("the core has no soma unit other than input models: neuron updates cost nothing")
		spec.Core.NeuronActive, spec.Core.NeuronInactive = core.OpCost{}, core.OpCost{}
	}
	if u := pick(KindAxonOut, "", false); u != nil {
		a.rep.Chosen.AxonOut = u.Name
		c := u.Cost("message_out")
		spec.Core.SpikeOut = core.OpCost{EnergyFJ: c.EnergyFJ, LatencyPS: c.LatencyPS}
	} else {
		a.note("the core has no axon_out unit: packets leave for free")
		spec.Core.SpikeOut = core.OpCost{}
	}
	if u := pick(KindAxonIn, "", false); u != nil {
		a.rep.Chosen.AxonIn = u.Name
		if c := u.Cost("message_in"); c.EnergyFJ != 0 || c.LatencyPS != 0 {
			a.note("axon_in unit %s: energy_message_in %d fJ / latency_message_in %d ps per arriving packet is not represented: Tessera charges arrivals per synaptic op only",
				u.Name, c.EnergyFJ, c.LatencyPS)
		}
	}
	if u := pick(KindDendrite, "", false); u != nil {
		a.rep.Chosen.Dendrite = u.Name
	}
	for _, u := range a.rep.Units {
		if u.Kind == KindDendrite {
			if c := u.Cost("update"); c.EnergyFJ != 0 || c.LatencyPS != 0 {
				a.note("dendrite unit %s: energy_update %d fJ / latency_update %d ps is not represented: Tessera's dendrite accumulator is free",
					u.Name, c.EnergyFJ, c.LatencyPS)
			}
		}
		chosen := u.Name == a.rep.Chosen.Synapse || u.Name == a.rep.Chosen.Soma
		switch {
		case u.Kind == KindSynapse && !chosen:
			c := u.Cost("process_spike")
			a.note("synapse unit %s (%d fJ, %d ps per synaptic event) is not the one pricing synaptic ops (%s); choose it with ArchOptions.Synapse",
				u.Name, c.EnergyFJ, c.LatencyPS, a.rep.Chosen.Synapse)
		case u.Kind == KindSoma && !chosen:
			nonzero := slices.ContainsFunc(u.Costs, func(c UnitCost) bool { return c.EnergyFJ != 0 || c.LatencyPS != 0 })
			if u.Model == "input" && !nonzero {
				continue // input units are host-driven and free here too
			}
			a.note("soma unit %s (model %s) has costs of its own, not represented: every neuron is priced as %s", u.Name, u.Model, a.rep.Chosen.Soma)
		}
	}
}

// hopPair averages the costs of two opposite directions into one
// router.HopCost (Tessera prices east = west and north = south).
func (a *archReader) hopPair(x, y Hop, dx, dy string) router.HopCost {
	e := (x.EnergyFJ + y.EnergyFJ + 1) / 2
	l := (x.LatencyPS + y.LatencyPS + 1) / 2
	if x.EnergyFJ != y.EnergyFJ || x.LatencyPS != y.LatencyPS {
		a.note("%s hop (%d fJ, %d ps) and %s hop (%d fJ, %d ps) differ; Tessera prices both directions alike: their mean, %d fJ and %d ps, rounded half up",
			dx, x.EnergyFJ, x.LatencyPS, dy, y.EnergyFJ, y.LatencyPS, e, l)
	}
	if l < 1 {
		a.note("%s/%s hop latency is 0; Tessera's mesh has no zero-latency hop, it is 1 ps", dx, dy)
		l = 1
	}
	return router.HopCost{EnergyFJ: e, LatencyPS: l}
}

// TileXY returns the mesh position of SANA-FE tile id t on a mesh of the
// given height: SANA-FE numbers tiles down a column first.
func TileXY(t, height int) (x, y int) {
	if height < 1 {
		return 0, 0
	}
	return t / height, t % height
}

// CoreID is the Tessera core id (tile (x + y·width)·cores per tile +
// slot, as mesh.Spec.CoreTile counts) of core c of SANA-FE tile t.
func CoreID(m mesh.Spec, t, c int) int {
	x, y := TileXY(t, m.Height)
	return (x+y*m.Width)*m.CoresPerTile + c
}
