package sanafe

import (
	"fmt"
	"math"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/core"
)

// popBuild is one graph population in the making: a run of consecutive
// neurons of one group that share every population-wide parameter.
type popBuild struct {
	name        string
	g           *group
	first, size int
	key         popKey
	pos         graph.Pos
	scale       int // voltages are 2^scale × SANA-FE's (LIF only)
	// members are the group's neuron indices, in order; first is
	// members[0]. They are consecutive unless SNNOptions.PartitionAsMapped
	// gathered the neurons of one SANA-FE core.
	members []int32
	loc     Location // PartitionAsMapped: the SANA-FE core; Tile -1 if unmapped
	run     int      // index among its group's populations
}

// attrs returns the attributes of the population's neuron i.
func (p *popBuild) attrs(i int) *neuronAttrs { return p.g.attrs[p.members[i]] }

// popKey holds what graph.NeuronParams (or an InputSource) keeps once per
// population.
type popKey struct {
	input             bool
	thr, leak, idecay float64
	refractory        int32
	poisson           float64 // input: Bernoulli probability per step, 0 = raster
}

// classify decides which neurons are inputs and which LIF, checks the
// units they use, and cuts every group into populations.
func (s *snnReader) classify() {
	arch := s.opts.Arch
	s.rep.SomaUnits, s.rep.InputUnits = map[string]int{}, map[string]int{}
	somaNames := ""
	if arch != nil {
		var names []string
		for _, u := range arch.Units {
			if u.Kind == KindSoma {
				names = append(names, u.Name)
			}
		}
		somaNames = strings.Join(names, ", ")
	} else {
		s.note("no architecture given: a neuron is an input exactly when it has spikes, poisson or rate attributes; unit names are not checked")
	}
	for _, g := range s.groups {
		g.popOf = make([]int32, g.size)
		g.localOf = make([]int32, g.size)
		var cur *popBuild
		var runs []*popBuild
		type locKey struct {
			k   popKey
			loc Location
		}
		byLoc := map[locKey]*popBuild{}
		for i := 0; i < g.size; i++ {
			a := g.attrs[i]
			at := g.entry[i]
			soma := a.somaHW
			if o, ok := g.somaOvr[i]; ok {
				soma = o
			}
			input := a.hasInput
			unitName := ""
			if arch != nil {
				u := arch.Unit(KindSoma, soma)
				switch {
				case u == nil && soma == "":
					s.errOnce("nosoma", at, "the architecture's core has no soma unit")
					continue
				case u == nil:
					s.errOnce("soma "+g.name+soma, at, "group %s: soma unit %q is not in the architecture (its soma units: %s)", g.name, soma, somaNames)
					continue
				}
				unitName = u.Name
				switch u.Model {
				case "input":
					input = true
				case "leaky_integrate_fire":
					input = false
				case "":
					input = false
					s.note("soma unit %s gives no model: read as leaky_integrate_fire", u.Name)
				default:
					s.errOnce("model "+g.name+u.Model, at, "group %s: soma unit %s has model %s, which Tessera does not support (only leaky_integrate_fire and input)", g.name, u.Name, u.Model)
					continue
				}
				if !input {
					d := arch.Unit(KindDendrite, a.dendHW)
					if d == nil && a.dendHW != "" {
						s.errOnce("dend "+g.name, at, "group %s: dendrite unit %q is not in the architecture", g.name, a.dendHW)
						continue
					}
					if d != nil && d.Model == "taps" {
						s.errOnce("taps "+g.name, at, "group %s uses dendrite unit %s, model taps (a multi-tap dendrite), which Tessera does not support: its neuron has one compartment", g.name, d.Name)
						continue
					}
					if d != nil && d.Model != "" && d.Model != "accumulator" && d.Model != "accumulator_with_delay" {
						s.errOnce("dmodel "+g.name, at, "group %s uses dendrite unit %s, model %s, which Tessera does not support", g.name, d.Name, d.Model)
						continue
					}
				}
			} else {
				unitName = soma
				if unitName == "" {
					unitName = "(first listed)"
				}
			}
			if !input && a.hasInput {
				s.errOnce("lifinput "+g.name, a.inputNode, "group %s: spikes, poisson and rate belong to SANA-FE's input model, but neuron %d uses a leaky_integrate_fire soma", g.name, i)
				continue
			}
			if input && a.poisson > 0 && (len(a.spikes) > 0 || a.rate > 0) {
				s.errOnce("mixin "+g.name, a.inputNode, "group %s: neuron %d has a Poisson probability and a spike train or rate; an input population is either a raster or Poisson here", g.name, i)
				continue
			}
			if input && a.lifNode != nil {
				s.note("group %s: LIF attributes on input neurons (an input model) are ignored", g.name)
			}
			if input && a.logPot {
				s.note("group %s: log_potential on input neurons is ignored (an input has no potential)", g.name)
			}
			if input {
				s.rep.InputUnits[unitName]++
			} else {
				s.rep.SomaUnits[unitName]++
			}
			k := popKey{input: input}
			if input {
				k.poisson = a.poisson
			} else {
				k.thr, k.leak, k.idecay, k.refractory = a.threshold, a.leak, a.inputDecay, a.refractory
			}
			var loc Location
			if s.opts.PartitionAsMapped {
				loc = Location{g.tile[i], g.core[i]}
			}
			switch {
			case s.opts.PartitionAsMapped:
				// One population per (SANA-FE core, key), in order of
				// first neuron.
				cur = byLoc[locKey{k, loc}]
			case cur != nil && cur.key != k:
				cur = nil
			}
			if cur == nil {
				cur = &popBuild{g: g, first: i, key: k, pos: s.pos(g.node), loc: loc, run: len(runs)}
				runs = append(runs, cur)
				byLoc[locKey{k, loc}] = cur
			}
			g.popOf[i] = int32(len(s.pops) + cur.run)
			g.localOf[i] = int32(cur.size)
			cur.members = append(cur.members, int32(i))
			cur.size++
		}
		perLoc := map[Location]int{}
		for _, r := range runs {
			r.name = g.name
			switch {
			case s.opts.PartitionAsMapped:
				if r.loc.Tile < 0 {
					r.name = g.name + "@unmapped"
				} else {
					r.name = fmt.Sprintf("%s@%d.%d", g.name, r.loc.Tile, r.loc.Core)
				}
				perLoc[r.loc]++
				if n := perLoc[r.loc]; n > 1 {
					r.name = fmt.Sprintf("%s#%d", r.name, n)
				}
			case len(runs) == 1:
			case r.size == 1:
				r.name = fmt.Sprintf("%s[%d]", g.name, r.first)
			default:
				r.name = fmt.Sprintf("%s[%d..%d]", g.name, r.first, r.first+r.size-1)
			}
		}
		if len(runs) > 1 && !s.opts.PartitionAsMapped {
			s.note("group %s: its neurons differ in population-wide parameters (kind, threshold, decays, refractory period or Poisson probability), so it is split into %d populations", g.name, len(runs))
		}
		s.pops = append(s.pops, runs...)
	}
	names := map[string]bool{}
	for _, p := range s.pops {
		if names[p.name] {
			s.errorf(p.g.node, "population name %q would be used twice (a group is named like a split part of another)", p.name)
		}
		names[p.name] = true
	}
}

// bucket collects the synapses of one graph projection.
type bucket struct {
	name            string
	edge            string // the edge as written
	pos             graph.Pos
	pre, post       *popBuild
	preIdx, postIdx []int32
	w               []float64
	d               []int32 // nil while every delay is 0
	seen            map[uint64]struct{}
	overflow        *bucket
	more            int // neuron-to-neuron edges after the first
	group           int // shares its weight exponent with buckets of the same group

}

type bucketKey struct {
	edge      int // hyper-edge number; -1 for neuron-to-neuron edges
	pre, post int32
}

// edgeAttrs are one edge's attributes.
type edgeAttrs struct {
	typ      string
	typNode  *yaml.Node
	conv     map[string]int64
	pairs    [][2]int
	pairNode *yaml.Node
	weight   []float64
	wNode    *yaml.Node
	wScalar  bool
	delay    []float64
	dNode    *yaml.Node
	dScalar  bool
	synHW    string
}

var convParams = []string{"input_width", "input_height", "input_channels", "kernel_width", "kernel_height",
	"kernel_count", "stride_width", "stride_height"}

func (s *snnReader) edgeAttrs(ea *edgeAttrs, pairs []kv, scope string) {
	for _, p := range pairs {
		k, v := p.key, p.val
		switch {
		case k == "tap" && scope != "synapse":
			s.errorf(p.kn, "attribute tap belongs to SANA-FE's multi-tap dendrite model (taps), which Tessera does not support: its neuron has one compartment")
		case (k == "weight" || k == "w") && scope != "dendrite":
			ea.wNode = v
			ea.wScalar = v.Kind == yaml.ScalarNode
			ea.weight, _ = s.numberList(v, k)
		case k == "delay" && scope != "synapse":
			ea.dNode = v
			ea.dScalar = v.Kind == yaml.ScalarNode
			ea.delay, _ = s.numberList(v, k)
		case scope == "synapse" && (k == "mixed" || k == "latency" || k == "g"):
			s.note("synapse attribute %s (SANA-FE's detailed Loihi synapse model) is ignored", k)
		case scope != "":
			s.errorf(p.kn, "unknown %s attribute %q on an edge", scope, k)
		case k == "type":
			ea.typ, _ = s.text(v, k)
			ea.typNode = v
		case k == "synapse_hw_name":
			ea.synHW, _ = s.text(v, k)
		case k == "dendrite_hw_name":
			s.note("dendrite_hw_name on an edge is ignored: Tessera's neuron has one dendrite accumulator")
		case k == "synapse" || k == "dendrite":
			nested, _ := s.attrList(v, k+" attributes")
			s.edgeAttrs(ea, nested, k)
		case k == "source_target_pairs":
			ea.pairNode = v
			items, _ := s.seqItems(v, k)
			if len(items) > s.opts.MaxSynapses {
				s.errorf(v, "source_target_pairs has %d pairs, more than %d (SNNOptions.MaxSynapses)", len(items), s.opts.MaxSynapses)
				return
			}
			ea.pairs = make([][2]int, 0, len(items))
			for i, it := range items {
				xs, ok := s.seqItems(it, fmt.Sprintf("source_target_pairs[%d]", i))
				if !ok {
					return
				}
				if len(xs) != 2 {
					s.errorf(it, "source_target_pairs[%d] must be [source, target], found %d values", i, len(xs))
					return
				}
				a, ok1 := s.integer(xs[0], "source index", 0, math.MaxInt32)
				b, ok2 := s.integer(xs[1], "target index", 0, math.MaxInt32)
				if !ok1 || !ok2 {
					return
				}
				ea.pairs = append(ea.pairs, [2]int{int(a), int(b)})
			}
		default:
			isConv := false
			for _, c := range convParams {
				isConv = isConv || c == k
			}
			if !isConv {
				s.errorf(p.kn, "unknown edge attribute %q", k)
				continue
			}
			if ea.conv == nil {
				ea.conv = map[string]int64{}
			}
			if x, ok := s.integer(v, k, 1, 1<<20); ok {
				ea.conv[k] = x
			}
		}
	}
}

func (s *snnReader) readEdges(n *yaml.Node) {
	items, _ := s.seqItems(n, "edges")
	if len(items) == 0 {
		s.note("the network has no edges")
	}
	bmap := map[bucketKey]*bucket{}
	total := 0
	hyper := 0
	for _, it := range items {
		pairs, ok := s.mapPairs(it, "an edge")
		if !ok {
			continue
		}
		for _, p := range pairs {
			if s.synapsesLeft(total, p.kn) <= 0 {
				return
			}
			a, b, ok := strings.Cut(p.key, "->")
			if !ok || strings.Contains(b, "->") {
				s.errorf(p.kn, "edge %q must be `source -> target`", p.key)
				continue
			}
			gs, slo, shi, swhole, ok1 := s.resolveTarget(a)
			gd, dlo, dhi, dwhole, ok2 := s.resolveTarget(b)
			if !ok1 || !ok2 {
				bad := a
				if ok1 {
					bad = b
				}
				s.errorf(p.kn, "edge %q: %q names no group or neuron", p.key, strings.TrimSpace(bad))
				continue
			}
			if (!swhole && shi >= gs.size) || (!dwhole && dhi >= gd.size) {
				s.errorf(p.kn, "edge %q: neuron index outside its group", p.key)
				continue
			}
			attrs, _ := s.attrList(p.val, "edge "+p.key)
			var ea edgeAttrs
			s.edgeAttrs(&ea, attrs, "")
			e := &edgeGen{s: s, text: strings.TrimSpace(p.key), node: p.kn, ea: &ea, bmap: bmap, pre: gs, post: gd}
			switch {
			case swhole && dwhole:
				e.edge = hyper
				hyper++
				total += e.hyper()
			case !swhole && !dwhole && slo == shi && dlo == dhi:
				e.edge = -1
				total += e.single(slo, dlo)
			default:
				s.errorf(p.kn, "edge %q: an edge joins two groups (a hyper-edge) or two neurons, not a group and a neuron or a range", p.key)
			}
			e.flushUnit()
		}
	}
}

func (s *snnReader) synapsesLeft(total int, n *yaml.Node) int {
	left := s.opts.MaxSynapses - total
	if left <= 0 {
		s.errOnce("maxsyn", n, "the network makes more than %d synapses (SNNOptions.MaxSynapses)", s.opts.MaxSynapses)
	}
	return left
}

// edgeGen generates one edge's synapses.
type edgeGen struct {
	s         *snnReader
	text      string
	node      *yaml.Node
	ea        *edgeAttrs
	bmap      map[bucketKey]*bucket
	pre, post *group
	edge      int
	hint      int // synapses the edge makes, when known
	last      *bucket
	lastKey   bucketKey
	dedupe    bool
	badDelay  bool
	unitName  string
	unitCount int
}

// unit counts a synapse of pre neuron i against its synapse unit.
func (e *edgeGen) unit(i int) {
	name := e.ea.synHW
	if name == "" {
		name = e.pre.attrs[i].synHW
	}
	if name != e.unitName {
		e.flushUnit()
		e.unitName = name
	}
	e.unitCount++
}

func (e *edgeGen) flushUnit() {
	if e.unitCount == 0 {
		return
	}
	s := e.s
	name := e.unitName
	if arch := s.opts.Arch; arch != nil {
		u := arch.Unit(KindSynapse, name)
		switch {
		case u == nil && name == "":
			s.errOnce("nosyn", e.node, "the architecture's core has no synapse unit")
		case u == nil:
			s.errOnce("syn "+name, e.node, "edge %s: synapse unit %q is not in the architecture", e.text, name)
		default:
			name = u.Name
			if u.Model != "" && u.Model != "current_based" && u.Model != "loihi" {
				s.errOnce("synmodel "+name, e.node, "edge %s: synapse unit %s has model %s, which Tessera does not support", e.text, name, u.Model)
			}
		}
	} else if name == "" {
		name = "(first listed)"
	}
	if s.rep.SynapseUnits == nil {
		s.rep.SynapseUnits = map[string]int{}
	}
	s.rep.SynapseUnits[name] += e.unitCount
	e.unitCount = 0
}

// add puts one synapse (pre neuron i, post neuron j) into its bucket.
func (e *edgeGen) add(i, j int, w float64, d int32) {
	s := e.s
	pp, qp := e.pre.popOf[i], e.post.popOf[j]
	k := bucketKey{e.edge, pp, qp}
	b := e.last
	if b == nil || k != e.lastKey {
		b = e.bmap[k]
		if b == nil {
			pre, post := s.pops[pp], s.pops[qp]
			if post.key.input {
				s.errOnce("intoinput "+post.name, e.node, "edge %s: population %s is an input (soma model input), which cannot receive synapses", e.text, post.name)
				return
			}
			b = &bucket{edge: e.text, pos: s.pos(e.node), pre: pre, post: post, group: e.edge}
			if e.edge < 0 {
				b.group = -len(s.bucket) - 1 // neuron-to-neuron edges: per projection
			}
			if pre.size == e.pre.size && post.size == e.post.size && e.hint > 0 {
				// The edge's only bucket: make room for all of it at once.
				b.preIdx, b.postIdx, b.w = make([]int32, 0, e.hint), make([]int32, 0, e.hint), make([]float64, 0, e.hint)
			}
			e.bmap[k] = b
			s.bucket = append(s.bucket, b)
		}
		e.last, e.lastKey = b, k
	}
	li, lj := e.pre.localOf[i], e.post.localOf[j]
	if e.dedupe {
		key := uint64(uint32(li))<<32 | uint64(uint32(lj))
		for {
			if b.seen == nil {
				b.seen = map[uint64]struct{}{}
			}
			if _, dup := b.seen[key]; !dup {
				b.seen[key] = struct{}{}
				break
			}
			if b.overflow == nil {
				b.overflow = &bucket{edge: b.edge, pos: b.pos, pre: b.pre, post: b.post, group: b.group}
				s.bucket = append(s.bucket, b.overflow)
			}
			b = b.overflow
		}
	}
	if e.edge < 0 && len(b.w) > 0 {
		b.more++ // another neuron-to-neuron edge into this projection
	}
	b.preIdx = append(b.preIdx, li)
	b.postIdx = append(b.postIdx, lj)
	b.w = append(b.w, w)
	if d != 0 && b.d == nil {
		b.d = make([]int32, len(b.w)-1, cap(b.w))
	}
	if b.d != nil {
		b.d = append(b.d, d)
	}
	e.unit(i)
}

// delayAt returns element k of the delay list as whole steps.
func (e *edgeGen) delayAt(k int) int32 {
	ea := e.ea
	if len(ea.delay) == 0 {
		return 0
	}
	var x float64
	if ea.dScalar {
		x = ea.delay[0]
	} else {
		x = ea.delay[k]
	}
	if x != math.Trunc(x) || x < 0 || x > core.MaxDelayLimit {
		if !e.badDelay {
			e.badDelay = true
			e.s.errorf(ea.dNode, "edge %s: delay %g must be a whole number of steps in 0..%d", e.text, x, core.MaxDelayLimit)
		}
		return 0
	}
	return int32(x)
}

func (e *edgeGen) weightAt(k int) float64 {
	ea := e.ea
	switch {
	case len(ea.weight) == 0:
		return 0
	case ea.wScalar:
		return ea.weight[0]
	}
	return ea.weight[k]
}

// checkList checks a list-valued attribute against the n elements it is
// spread over.
func (e *edgeGen) checkList(name string, vals []float64, scalar bool, node *yaml.Node, n int, what string) bool {
	if node == nil || scalar {
		return true
	}
	if len(vals) == 0 && len(node.Content) > 0 {
		return false // the list did not parse; that is reported
	}
	switch {
	case len(vals) < n:
		e.s.errorf(node, "edge %s: %s has %d values, the edge needs %d (%s)", e.text, name, len(vals), n, what)
		return false
	case len(vals) > n:
		e.s.note("edge %s: %s has %d values for %d %s; the extra %d are ignored", e.text, name, len(vals), n, what, len(vals)-n)
	}
	return true
}

func (e *edgeGen) single(i, j int) int {
	s, ea := e.s, e.ea
	if ea.typ != "" || ea.conv != nil || ea.pairs != nil {
		s.errorf(e.node, "edge %s joins two neurons: type, convolution parameters and source_target_pairs belong to group-to-group edges", e.text)
		return 0
	}
	if !ea.wScalar && ea.wNode != nil {
		s.errorf(ea.wNode, "edge %s joins two neurons: it has one weight, found a list", e.text)
		return 0
	}
	if !ea.dScalar && ea.dNode != nil {
		s.errorf(ea.dNode, "edge %s joins two neurons: it has one delay, found a list", e.text)
		return 0
	}
	if ea.wNode == nil {
		s.note("edge %s has no weight: its weight is 0", e.text)
	}
	e.dedupe = true
	e.add(i, j, e.weightAt(0), e.delayAt(0))
	return 1
}

func (e *edgeGen) hyper() int {
	s, ea := e.s, e.ea
	np, nq := e.pre.size, e.post.size
	if ea.wNode == nil {
		s.note("edge %s has no weight: its weights are 0", e.text)
	}
	left := s.opts.MaxSynapses
	for _, b := range s.bucket {
		left -= len(b.w)
	}
	switch ea.typ {
	case "dense":
		if ea.conv != nil || ea.pairs != nil {
			s.errorf(e.node, "edge %s: a dense edge takes no convolution parameters or source_target_pairs", e.text)
			return 0
		}
		n := int64(np) * int64(nq)
		if n > int64(left) {
			s.errorf(e.node, "edge %s: %d synapses, more than %d (SNNOptions.MaxSynapses)", e.text, n, s.opts.MaxSynapses)
			return 0
		}
		e.hint = int(n)
		what := fmt.Sprintf("synapses, %d×%d, index source·%d + target", np, nq, nq)
		if !e.checkList("weight", ea.weight, ea.wScalar, ea.wNode, int(n), what) ||
			!e.checkList("delay", ea.delay, ea.dScalar, ea.dNode, int(n), what) {
			return 0
		}
		for i := 0; i < np; i++ {
			for j := 0; j < nq; j++ {
				k := i*nq + j
				e.add(i, j, e.weightAt(k), e.delayAt(k))
			}
		}
		return int(n)
	case "sparse":
		if ea.conv != nil {
			s.errorf(e.node, "edge %s: a sparse edge takes no convolution parameters", e.text)
			return 0
		}
		if ea.pairNode == nil {
			s.errorf(e.node, "edge %s: a sparse edge needs source_target_pairs", e.text)
			return 0
		}
		n := len(ea.pairs)
		if n > left {
			s.errorf(e.node, "edge %s: %d synapses, more than %d (SNNOptions.MaxSynapses)", e.text, n, s.opts.MaxSynapses)
			return 0
		}
		if !e.checkList("weight", ea.weight, ea.wScalar, ea.wNode, n, "source_target_pairs") ||
			!e.checkList("delay", ea.delay, ea.dScalar, ea.dNode, n, "source_target_pairs") {
			return 0
		}
		for _, pr := range ea.pairs {
			if pr[0] >= np || pr[1] >= nq {
				s.errorf(ea.pairNode, "edge %s: pair [%d, %d] is outside the groups (%d and %d neurons)", e.text, pr[0], pr[1], np, nq)
				return 0
			}
		}
		e.dedupe, e.hint = true, n
		for k, pr := range ea.pairs {
			e.add(pr[0], pr[1], e.weightAt(k), e.delayAt(k))
		}
		return n
	case "conv2d":
		return e.conv2d(left)
	case "":
		s.errorf(e.node, "edge %s joins two groups: it needs `type: dense`, `sparse` or `conv2d`", e.text)
	default:
		s.errorf(ea.typNode, "edge %s: unknown edge type %q (dense, sparse or conv2d)", e.text, ea.typ)
	}
	return 0
}

func (e *edgeGen) conv2d(left int) int {
	s, ea := e.s, e.ea
	if ea.pairs != nil {
		s.errorf(e.node, "edge %s: a conv2d edge takes no source_target_pairs", e.text)
		return 0
	}
	p := map[string]int{"stride_width": 1, "stride_height": 1}
	missing := []string{}
	for _, c := range convParams {
		v, ok := ea.conv[c]
		switch {
		case ok:
			p[c] = int(v)
		case c != "stride_width" && c != "stride_height":
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		s.errorf(e.node, "edge %s: a conv2d edge needs %s", e.text, strings.Join(missing, ", "))
		return 0
	}
	w, h, cin := p["input_width"], p["input_height"], p["input_channels"]
	kw, kh, cout := p["kernel_width"], p["kernel_height"], p["kernel_count"]
	sw, sh := p["stride_width"], p["stride_height"]
	if kw > w || kh > h {
		s.errorf(e.node, "edge %s: a %d×%d kernel does not fit a %d×%d input (no padding)", e.text, kw, kh, w, h)
		return 0
	}
	ow, oh := (w-kw)/sw+1, (h-kh)/sh+1
	if int64(cin)*int64(h)*int64(w) != int64(e.pre.size) {
		s.errorf(e.node, "edge %s: the input is %d×%d×%d = %d neurons, group %s has %d", e.text, cin, h, w, cin*h*w, e.pre.name, e.pre.size)
		return 0
	}
	if int64(cout)*int64(oh)*int64(ow) != int64(e.post.size) {
		s.errorf(e.node, "edge %s: the output is %d×%d×%d = %d neurons ((in − kernel)/stride + 1, no padding), group %s has %d",
			e.text, cout, oh, ow, int64(cout)*int64(oh)*int64(ow), e.post.name, e.post.size)
		return 0
	}
	filter := int64(kh) * int64(kw) * int64(cin) * int64(cout)
	n := int64(e.post.size) * int64(kh) * int64(kw) * int64(cin)
	if n > int64(left) {
		s.errorf(e.node, "edge %s: %d synapses, more than %d (SNNOptions.MaxSynapses)", e.text, n, s.opts.MaxSynapses)
		return 0
	}
	e.hint = int(n)
	what := fmt.Sprintf("filter taps, [%d][%d][%d][%d] = kernel_height × kernel_width × input_channels × kernel_count", kh, kw, cin, cout)
	if !e.checkList("weight", ea.weight, ea.wScalar, ea.wNode, int(filter), what) ||
		!e.checkList("delay", ea.delay, ea.dScalar, ea.dNode, int(filter), what) {
		return 0
	}
	for co := 0; co < cout; co++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				post := (co*oh+oy)*ow + ox
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						for ci := 0; ci < cin; ci++ {
							pre := (ci*h+oy*sh+ky)*w + ox*sw + kx
							f := ((ky*kw+kx)*cin+ci)*cout + co
							e.add(pre, post, e.weightAt(f), e.delayAt(f))
						}
					}
				}
			}
		}
	}
	return int(n)
}
