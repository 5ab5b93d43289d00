package sanafe

import (
	"github.com/tessera-sim/tessera/compiler/quantstat"

	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"slices"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/core"
)

// SNNReport says what ReadSNN made of a network file and what it had to
// approximate.
type SNNReport struct {
	File string
	Name string
	// Neurons counts LIF neurons, Inputs input channels, Synapses every
	// synapse made. ZeroWeights counts synapses whose file weight is 0:
	// they are kept, because SANA-FE charges their synaptic events.
	Neurons, Inputs, Synapses, ZeroWeights int
	Populations                            []PopulationInfo
	Projections                            []ProjectionInfo
	// Quantization over the whole network, in SANA-FE's units (a weight,
	// bias or threshold of 1.0 is 1.0 here); decays compare 1 − decay
	// with dv/4096 and (du+1)/4096.
	Weights, Biases, Thresholds, Decays Quant
	// SynapseUnits counts synapses by the synapse unit SANA-FE prices them
	// with, SomaUnits LIF neurons by soma unit, InputUnits input channels
	// by soma unit. Without an architecture, "(first listed)" stands for a
	// neuron that names none.
	SynapseUnits, SomaUnits, InputUnits map[string]int
	// Mapped and Unmapped count neurons (inputs included) with and without
	// a mapping; CoresUsed and TilesUsed are SANA-FE's.
	Mapped, Unmapped     int
	CoresUsed, TilesUsed int
	Notes                []string
}

// PopulationInfo says where a population came from.
type PopulationInfo struct {
	Name  string
	Group string
	First int // first neuron of the group in the population
	Size  int
	// Neurons are the group's neuron indices in population order when
	// they are not First..First+Size-1 (SNNOptions.PartitionAsMapped).
	Neurons []int32
	Input   bool
	// Scale is the voltage scale exponent: the chip's voltage is 2^Scale
	// times SANA-FE's potential, times 64 (v's 6 fraction bits).
	Scale  int
	Vth    int32
	Du, Dv int32
}

// ProjectionInfo describes one projection made.
type ProjectionInfo struct {
	Name      string
	Edge      string // the SANA-FE edge it came from
	Synapses  int
	WeightExp int32
	Weights   Quant
}

// Quant is the quantization error of one kind of value (see
// compiler/quantstat); its String adds the worst absolute error, in
// SANA-FE's units.
type Quant struct{ quantstat.Stat }

// MainUnits names the synapse unit that prices the most synapses and the
// soma unit of the most LIF neurons: ReadArchWith(arch, MainUnits())
// prices the core the way this network mostly runs in SANA-FE.
func (r SNNReport) MainUnits() ArchOptions {
	best := func(m map[string]int) string {
		name, n := "", -1
		for k, v := range m {
			if k == "(first listed)" {
				continue
			}
			if v > n || (v == n && k < name) {
				name, n = k, v
			}
		}
		return name
	}
	return ArchOptions{Synapse: best(r.SynapseUnits), Soma: best(r.SomaUnits)}
}

// maxScale is the largest voltage scale exponent the importer uses.
const maxScale = 8

// integral says whether x is a whole number (to float precision).
func integral(x float64) bool {
	return math.Abs(x-math.Round(x)) <= 1e-9*max(1, math.Abs(x))
}

// build converts the collected groups, populations and synapses into the
// graph and the mapping.
func (s *snnReader) build() (*graph.Graph, Mapping) {
	opts := s.opts
	g := &graph.Graph{Name: s.rep.Name, DtPS: opts.DtPS, Pos: graph.Pos{File: s.file}}
	if g.Name == "" {
		g.Name = "sanafe"
	}
	into := make([][]*bucket, len(s.pops))
	popIdx := map[*popBuild]int{}
	for i, p := range s.pops {
		popIdx[p] = i
	}
	for _, b := range s.bucket {
		k := popIdx[b.post]
		into[k] = append(into[k], b)
	}
	// Voltage scale per LIF population: the smallest 2^s that makes its
	// threshold and every incoming weight whole.
	for k, p := range s.pops {
		if p.key.input {
			continue
		}
		p.scale = -1
		fits := func(sc int) bool { return p.key.thr*math.Ldexp(1, sc) <= core.VthMax }
		for sc := 0; sc <= maxScale && fits(sc); sc++ {
			f := math.Ldexp(1, sc)
			ok := integral(p.key.thr * f)
			for _, b := range into[k] {
				for _, w := range b.w {
					if !ok {
						break
					}
					ok = integral(w * f)
				}
			}
			if ok {
				p.scale = sc
				break
			}
		}
		if p.scale < 0 && !fits(0) {
			p.scale = 0 // the threshold is clipped (neuronParams says so)
		} else if p.scale < 0 {
			p.scale = 0
			for p.scale < maxScale && fits(p.scale+1) {
				p.scale++
			}
			s.note("population %s: its threshold or incoming weights are not whole multiples of 2^-%d; voltages are scaled by 2^%d (finer than SANA-FE's 1/64 potential grid)",
				p.name, maxScale, p.scale)
		} else if p.scale > 0 {
			s.note("population %s: voltages are scaled by 2^%d to make its threshold and weights whole numbers (potentials keep a finer grid than SANA-FE's 1/64)", p.name, p.scale)
		}
	}
	// Populations.
	for _, p := range s.pops {
		gp := graph.Population{Name: p.name, Size: p.size, Pos: p.pos}
		info := PopulationInfo{Name: p.name, Group: p.g.name, First: p.first, Size: p.size, Input: p.key.input, Scale: p.scale}
		if int(p.members[p.size-1])-p.first != p.size-1 {
			info.Neurons = p.members
		}
		if p.key.input {
			gp.Input = s.inputSource(p)
			s.rep.Inputs += p.size
		} else {
			gp.Neuron = s.neuronParams(p)
			info.Vth, info.Du, info.Dv = gp.Neuron.Vth, gp.Neuron.Du, gp.Neuron.Dv
			s.rep.Neurons += p.size
		}
		g.Populations = append(g.Populations, gp)
		s.rep.Populations = append(s.rep.Populations, info)
	}
	// Projections, in bucket order (edge order, then first synapse).
	names := map[string]int{}
	exps := s.weightExps()
	for _, b := range s.bucket {
		if len(b.w) == 0 {
			continue
		}
		base := b.pre.name + "->" + b.post.name
		names[base]++
		b.name = base
		if n := names[base]; n > 1 {
			b.name = fmt.Sprintf("%s#%d", base, n)
		}
		pr, info := s.project(b, exps[b.group])
		g.Projections = append(g.Projections, pr)
		s.rep.Projections = append(s.rep.Projections, info)
		s.rep.Weights.Merge(info.Weights.Stat)
		s.rep.Synapses += info.Synapses
	}
	s.rep.Weights.Finish()
	s.rep.Biases.Finish()
	s.rep.Thresholds.Finish()
	s.rep.Decays.Finish()
	if !opts.NoProbes {
		g.Probes = s.probes()
	}
	m := s.mapping()
	return g, m
}

// neuronParams converts a LIF population's parameters.
func (s *snnReader) neuronParams(p *popBuild) graph.NeuronParams {
	k := p.key
	f := math.Ldexp(1, p.scale)
	np := graph.NeuronParams{Model: "lif"}
	// Input current: I ← I·input_decay + in is u ← u·(4096−(du+1))/4096 + in.
	du := math.Round(4095 - 4096*k.idecay)
	np.Du = int32(min(max(du, 0), core.DecayMax))
	s.rep.Decays.Add(1-k.idecay, float64(np.Du+1)/4096, du < 0)
	// Potential: V ← V·leak_decay is v ← v·(4096−dv)/4096.
	dv := math.Round(4096 * (1 - k.leak))
	np.Dv = int32(min(max(dv, 0), core.DecayMax))
	s.rep.Decays.Add(1-k.leak, float64(np.Dv)/4096, dv > core.DecayMax)
	if np.Du == core.DecayMax && np.Dv == 0 {
		np.Model = "if"
	}
	vth := math.Round(k.thr * f)
	if vth < 0 {
		s.errOnce("vth "+p.name, p.g.node, "population %s: threshold %g is negative; Tessera's threshold is ≥ 0 (a neuron fires when v > threshold)", p.name, k.thr)
		vth = 0
	}
	clipped := vth > core.VthMax
	vth = min(vth, core.VthMax)
	np.Vth = int32(vth)
	s.rep.Thresholds.Add(k.thr, vth/f, clipped)
	if clipped {
		s.note("population %s: threshold %g is above the largest threshold mantissa %d; clipped", p.name, k.thr, core.VthMax)
	}
	if k.refractory > 0 {
		np.Options.RefractorySteps = k.refractory
		s.note("population %s: refractory_delay %d is Tessera's refractory period (v held at 0 for that many steps after a spike); SANA-FE's exact refractory semantics may differ", p.name, k.refractory)
	}
	np.BiasMant = make([]int32, p.size)
	np.BiasExp = make([]int32, p.size)
	np.UInit = make([]int32, p.size)
	np.VInit = make([]int32, p.size)
	for i := 0; i < p.size; i++ {
		b := p.attrs(i).bias
		mant, exp, clip := biasMantExp(b * 64 * f)
		np.BiasMant[i], np.BiasExp[i] = mant, exp
		s.rep.Biases.Add(b, float64(mant)*math.Ldexp(1, int(exp))/64/f, clip)
	}
	return np
}

// Bias mantissa: 13 bits signed, as Loihi and the network file.
const maxBiasMant = 4095

// biasMantExp encodes x (chip v units) as mant << exp with the smallest
// exp ≥ 0 that fits the mantissa, clipping to 24 bits.
func biasMantExp(x float64) (mant, exp int32, clipped bool) {
	if math.Abs(x) > core.VMax {
		x = math.Copysign(core.VMax, x)
		clipped = true
	}
	for e := int32(0); e <= core.MaxBiasExp; e++ {
		m := math.Round(math.Ldexp(x, -int(e)))
		if math.Abs(m) <= maxBiasMant {
			if math.Abs(m*math.Ldexp(1, int(e))) > core.VMax {
				m -= math.Copysign(1, m)
			}
			return int32(m), e, clipped
		}
	}
	return int32(math.Copysign(maxBiasMant, x)), core.MaxBiasExp, true
}

// inputSource converts an input population.
func (s *snnReader) inputSource(p *popBuild) *graph.InputSource {
	if p.key.poisson > 0 {
		h := fnv.New64a()
		h.Write([]byte(p.name))
		dt := float64(s.opts.DtPS) * 1e-12
		s.note("population %s: Poisson input, probability %g per step = %g Hz at dt = %g s", p.name, p.key.poisson, p.key.poisson/dt, dt)
		return &graph.InputSource{Kind: graph.InputPoisson, RateHz: p.key.poisson / dt, Seed: s.opts.Seed ^ h.Sum64()}
	}
	in := &graph.InputSource{Kind: graph.InputRaster}
	any := false
	for i := 0; i < p.size; i++ {
		a := p.attrs(i)
		any = any || a.hasInput
		for t, on := range a.spikes {
			if on {
				in.Spikes = append(in.Spikes, graph.Spike{Step: int32(t + 1), Index: int32(i)})
			}
		}
		if a.rate > 0 {
			period := int(1 / a.rate)
			if period < 1 {
				period = 1
			}
			for t := period; t <= s.opts.RateSteps; t += period {
				in.Spikes = append(in.Spikes, graph.Spike{Step: int32(t), Index: int32(i)})
			}
			s.note("population %s: periodic rate inputs (a spike every int(1/rate) steps) are expanded into a raster for steps 1..%d (SNNOptions.RateSteps)", p.name, s.opts.RateSteps)
		}
	}
	slices.SortFunc(in.Spikes, func(a, b graph.Spike) int { return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(a.Index, b.Index)) })
	in.Spikes = slices.Compact(in.Spikes)
	if !any {
		s.note("population %s: input neurons without spikes, poisson or rate: a raster with no spikes", p.name)
	}
	return in
}

// project quantizes one bucket's weights into a projection.
// weightExps chooses one weight exponent per SANA-FE edge (every
// projection cut from one edge shares it, so how populations are cut does
// not change the weights): the smallest exponent that clips nothing, or
// up to two below it that clip the largest weights but keep more bits of
// the rest, whichever has the least squared error (ties: no clipping).
func (s *snnReader) weightExps() map[int]int {
	qmax := math.Ldexp(1, s.opts.WeightBits) - 1
	byEdge := map[int][]*bucket{}
	for _, b := range s.bucket {
		byEdge[b.group] = append(byEdge[b.group], b)
	}
	out := map[int]int{}
	for id, bs := range byEdge {
		maxAbs := 0.0
		for _, b := range bs {
			f := math.Ldexp(1, b.post.scale)
			for _, w := range b.w {
				maxAbs = max(maxAbs, math.Abs(w*f))
			}
		}
		e0 := 0
		if maxAbs > qmax {
			e0 = int(math.Ceil(math.Log2(maxAbs / qmax)))
			for math.Ldexp(qmax, e0) < maxAbs {
				e0++
			}
		}
		if e0 > core.MaxWeightExp {
			s.note("edge %s: weights up to %g need exponent %d, the largest is %d; they are clipped", bs[0].edge, maxAbs, e0, core.MaxWeightExp)
			e0 = core.MaxWeightExp
		}
		best, bestErr := e0, math.Inf(1)
		for e := e0; e >= max(0, e0-2); e-- {
			var se float64
			unit, inv := math.Ldexp(1, e), math.Ldexp(1, -e)
			for _, b := range bs {
				f := math.Ldexp(1, b.post.scale)
				for _, w := range b.w {
					x := w * f
					q := min(max(math.Round(x*inv), -qmax), qmax)
					d := q*unit - x
					se += d * d
				}
			}
			if se < bestErr {
				best, bestErr = e, se
			}
		}
		out[id] = best
	}
	return out
}

// project quantizes one bucket's weights with exponent best into a
// projection.
func (s *snnReader) project(b *bucket, best int) (graph.Projection, ProjectionInfo) {
	f := math.Ldexp(1, b.post.scale)
	qmax := math.Ldexp(1, s.opts.WeightBits) - 1
	quant := func(x float64, e int) (float64, bool) {
		q := math.Round(x * math.Ldexp(1, -e))
		clipped := q > qmax || q < -qmax
		return min(max(q, -qmax), qmax), clipped
	}
	n := len(b.w)
	wq := make([]int32, n)
	var dq []int32
	var q Quant
	for i, w := range b.w {
		m, clipped := quant(w*f, best)
		wq[i] = int32(m)
		q.Add(w, math.Ldexp(m, best)/f, clipped)
		if w == 0 {
			s.rep.ZeroWeights++
		}
	}
	q.Finish()
	if b.d != nil {
		dq = b.d
	}
	pairs := make([]graph.Pair, n)
	for i := range pairs {
		pairs[i] = graph.Pair{Pre: b.preIdx[i], Post: b.postIdx[i], Weight: &wq[i]}
		if dq != nil && dq[i] != 0 {
			pairs[i].Delay = &dq[i]
		}
	}
	pr := graph.Projection{Name: b.name, Pre: b.pre.name, Post: b.post.name,
		Conn: graph.Connectivity{Kind: graph.List, Pairs: pairs}, WeightExp: int32(best), Pos: b.pos}
	// The bucket's float arrays are no longer needed.
	b.w, b.preIdx, b.postIdx, b.d, b.seen = nil, nil, nil, nil, nil
	edge := b.edge
	if b.more > 0 {
		edge = fmt.Sprintf("%s and %d more neuron-to-neuron edges", b.edge, b.more)
	}
	return pr, ProjectionInfo{Name: b.name, Edge: edge, Synapses: n, WeightExp: int32(best), Weights: q}
}

// probes turns log_spikes, log_potential and log_u into probes, one per
// population and combination of signals.
func (s *snnReader) probes() []graph.Probe {
	var out []graph.Probe
	for _, p := range s.pops {
		type sig struct{ spikes, u, v bool }
		var order []sig
		sets := map[sig][]int32{}
		for i := 0; i < p.size; i++ {
			a := p.attrs(i)
			k := sig{a.logSpikes, a.logU && !p.key.input, a.logPot && !p.key.input}
			if k == (sig{}) {
				continue
			}
			if _, ok := sets[k]; !ok {
				order = append(order, k)
			}
			sets[k] = append(sets[k], int32(i))
		}
		for _, k := range order {
			ns := sets[k]
			if len(ns) == p.size {
				ns = nil
			}
			out = append(out, graph.Probe{Population: p.name, Spikes: k.spikes, U: k.u, V: k.v, Neurons: ns, Pos: p.pos})
		}
	}
	return out
}

// mapping collects SANA-FE's placement per population.
func (s *snnReader) mapping() Mapping {
	var m Mapping
	for _, p := range s.pops {
		pm := PopulationMapping{Name: p.name, Tile: make([]int32, p.size), Core: make([]int32, p.size)}
		for i := 0; i < p.size; i++ {
			m := p.members[i]
			pm.Tile[i], pm.Core[i] = p.g.tile[m], p.g.core[m]
			if pm.Tile[i] >= 0 {
				s.rep.Mapped++
			} else {
				s.rep.Unmapped++
			}
		}
		m.Populations = append(m.Populations, pm)
	}
	s.rep.CoresUsed, s.rep.TilesUsed = m.CoresUsed(), m.TilesUsed()
	if s.rep.Unmapped > 0 && s.rep.Mapped > 0 {
		s.note("%d neurons have no mapping (SANA-FE needs every neuron mapped); Tessera's compiler places every neuron itself", s.rep.Unmapped)
	}
	if arch := s.opts.Arch; arch != nil && arch.MaxNeurons > 0 {
		over := 0
		for _, n := range m.Loads() {
			if n > arch.MaxNeurons {
				over++
			}
		}
		if over > 0 {
			s.note("the mapping puts more than max_neurons_supported (%d) neurons on %d cores", arch.MaxNeurons, over)
		}
	}
	return m
}
