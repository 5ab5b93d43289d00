package netfile

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/quantstat"
	"github.com/tessera-sim/tessera/core"
)

// This file reads units: bio, neuron and synapse parameters in biological
// floats (ms, mV), and converts them to the integer Loihi fields once every
// projection is known (a population's voltage scale depends on the weights
// it receives). docs/network-format.md, "Biological units", has the formulas.

const (
	// bioVth is the threshold mantissa the conversion aims for: large for
	// precision, with 2^3 of headroom below the 24-bit voltage (vth<<6 =
	// 2^20). It is halved while a voltage or a weight would not fit.
	bioVth = 1 << 14
	// maxBioVolts bounds a voltage, in mV, so that scaling cannot overflow.
	maxBioVolts = 1e6
	// maxWeightJump is the largest |weight| << weight_exp (255 << 7).
	maxWeightJump = maxWeight << maxWExp
)

// Fields that only one of the units accepts, with what to write instead.
var (
	hardwareOnly = []struct{ name, instead string }{
		{"du", "tau_syn"}, {"dv", "tau_mem"}, {"vth", "v_th"},
		{"bias_mant", "v_rest"}, {"bias_exp", "v_rest"}, {"u_init", "nothing (u starts at 0)"},
		{"refractory_steps", "refractory (a duration, such as 2ms)"},
	}
	// scaleDependent are model options in hardware units whose meaning
	// depends on the voltage scale the conversion chooses.
	scaleDependent = []string{"theta_step", "dtheta", "noise", "noise_exp"}
	bioOnly        = []struct{ name, instead string }{
		{"tau_mem", "dv"}, {"tau_syn", "du"}, {"v_rest", "bias_mant and bias_exp"},
		{"v_reset", "nothing (v resets to 0)"}, {"v_th", "vth"}, {"refractory", "refractory_steps"},
	}
)

// bioNeuron is a population's neuron in biological units, converted by
// convertBio.
type bioNeuron struct {
	pop                       int    // index in graph.Populations
	name                      string // population name
	model                     string
	tauMem, tauSyn            int64   // ps; 0 for model if
	vRest, vReset, vTh, vInit float64 // mV
	ok                        bool    // every field valid
	node                      *yaml.Node
	scale                     float64 // S, hardware v units per mV (after conversion)
}

// bioProj is a projection's weights in mV, converted by convertBio.
type bioProj struct {
	proj    int // index in graph.Projections
	post    string
	fixed   bool    // a single weight w
	w       float64 // mV
	random  bool    // weight: {uniform: [lo, hi]}
	lo, hi  float64 // mV
	pairs   []float64
	pairSet []bool // which pairs give a weight
	ok      bool
}

// voltSyntax is a voltage: a decimal number, then a unit.
var voltSyntax = regexp.MustCompile(`^([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*(.*)$`)

// voltUnits are the units of a voltage, in mV.
var voltUnits = map[string]float64{"mV": 1, "V": 1000}

// voltage reads a voltage such as "-70mV" or "0.5 mV" into millivolts.
func (p *parser) voltage(n *yaml.Node, what string) (float64, bool) {
	n, ok := p.resolve(n)
	if !ok {
		return 0, false
	}
	if isNumber(n) {
		p.errorf(n, "%s needs a unit, e.g. %smV; got %s with no unit (units: mV, V)", what, clip(n.Value), clip(n.Value))
		return 0, false
	}
	s, ok := p.str(n, what)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	m := voltSyntax.FindStringSubmatch(s)
	if m == nil {
		p.errorf(n, "%s must be a number with a unit (mV or V), such as -70mV; got %s", what, quote(clip(s)))
		return 0, false
	}
	if m[2] == "" {
		p.errorf(n, "%s needs a unit, e.g. %smV; got %s with no unit (units: mV, V)", what, m[1], quote(clip(s)))
		return 0, false
	}
	scale, ok := voltUnits[m[2]]
	if !ok {
		p.errorf(n, "unknown unit %s in %s%s (units: mV, V)", quote(clip(m[2])), what, didYouMean(m[2], []string{"mV", "V"}))
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	v *= scale
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || math.Abs(v) > maxBioVolts {
		p.errorf(n, "%s %s is out of range; a voltage must be within ±%gV", what, quote(clip(s)), maxBioVolts/1000)
		return 0, false
	}
	return v, true
}

// rejectFields reports the fields of f named in fs, which the current units
// do not accept, and drops them so that nothing else reads them.
func (p *parser) rejectFields(f *fields, fs []struct{ name, instead string }, units string) {
	for _, fd := range fs {
		if n := f.get(fd.name); n != nil {
			other := "hardware"
			if units == "hardware" {
				other = "bio"
			}
			p.errorf(f.keys[fd.name], "%s is a units: %s field; under units: %s give %s instead (or set units: %s)", fd.name, other, units, fd.instead, other)
			delete(f.vals, fd.name)
			if isField(f.sec, fd.instead) {
				// Reported here; not missing a second time.
				if f.guessed == nil {
					f.guessed = map[string]bool{}
				}
				f.guessed[fd.instead] = true
			}
		}
	}
}

// bioNeuron reads the neuron fields of units: bio. known says whether the
// model is valid; np receives what needs no conversion (decays of model if,
// the refractory period).
func (p *parser) bioNeuronFields(f *fields, np *graph.NeuronParams, known bool) *bioNeuron {
	p.rejectFields(f, hardwareOnly, "bio")
	for _, name := range scaleDependent {
		if f.get(name) != nil {
			p.errorf(f.keys[name], "%s is not supported under units: bio yet: it is in hardware units, which depend on the voltage scale the conversion chooses; use units: hardware, or remove %s", name, name)
			delete(f.vals, name)
		}
	}
	bn := &bioNeuron{model: np.Model, ok: known, node: f.node}
	isIF := known && np.Model == modelIF
	req := func(name, why string) *yaml.Node {
		n := f.get(name)
		if n == nil {
			if !f.guessed[name] {
				p.errorf(f.node, "missing mandatory field %s in %s (%s)", quote(name), f.label, why)
			}
			bn.ok = false
		}
		return n
	}
	if isIF {
		np.Du, np.Dv = ifDu, ifDv
		for _, name := range []string{"tau_mem", "tau_syn", "v_rest"} {
			if f.get(name) != nil {
				p.errorf(f.keys[name], "model if has no leak and no synaptic filter (du=%d, dv=%d); remove %s", ifDu, ifDv, name)
				bn.ok = false
			}
		}
	} else {
		const why = "model lif under units: bio needs tau_mem, tau_syn and v_rest; model if has none"
		for _, t := range []struct {
			name string
			v    *int64
		}{{"tau_mem", &bn.tauMem}, {"tau_syn", &bn.tauSyn}} {
			if n := req(t.name, why); n != nil {
				var ok bool
				*t.v, ok = p.duration(n, t.name, false)
				bn.ok = bn.ok && ok
			}
		}
		if n := req("v_rest", why); n != nil {
			var ok bool
			bn.vRest, ok = p.voltage(n, "v_rest")
			bn.ok = bn.ok && ok
		}
	}
	const why = "units: bio needs v_reset and v_th"
	resetOK, thOK := false, false
	if n := req("v_reset", why); n != nil {
		bn.vReset, resetOK = p.voltage(n, "v_reset")
	}
	if n := req("v_th", why); n != nil {
		bn.vTh, thOK = p.voltage(n, "v_th")
	}
	bn.ok = bn.ok && resetOK && thOK
	if resetOK && thOK && bn.vTh <= bn.vReset {
		n, _ := p.resolve(f.get("v_th"))
		p.errorf(n, "v_th %s must be greater than v_reset %s: voltages are measured from v_reset, where the neuron restarts after a spike",
			formatMV(bn.vTh), formatMV(bn.vReset))
		bn.ok = false
	}
	bn.vInit = bn.vReset
	if n := f.get("v_init"); n != nil {
		var ok bool
		bn.vInit, ok = p.voltage(n, "v_init")
		bn.ok = bn.ok && ok
	}
	if n := f.get("refractory"); n != nil {
		ps, ok := p.duration(n, "refractory", true)
		bn.ok = bn.ok && ok
		if ok && p.dtPS > 0 {
			steps := math.Round(float64(ps) / float64(p.dtPS))
			if steps > core.MaxRefractorySteps {
				n, _ = p.resolve(n)
				p.errorf(n, "refractory %s is %.0f steps of dt %s; it must be at most %d steps (%s)",
					clip(n.Value), steps, formatPS(p.dtPS), core.MaxRefractorySteps, formatPS(core.MaxRefractorySteps*p.dtPS))
				bn.ok = false
			} else {
				np.Options.RefractorySteps = int32(steps)
			}
		}
	}
	return bn
}

// formatMV writes a voltage in mV.
func formatMV(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) + "mV" }

// bioWeight reads a projection's weight under units: bio: a voltage, or
// {uniform: [lo, hi], seed: s} with voltage bounds.
func (p *parser) bioWeight(n *yaml.Node, bp *bioProj, pr *graph.Projection) {
	n, ok := p.resolve(n)
	if !ok {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		f, _ := p.mapping(n, secWeight, "weight")
		wi := &graph.WeightInit{}
		uniformOK, seedOK := false, false
		if u := f.get("uniform"); u != nil {
			const want = "a list of two voltages [lo, hi], such as [0.1mV, 0.9mV]"
			if items, ok := p.list(u, "uniform", want); ok {
				u, _ = p.resolve(u)
				if len(items) != 2 {
					p.errorf(u, "uniform must be %s; got %d values", want, len(items))
				} else {
					lo, loOK := p.voltage(items[0], "uniform lo")
					hi, hiOK := p.voltage(items[1], "uniform hi")
					switch {
					case !loOK || !hiOK:
					case lo > hi:
						p.errorf(u, "uniform lo %s is greater than hi %s; write the bounds in order, as [%s, %s]", formatMV(lo), formatMV(hi), formatMV(hi), formatMV(lo))
					default:
						bp.lo, bp.hi, uniformOK = lo, hi, true
					}
				}
			}
		}
		if s := f.get("seed"); s != nil {
			wi.Seed, seedOK = p.seed(s, "seed")
		}
		if uniformOK && seedOK {
			bp.random, bp.ok = true, true
			pr.WeightInit = wi
		}
	case yaml.SequenceNode:
		p.typeError(n, "weight", "a voltage such as 0.5mV, or a mapping {uniform: [lo, hi], seed: s} for random weights")
	default:
		bp.w, bp.ok = p.voltage(n, "weight")
		bp.fixed = bp.ok
	}
}

// convertBio turns the biological parameters into the graph's integers and
// reports the quantization, once every projection has been read.
func (p *parser) convertBio(g *graph.Graph, pops []*bioNeuron, projs []*bioProj) {
	if p.dtPS <= 0 {
		return // reported
	}
	byName := map[string]*bioNeuron{}
	for _, bn := range pops {
		if bn.name != "" {
			byName[bn.name] = bn
		}
	}
	// The largest |weight| each population receives, in mV.
	maxIn := map[string]float64{}
	for _, bp := range projs {
		if bp.ok {
			maxIn[bp.post] = max(maxIn[bp.post], bp.maxAbs())
		}
	}
	for _, bn := range pops {
		if !bn.ok || g.Populations[bn.pop].Size <= 0 {
			continue
		}
		p.convertNeuron(g, bn, maxIn[bn.name])
	}
	for _, bp := range projs {
		if bn := byName[bp.post]; bp.ok && bn != nil && bn.scale > 0 {
			p.convertWeights(g, bp, bn.scale)
		}
	}
}

func (bp *bioProj) maxAbs() float64 {
	m := 0.0
	if bp.fixed {
		m = math.Abs(bp.w)
	}
	if bp.random {
		m = max(m, math.Abs(bp.lo), math.Abs(bp.hi))
	}
	for i, w := range bp.pairs {
		if bp.pairSet[i] {
			m = max(m, math.Abs(w))
		}
	}
	return m
}

// convertNeuron chooses the population's voltage scale and fills its
// integer parameters. maxW is the largest |weight| it receives, in mV.
func (p *parser) convertNeuron(g *graph.Graph, bn *bioNeuron, maxW float64) {
	pop := &g.Populations[bn.pop]
	np := &pop.Neuron
	theta := bn.vTh - bn.vReset
	rest, init := math.Abs(bn.vRest-bn.vReset), math.Abs(bn.vInit-bn.vReset)
	if np.Model == modelIF {
		rest = 0
	}
	fits := func(vth int32) bool {
		s := 64 * float64(vth) / theta
		return rest*s <= maxState && init*s <= maxState && maxW*s/64 <= maxWeightJump
	}
	vth := int32(bioVth)
	for vth > 1 && !fits(vth) {
		vth /= 2
	}
	if !fits(vth) {
		p.errorf(bn.node, "population %s: v_th − v_reset (%s) is too small beside |v_rest − v_reset| (%s), |v_init − v_reset| (%s) or the largest weight it receives (%s) to fit the 24-bit voltage and 8-bit weights",
			quote(bn.name), formatMV(theta), formatMV(rest), formatMV(init), formatMV(maxW))
		return
	}
	s := 64 * float64(vth) / theta
	bn.scale = s
	np.Vth = vth
	var decays, thresholds, biases quantstat.Stat
	thresholds.Add(theta, float64(vth)*64/s, false)
	dt := float64(p.dtPS)
	if np.Model != modelIF {
		am := dt / float64(bn.tauMem)
		x := 4096 * am
		np.Dv = int32(min(math.Round(x), maxDecay))
		decays.Add(1-am, 1-float64(np.Dv)/4096, x > maxDecay+0.5)
		as := dt / float64(bn.tauSyn)
		x = 4096*as - 1 // Loihi decays u by (du+1)/4096
		np.Du = int32(min(max(math.Round(x), 0), maxDecay))
		decays.Add(1-as, 1-float64(np.Du+1)/4096, x > maxDecay+0.5 || x < -0.5)
	}
	// The leak pulls v to bias·4096/dv: v_rest with the rounded dv.
	ideal := (bn.vRest - bn.vReset) * float64(np.Dv) / 4096 // mV per step
	mant, exp, clipped := encodeBias(ideal * s)
	if np.Model != modelIF {
		biases.Add(ideal, float64(int64(mant)<<exp)/s, clipped)
	}
	vinit := int32(math.Round((bn.vInit - bn.vReset) * s))
	n := pop.Size
	np.BiasMant, np.BiasExp = make([]int32, n), make([]int32, n)
	np.UInit, np.VInit = make([]int32, n), make([]int32, n)
	for i := range n {
		np.BiasMant[i], np.BiasExp[i], np.VInit[i] = mant, exp, vinit
	}
	for _, q := range []struct {
		what string
		s    quantstat.Stat
	}{{"decays", decays}, {"thresholds", thresholds}, {"biases", biases}} {
		q.s.Finish()
		g.Quantization = append(g.Quantization, graph.Quantization{What: q.what + " of " + bn.name, Stat: q.s})
	}
}

// encodeBias writes x, in hardware v units per step, as mant << exp with
// the smallest exp that fits mant in 13 bits; |mant << exp| stays within
// the 24-bit voltage. It says whether x had to be clipped.
func encodeBias(x float64) (mant, exp int32, clipped bool) {
	for math.Abs(math.Round(math.Ldexp(x, -int(exp)))) > maxBias && exp < maxBiasExp {
		exp++
	}
	m := math.Round(math.Ldexp(x, -int(exp)))
	if lim := min(math.Floor(math.Ldexp(maxState, -int(exp))), maxBias); math.Abs(m) > lim {
		m, clipped = math.Copysign(lim, m), true
	}
	return int32(m), exp, clipped
}

// convertWeights picks the projection's weight_exp and its integer weights;
// s is the post population's voltage scale.
func (p *parser) convertWeights(g *graph.Graph, bp *bioProj, s float64) {
	pr := &g.Projections[bp.proj]
	// What one spike adds to v (through u, with tau_syn ≤ dt) is
	// w·S = w_hw << weight_exp << 6.
	maxX := bp.maxAbs() * s / 64
	exp := int32(0)
	if maxX > 0 {
		for exp = minWExp; exp < maxWExp; exp++ {
			if math.Round(math.Ldexp(maxX, -int(exp))) <= maxWeight {
				break
			}
		}
	}
	var st quantstat.Stat
	conv := func(w float64) int32 {
		q := math.Round(math.Ldexp(w*s/64, -int(exp)))
		clipped := q > maxWeight || q < minWeight
		q = min(max(q, minWeight), maxWeight)
		st.Add(w, math.Ldexp(q, int(exp))*64/s, clipped)
		return int32(q)
	}
	pr.WeightExp = exp
	if bp.fixed {
		pr.Weight = conv(bp.w)
	}
	if bp.random && pr.WeightInit != nil {
		pr.WeightInit.Lo, pr.WeightInit.Hi = conv(bp.lo), conv(bp.hi)
		pr.Weight = pr.WeightInit.Lo
	}
	for i, w := range bp.pairs {
		if bp.pairSet[i] && i < len(pr.Conn.Pairs) {
			v := conv(w)
			pr.Conn.Pairs[i].Weight = &v
		}
	}
	st.Finish()
	g.Quantization = append(g.Quantization, graph.Quantization{What: fmt.Sprintf("weights of %s", pr.Name), Stat: st})
}
