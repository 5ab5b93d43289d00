package nir

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/core"
)

// popInfo is a NIR node made into one or more populations.
type popInfo struct {
	parts     []*part
	elemPart  []int32 // element → part
	elemLocal []int32 // element → neuron within its part
	// Per element, for neurons (nil for input populations):
	k     []float64 // chip voltage units (v, with its <<6) per NIR volt
	gain  []float64 // NIR volts added to v per unit weight of one spike
	cgain []float64 // NIR volts added to v per step per unit constant input
	leak  []float64 // NIR volts added to v per step by the leak towards v_leak (from v_reset)
}

type part struct {
	name  string
	elems []int32
	pop   int // index in graph.Populations
}

// neuron holds one element's parameters as the chip sees them.
type neuron struct {
	du, dv             int32
	k, gain, cg, leak  float64
	vinit              float64
	duClip, dvClip     bool
	alphaSyn, alphaMem float64 // ideal dt/tau (0: none)
}

// neuronParams converts element j of a neuron node. A spike's amplitude
// amp is 1 (unit-height pulse) or 1/dt (unit-area pulse).
func (im *importer) neuronParams(n *Node, j int, amp float64) (neuron, error) {
	get := func(name string) float64 {
		p := n.Params[name]
		return p.Values[j%len(p.Values)]
	}
	dt := im.dt
	var e neuron
	e.du = core.DecayMax // no synaptic filter: u is this step's input only
	alpha := func(name string) (float64, error) {
		tau := get(name)
		if !(tau > 0) {
			return 0, fmt.Errorf("%s[%d] = %g; a time constant must be positive", name, j, tau)
		}
		return dt / tau, nil
	}
	var err error
	vReset, theta := 0.0, 1.0
	switch n.Type {
	case "LIF", "LI":
		if e.alphaMem, err = alpha("tau"); err != nil {
			return e, err
		}
		e.gain = e.alphaMem * get("r") * amp
		e.cg = e.alphaMem * get("r")
	case "CubaLIF", "CubaLI":
		if e.alphaMem, err = alpha("tau_mem"); err != nil {
			return e, err
		}
		if e.alphaSyn, err = alpha("tau_syn"); err != nil {
			return e, err
		}
		e.gain = e.alphaMem * get("r") * e.alphaSyn * get("w_in") * amp
		// A constant input passes the synaptic filter at its steady state.
		e.cg = e.alphaMem * get("r") * get("w_in")
	case "IF", "I":
		e.gain = dt * get("r") * amp
		e.cg = dt * get("r")
	}
	switch n.Type {
	case "LIF", "IF", "CubaLIF":
		vReset = get("v_reset")
		theta = get("v_threshold") - vReset
		if !(theta > 0) {
			return e, fmt.Errorf("v_threshold[%d] = %g is not above v_reset[%d] = %g; the neuron would fire at rest",
				j, get("v_threshold"), j, vReset)
		}
	}
	if e.alphaMem > 0 {
		e.leak = e.alphaMem * (get("v_leak") - vReset)
	}
	e.k = 64 * float64(im.opts.Vth) / theta
	e.vinit = -e.k * vReset
	if e.alphaMem > 0 {
		x := 4096 * e.alphaMem
		e.dvClip = x > core.DecayMax+0.5
		e.dv = int32(min(math.Round(x), core.DecayMax))
	}
	if e.alphaSyn > 0 {
		x := 4096*e.alphaSyn - 1 // Loihi decays u by (du+1)/4096
		e.duClip = x > core.DecayMax+0.5 || x < -0.5
		e.du = int32(min(max(math.Round(x), 0), core.DecayMax))
	}
	return e, nil
}

// populations makes a population of every Input and neuron node, split by
// decay constants (graph.NeuronParams holds one du and dv per population),
// with thresholds, biases and initial voltages per neuron.
func (im *importer) populations(out *graph.Graph, consts map[*fnode][]float64) {
	total := 0
	for _, f := range im.nodes {
		if f.role != roleSource && f.role != roleSpiking && f.role != roleAnalog {
			continue
		}
		total += f.size
		if total > im.opts.MaxNeurons {
			im.errs.add(f.n, "the graph has more than %d neurons (Options.MaxNeurons)", im.opts.MaxNeurons)
			return
		}
		pi := &popInfo{elemPart: make([]int32, f.size), elemLocal: make([]int32, f.size)}
		f.pop = pi
		name := f.n.qual
		if f.role == roleSource {
			elems := make([]int32, f.size)
			for j := range elems {
				elems[j] = int32(j)
				pi.elemLocal[j] = int32(j)
			}
			pi.parts = []*part{{name: name, elems: elems, pop: len(out.Populations)}}
			out.Populations = append(out.Populations, graph.Population{
				Name: name, Size: f.size, Input: &graph.InputSource{Kind: graph.InputRaster}, Pos: out.Pos,
			})
			im.rep.Populations = append(im.rep.Populations, PopulationMap{Node: name, Type: f.n.Type, Population: name})
			continue
		}
		amp := 1.0
		if im.opts.Dirac {
			amp = 1 / im.dt
		}
		cin := im.constIn(f, consts)
		ns := make([]neuron, f.size)
		for j := range ns {
			e, err := im.neuronParams(f.n, j, amp)
			if err != nil {
				im.errs.add(f.n, "%v", err)
				break
			}
			ns[j] = e
		}
		if im.errs.has(f.n) {
			continue
		}
		pi.k, pi.gain, pi.cgain, pi.leak = make([]float64, f.size), make([]float64, f.size), make([]float64, f.size), make([]float64, f.size)
		type key struct{ du, dv int32 }
		groups := map[key]int{}
		var keys []key
		for j, e := range ns {
			pi.k[j], pi.gain[j], pi.cgain[j], pi.leak[j] = e.k, e.gain, e.cg, e.leak
			if e.alphaMem > 0 {
				im.rep.Decays.Add(e.alphaMem, float64(e.dv)/4096, e.dvClip)
			}
			if e.alphaSyn > 0 {
				im.rep.Decays.Add(e.alphaSyn, float64(e.du+1)/4096, e.duClip)
			}
			kk := key{e.du, e.dv}
			g, ok := groups[kk]
			if !ok {
				g = len(keys)
				groups[kk] = g
				keys = append(keys, kk)
			}
			pi.elemPart[j] = int32(g)
		}
		if cin != nil && (f.n.Type == "CubaLIF" || f.n.Type == "CubaLI") {
			im.note("%s: its constant input (bias) is applied to v at its steady state; the rise over tau_syn after the start is not modelled", f.n)
		}
		if f.role == roleAnalog {
			im.note("%s: outputs its voltage, not spikes: imported with the largest threshold (it fires only if v passes %.4g) and probed for v; "+
				"1.0 in NIR units is %g in v", f.n, float64(core.VthMax)*64/pi.k[0], pi.k[0])
		}
		if len(keys) > 1 {
			im.note("%s: its neurons have %d different (du, dv) pairs; graph.NeuronParams holds one per population, so it is split into %d populations",
				f.n, len(keys), len(keys))
		}
		for g, kk := range keys {
			pname := name
			if len(keys) > 1 {
				pname = fmt.Sprintf("%s#%d", name, g)
			}
			p := &part{name: pname, pop: len(out.Populations)}
			for j := range ns {
				if pi.elemPart[j] == int32(g) {
					pi.elemLocal[j] = int32(len(p.elems))
					p.elems = append(p.elems, int32(j))
				}
			}
			pi.parts = append(pi.parts, p)
			np := graph.NeuronParams{Model: "lif", Du: kk.du, Dv: kk.dv, Vth: im.opts.Vth}
			switch f.n.Type {
			case "IF", "I":
				np.Model = "if"
			}
			if f.role == roleAnalog {
				np.Vth = core.VthMax
			}
			for _, j := range p.elems {
				e := ns[j]
				drive := e.leak
				if cin != nil {
					drive += e.cg * cin[j]
				}
				mant, exp := im.bias(e.k * drive)
				np.BiasMant = append(np.BiasMant, mant)
				np.BiasExp = append(np.BiasExp, exp)
				np.UInit = append(np.UInit, 0)
				np.VInit = append(np.VInit, int32(min(max(math.Round(e.vinit), -core.VMax), core.VMax)))
			}
			out.Populations = append(out.Populations, graph.Population{Name: pname, Size: len(p.elems), Neuron: np, Pos: out.Pos})
			pm := PopulationMap{Node: name, Type: f.n.Type, Population: pname}
			if len(keys) > 1 {
				pm.Elements = p.elems
			}
			im.rep.Populations = append(im.rep.Populations, pm)
		}
	}
}

// constIn is the constant input current of a neuron node: the sum of the
// constant outputs of the linear nodes feeding it (nil when zero).
func (im *importer) constIn(f *fnode, consts map[*fnode][]float64) []float64 {
	var sum []float64
	for _, src := range im.nodes {
		if src.role != roleLinear || consts[src] == nil {
			continue
		}
		for _, t := range src.out {
			if t == f {
				sum = addConst(sum, consts[src])
			}
		}
	}
	return sum
}

// Loihi's bias mantissa is 13-bit signed.
const biasMantMax = 1<<12 - 1

// bias encodes a drive in chip voltage units per step as mant<<exp.
func (im *importer) bias(x float64) (int32, int32) {
	if x == 0 {
		return 0, 0
	}
	exp := 0
	for math.Abs(math.Round(x/math.Ldexp(1, exp))) > biasMantMax && exp < core.MaxBiasExp {
		exp++
	}
	m := math.Round(x / math.Ldexp(1, exp))
	clipped := false
	limit := math.Floor(core.VMax / math.Ldexp(1, exp))
	if lim := min(limit, biasMantMax); math.Abs(m) > lim {
		m, clipped = math.Copysign(lim, m), true
	}
	im.rep.Biases.Add(x, math.Ldexp(m, exp), clipped)
	return int32(m), int32(exp)
}

// propagate follows every source layer's spikes through the linear nodes
// to the neuron layers and Outputs they reach, and turns what arrives into
// projections and probes.
func (im *importer) propagate(out *graph.Graph, order []*fnode, consts map[*fnode][]float64) {
	sinkUse := map[*fnode][]int{} // Output element → sources reading it
	synapses := 0
	for _, s := range im.nodes {
		if s.role != roleSource && s.role != roleSpiking && s.role != roleAnalog {
			continue
		}
		bud := &budget{left: 2*im.opts.MaxSynapses + 4*s.size}
		in := map[*fnode]svec{}
		targets := map[*fnode]svec{}
		deliver := func(v svec, to *fnode) {
			switch to.role {
			case roleLinear:
				in[to] = addInto(in[to], v, bud)
			case roleSpiking, roleAnalog, roleSink:
				targets[to] = addInto(targets[to], v, bud)
			}
		}
		id := identityVec(s.size)
		for _, t := range s.out {
			deliver(id, t)
		}
		for _, f := range order {
			if v := in[f]; v != nil && !bud.over {
				o := f.op.apply(v, bud)
				delete(in, f)
				for _, t := range f.out {
					deliver(o, t)
				}
			}
		}
		if bud.over {
			im.errs.add(s.n, "its spikes reach more than %d synapses through the linear nodes after it (Options.MaxSynapses)", im.opts.MaxSynapses)
			return
		}
		for _, t := range im.nodes {
			v := targets[t]
			if v == nil {
				continue
			}
			switch {
			case t.role == roleSink:
				im.probe(out, s, t, v, sinkUse)
			case s.role == roleAnalog:
				im.errs.add(s.n, "its output is a voltage, not spikes, so only an Output can read it; it reaches %s", t.n)
			default:
				synapses += im.project(out, s, t, v)
				if synapses > im.opts.MaxSynapses {
					im.errs.add(t.n, "the graph has more than %d synapses (Options.MaxSynapses)", im.opts.MaxSynapses)
					return
				}
			}
		}
	}
	for _, t := range im.nodes {
		if t.role != roleSink {
			continue
		}
		use := sinkUse[t]
		if use == nil {
			im.note("%s: no spiking layer reaches it; nothing is probed", t.n)
			continue
		}
		for m, u := range use {
			if u > 1 {
				im.errs.add(t.n, "element %d receives the sum of %d layers; an Output can only record one layer's spikes", m, u)
				break
			}
		}
	}
	for _, f := range im.nodes {
		if f.role == roleLinear && !im.reached(f) {
			im.note("%s: no source reaches it; ignored", f.n)
		}
	}
}

// reached says whether any source, neuron or linear node feeds f.
func (im *importer) reached(f *fnode) bool {
	for _, s := range im.nodes {
		if slices.Contains(s.out, f) {
			return true
		}
	}
	return false
}

// probe records the layer s that an Output t reads. What reaches t must be
// s's own elements, unweighted and undelayed.
func (im *importer) probe(out *graph.Graph, s, t *fnode, v svec, use map[*fnode][]int) {
	if use[t] == nil {
		use[t] = make([]int, t.size)
	}
	perPart := make([][]int32, len(s.pop.parts))
	for m, ts := range v {
		if len(ts) == 0 {
			continue
		}
		if len(ts) != 1 || ts[0].w != 1 || ts[0].d != 0 {
			im.errs.add(t.n, "it reads %s through nodes that weight, sum or delay it; an Output can only record a layer's "+
				"spikes (or an LI, CubaLI or I layer's voltage) as they are", s.n)
			return
		}
		use[t][m]++
		src := ts[0].src
		p := s.pop.elemPart[src]
		perPart[p] = append(perPart[p], s.pop.elemLocal[src])
	}
	for p, neurons := range perPart {
		if len(neurons) == 0 {
			continue
		}
		slices.Sort(neurons)
		neurons = slices.Compact(neurons)
		if len(neurons) == len(s.pop.parts[p].elems) {
			neurons = nil
		}
		pr := graph.Probe{Population: s.pop.parts[p].name, Neurons: neurons, Pos: out.Pos}
		if s.role == roleAnalog {
			pr.V = true
		} else {
			pr.Spikes = true
		}
		out.Probes = append(out.Probes, pr)
	}
}

// project turns what source s delivers to neuron layer t into projections
// with quantized weights. It returns the number of synapses made.
func (im *importer) project(out *graph.Graph, s, t *fnode, v svec) int {
	tp := t.pop
	if tp == nil || tp.k == nil {
		return 0
	}
	// Ideal weights in a_in units: the chip adds a_in<<6 to u, and u (or,
	// without a synaptic filter, the same step's input) to v.
	type syn struct {
		pre, post int32
		d         int32
		x         float64
	}
	var syns []syn
	maxAbs, pos, neg := 0.0, false, false
	for j, ts := range v {
		scale := tp.k[j] * tp.gain[j] / 64
		for _, tm := range ts {
			x := tm.w * scale
			if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				if x != 0 {
					im.errs.add(t.n, "weight from %s element %d to element %d is %v after scaling", s.n, tm.src, j, x)
					return 0
				}
				continue
			}
			syns = append(syns, syn{pre: tm.src, post: int32(j), d: tm.d, x: x})
			maxAbs = max(maxAbs, math.Abs(x))
			pos, neg = pos || x > 0, neg || x < 0
		}
	}
	if len(syns) == 0 {
		return 0
	}
	// The weight grid: Lava keeps WeightBits of each 8-bit magnitude; a
	// group of mixed signs spends one more bit on the sign.
	step := math.Ldexp(1, 8-im.opts.WeightBits)
	if pos && neg {
		step *= 2
	}
	qmax := 256 - step
	// The exponent is never negative: the core would shift each step's
	// sum right and floor it, which loses lone spikes. With exp >= 0 the
	// chip adds exactly sum(w)<<exp, so rounding each weight is the whole
	// error.
	exp := int32(math.Ceil(math.Log2(maxAbs / qmax)))
	exp = min(max(exp, 0), core.MaxWeightExp)
	unit := math.Ldexp(1, int(exp))
	if maxAbs < 16 {
		im.note("%s -> %s: the largest weight is %.3g of the chip's input step (1/Vth of the threshold), so single spikes are lost "+
			"or coarse; raise Options.Vth, choose another DtPS, or set Options.Dirac if the exporter meant a spike as a unit-area pulse",
			s.n, t.n, maxAbs)
	}
	stat := ProjectionStat{WeightExp: exp}
	var before Quant
	before, im.rep.Weights = im.rep.Weights, Quant{}
	type pkey struct {
		pre, post int32 // parts
		dup       int
	}
	pairs := map[pkey][]graph.Pair{}
	seen := map[[2]int32]int{}
	var keys []pkey
	for _, sy := range syns {
		q := math.Round(sy.x/unit/step) * step
		clipped := math.Abs(q) > qmax
		q = min(max(q, -qmax), qmax)
		im.rep.Weights.Add(sy.x, q*unit, clipped)
		if q == 0 {
			continue
		}
		dup := seen[[2]int32{sy.pre, sy.post}]
		seen[[2]int32{sy.pre, sy.post}]++
		k := pkey{s.pop.elemPart[sy.pre], tp.elemPart[sy.post], dup}
		if _, ok := pairs[k]; !ok {
			keys = append(keys, k)
		}
		w := int32(q)
		p := graph.Pair{Pre: s.pop.elemLocal[sy.pre], Post: tp.elemLocal[sy.post], Weight: &w}
		if sy.d != 0 {
			d := sy.d
			p.Delay = &d
		}
		pairs[k] = append(pairs[k], p)
	}
	stat.WorstRel = im.rep.Weights.WorstRel
	merged := before
	merged.Merge(im.rep.Weights)
	im.rep.Weights = merged
	slices.SortFunc(keys, func(a, b pkey) int {
		return cmp.Or(cmp.Compare(a.pre, b.pre), cmp.Compare(a.post, b.post), cmp.Compare(a.dup, b.dup))
	})
	n := 0
	for _, k := range keys {
		pre, post := s.pop.parts[k.pre].name, tp.parts[k.post].name
		name := pre + "->" + post
		if k.dup > 0 {
			name = fmt.Sprintf("%s#%d", name, k.dup+1)
		}
		ps := pairs[k]
		slices.SortFunc(ps, func(a, b graph.Pair) int { return cmp.Or(cmp.Compare(a.Pre, b.Pre), cmp.Compare(a.Post, b.Post)) })
		out.Projections = append(out.Projections, graph.Projection{
			Name: name, Pre: pre, Post: post, Conn: graph.Connectivity{Kind: graph.List, Pairs: ps},
			WeightExp: exp, Pos: out.Pos,
		})
		st := stat
		st.Name, st.Synapses = name, len(ps)
		im.rep.Projections = append(im.rep.Projections, st)
		n += len(ps)
	}
	if len(keys) > 0 && keys[len(keys)-1].dup > 0 {
		im.note("%s -> %s: some neuron pairs are joined by paths of different delays; the extra synapses are in projections named ...#2 and up", s.n, t.n)
	}
	return n
}
