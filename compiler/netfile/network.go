package netfile

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/core"
)

// Ranges of the integer hardware fields (Loihi's bit widths). The neuron
// model options take theirs from core (core.MaxRefractorySteps...).
const (
	maxDecay   = core.DecayMax   // du, dv, dtheta: 12 bits (4095)
	maxVth     = core.VthMax     // vth, theta_step: 17 bits (131071)
	minBias    = -4096           // bias_mant: 13 bits signed
	maxBias    = 4095            //
	maxBiasExp = core.MaxBiasExp // bias_exp (23)
	maxState   = 8388607         // u, v and bias_mant << bias_exp: 24 bits signed
	minWeight  = -256            // weight: 9 bits signed
	maxWeight  = 255             //
	minWExp    = -8              // weight_exp
	maxWExp    = 7               //
	maxDelay   = 63              // delay: 6 bits
)

// network reads the top-level mapping.
func (p *parser) network(root *yaml.Node) *graph.Graph {
	g := &graph.Graph{Pos: p.pos(root)}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		p.errorAt(graph.Pos{File: p.file, Line: 1, Col: 1}, "empty network file; it needs at least dt, units and one population")
		return g
	}
	f, ok := p.mapping(root, secNetwork, "the network file")
	if !ok {
		return g
	}
	g.Name = defaultName(p.file)
	if n := f.get("name"); n != nil {
		if s, ok := p.str(n, "name"); ok {
			if strings.TrimSpace(s) == "" {
				p.errorf(n, "name is empty; give the network a name, or remove the field to use the file's name")
			} else {
				g.Name = s
			}
		}
	}
	if n := f.get("dt"); n != nil {
		if v, ok := p.dt(n); ok {
			g.DtPS, p.dtPS = v, v
		}
	}
	if n := f.get("units"); n != nil {
		if s, ok := p.str(n, "units"); ok {
			switch s {
			case "hardware":
			case "bio":
				p.bio = true
			default:
				units := []string{"hardware", "bio"}
				p.errorf(n, "unknown units %s%s (allowed: hardware, bio)", quote(clip(s)), didYouMean(s, units))
				// Read the rest as the units meant, not report every field.
				p.bio = suggest(s, units) == "bio"
			}
		}
	}
	// Populations and inputs first, in file order, so that projections and
	// probes may name any of them wherever they are written.
	for _, key := range f.keyOrder() {
		switch key {
		case "populations":
			p.populations(g, f.get(key))
		case "inputs":
			p.inputs(g, f.get(key))
		}
	}
	if p.items == 0 && !p.badList {
		at := root
		if n := f.get("populations"); n != nil {
			at = n
		} else if n := f.get("inputs"); n != nil {
			at = n
		}
		p.errorf(at, "the network has no populations; add a populations list with at least one population")
	}
	if n := f.get("projections"); n != nil {
		p.projections(g, n)
	}
	if p.bio {
		p.convertBio(g, p.bioPops, p.bioProjs)
	}
	if n := f.get("probes"); n != nil {
		p.probes(g, n)
	}
	return g
}

// defaultName is the file's base name without its extension.
func defaultName(path string) string {
	base := filepath.Base(path)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	if path == "" || name == "" || name == "." || name == string(filepath.Separator) {
		return "network"
	}
	return name
}

// define registers a population or input name; names are unique across both.
func (p *parser) define(name string, n *yaml.Node, r *ref) {
	if first, dup := p.names[name]; dup {
		kind := "population"
		if first.input {
			kind = "input"
		}
		p.errorf(n, "duplicate name %s: already used by the %s at %s; population and input names must be unique", quote(name), kind, p.where(p.pos(first.node)))
		return
	}
	r.name, r.node = name, n
	p.names[name] = r
	p.order = append(p.order, name)
}

// lookup finds a population or input by name for field what, or reports which
// names exist.
func (p *parser) lookup(n *yaml.Node, name, what string) *ref {
	if r, ok := p.names[name]; ok {
		return r
	}
	n, _ = p.resolve(n)
	defined := "no population is defined"
	if len(p.order) > 0 {
		names := p.order
		more := ""
		if len(names) > 20 {
			names, more = names[:20], fmt.Sprintf(" and %d more", len(p.order)-20)
		}
		defined = "defined: " + strings.Join(names, ", ") + more
	}
	p.errorf(n, "unknown population %s in %s%s (%s)", quote(clip(name)), what, didYouMean(name, p.order), defined)
	return nil
}

// size reads a population's or an input's size; -1 if it is invalid.
func (p *parser) size(f *fields) int {
	n := f.get("size")
	if n == nil {
		return -1
	}
	v, ok := p.integer(n, "size", 1, maxSize)
	if !ok {
		return -1
	}
	if p.neuronLimit > 0 {
		p.neurons += v
		if p.neurons > p.neuronLimit {
			p.errorf(n, "the network has more than %d neurons in total, the most this parser was asked to accept", p.neuronLimit)
			return -1
		}
	}
	return int(v)
}

// populations reads the list of neuron populations.
func (p *parser) populations(g *graph.Graph, n *yaml.Node) {
	items, ok := p.list(n, "populations", "a list of populations, each item starting with '- name:'")
	if !ok {
		p.badList = true
		return
	}
	for _, it := range items {
		p.items++
		f, ok := p.mapping(it, secPopulation, "each item of populations")
		if !ok {
			continue
		}
		pop := graph.Population{Pos: p.pos(f.node), Size: max(p.size(f), 0)}
		r := &ref{size: -1}
		if pop.Size > 0 {
			r.size = pop.Size
		}
		if n := f.get("name"); n != nil {
			if name, ok := p.ident(n, "population name"); ok {
				pop.Name = name
				p.define(name, n, r)
			}
		}
		if n := f.get("neuron"); n != nil {
			var bn *bioNeuron
			pop.Neuron, bn = p.neuron(n, r.size)
			if bn != nil {
				bn.pop, bn.name = len(g.Populations), pop.Name
				p.bioPops = append(p.bioPops, bn)
			}
		}
		g.Populations = append(g.Populations, pop)
	}
}

// Neuron models. "if" is the LIF datapath with fixed decays: u holds only
// this step's input (du = 4095, with Loihi's hidden +1 a full decay) and v
// never leaks (dv = 0).
const (
	modelLIF = "lif"
	modelIF  = "if"
	ifDu     = core.DecayMax
	ifDv     = 0
)

var neuronModels = []string{modelLIF, modelIF}

// noiseTargets are the values of noise, named as core names them.
var noiseTargets = []core.NoiseTarget{core.NoiseNone, core.NoiseU, core.NoiseV}

// neuron reads a population's neuron parameters; size is -1 if unknown.
// Under units: bio it also returns the biological parameters, which
// convertBio turns into the integer ones.
func (p *parser) neuron(n *yaml.Node, size int) (graph.NeuronParams, *bioNeuron) {
	np := graph.NeuronParams{Model: modelLIF}
	f, ok := p.mapping(n, secNeuron, "neuron")
	if !ok {
		return np, nil
	}
	known := true // the model is valid (given or by default)
	if n := f.get("model"); n != nil {
		known = false
		if s, ok := p.str(n, "model"); ok {
			if s == modelLIF || s == modelIF {
				np.Model, known = s, true
			} else {
				n, _ = p.resolve(n)
				p.errorf(n, "unknown neuron model %s%s (allowed: %s)", quote(clip(s)), didYouMean(s, neuronModels), strings.Join(neuronModels, ", "))
			}
		}
	}
	if p.bio {
		bn := p.bioNeuronFields(f, &np, known)
		refractory := np.Options.RefractorySteps
		np.Options = p.modelOptions(f)
		np.Options.RefractorySteps = refractory
		return np, bn
	}
	p.rejectFields(f, bioOnly, "hardware")
	if known && np.Model == modelIF {
		// The decays are the model; giving them, even as 4095 and 0, is a
		// mistake about what "if" means.
		np.Du, np.Dv = ifDu, ifDv
		for _, name := range []string{"du", "dv"} {
			if n := f.get(name); n != nil {
				if n, ok := p.resolve(n); ok {
					p.errorf(n, "model if fixes du=%d and dv=%d; remove %s", ifDu, ifDv, name)
				}
			}
		}
	} else {
		for _, d := range []struct {
			name string
			v    *int32
		}{{"du", &np.Du}, {"dv", &np.Dv}} {
			if n := f.get(d.name); n != nil {
				*d.v, _ = p.int32In(n, d.name, 0, maxDecay)
			} else if known && !f.guessed[d.name] {
				// Mandatory for lif only, so not in the table of fields. An
				// unknown model may have been meant as if: no guess then.
				p.errorf(f.node, "missing mandatory field %s in %s (model lif needs du and dv; model if sets them)", quote(d.name), f.label)
			}
		}
	}
	if n := f.get("vth"); n != nil {
		np.Vth, _ = p.int32In(n, "vth", 0, maxVth)
	} else if !f.guessed["vth"] {
		// Mandatory under units: hardware only, so not in the table.
		p.errorf(f.node, "missing mandatory field %s in %s", quote("vth"), f.label)
	}
	mant := p.perNeuron(f, "bias_mant", size, minBias, maxBias)
	exp := p.perNeuron(f, "bias_exp", size, 0, maxBiasExp)
	u := p.perNeuron(f, "u_init", size, -maxState, maxState)
	v := p.perNeuron(f, "v_init", size, -maxState, maxState)
	np.BiasMant, np.BiasExp, np.UInit, np.VInit = mant.vals, exp.vals, u.vals, v.vals
	if mant.ok && exp.ok && size > 0 {
		p.checkBias(mant, exp)
	}
	np.Options = p.modelOptions(f)
	return np, nil
}

// modelOptions reads the optional fields of core.Model: one value for the
// whole population, since all neurons of a core share one model.
func (p *parser) modelOptions(f *fields) core.Model {
	var m core.Model
	if n := f.get("refractory_steps"); n != nil {
		m.RefractorySteps, _ = p.option(n, "refractory_steps", core.MaxRefractorySteps)
	}
	// dtheta decays what theta_step adds, so it needs a theta_step > 0. An
	// invalid theta_step has been reported already.
	thetaOff := true
	if n := f.get("theta_step"); n != nil {
		var ok bool
		m.ThetaStep, ok = p.option(n, "theta_step", core.VthMax)
		thetaOff = ok && m.ThetaStep == 0
	}
	if n := f.get("dtheta"); n != nil {
		m.DTheta, _ = p.option(n, "dtheta", core.DecayMax)
		if thetaOff {
			why := "theta_step is not given"
			if f.has("theta_step") {
				why = "theta_step is 0"
			}
			n, _ = p.resolve(n)
			p.errorf(n, "dtheta needs theta_step > 0, but %s: the threshold never rises, so there is nothing to decay; give theta_step, or remove dtheta", why)
		}
	}
	if n := f.get("graded_bits"); n != nil {
		m.GradedBits, _ = p.option(n, "graded_bits", core.MaxGradedBits)
	}
	noiseKnown := true // noise is valid (given or by default)
	if n := f.get("noise"); n != nil {
		noiseKnown = false
		if s, ok := p.str(n, "noise"); ok {
			names := make([]string, len(noiseTargets))
			for i, t := range noiseTargets {
				names[i] = t.String()
				if s == names[i] {
					m.NoiseTarget, noiseKnown = t, true
				}
			}
			if !noiseKnown {
				n, _ = p.resolve(n)
				p.errorf(n, "unknown noise %s%s (allowed: %s)", quote(clip(s)), didYouMean(s, names), strings.Join(names, ", "))
			}
		}
	}
	if n := f.get("noise_exp"); n != nil {
		m.NoiseExp, _ = p.option(n, "noise_exp", core.MaxNoiseExp)
		if noiseKnown && m.NoiseTarget == core.NoiseNone {
			why := "noise is not given (none)"
			if f.has("noise") {
				why = "noise is none"
			}
			n, _ = p.resolve(n)
			p.errorf(n, "noise_exp needs noise u or v, but %s; give noise: u or noise: v, or remove noise_exp", why)
		}
	}
	return m
}

// option reads a model option: one integer in 0..hi for the population.
func (p *parser) option(n *yaml.Node, name string, hi int32) (int32, bool) {
	n, ok := p.resolve(n)
	if !ok {
		return 0, false
	}
	if n.Kind == yaml.SequenceNode {
		p.errorf(n, "%s must be one integer in 0..%d for the whole population (its neurons share one model); got a list", name, hi)
		return 0, false
	}
	return p.int32In(n, name, 0, hi)
}

// neuronValues is one per-neuron field, expanded to one value per neuron.
type neuronValues struct {
	vals  []int32
	node  *yaml.Node   // the field's value; nil when absent
	items []*yaml.Node // the list items when a list was given
	ok    bool         // valid, with one value per neuron
}

// perNeuron reads an optional field given as one integer for every neuron
// or as a list of exactly size integers; absent, it is 0.
func (p *parser) perNeuron(f *fields, name string, size int, lo, hi int32) neuronValues {
	var out neuronValues
	n := f.get(name)
	if n == nil {
		if size > 0 {
			out.vals, out.ok = make([]int32, size), true
		}
		return out
	}
	n, ok := p.resolve(n)
	if !ok {
		return out
	}
	out.node = n
	if n.Kind == yaml.SequenceNode {
		out.items = n.Content
		out.vals = make([]int32, len(n.Content))
		out.ok = true
		for i, it := range n.Content {
			v, ok := p.int32In(it, fmt.Sprintf("%s[%d]", name, i), lo, hi)
			out.vals[i] = v
			out.ok = out.ok && ok
		}
		if size > 0 && len(n.Content) != size {
			p.errorf(n, "%s lists %d values but the population has %d neurons; give one value per neuron, or a single number for all", name, len(n.Content), size)
			out.ok = false
		}
		out.ok = out.ok && size > 0
		return out
	}
	if n.Kind != yaml.ScalarNode {
		p.typeError(n, name, fmt.Sprintf("an integer in %d..%d, or a list of one such integer per neuron", lo, hi))
		return out
	}
	v, ok := p.int32In(n, name, lo, hi)
	if !ok || size <= 0 {
		return out
	}
	out.vals, out.ok = make([]int32, size), true
	for i := range out.vals {
		out.vals[i] = v
	}
	return out
}

// checkBias reports neurons whose bias_mant << bias_exp does not fit in the
// 24-bit current; one error per population, at the first such neuron.
func (p *parser) checkBias(mant, exp neuronValues) {
	bad, first := 0, -1
	for i := range mant.vals {
		b := int64(mant.vals[i]) << exp.vals[i]
		if b > maxState || b < -maxState {
			if bad == 0 {
				first = i
			}
			bad++
		}
	}
	if bad == 0 {
		return
	}
	at := mant.node
	switch {
	case mant.items != nil:
		at = mant.items[first]
	case exp.items != nil:
		at = exp.items[first]
	case at == nil:
		at = exp.node
	}
	more := ""
	switch {
	case bad == 2:
		more = " (and 1 more neuron)"
	case bad > 2:
		more = fmt.Sprintf(" (and %d more neurons)", bad-1)
	}
	m, e := mant.vals[first], exp.vals[first]
	p.errorf(at, "bias_mant << bias_exp must be within ±%d (24 bits); neuron %d has %d << %d = %d%s; lower bias_mant or bias_exp",
		maxState, first, m, e, int64(m)<<e, more)
}

// inputSources are the keys of an input's spike source, of which it has
// exactly one.
var inputSources = []string{"raster", "poisson", "events"}

// inputs reads the list of input sources.
func (p *parser) inputs(g *graph.Graph, n *yaml.Node) {
	items, ok := p.list(n, "inputs", "a list of inputs, each item starting with '- name:'")
	if !ok {
		p.badList = true
		return
	}
	for _, it := range items {
		p.items++
		f, ok := p.mapping(it, secInput, "each item of inputs")
		if !ok {
			continue
		}
		src := &graph.InputSource{}
		pop := graph.Population{Pos: p.pos(f.node), Size: max(p.size(f), 0), Input: src}
		r := &ref{size: -1, input: true}
		if pop.Size > 0 {
			r.size = pop.Size
		}
		if n := f.get("name"); n != nil {
			if name, ok := p.ident(n, "input name"); ok {
				pop.Name = name
				p.define(name, n, r)
			}
		}
		var given []string
		for _, k := range inputSources {
			if f.get(k) != nil {
				given = append(given, k)
			}
		}
		if len(given) > 1 {
			// at the source written last
			last := f.keys[given[0]]
			for _, k := range given[1:] {
				if a, b := p.pos(f.keys[k]), p.pos(last); a.Line > b.Line || a.Line == b.Line && a.Col > b.Col {
					last = f.keys[k]
				}
			}
			p.errorf(last, "%s has both %s; keep exactly one source", f.label, strings.Join(given, " and "))
		}
		switch {
		case len(given) > 1:
		case f.get("raster") != nil:
			src.Kind = graph.InputRaster
			p.raster(f.get("raster"), src, r.size)
		case f.get("poisson") != nil:
			src.Kind = graph.InputPoisson
			p.poisson(f.get("poisson"), src)
		case f.get("events") != nil:
			src.Kind = graph.InputRaster
			p.eventSource(f.get("events"), src, r.size, f.get("size"))
		default:
			p.errorf(f.node, "%s needs a source: add raster: {spikes: [[step, index], ...]}, poisson: {rate_hz: ..., seed: ...} or events: {file: recording.aedat4}", f.label)
		}
		g.Populations = append(g.Populations, pop)
	}
}

// poisson reads a Poisson source.
func (p *parser) poisson(n *yaml.Node, src *graph.InputSource) {
	f, ok := p.mapping(n, secPoisson, "poisson")
	if !ok {
		return
	}
	if n := f.get("rate_hz"); n != nil {
		if v, ok := p.number(n, "rate_hz"); ok {
			switch {
			case v <= 0:
				p.errorf(n, "rate_hz must be greater than 0; got %s", clip(n.Value))
			case p.dtPS > 0 && v*float64(p.dtPS) > 1e12:
				p.errorf(n, "rate_hz %s with dt %s is a spike probability of %.4g per step; it must be at most 1, so rate_hz ≤ %.6g for this dt",
					clip(n.Value), formatPS(p.dtPS), v*float64(p.dtPS)/1e12, 1e12/float64(p.dtPS))
			default:
				src.RateHz = v
			}
		}
	}
	if n := f.get("seed"); n != nil {
		src.Seed, _ = p.seed(n, "seed")
	}
}

// projections reads the list of projections.
func (p *parser) projections(g *graph.Graph, n *yaml.Node) {
	items, ok := p.list(n, "projections", "a list of projections, each item starting with '- pre:'")
	if !ok {
		return
	}
	for _, it := range items {
		f, ok := p.mapping(it, secProjection, "each item of projections")
		if !ok {
			continue
		}
		pr, bp := p.projection(f)
		if bp != nil {
			bp.proj = len(g.Projections)
			p.bioProjs = append(p.bioProjs, bp)
		}
		g.Projections = append(g.Projections, pr)
	}
}

// projection reads one projection. Under units: bio it also returns its
// weights in mV, which convertBio turns into integers.
func (p *parser) projection(f *fields) (graph.Projection, *bioProj) {
	pr := graph.Projection{Pos: p.pos(f.node)}
	var bp *bioProj
	if p.bio {
		bp = &bioProj{post: "\x00"} // no population until post is valid
	}
	p.pairW, p.pairSet = nil, nil
	var pre, post *ref
	if n := f.get("pre"); n != nil {
		if s, ok := p.str(n, "pre"); ok {
			pr.Pre = s
			pre = p.lookup(n, s, "pre")
		}
	}
	if n := f.get("post"); n != nil {
		if s, ok := p.str(n, "post"); ok {
			pr.Post = s
			post = p.lookup(n, s, "post")
			if post != nil && post.input {
				n, _ = p.resolve(n)
				p.errorf(n, "post %s is an input; inputs cannot receive synapses (post must be a neuron population)", quote(s))
				post = nil
			}
			if post != nil && bp != nil {
				bp.post = s
			}
		}
	}
	pr.Name = pr.Pre + "->" + pr.Post
	if n := f.get("name"); n != nil {
		if s, ok := p.ident(n, "projection name"); ok {
			pr.Name = s
			if first, dup := p.projName[s]; dup {
				n, _ = p.resolve(n)
				p.errorf(n, "duplicate projection name %s: already used at %s", quote(s), p.where(p.pos(first)))
			} else {
				p.projName[s] = n
			}
		}
	}
	allWeights := false
	if n := f.get("connectivity"); n != nil {
		pr.Conn, allWeights = p.connectivity(n, pre, post)
	}
	var w weightSpec
	weightExpOK := true
	if bp != nil {
		bp.pairs, bp.pairSet = p.pairW, p.pairSet
		bp.ok = true // a list whose pairs all give a weight needs no weight
	}
	if n := f.get("weight"); n != nil && bp != nil {
		bp.ok = false
		p.bioWeight(n, bp, &pr)
	} else if n != nil {
		w = p.weight(n)
		pr.Weight, pr.WeightInit = w.value, w.init
	} else if !allWeights && f.has("connectivity") {
		// A random weight is given as weight too: only a list whose pairs
		// all give their own weight needs none.
		hint := " (give weight: 100, or weight: {uniform: [lo, hi], seed: 1} for random weights)"
		if pr.Conn.Kind == graph.List {
			hint = " (or give a weight in every pair of the list, as [pre, post, weight]; or a random weight, weight: {uniform: [lo, hi], seed: 1}, for the pairs without one)"
		}
		p.errorf(f.node, "missing mandatory field \"weight\" in %s%s", f.label, hint)
	}
	if n := f.get("weight_exp"); n != nil && bp != nil {
		p.errorf(f.keys["weight_exp"], "weight_exp is chosen by the conversion under units: bio (the largest weight sets it); remove it")
		bp.ok = false
	} else if n != nil {
		pr.WeightExp, weightExpOK = p.int32In(n, "weight_exp", minWExp, maxWExp)
	}
	if n := f.get("delay"); n != nil {
		pr.Delay, _ = p.int32In(n, "delay", 0, maxDelay)
	}
	if n := f.get("plasticity"); n != nil && bp != nil {
		p.errorf(f.keys["plasticity"], "plastic projections are not supported under units: bio yet: a learning rule's weights and traces are in hardware units; use units: hardware for a plastic network")
		bp.ok = false
	} else if n != nil {
		p.plasticProjection(f, n, &pr, w, weightExpOK)
	}
	return pr, bp
}

// weightSpec is a projection's weight as read: one integer, or a random
// weight drawn uniformly from lo..hi.
type weightSpec struct {
	value int32             // the weight, or lo for a random weight
	init  *graph.WeightInit // nil for one integer
	ok    bool              // valid
	node  *yaml.Node        // the integer, or the list [lo, hi]
	lo    *yaml.Node        // the bounds of a random weight
	hi    *yaml.Node        //
}

// weight reads a projection's weight: an integer, or a mapping
// {uniform: [lo, hi], seed: s} for a weight drawn for each synapse.
func (p *parser) weight(n *yaml.Node) weightSpec {
	var w weightSpec
	n, ok := p.resolve(n)
	if !ok {
		return w
	}
	w.node = n
	switch n.Kind {
	case yaml.MappingNode:
		return p.randomWeight(n)
	case yaml.SequenceNode:
		p.typeError(n, "weight", fmt.Sprintf("an integer in %d..%d, or a mapping {uniform: [lo, hi], seed: s} for random weights", minWeight, maxWeight))
		return w
	}
	w.value, w.ok = p.int32In(n, "weight", minWeight, maxWeight)
	return w
}

// randomWeight reads weight: {uniform: [lo, hi], seed: s}. The projection's
// weight is lo, so that code that needs one weight has a valid one.
func (p *parser) randomWeight(n *yaml.Node) weightSpec {
	var w weightSpec
	f, _ := p.mapping(n, secWeight, "weight")
	wi := &graph.WeightInit{}
	uniformOK, seedOK := false, false
	if u := f.get("uniform"); u != nil {
		want := fmt.Sprintf("a list of two integers [lo, hi], each in %d..%d", minWeight, maxWeight)
		if items, ok := p.list(u, "uniform", want); ok {
			u, _ = p.resolve(u)
			w.node = u
			if len(items) != 2 {
				p.errorf(u, "uniform must be %s; got %d values", want, len(items))
			} else {
				lo, loOK := p.int32In(items[0], "uniform lo", minWeight, maxWeight)
				hi, hiOK := p.int32In(items[1], "uniform hi", minWeight, maxWeight)
				w.lo, _ = p.resolve(items[0])
				w.hi, _ = p.resolve(items[1])
				switch {
				case !loOK || !hiOK:
				case lo > hi:
					p.errorf(u, "uniform lo %d is greater than hi %d; write the bounds in order, as [%d, %d]", lo, hi, hi, lo)
				default:
					wi.Lo, wi.Hi, uniformOK = lo, hi, true
				}
			}
		}
	}
	if s := f.get("seed"); s != nil {
		wi.Seed, seedOK = p.seed(s, "seed")
	}
	if uniformOK && seedOK {
		w.value, w.init, w.ok = wi.Lo, wi, true
	}
	return w
}

// connectivity reads a projection's rule. pre and post are nil when unknown.
// It also says whether the rule is a list whose pairs all give a weight.
func (p *parser) connectivity(n *yaml.Node, pre, post *ref) (graph.Connectivity, bool) {
	var c graph.Connectivity
	n, ok := p.resolve(n)
	if !ok {
		return c, false
	}
	rules := []string{"all_to_all", "one_to_one", "fixed_probability", "list"}
	const want = "all_to_all, one_to_one, {fixed_probability: {p: ..., seed: ...}} or {list: [[pre, post], ...]}"
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		switch n.Value {
		case "all_to_all":
			c.Kind = graph.AllToAll
		case "one_to_one":
			c.Kind = graph.OneToOne
			if pre != nil && post != nil && pre.size > 0 && post.size > 0 && pre.size != post.size {
				p.errorf(n, "one_to_one needs pre and post of the same size; pre %s has %d neurons and post %s has %d; use all_to_all, fixed_probability or list instead",
					quote(pre.name), pre.size, quote(post.name), post.size)
			}
		case "fixed_probability", "list":
			p.errorf(n, "connectivity %s needs parameters, as connectivity: {%s}", n.Value, map[string]string{
				"fixed_probability": "fixed_probability: {p: 0.1, seed: 1}",
				"list":              "list: [[0, 0], [1, 0]]",
			}[n.Value])
		default:
			p.errorf(n, "unknown connectivity %s%s (allowed: %s)", quote(clip(n.Value)), didYouMean(n.Value, rules), want)
		}
		return c, false
	case n.Kind == yaml.MappingNode:
		f, _ := p.mapping(n, secConnectivity, "connectivity")
		switch len(f.order) {
		case 0:
			if len(n.Content) == 0 {
				p.errorf(n, "connectivity is an empty mapping; use %s", want)
			}
			return c, false
		case 1:
		default:
			keys := f.keyOrder()
			p.errorf(f.keys[keys[1]], "connectivity has both %s and %s; keep exactly one rule", keys[0], keys[1])
			return c, false
		}
		if v := f.get("fixed_probability"); v != nil {
			c.Kind = graph.FixedProbability
			p.fixedProbability(v, &c)
			return c, false
		}
		c.Kind = graph.List
		return c, p.pairList(f.get("list"), pre, post, &c)
	}
	p.typeError(n, "connectivity", want)
	return c, false
}

func (p *parser) fixedProbability(n *yaml.Node, c *graph.Connectivity) {
	f, ok := p.mapping(n, secFixedProbability, "fixed_probability")
	if !ok {
		return
	}
	if n := f.get("p"); n != nil {
		if v, ok := p.number(n, "p"); ok {
			if v <= 0 || v > 1 {
				p.errorf(n, "p must be in (0, 1], a probability greater than 0; got %s", clip(n.Value))
			} else {
				c.P = v
			}
		}
	}
	if n := f.get("seed"); n != nil {
		c.Seed, _ = p.seed(n, "seed")
	}
}

// pairList reads explicit synapses [pre, post, weight?, delay?] and says
// whether every pair gives its weight.
func (p *parser) pairList(n *yaml.Node, pre, post *ref, c *graph.Connectivity) bool {
	items, ok := p.list(n, "list", "a list of pairs [pre, post], [pre, post, weight] or [pre, post, weight, delay]")
	if !ok {
		return false
	}
	if len(items) == 0 {
		n, _ = p.resolve(n)
		p.errorf(n, "list is empty; give at least one pair [pre, post]")
		return false
	}
	hi := func(r *ref) int64 {
		if r == nil || r.size <= 0 {
			return maxSize - 1
		}
		return int64(r.size) - 1
	}
	allWeights := true
	c.Pairs = make([]graph.Pair, 0, len(items))
	for i, it := range items {
		what := fmt.Sprintf("list[%d]", i)
		vals, ok := p.list(it, what, "a pair [pre, post], optionally followed by weight and delay")
		if !ok {
			allWeights = false
			continue
		}
		if len(vals) < 2 || len(vals) > 4 {
			it, _ = p.resolve(it)
			p.errorf(it, "%s has %d values; write [pre, post], [pre, post, weight] or [pre, post, weight, delay]", what, len(vals))
			allWeights = false
			continue
		}
		var pair graph.Pair
		v, _ := p.integer(vals[0], what+" pre index", 0, hi(pre))
		pair.Pre = int32(v)
		v, _ = p.integer(vals[1], what+" post index", 0, hi(post))
		pair.Post = int32(v)
		bioW, bioSet := 0.0, false
		if len(vals) >= 3 && p.bio {
			bioW, bioSet = p.voltage(vals[2], what+" weight")
			var w int32 // converted by convertBio
			pair.Weight = &w
		} else if len(vals) >= 3 {
			w, _ := p.int32In(vals[2], what+" weight", minWeight, maxWeight)
			pair.Weight = &w
		} else {
			allWeights = false
		}
		if len(vals) == 4 {
			d, _ := p.int32In(vals[3], what+" delay", 0, maxDelay)
			pair.Delay = &d
		}
		c.Pairs = append(c.Pairs, pair)
		p.pairW, p.pairSet = append(p.pairW, bioW), append(p.pairSet, bioSet)
	}
	return allWeights
}

// probes reads the list of probes.
func (p *parser) probes(g *graph.Graph, n *yaml.Node) {
	items, ok := p.list(n, "probes", "a list of probes, each item starting with '- population:'")
	if !ok {
		return
	}
	for _, it := range items {
		f, ok := p.mapping(it, secProbe, "each item of probes")
		if !ok {
			continue
		}
		pr := graph.Probe{Pos: p.pos(f.node)}
		var r *ref
		if n := f.get("population"); n != nil {
			if s, ok := p.str(n, "population"); ok {
				pr.Population = s
				r = p.lookup(n, s, "probe")
			}
		}
		if n := f.get("record"); n != nil {
			p.record(n, &pr, r)
		}
		if n := f.get("neurons"); n != nil {
			pr.Neurons = p.neuronIndices(n, r)
		}
		g.Probes = append(g.Probes, pr)
	}
}

// record reads what a probe records.
func (p *parser) record(n *yaml.Node, pr *graph.Probe, r *ref) {
	signals := []string{"spikes", "u", "v"}
	items, ok := p.list(n, "record", "a list of signals from spikes, u, v, such as [spikes]")
	if !ok {
		return
	}
	if len(items) == 0 {
		n, _ = p.resolve(n)
		p.errorf(n, "record is empty; list what to record, from spikes, u, v")
		return
	}
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		s, ok := p.str(it, "each item of record")
		if !ok {
			continue
		}
		it, _ = p.resolve(it)
		if first, dup := seen[s]; dup {
			p.errorf(it, "%s is listed twice in record (first at %s)", s, p.where(p.pos(first)))
			continue
		}
		seen[s] = it
		switch s {
		case "spikes":
			pr.Spikes = true
		case "u", "v":
			if r != nil && r.input {
				p.errorf(it, "input %s has no %s; an input's probe records only spikes", quote(pr.Population), s)
				continue
			}
			if s == "u" {
				pr.U = true
			} else {
				pr.V = true
			}
		default:
			p.errorf(it, "unknown signal %s in record%s (allowed: spikes, u, v)", quote(clip(s)), didYouMean(s, signals))
		}
	}
}

// neuronIndices reads the neurons a probe records; r is nil if unknown.
func (p *parser) neuronIndices(n *yaml.Node, r *ref) []int32 {
	items, ok := p.list(n, "neurons", "a list of neuron indices, such as [0, 1, 2]")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		n, _ = p.resolve(n)
		p.errorf(n, "neurons is empty; list neuron indices, or remove the field to record every neuron")
		return nil
	}
	hi := int64(maxSize - 1)
	if r != nil && r.size > 0 {
		hi = int64(r.size) - 1
	}
	out := make([]int32, 0, len(items))
	seen := map[int64]*yaml.Node{}
	for i, it := range items {
		v, ok := p.integer(it, fmt.Sprintf("neurons[%d]", i), 0, hi)
		if !ok {
			continue
		}
		it, _ = p.resolve(it)
		if first, dup := seen[v]; dup {
			p.errorf(it, "neuron %d is listed twice in neurons (first at %s)", v, p.where(p.pos(first)))
			continue
		}
		seen[v] = it
		out = append(out, int32(v))
	}
	return out
}

// sortSpikes sorts spikes by (step, index) and reports duplicates at the
// later of the two places.
func (p *parser) sortSpikes(spikes []spikeAt) []graph.Spike {
	sort.SliceStable(spikes, func(i, j int) bool {
		a, b := spikes[i].s, spikes[j].s
		if a.Step != b.Step {
			return a.Step < b.Step
		}
		return a.Index < b.Index
	})
	out := make([]graph.Spike, 0, len(spikes))
	for i, s := range spikes {
		if i > 0 && s.s == spikes[i-1].s {
			p.errorAt(s.pos, "duplicate spike at step %d, index %d; it is already listed at %s", s.s.Step, s.s.Index, p.where(spikes[i-1].pos))
			continue
		}
		out = append(out, s.s)
	}
	return out
}
