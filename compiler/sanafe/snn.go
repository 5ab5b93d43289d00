package sanafe

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/core"
)

// SNNOptions steer ReadSNN.
type SNNOptions struct {
	// Arch, from ReadArch, says which soma units are `input` models and
	// which dendrite units are multi-tap; it also checks unit names. Without
	// it a neuron is an input exactly when it has spikes, poisson or rate
	// attributes.
	Arch *ArchReport
	// WeightBits is the weight mantissa's magnitude bits (sign extra):
	// weights are scaled into ±(2^WeightBits − 1) with a per-projection
	// exponent. 0 means 8 (Loihi: 8 bits and a sign).
	WeightBits int
	// DtPS is the graph's timestep in ps. SANA-FE has no dt; it only turns
	// a Poisson probability per step into a rate. 0 means 1 ms.
	DtPS int64
	// Seed derives each Poisson input population's seed.
	Seed uint64
	// RateSteps is how many steps a periodic `rate` input is expanded
	// into a raster for. 0 means 1000.
	RateSteps int
	// NoProbes leaves out the probes that log_spikes, log_potential and
	// log_u ask for (a long run of a large network records a lot).
	NoProbes bool
	// PartitionAsMapped makes one population of the neurons of a group
	// that SANA-FE mapped onto one core (named group@tile.core), so the
	// compiler, which gives every population cores of its own, partitions
	// the network exactly as SANA-FE did. Where the cores go on the mesh
	// is still the compiler's choice.
	PartitionAsMapped bool
	// MaxNeurons and MaxSynapses bound what a file may make before any
	// memory is spent on it. 0 means 1<<22 and 1<<27.
	MaxNeurons, MaxSynapses int
}

func (o *SNNOptions) defaults() {
	if o.WeightBits <= 0 {
		o.WeightBits = 8
	}
	o.WeightBits = min(o.WeightBits, 15)
	if o.DtPS <= 0 {
		o.DtPS = 1_000_000_000
	}
	if o.RateSteps <= 0 {
		o.RateSteps = 1000
	}
	if o.MaxNeurons <= 0 {
		o.MaxNeurons = 1 << 22
	}
	if o.MaxSynapses <= 0 {
		o.MaxSynapses = 1 << 27
	}
}

// Location is where SANA-FE placed a neuron: a tile id (SANA-FE numbers
// tiles down a column first, see TileXY) and a core within the tile.
type Location struct {
	Tile, Core int32
}

// Mapping is the SANA-FE placement of every neuron of the imported graph.
type Mapping struct {
	Populations []PopulationMapping // one per graph population, in order
}

// PopulationMapping places one population's neurons; Tile and Core are
// -1 for a neuron the file does not map.
type PopulationMapping struct {
	Name       string
	Tile, Core []int32
}

// Of returns where neuron i of population pop was placed.
func (m Mapping) Of(pop string, i int) (Location, bool) {
	for _, p := range m.Populations {
		if p.Name == pop && i >= 0 && i < len(p.Tile) && p.Tile[i] >= 0 {
			return Location{p.Tile[i], p.Core[i]}, true
		}
	}
	return Location{}, false
}

// Loads counts the neurons SANA-FE placed on each core.
func (m Mapping) Loads() map[Location]int {
	out := map[Location]int{}
	for _, p := range m.Populations {
		for i, t := range p.Tile {
			if t >= 0 {
				out[Location{t, p.Core[i]}]++
			}
		}
	}
	return out
}

// CoresUsed is the number of cores SANA-FE placed neurons on.
func (m Mapping) CoresUsed() int { return len(m.Loads()) }

// TilesUsed is the number of tiles SANA-FE placed neurons on.
func (m Mapping) TilesUsed() int {
	tiles := map[int32]bool{}
	for l := range m.Loads() {
		tiles[l.Tile] = true
	}
	return len(tiles)
}

// neuronAttrs are one neuron's attributes after group defaults and its own
// overrides; neurons of one list entry share one value.
type neuronAttrs struct {
	threshold, leak, inputDecay, bias float64
	refractory                        int32
	// input model
	spikes            []bool
	poisson, rate     float64
	hasInput          bool // spikes, poisson or rate given
	inputNode         *yaml.Node
	lifNode           *yaml.Node // where a LIF-only attribute was set last
	somaHW, synHW     string
	dendHW            string
	logSpikes, logPot bool
	logU              bool
}

func defaultAttrs() *neuronAttrs { return &neuronAttrs{leak: 1} }

// group is one SANA-FE neuron group.
type group struct {
	name    string
	node    *yaml.Node // the group's name (or entry) node
	size    int
	attrs   []*neuronAttrs // per neuron
	entry   []*yaml.Node   // per neuron: its neurons-list entry
	tile    []int32        // per neuron, -1 unmapped
	core    []int32
	somaOvr map[int]string // mapping-level soma overrides
	// After classification: the graph population and index of each neuron.
	popOf, localOf []int32
}

type snnReader struct {
	*reader
	opts   SNNOptions
	rep    SNNReport
	groups []*group
	byName map[string]*group
	total  int // neurons defined so far
	once   map[string]bool
	pops   []*popBuild
	bucket []*bucket
}

// errOnce reports an error once per key (a group's 18 000 neurons give one
// message, not 18 000).
func (s *snnReader) errOnce(key string, n *yaml.Node, format string, args ...any) {
	if s.once[key] {
		return
	}
	s.once[key] = true
	s.errorf(n, format, args...)
}

// ReadSNN reads a SANA-FE network file (groups, edges and mappings) and
// converts it into a graph with integer Loihi parameters, the SANA-FE
// placement of its neurons, and a report of every approximation.
func ReadSNN(path string, opts SNNOptions) (*graph.Graph, Mapping, SNNReport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Mapping{}, SNNReport{}, fmt.Errorf("sanafe: %w", err)
	}
	return ParseSNN(path, data, opts)
}

// ParseSNN is ReadSNN on bytes already read; file names the source in
// errors.
func ParseSNN(file string, data []byte, opts SNNOptions) (*graph.Graph, Mapping, SNNReport, error) {
	opts.defaults()
	s := &snnReader{reader: newReader(file), opts: opts, byName: map[string]*group{}, once: map[string]bool{}}
	s.rep.File = file
	g, m := s.read(data)
	s.rep.Notes = s.notes
	if err := s.err(); err != nil {
		return nil, Mapping{}, s.rep, err
	}
	return g, m, s.rep, nil
}

func (s *snnReader) read(data []byte) (*graph.Graph, Mapping) {
	root := s.parseYAML(data)
	if root == nil {
		return nil, Mapping{}
	}
	top, ok := s.mapPairs(root, "the file")
	if !ok {
		return nil, Mapping{}
	}
	var netNode, mapNode *yaml.Node
	for _, p := range top {
		switch p.key {
		case "network":
			netNode = p.val
		case "mappings":
			mapNode = p.val
		case "architecture":
			s.errorf(p.kn, "architecture: this is a SANA-FE architecture file; a network file has `network:` and `mappings:`")
		default:
			s.errorf(p.kn, "unknown top-level key %q (a network file has network and mappings)", p.key)
		}
	}
	if netNode == nil {
		if len(s.errs) == 0 {
			s.errorf(root, "no `network:` section")
		}
		return nil, Mapping{}
	}
	fields, ok := s.mapPairs(netNode, "network")
	if !ok {
		return nil, Mapping{}
	}
	var groupsNode, edgesNode *yaml.Node
	for _, p := range fields {
		switch p.key {
		case "name":
			s.rep.Name, _ = s.text(p.val, "network name")
		case "groups":
			groupsNode = p.val
		case "edges":
			edgesNode = p.val
		default:
			s.errorf(p.kn, "unknown network key %q (expected name, groups, edges)", p.key)
		}
	}
	if groupsNode == nil {
		s.errorf(netNode, "the network has no `groups:`")
		return nil, Mapping{}
	}
	s.readGroups(groupsNode)
	if mapNode == nil {
		s.note("the file has no `mappings:` section: no SANA-FE placement to compare with")
	} else {
		s.readMappings(mapNode)
	}
	if len(s.errs) > 0 {
		return nil, Mapping{}
	}
	s.classify()
	if len(s.errs) > 0 {
		return nil, Mapping{}
	}
	s.readEdges(edgesNode)
	if len(s.errs) > 0 {
		return nil, Mapping{}
	}
	return s.build()
}

func (s *snnReader) readGroups(n *yaml.Node) {
	items, _ := s.seqItems(n, "groups")
	for gi, item := range items {
		fields, ok := s.mapPairs(item, "a group")
		if !ok {
			continue
		}
		g := &group{node: item}
		var attrNode, neuronsNode *yaml.Node
		for _, p := range fields {
			switch p.key {
			case "name":
				g.name, _ = s.text(p.val, "group name")
				g.node = p.val
			case "attributes":
				attrNode = p.val
			case "neurons":
				neuronsNode = p.val
			default:
				s.errorf(p.kn, "unknown group key %q (expected name, attributes, neurons)", p.key)
			}
		}
		if g.name == "" {
			s.errorf(item, "group %d has no name", gi)
			continue
		}
		if strings.Contains(g.name, "->") {
			s.errorf(g.node, "group name %q contains \"->\", which separates the ends of an edge", g.name)
			continue
		}
		if _, dup := s.byName[g.name]; dup {
			s.errorf(g.node, "group %q is defined twice", g.name)
			continue
		}
		def := defaultAttrs()
		attrs, _ := s.attrList(attrNode, "group "+g.name+" attributes")
		s.applyNeuron(def, attrs, "")
		s.readNeurons(g, def, neuronsNode)
		s.byName[g.name] = g
		s.groups = append(s.groups, g)
	}
	if len(items) == 0 && len(s.errs) == 0 {
		s.errorf(n, "the network has no groups")
	}
}

// readNeurons reads a group's neuron list: items `3`, `0..15`,
// `{3: attrs}`, `{0..15: attrs}`.
func (s *snnReader) readNeurons(g *group, def *neuronAttrs, n *yaml.Node) {
	items, ok := s.seqItems(n, "group "+g.name+" neurons")
	if !ok {
		return
	}
	type span struct {
		lo, hi int
		a      *neuronAttrs
		node   *yaml.Node
	}
	var spans []span
	maxHi := -1
	add := func(keyNode *yaml.Node, key string, a *neuronAttrs) {
		lo, hi, ok := parseIndexRange(key)
		if !ok {
			s.errorf(keyNode, "group %s: neuron %q must be an index (7) or an inclusive range (0..15)", g.name, key)
			return
		}
		if s.total+hi-lo+1 > s.opts.MaxNeurons || hi >= s.opts.MaxNeurons {
			s.errorf(keyNode, "group %s: neurons %s make more than %d neurons (SNNOptions.MaxNeurons)", g.name, key, s.opts.MaxNeurons)
			return
		}
		s.total += hi - lo + 1
		spans = append(spans, span{lo, hi, a, keyNode})
		maxHi = max(maxHi, hi)
	}
	for _, it := range items {
		switch it.Kind {
		case yaml.ScalarNode:
			a := *def
			add(it, it.Value, &a)
		case yaml.MappingNode:
			pairs, _ := s.mapPairs(it, "a neuron entry")
			for _, p := range pairs {
				a := *def
				attrs, _ := s.attrList(p.val, "group "+g.name+" neuron "+p.key+" attributes")
				s.applyNeuron(&a, attrs, "")
				add(p.kn, p.key, &a)
			}
		default:
			s.errorf(it, "group %s: a neuron entry is an index, a range, or `index: attributes`, found %s", g.name, kindName(it))
		}
	}
	g.size = maxHi + 1
	g.attrs = make([]*neuronAttrs, g.size)
	g.entry = make([]*yaml.Node, g.size)
	for _, sp := range spans {
		for i := sp.lo; i <= sp.hi; i++ {
			if g.attrs[i] != nil {
				s.errOnce("dup "+g.name, sp.node, "group %s: neuron %d is defined twice", g.name, i)
				continue
			}
			g.attrs[i], g.entry[i] = sp.a, sp.node
		}
	}
	for i, a := range g.attrs {
		if a == nil {
			s.errorf(g.node, "group %s: neuron %d is not defined, but neurons up to %d are (a group's neurons are 0..N-1)", g.name, i, g.size-1)
			break
		}
	}
	if g.size == 0 && len(s.errs) == 0 {
		s.note("group %s has no neurons", g.name)
	}
	g.tile = make([]int32, g.size)
	g.core = make([]int32, g.size)
	for i := range g.tile {
		g.tile[i], g.core[i] = -1, -1
	}
}

// Attribute names by where they go.
var (
	somaAttrs = map[string]bool{
		"threshold": true, "reverse_threshold": true, "reset": true, "reverse_reset": true,
		"reset_mode": true, "reverse_reset_mode": true, "leak_decay": true, "input_decay": true,
		"bias": true, "refractory_delay": true, "force_update": true, "force_soma_update": true,
		"force_update_every_timestep": true, "noise": true, "noise_bits": true,
		"spikes": true, "poisson": true, "rate": true,
	}
	tapAttrs = map[string]bool{"taps": true, "time_constants": true, "space_constants": true, "tap": true}
)

// applyNeuron applies a neuron attribute list onto a. scope is "" (the
// attribute goes to every unit), "soma", "dendrite" or "synapse".
func (s *snnReader) applyNeuron(a *neuronAttrs, pairs []kv, scope string) {
	for _, p := range pairs {
		k, v := p.key, p.val
		switch {
		case tapAttrs[k] && scope != "soma" && scope != "synapse":
			s.errorf(p.kn, "attribute %s belongs to SANA-FE's multi-tap dendrite model (taps), which Tessera does not support: its neuron has one compartment", k)
		case k == "dendrite_leak_decay" && scope != "soma" && scope != "synapse":
			if f, ok := s.number(v, k); ok && f != 0 {
				s.errorf(p.kn, "dendrite_leak_decay %g: a leaky dendrite accumulator is not supported (Tessera's dendrite holds a step's input for one step); use the soma's input_decay", f)
			}
		case somaAttrs[k] && (scope == "" || scope == "soma"):
			s.applySoma(a, p)
		case scope == "" && (k == "soma" || k == "dendrite" || k == "synapse"):
			nested, _ := s.attrList(v, k+" attributes")
			s.applyNeuron(a, nested, k)
		case scope == "" && k == "soma_hw_name":
			a.somaHW, _ = s.text(v, k)
		case scope == "" && k == "synapse_hw_name":
			a.synHW, _ = s.text(v, k)
		case scope == "" && k == "dendrite_hw_name":
			a.dendHW, _ = s.text(v, k)
		case scope == "" && k == "log_spikes":
			a.logSpikes, _ = s.boolean(v, k)
		case scope == "" && k == "log_potential":
			a.logPot, _ = s.boolean(v, k)
		case scope == "" && k == "log_u":
			a.logU, _ = s.boolean(v, k)
		case scope == "" && (k == "force_synapse_update" || k == "force_dendrite_update"):
			if b, ok := s.boolean(v, k); ok && b {
				s.note("%s (forced unit updates) is not represented: it changes only SANA-FE's energy accounting", k)
			}
		default:
			where := "neuron"
			if scope != "" {
				where = scope
			}
			s.errorf(p.kn, "unknown %s attribute %q", where, k)
		}
	}
}

func (s *snnReader) applySoma(a *neuronAttrs, p kv) {
	k, v := p.key, p.val
	lif := func() { a.lifNode = p.kn }
	switch k {
	case "threshold":
		if f, ok := s.number(v, k); ok {
			a.threshold = f
			lif()
		}
	case "bias":
		if f, ok := s.number(v, k); ok {
			a.bias = f
			lif()
		}
	case "leak_decay", "input_decay":
		f, ok := s.number(v, k)
		if !ok {
			return
		}
		if f < 0 || f > 1 {
			s.errorf(v, "%s %g: a decay factor per step must be in 0..1 (Tessera's decays only shrink)", k, f)
			return
		}
		if k == "leak_decay" {
			a.leak = f
		} else {
			a.inputDecay = f
		}
		lif()
	case "reset":
		if f, ok := s.number(v, k); ok && f != 0 {
			s.errorf(v, "reset %g: Tessera's neuron resets its potential to 0 (only reset: 0 is supported)", f)
		}
	case "reset_mode":
		if m, ok := s.text(v, k); ok {
			switch m {
			case "hard":
			case "soft", "none", "saturate":
				s.errorf(v, "reset_mode %s is not supported: Tessera's neuron has a hard reset to 0 (reset_mode: hard)", m)
			default:
				s.errorf(v, "unknown reset_mode %q (SANA-FE knows none, soft, hard, saturate)", m)
			}
		}
	case "reverse_reset_mode":
		if m, ok := s.text(v, k); ok {
			switch m {
			case "none":
			case "soft", "hard", "saturate":
				s.errorf(v, "reverse_reset_mode %s is not supported: Tessera's neuron has no lower threshold (reverse_reset_mode: none)", m)
			default:
				s.errorf(v, "unknown reverse_reset_mode %q (SANA-FE knows none, soft, hard, saturate)", m)
			}
		}
	case "reverse_threshold", "reverse_reset":
		if f, ok := s.number(v, k); ok && f != 0 {
			s.note("%s is ignored: with reverse_reset_mode none (the only mode supported) it has no effect", k)
		}
	case "refractory_delay":
		if r, ok := s.integer(v, k, 0, core.MaxRefractorySteps); ok {
			a.refractory = int32(r)
			lif()
		}
	case "force_update", "force_soma_update", "force_update_every_timestep":
		if b, ok := s.boolean(v, k); ok && b {
			s.note("%s (forced soma updates) is not represented: Tessera sweeps every neuron every step; only SANA-FE's active/idle pricing of those neurons differs", k)
		}
	case "noise", "noise_bits":
		s.errorf(p.kn, "%s: SANA-FE's noise stream (random values read from a file) is not supported", k)
	case "spikes":
		items, ok := s.seqItems(v, k)
		if !ok {
			return
		}
		sp := make([]bool, len(items))
		for i, it := range items {
			if it.Kind == yaml.ScalarNode {
				if f, ok := parseNumber(it.Value); ok && (f == 0 || f == 1) {
					sp[i] = f == 1
					continue
				}
			}
			b, ok := s.boolean(it, fmt.Sprintf("spikes[%d]", i))
			if !ok {
				return
			}
			sp[i] = b
		}
		a.spikes, a.hasInput, a.inputNode = sp, true, p.kn
	case "poisson":
		if f, ok := s.number(v, k); ok {
			if f < 0 || f > 1 {
				s.errorf(v, "poisson %g: a spike probability per step must be in 0..1", f)
				return
			}
			a.poisson, a.hasInput, a.inputNode = f, true, p.kn
		}
	case "rate":
		if f, ok := s.number(v, k); ok {
			if f < 0 {
				s.errorf(v, "rate %g must be ≥ 0", f)
				return
			}
			a.rate, a.hasInput, a.inputNode = f, true, p.kn
		}
	}
}

// resolveTarget reads "group", "group.7" or "group.0..15" (group names
// may contain dots: every split is tried, the whole name first).
func (s *snnReader) resolveTarget(text string) (g *group, lo, hi int, whole, ok bool) {
	text = strings.TrimSpace(text)
	if g := s.byName[text]; g != nil {
		return g, 0, g.size - 1, true, true
	}
	for i := 0; i < len(text); i++ {
		if text[i] != '.' {
			continue
		}
		if g := s.byName[text[:i]]; g != nil {
			if lo, hi, ok := parseIndexRange(text[i+1:]); ok {
				return g, lo, hi, false, true
			}
		}
	}
	return nil, 0, 0, false, false
}

func (s *snnReader) readMappings(n *yaml.Node) {
	items, _ := s.seqItems(n, "mappings")
	for _, it := range items {
		pairs, ok := s.mapPairs(it, "a mapping entry")
		if !ok {
			continue
		}
		for _, p := range pairs {
			g, lo, hi, _, ok := s.resolveTarget(p.key)
			if !ok {
				s.errorf(p.kn, "mapping %q names no group or neuron (write group, group.index or group.first..last)", p.key)
				continue
			}
			if hi >= g.size {
				s.errorf(p.kn, "mapping %q: group %s has neurons 0..%d", p.key, g.name, g.size-1)
				continue
			}
			attrs, _ := s.attrList(p.val, "mapping "+p.key)
			tile, coreIdx := int32(-1), int32(-1)
			soma := ""
			coreGiven := false
			for _, q := range attrs {
				switch q.key {
				case "core":
					coreGiven = true
					t, c, ok := s.coreAddr(q.val)
					if ok {
						tile, coreIdx = t, c
					}
				case "soma", "soma_hw_name":
					soma, _ = s.text(q.val, q.key)
				default:
					s.errorf(q.kn, "unknown mapping attribute %q (expected core, soma)", q.key)
				}
			}
			if tile < 0 {
				if !coreGiven {
					s.errorf(p.kn, "mapping %q gives no core (core: tile.core)", p.key)
				}
				continue
			}
			for i := lo; i <= hi; i++ {
				if g.tile[i] >= 0 {
					s.errOnce("map "+g.name, p.kn, "mapping %q: neuron %s.%d is mapped twice", p.key, g.name, i)
					continue
				}
				g.tile[i], g.core[i] = tile, coreIdx
				if soma != "" {
					if g.somaOvr == nil {
						g.somaOvr = map[int]string{}
					}
					g.somaOvr[i] = soma
				}
			}
		}
	}
}

// coreAddr reads a core address "tile.core" (text, never a float: 0.10 is
// core 10 of tile 0).
func (s *snnReader) coreAddr(n *yaml.Node) (int32, int32, bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		s.errorf(n, "core must be tile.core, e.g. 0.1, found %s", kindName(n))
		return 0, 0, false
	}
	a, b, ok := strings.Cut(strings.TrimSpace(n.Value), ".")
	t, err1 := strconv.Atoi(a)
	c, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || t < 0 || c < 0 || t > math.MaxInt32/2 || c > math.MaxInt32/2 {
		s.errorf(n, "core %q must be tile.core with whole numbers, e.g. 0.1 (tile 0, core 1)", n.Value)
		return 0, 0, false
	}
	if arch := s.opts.Arch; arch != nil {
		if mt := arch.Width * arch.Height; mt > 0 && t >= mt {
			s.errorf(n, "core %s: tile %d is outside the %d×%d architecture (tiles 0..%d)", n.Value, t, arch.Width, arch.Height, mt-1)
			return 0, 0, false
		}
		if arch.CoresPerTile > 0 && c >= arch.CoresPerTile {
			s.errorf(n, "core %s: a tile of the architecture has cores 0..%d", n.Value, arch.CoresPerTile-1)
			return 0, 0, false
		}
	}
	return int32(t), int32(c), true
}
