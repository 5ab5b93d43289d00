package compiler

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/image"
	"github.com/tessera-sim/tessera/compiler/netfile"
	"github.com/tessera-sim/tessera/core"
)

// Stats describe a compiled image.
type Stats struct {
	Populations int
	Neurons     int
	Synapses    int
	CoresUsed   int
	CoresTotal  int
	Axons       int
	Routes      int
	// HopTraffic is the placement's predicted Σ traffic × hops (packets ×
	// hops per step, with one spike per neuron per step unless rates were
	// given); NaiveHopTraffic the same for in-order placement.
	HopTraffic      float64
	NaiveHopTraffic float64
	// Stages lists each stage that ran, its wall time and a summary.
	Stages []StageStat
}

// StageStat is one compiler stage's statistics.
type StageStat struct {
	Name     string
	Duration time.Duration
	Detail   string
}

// Explain writes the stages and their statistics, one per line.
func (s Stats) Explain(w io.Writer) error {
	for _, st := range s.Stages {
		if _, err := fmt.Fprintf(w, "%-11s %9s  %s\n", st.Name, st.Duration.Round(time.Microsecond), st.Detail); err != nil {
			return err
		}
	}
	return nil
}

func (s Stats) String() string {
	return fmt.Sprintf("%d populations, %d neurons, %d synapses on %d of %d cores (%d axons, %d routes); predicted hop traffic %.4g (in-order placement: %.4g)",
		s.Populations, s.Neurons, s.Synapses, s.CoresUsed, s.CoresTotal, s.Axons, s.Routes, s.HopTraffic, s.NaiveHopTraffic)
}

// CompileFile parses a network file and compiles it for spec.
func CompileFile(path string, spec preset.Spec) (*image.Image, Stats, error) {
	return CompileFileWith(path, spec, Options{})
}

// CompileFileWith is CompileFile with options.
func CompileFileWith(path string, spec preset.Spec, opts Options) (*image.Image, Stats, error) {
	g, err := netfile.ParseFile(path)
	if err != nil {
		return nil, Stats{}, err
	}
	return CompileWith(g, spec, opts)
}

// synapse is one expanded synapse of a projection.
type synapse struct {
	pre, post int32
	weight    int32
	delay     int32
}

// slice is one partition of a neuron population on one core.
type slice struct {
	pop          int // index into g.Populations
	start, count int32
	core         int32
	group        int   // the core group it shares a core with (see pack)
	offset       int32 // its first neuron's index within the core
}

// axonKey names an input axon: one per presynaptic neuron (or input channel)
// that reaches a core.
type axonKey struct {
	pop    int
	neuron int32
}

// Compile maps g onto the chip of spec and returns the image. Every capacity
// problem is reported at once, as a graph.ErrorList.
func Compile(g *graph.Graph, spec preset.Spec) (*image.Image, Stats, error) {
	return CompileWith(g, spec, Options{})
}

// CompileWith is Compile with options (placement strategy and seed,
// measured rates).
func CompileWith(g *graph.Graph, spec preset.Spec, opts Options) (*image.Image, Stats, error) {
	return CompileContext(context.Background(), g, spec, opts)
}

// CompileContext is CompileWith that stops when ctx is done (between
// stages, and within the long ones: expansion and annealing) and returns
// an error wrapping ctx's.
func CompileContext(ctx context.Context, g *graph.Graph, spec preset.Spec, opts Options) (*image.Image, Stats, error) {
	if err := spec.Validate(); err != nil {
		return nil, Stats{}, fmt.Errorf("compile %s: %w", g.Name, err)
	}
	c := &compilation{ctx: ctx, g: g, spec: spec, popIndex: map[string]int{}, reportedFanout: map[int]bool{}}
	for i, p := range g.Populations {
		c.popIndex[p.Name] = i
	}
	stage := func(name string, run func(), detail func() string) {
		if len(c.errs) > 0 || c.stopped() {
			return
		}
		t0 := time.Now()
		run()
		c.stats.Stages = append(c.stats.Stages, StageStat{Name: name, Duration: time.Since(t0), Detail: detail()})
	}
	stage("expand", c.expand, func() string {
		return fmt.Sprintf("%d projections → %d synapses", len(g.Projections), c.stats.Synapses)
	})
	stage("partition", func() {
		c.index()
		c.partition()
		if opts.Pack && len(c.errs) == 0 {
			c.pack()
		}
		c.checkCores()
	}, func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "%d slices on %d of %d cores", len(c.slices), c.stats.CoresUsed, c.stats.CoresTotal)
		for p, ss := range c.popSlices {
			if len(ss) > 0 {
				fmt.Fprintf(&b, "; %s: %d", g.Populations[p].Name, len(ss))
			}
		}
		return b.String()
	})
	stage("place", func() { c.place(opts) }, func() string {
		pl := opts.Placement
		if pl == "" {
			pl = PlaceAnneal
		}
		return fmt.Sprintf("%s (seed %d): predicted hop traffic %.4g per step, in-order %.4g",
			pl, opts.Seed, c.stats.HopTraffic, c.stats.NaiveHopTraffic)
	})
	var img *image.Image
	stage("route+emit", func() { img = c.emit() }, func() string {
		return fmt.Sprintf("%d axons, %d routes", c.stats.Axons, c.stats.Routes)
	})
	if err := c.errs.Err(); err != nil {
		c.errs.Sort()
		return nil, Stats{}, err
	}
	if c.stopped() {
		return nil, Stats{}, fmt.Errorf("compile %s: stopped: %w", g.Name, c.ctx.Err())
	}
	if err := img.Check(); err != nil {
		return nil, Stats{}, fmt.Errorf("compile %s: internal error, emitted image is inconsistent: %w", g.Name, err)
	}
	return img, c.stats, nil
}

type compilation struct {
	ctx      context.Context
	g        *graph.Graph
	spec     preset.Spec
	popIndex map[string]int
	errs     graph.ErrorList
	stats    Stats

	syn [][]synapse // per projection
	// Indexes for sliceNeed (see index).
	byPost   []postIndex
	intoPop  [][]int // projections into each population
	axonSlot [][]axonSlot
	groups   []groupAcc
	stamp    int32
	// reportedFanout marks populations already reported for too many
	// routes per neuron, so one mistake gives one error.
	reportedFanout map[int]bool
	slices         []slice
	// popSlices[p] lists indices into slices, in neuron order.
	popSlices [][]int
	// members[g] lists the slices sharing core group g, in core-neuron
	// order; without packing every slice is a group of its own.
	members [][]int
}

// stopped reports whether the compilation's context is done.
func (c *compilation) stopped() bool { return c.ctx != nil && c.ctx.Err() != nil }

// expand turns every projection's connectivity into explicit synapses,
// checking weights and delays against the core's limits.
func (c *compilation) expand() {
	cs := c.spec.Core
	wmin, wmax := int32(-(1 << (cs.MaxWeightBits - 1))), int32(1<<(cs.MaxWeightBits-1)-1)
	c.syn = make([][]synapse, len(c.g.Projections))
	for k := range c.g.Projections {
		if c.stopped() {
			return
		}
		pr := &c.g.Projections[k]
		pre, post := c.g.Population(pr.Pre), c.g.Population(pr.Post)
		if pre == nil || post == nil || post.IsInput() {
			c.errs.Add(pr.Pos, "projection %s: pre or post population missing", pr.Name)
			continue
		}
		var out []synapse
		add := func(i, j int32, w, d int32) { out = append(out, synapse{pre: i, post: j, weight: w, delay: d}) }
		switch pr.Conn.Kind {
		case graph.AllToAll:
			for i := int32(0); i < int32(pre.Size); i++ {
				for j := int32(0); j < int32(post.Size); j++ {
					add(i, j, pr.Weight, pr.Delay)
				}
			}
		case graph.OneToOne:
			for i := int32(0); i < int32(min(pre.Size, post.Size)); i++ {
				add(i, i, pr.Weight, pr.Delay)
			}
		case graph.FixedProbability:
			// One stream per projection, fixed by its seed: the same file
			// always compiles to the same synapses.
			rng := rand.New(rand.NewPCG(pr.Conn.Seed, 0x7e55e7a))
			for i := int32(0); i < int32(pre.Size); i++ {
				for j := int32(0); j < int32(post.Size); j++ {
					if rng.Float64() < pr.Conn.P {
						add(i, j, pr.Weight, pr.Delay)
					}
				}
			}
		case graph.List:
			for _, p := range pr.Conn.Pairs {
				w, d := pr.Weight, pr.Delay
				if p.Weight != nil {
					w = *p.Weight
				}
				if p.Delay != nil {
					d = *p.Delay
				}
				add(p.Pre, p.Post, w, d)
			}
		}
		if wi := pr.WeightInit; wi != nil {
			// One stream per projection, in synapse generation order.
			rng := rand.New(rand.NewPCG(wi.Seed, 0x3e1a7))
			explicit := pr.Conn.Kind == graph.List
			for i := range out {
				if explicit && pr.Conn.Pairs[i].Weight != nil {
					continue
				}
				out[i].weight = wi.Lo + int32(rng.IntN(int(wi.Hi-wi.Lo)+1))
			}
		}
		badW, badD := 0, 0
		for _, s := range out {
			if s.weight < wmin || s.weight > wmax {
				badW++
			}
			if s.delay < 0 || int(s.delay) > cs.MaxDelay {
				badD++
			}
		}
		if badW > 0 {
			c.errs.Add(pr.Pos, "projection %s: %d synapses have weights outside %d..%d (%d-bit weights on preset %s)",
				pr.Name, badW, wmin, wmax, cs.MaxWeightBits, c.spec.Name)
		}
		if badD > 0 {
			c.errs.Add(pr.Pos, "projection %s: %d synapses have delays outside 0..%d (preset %s)",
				pr.Name, badD, cs.MaxDelay, c.spec.Name)
		}
		// Duplicate (pre, post) synapses are legal (two projections may
		// overlap), but within one projection a list may not repeat a pair.
		slices.SortFunc(out, func(a, b synapse) int {
			return cmp.Or(cmp.Compare(a.pre, b.pre), cmp.Compare(a.post, b.post))
		})
		c.syn[k] = out
		c.stats.Synapses += len(out)
	}
}

// need is what one candidate slice uses of a core.
type need struct {
	axons, synapseBits int
	// axonTypes is the number of axon types the slice needs when weights
	// come from axon types (one per presynaptic population); typeConflict
	// names a neuron that gets two weights from one type, if any.
	axonTypes    int
	typeConflict string
}

// sliceNeed computes the axons and synapse memory of neurons
// start..start+count-1 of population pop. Synapse memory is asked of the
// core package, one synapse group (axon) at a time.
func (c *compilation) sliceNeed(pop int, start, count int32) need {
	return c.needOf([]span{{pop: pop, start: start, count: count}})
}

// span is a run of neurons of one population placed at offset on a core.
type span struct {
	pop                  int
	start, count, offset int32
}

// needOf is sliceNeed for several spans sharing one core (offsets
// increasing): an axon that reaches several of them is one axon.
func (c *compilation) needOf(spans []span) need {
	c.stamp++
	c.groups = c.groups[:0]
	types := map[int]bool{}
	var typeWeight map[[2]int32]int32 // (pre population, neuron) → weight
	if c.spec.Core.AxonTypes > 0 {
		typeWeight = map[[2]int32]int32{}
	}
	var nd need
	// Visit the slice's synapses in post-neuron order, so each axon's
	// targets arrive sorted and its largest gap is found on the way.
	for _, sp := range spans {
		c.accumulate(sp.pop, sp.start, sp.count, sp.offset, types, typeWeight, &nd)
	}
	for i := range c.groups {
		b, _ := c.spec.Core.GroupBits(c.groups[i].g)
		nd.synapseBits += b
	}
	nd.axons = len(c.groups)
	nd.axonTypes = len(types)
	return nd
}

// accumulate adds the synapses into neurons start..start+count-1 of pop,
// placed from core neuron offset on, to the current axon groups.
func (c *compilation) accumulate(pop int, start, count, offset int32, types map[int]bool, typeWeight map[[2]int32]int32, nd *need) {
	for post := start; post < start+count; post++ {
		for _, k := range c.intoPop[pop] {
			pre := c.popIndex[c.g.Projections[k].Pre]
			// A plastic synapse's weight may take any value of its sign
			// mode: it reserves the full field, not the width of its start.
			wlo, whi := int32(0), int32(0)
			plastic := c.g.Projections[k].Plasticity != nil
			if plastic {
				wlo, whi = c.g.Projections[k].Plasticity.SignMode.Bounds()
			}
			idx := c.byPost[k]
			for _, si := range idx.perm[idx.start[post]:idx.start[post+1]] {
				s := &c.syn[k][si]
				slot := &c.axonSlot[pre][s.pre]
				if slot.stamp != c.stamp {
					slot.stamp, slot.group = c.stamp, int32(len(c.groups))
					c.groups = append(c.groups, groupAcc{g: core.SynapseGroup{MinWeight: s.weight, MaxWeight: s.weight,
						MinNeuron: int(post - start + offset), MaxGap: int(post - start + offset)}})
				}
				gr := &c.groups[slot.group]
				if plastic {
					gr.g.MinWeight, gr.g.MaxWeight = min(gr.g.MinWeight, wlo), max(gr.g.MaxWeight, whi)
				}
				t := int(post - start + offset)
				gr.g.MaxGap = max(gr.g.MaxGap, t-gr.g.MaxNeuron)
				gr.g.MaxNeuron = t
				gr.g.Count++
				gr.g.MinWeight, gr.g.MaxWeight = min(gr.g.MinWeight, s.weight), max(gr.g.MaxWeight, s.weight)
				gr.g.MaxDelay = max(gr.g.MaxDelay, int(s.delay))
				types[pre] = true
				if typeWeight != nil {
					tk := [2]int32{int32(pre), int32(t)}
					if w, ok := typeWeight[tk]; ok && w != s.weight && nd.typeConflict == "" {
						nd.typeConflict = fmt.Sprintf("neuron %d receives weights %d and %d from population %s",
							s.post, w, s.weight, c.g.Populations[pre].Name)
					}
					typeWeight[tk] = s.weight
				}
			}
		}
	}
}

// groupAcc accumulates one axon's synapse group during sliceNeed.
type groupAcc struct {
	g core.SynapseGroup
}

// axonSlot maps a presynaptic neuron to its group in the current
// sliceNeed call (valid when stamp matches).
type axonSlot struct {
	stamp, group int32
}

// postIndex orders one projection's synapses by post neuron: those of post
// neuron j are perm[start[j]:start[j+1]].
type postIndex struct {
	start []int32
	perm  []int32
}

// index builds the per-projection post-neuron indexes and the scratch
// space sliceNeed uses.
func (c *compilation) index() {
	c.byPost = make([]postIndex, len(c.g.Projections))
	c.intoPop = make([][]int, len(c.g.Populations))
	for k := range c.g.Projections {
		pr := &c.g.Projections[k]
		post := c.popIndex[pr.Post]
		c.intoPop[post] = append(c.intoPop[post], k)
		size := c.g.Populations[post].Size
		idx := postIndex{start: make([]int32, size+1), perm: make([]int32, len(c.syn[k]))}
		for _, s := range c.syn[k] {
			idx.start[s.post+1]++
		}
		for j := 0; j < size; j++ {
			idx.start[j+1] += idx.start[j]
		}
		fill := slices.Clone(idx.start[:size])
		for si, s := range c.syn[k] {
			idx.perm[fill[s.post]] = int32(si)
			fill[s.post]++
		}
		c.byPost[k] = idx
	}
	c.axonSlot = make([][]axonSlot, len(c.g.Populations))
	for p := range c.g.Populations {
		c.axonSlot[p] = make([]axonSlot, c.g.Populations[p].Size)
	}
}

// partition cuts each neuron population into slices that fit a core and
// gives each slice the next free core.
func (c *compilation) partition() {
	cs := c.spec.Core
	c.popSlices = make([][]int, len(c.g.Populations))
	total := c.spec.Mesh.Cores()
	next := int32(0)
	packet := c.spec.PacketFormat()
	for p := range c.g.Populations {
		pop := &c.g.Populations[p]
		c.stats.Populations++
		if pop.IsInput() {
			continue
		}
		c.stats.Neurons += pop.Size
		if gb := int(pop.Neuron.Options.GradedBits); gb > packet.PayloadBits {
			c.errs.Add(pop.Pos, "population %s: graded spikes of %d bits, but the packets of preset %s (format %q) carry at most %d payload bits (packet.payload_bits)",
				pop.Name, gb, c.spec.Name, packet.Name, packet.PayloadBits)
		}
		for start := int32(0); start < int32(pop.Size); {
			// The largest slice that fits, by bisection (needs grow with
			// the slice); a single neuron that does not fit is an error.
			fits := func(nd need) bool { return nd.axons <= cs.MaxAxons && nd.synapseBits <= cs.SynapseMemoryBits }
			lo, hi := int32(1), min(int32(cs.MaxNeurons), int32(pop.Size)-start)
			if !fits(c.sliceNeed(p, start, hi)) {
				for lo < hi {
					mid := lo + (hi-lo+1)/2
					if fits(c.sliceNeed(p, start, mid)) {
						lo = mid
					} else {
						hi = mid - 1
					}
				}
			}
			count := hi
			nd := c.sliceNeed(p, start, count)
			if nd.axons > cs.MaxAxons {
				c.errs.Add(pop.Pos, "population %s: neuron %d alone needs %d input axons, a core of preset %s has %d",
					pop.Name, start, nd.axons, c.spec.Name, cs.MaxAxons)
				return
			}
			if cs.AxonTypes > 0 {
				if nd.axonTypes > cs.AxonTypes {
					c.errs.Add(pop.Pos, "population %s: receives synapses from %d populations, but weights on preset %s come from %d axon types (one per source population)",
						pop.Name, nd.axonTypes, c.spec.Name, cs.AxonTypes)
					return
				}
				if nd.typeConflict != "" {
					c.errs.Add(pop.Pos, "population %s: %s, but on preset %s a neuron has one weight per axon type (source population)",
						pop.Name, nd.typeConflict, c.spec.Name)
					return
				}
			}
			if nd.synapseBits > cs.SynapseMemoryBits {
				c.errs.Add(pop.Pos, "population %s: neuron %d alone needs %d bits of synapse memory, a core of preset %s has %d",
					pop.Name, start, nd.synapseBits, c.spec.Name, cs.SynapseMemoryBits)
				return
			}
			c.popSlices[p] = append(c.popSlices[p], len(c.slices))
			c.slices = append(c.slices, slice{pop: p, start: start, count: count, core: next})
			next++
			start += count
		}
	}
	c.members = make([][]int, len(c.slices))
	for i := range c.slices {
		c.slices[i].group = i
		c.members[i] = []int{i}
	}
	c.stats.CoresTotal = total
}

// checkCores reports a network that needs more cores than the chip has.
func (c *compilation) checkCores() {
	total := c.spec.Mesh.Cores()
	if n := len(c.members); n > total {
		c.errs.Add(c.g.Pos, "network needs %d cores, preset %s has %d (%d×%d tiles × %d cores)",
			n, c.spec.Name, total, c.spec.Mesh.Width, c.spec.Mesh.Height, c.spec.Mesh.CoresPerTile)
	}
	c.stats.CoresUsed = len(c.members)
}

// pack lets small populations share cores: each population that fits one
// core, receives no plastic synapses and has the same neuron model as the
// others on the core joins the first core group (first fit, largest
// first) whose combined neurons, input axons and synapse memory still fit.
func (c *compilation) pack() {
	cs := c.spec.Core
	plasticInto := map[int]bool{}
	for k := range c.g.Projections {
		if c.g.Projections[k].Plasticity != nil {
			plasticInto[c.popIndex[c.g.Projections[k].Post]] = true
		}
	}
	var cand []int
	var keep [][]int
	for i, ss := range c.members {
		sl := &c.slices[ss[0]]
		if len(c.popSlices[sl.pop]) == 1 && !plasticInto[sl.pop] && int(sl.count) < cs.MaxNeurons {
			cand = append(cand, i)
		} else {
			keep = append(keep, ss)
		}
	}
	slices.SortStableFunc(cand, func(a, b int) int {
		return cmp.Compare(c.slices[c.members[b][0]].count, c.slices[c.members[a][0]].count)
	})
	type open struct {
		members []int
		neurons int32
	}
	var groups []open
	fits := func(g *open, si int) bool {
		sl := &c.slices[si]
		first := &c.g.Populations[c.slices[g.members[0]].pop]
		if g.neurons+sl.count > int32(cs.MaxNeurons) || first.Neuron.Options != c.g.Populations[sl.pop].Neuron.Options {
			return false
		}
		var spans []span
		off := int32(0)
		for _, m := range append(slices.Clone(g.members), si) {
			s := &c.slices[m]
			spans = append(spans, span{pop: s.pop, start: s.start, count: s.count, offset: off})
			off += s.count
		}
		nd := c.needOf(spans)
		return nd.axons <= cs.MaxAxons && nd.synapseBits <= cs.SynapseMemoryBits &&
			(cs.AxonTypes == 0 || (nd.axonTypes <= cs.AxonTypes && nd.typeConflict == ""))
	}
	for _, i := range cand {
		si := c.members[i][0]
		placed := false
		for g := range groups {
			if fits(&groups[g], si) {
				groups[g].members = append(groups[g].members, si)
				groups[g].neurons += c.slices[si].count
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, open{members: []int{si}, neurons: c.slices[si].count})
		}
	}
	for _, g := range groups {
		keep = append(keep, g.members)
	}
	// Groups in order of their first slice, so the result does not depend
	// on map or sort order.
	slices.SortFunc(keep, func(a, b []int) int { return cmp.Compare(a[0], b[0]) })
	c.members = keep
	for gi, ms := range c.members {
		off := int32(0)
		for _, si := range ms {
			c.slices[si].group, c.slices[si].offset = gi, off
			off += c.slices[si].count
		}
	}
}

// sliceOf returns the index of the slice holding neuron i of population pop.
func (c *compilation) sliceOf(pop int, i int32) int {
	ss := c.popSlices[pop]
	k := sort.Search(len(ss), func(k int) bool { s := &c.slices[ss[k]]; return s.start+s.count > i })
	return ss[k]
}

// plasticGroup starts the image's plastic group for projection k (axons
// and weights are filled by emit).
func (c *compilation) plasticGroup(k int) image.Plastic {
	pr := &c.g.Projections[k]
	pl := pr.Plasticity
	return image.Plastic{Projection: pr.Name, Rule: pl.Rule, TEpoch: pl.TEpoch, Traces: pl.Traces,
		SignMode: pl.SignMode, NumWeightBits: pl.NumWeightBits, WeightExp: pr.WeightExp, PrePopulation: pr.Pre}
}

type route struct {
	core, axon uint32
}

// emit builds the image: per core its neurons, axons and synapses; per
// source neuron its routes.
func (c *compilation) emit() *image.Image {
	g := c.g
	img := &image.Image{Name: g.Name, Preset: c.spec, DtPS: g.DtPS}
	// Axons per core: every (pre population, pre neuron) with a synapse
	// into the core, in (population, neuron) order.
	type coreSyn struct {
		axon   axonKey
		neuron int32 // within the core
		weight int32
		delay  int32
		exp    int32
		proj   int32 // projection, for plastic synapses; -1 for static ones
	}
	perCore := make([][]coreSyn, len(c.members))
	for k := range g.Projections {
		pr := &g.Projections[k]
		pre, post := c.popIndex[pr.Pre], c.popIndex[pr.Post]
		proj := int32(-1)
		if pr.Plasticity != nil {
			proj = int32(k)
		}
		for _, s := range c.syn[k] {
			sl := &c.slices[c.sliceOf(post, s.post)]
			perCore[sl.group] = append(perCore[sl.group], coreSyn{axon: axonKey{pre, s.pre},
				neuron: sl.offset + s.post - sl.start, weight: s.weight, delay: s.delay, exp: pr.WeightExp, proj: proj})
		}
	}
	// routes[pop][neuron] collects (core, axon) targets.
	routes := make([][][]route, len(g.Populations))
	for p := range g.Populations {
		routes[p] = make([][]route, g.Populations[p].Size)
	}
	for ci, ms := range c.members {
		sl := &c.slices[ms[0]]
		ic := image.Core{ID: sl.core, Used: true, Model: g.Populations[sl.pop].Neuron.Options}
		for _, si := range ms {
			m := &c.slices[si]
			pop := &g.Populations[m.pop]
			for i := m.start; i < m.start+m.count; i++ {
				ic.Du = append(ic.Du, pop.Neuron.Du)
				ic.Dv = append(ic.Dv, pop.Neuron.Dv)
				ic.Vth = append(ic.Vth, pop.Neuron.Vth)
				ic.BiasMant = append(ic.BiasMant, pop.Neuron.BiasMant[i])
				ic.BiasExp = append(ic.BiasExp, pop.Neuron.BiasExp[i])
				ic.UInit = append(ic.UInit, pop.Neuron.UInit[i])
				ic.VInit = append(ic.VInit, pop.Neuron.VInit[i])
			}
		}
		syns := perCore[ci]
		slices.SortStableFunc(syns, func(a, b coreSyn) int {
			return cmp.Or(cmp.Compare(a.axon.pop, b.axon.pop), cmp.Compare(a.axon.neuron, b.axon.neuron),
				cmp.Compare(a.neuron, b.neuron))
		})
		classOf := map[int32]uint8{}
		ic.AxonStart = []uint32{0}
		var last axonKey
		plasticOf := map[int32]int{} // projection → index in ic.Plastic
		type plasticSyn struct{ pre, post, w int32 }
		plasticW := map[int][]plasticSyn{}
		for k, s := range syns {
			if k > 0 && s.axon != last {
				ic.AxonStart = append(ic.AxonStart, uint32(len(ic.SynNeuron)))
			}
			axon := uint32(len(ic.AxonStart) - 1)
			if k == 0 || s.axon != last {
				routes[s.axon.pop][s.axon.neuron] = append(routes[s.axon.pop][s.axon.neuron], route{uint32(sl.core), axon})
			}
			last = s.axon
			if s.proj >= 0 {
				// Plastic: the weight lives in the core's learning engine.
				gi, ok := plasticOf[s.proj]
				if !ok {
					gi = len(ic.Plastic)
					plasticOf[s.proj] = gi
					ic.Plastic = append(ic.Plastic, c.plasticGroup(int(s.proj)))
				}
				pg := &ic.Plastic[gi]
				if n := len(pg.Axons); n == 0 || pg.Axons[n-1] != axon {
					pg.Axons = append(pg.Axons, axon)
					pg.PreNeurons = append(pg.PreNeurons, s.axon.neuron)
				}
				plasticW[gi] = append(plasticW[gi], plasticSyn{pre: int32(len(pg.Axons) - 1), post: s.neuron, w: s.weight})
				continue
			}
			cls, ok := classOf[s.exp]
			if !ok {
				cls = uint8(len(ic.WeightExp))
				classOf[s.exp] = cls
				ic.WeightExp = append(ic.WeightExp, s.exp)
			}
			ic.SynNeuron = append(ic.SynNeuron, uint32(s.neuron))
			ic.SynWeight = append(ic.SynWeight, s.weight)
			ic.SynDelay = append(ic.SynDelay, uint8(s.delay))
			ic.SynClass = append(ic.SynClass, cls)
		}
		if len(syns) > 0 {
			ic.AxonStart = append(ic.AxonStart, uint32(len(ic.SynNeuron)))
		}
		// Plastic projections are all-to-all: every (post, pre) pair
		// exists, with the weight its synapse was generated with.
		for _, gi := range plasticOf {
			pg := &ic.Plastic[gi]
			pg.Weights = make([]int32, ic.NumNeurons()*len(pg.Axons))
			for _, ps := range plasticW[gi] {
				pg.Weights[int(ps.post)*len(pg.Axons)+int(ps.pre)] = ps.w
			}
		}
		if len(ic.WeightExp) == 0 {
			ic.WeightExp = []int32{0}
		}
		c.stats.Axons += ic.NumAxons()
		img.Cores = append(img.Cores, ic)
	}
	// Routes of core neurons.
	for ci, ms := range c.members {
		ic := &img.Cores[ci]
		ic.RouteStart = []uint32{0}
		for _, si := range ms {
			c.emitRoutes(ic, &c.slices[si], routes)
		}
		if n := len(ic.RouteCore); n > c.spec.Core.MaxRoutes {
			sl := &c.slices[ms[0]]
			c.errs.Add(g.Populations[sl.pop].Pos, "population %s: neurons %d..%d need %d output routes, a core of preset %s has %d",
				g.Populations[sl.pop].Name, sl.start, sl.start+sl.count-1, n, c.spec.Name, c.spec.Core.MaxRoutes)
		}
		c.stats.Routes += len(ic.RouteCore)
	}
	c.emitRest(img, routes)
	return img
}

// emitRoutes appends the routes of slice sl's neurons to its core.
func (c *compilation) emitRoutes(ic *image.Core, sl *slice, routes [][][]route) {
	g := c.g
	{
		for i := sl.start; i < sl.start+sl.count; i++ {
			if lim := c.spec.Core.MaxRoutesPerNeuron; lim > 0 && len(routes[sl.pop][i]) > lim && !c.reportedFanout[sl.pop] {
				c.reportedFanout[sl.pop] = true
				c.errs.Add(g.Populations[sl.pop].Pos, "population %s: neuron %d sends to %d cores, a neuron of preset %s reaches at most %d (split the fan-out over relay neurons)",
					g.Populations[sl.pop].Name, i, len(routes[sl.pop][i]), c.spec.Name, lim)
			}
			rs := routes[sl.pop][i]
			slices.SortFunc(rs, func(a, b route) int { return cmp.Or(cmp.Compare(a.core, b.core), cmp.Compare(a.axon, b.axon)) })
			for _, r := range rs {
				ic.RouteCore = append(ic.RouteCore, r.core)
				ic.RouteAxon = append(ic.RouteAxon, r.axon)
			}
			ic.RouteStart = append(ic.RouteStart, uint32(len(ic.RouteCore)))
		}
	}
}

// emitRest adds the inputs, populations and probes to the image.
func (c *compilation) emitRest(img *image.Image, routes [][][]route) {
	g := c.g
	// Inputs, populations, probes.
	for p := range g.Populations {
		pop := &g.Populations[p]
		ip := image.Population{Name: pop.Name, Size: int32(pop.Size), IsInput: pop.IsInput()}
		for _, k := range c.popSlices[p] {
			sl := &c.slices[k]
			ip.Slices = append(ip.Slices, image.Slice{Core: sl.core, Offset: sl.offset, Start: sl.start, Count: sl.count})
		}
		img.Populations = append(img.Populations, ip)
		if !pop.IsInput() {
			continue
		}
		in := image.Input{Population: pop.Name, Size: int32(pop.Size), RouteStart: []uint32{0}}
		switch pop.Input.Kind {
		case graph.InputRaster:
			in.Kind = image.InputRaster
			for _, s := range pop.Input.Spikes {
				in.Spikes = append(in.Spikes, image.Spike{Step: s.Step, Index: s.Index})
			}
		case graph.InputPoisson:
			in.Kind = image.InputPoisson
			in.Seed = pop.Input.Seed
			prob := pop.Input.RateHz * float64(g.DtPS) * 1e-12
			in.ProbQ32 = uint32(min(math.Round(prob*(1<<32)), math.MaxUint32))
		}
		for i := 0; i < pop.Size; i++ {
			rs := routes[p][i]
			slices.SortFunc(rs, func(a, b route) int { return cmp.Or(cmp.Compare(a.core, b.core), cmp.Compare(a.axon, b.axon)) })
			for _, r := range rs {
				in.RouteCore = append(in.RouteCore, r.core)
				in.RouteAxon = append(in.RouteAxon, r.axon)
			}
			in.RouteStart = append(in.RouteStart, uint32(len(in.RouteCore)))
		}
		img.Inputs = append(img.Inputs, in)
	}
	// The image lists cores in id order; placement may have permuted them.
	slices.SortFunc(img.Cores, func(a, b image.Core) int { return cmp.Compare(a.ID, b.ID) })
	for p := range img.Populations {
		slices.SortFunc(img.Populations[p].Slices, func(a, b image.Slice) int { return cmp.Compare(a.Start, b.Start) })
	}
	for _, pr := range g.Probes {
		ip := image.Probe{Population: pr.Population, Neurons: pr.Neurons}
		if pr.Spikes {
			ip.Signals |= image.SignalSpikes
		}
		if pr.U {
			ip.Signals |= image.SignalU
		}
		if pr.V {
			ip.Signals |= image.SignalV
		}
		if ip.Neurons == nil {
			pop := g.Population(pr.Population)
			for i := 0; i < pop.Size; i++ {
				ip.Neurons = append(ip.Neurons, int32(i))
			}
		}
		img.Probes = append(img.Probes, ip)
	}
}
