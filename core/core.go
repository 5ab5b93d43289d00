package core

import (
	"errors"
	"fmt"
	"math/bits"
)

// Config is the contents of one core as the compiler laid it out: neuron
// parameters (one entry per neuron), synapse memory by axon, and output
// routes by neuron. Slices are used in place, not copied.
type Config struct {
	// Neurons (structure of arrays, all the same length).
	Du, Dv   []int32 // 12-bit decay constants
	Vth      []int32 // threshold mantissa (compared as Vth<<6)
	BiasMant []int32
	BiasExp  []int32
	UInit    []int32
	VInit    []int32

	// Model is the neuron model of every neuron on the core.
	Model Model

	// WeightExp has one entry per weight-exponent class.
	WeightExp []int32

	// Synapses of axon a are AxonStart[a]..AxonStart[a+1].
	AxonStart []uint32
	SynNeuron []uint32
	SynWeight []int32
	SynDelay  []uint8
	SynClass  []uint8

	// Routes of neuron n are RouteStart[n]..RouteStart[n+1].
	RouteStart []uint32
	RouteCore  []uint32
	RouteAxon  []uint32

	// Plastic synapse groups, learning on the core (see PlasticGroup).
	Plastic []PlasticGroup
}

// Limits of the integer datapath.
const (
	UMax     = 1 << 23   // u wraps to [-2^23+1, 2^23]
	VMax     = 1<<23 - 1 // v saturates to [-VMax, VMax]
	VthMax   = 1<<17 - 1 // vth<<6 stays below VMax
	DecayMax = 4095      // du, dv

	MaxBiasExp       = 23  // bias = bias_mant << bias_exp
	MaxWeightExp     = 16  // a weight class's exponent lies in ±MaxWeightExp
	MaxWeightClasses = 255 // weight-exponent classes per core
)

// Counters count every op the core performed, by class.
type Counters struct {
	SynOps         uint64 // synapses visited by arriving spikes
	SynUpdates     uint64 // learning updates
	NeuronActive   uint64 // neuron updates that changed state
	NeuronInactive uint64 // neuron updates of quiescent neurons
	Spikes         uint64 // neurons that fired
	SpikesOut      uint64 // packets sent (one per route of a firing neuron)
}

// Add adds o into c.
func (c *Counters) Add(o Counters) {
	c.SynOps += o.SynOps
	c.SynUpdates += o.SynUpdates
	c.NeuronActive += o.NeuronActive
	c.NeuronInactive += o.NeuronInactive
	c.Spikes += o.Spikes
	c.SpikesOut += o.SpikesOut
}

// Energy is energy in femtojoules by op class.
type Energy struct {
	SynOpFJ          uint64 `json:"syn_op_fj"`
	SynUpdateFJ      uint64 `json:"syn_update_fj"`
	NeuronActiveFJ   uint64 `json:"neuron_active_fj"`
	NeuronInactiveFJ uint64 `json:"neuron_inactive_fj"`
	SpikeOutFJ       uint64 `json:"spike_out_fj"`
}

// Total is the sum over classes.
func (e Energy) Total() uint64 {
	return e.SynOpFJ + e.SynUpdateFJ + e.NeuronActiveFJ + e.NeuronInactiveFJ + e.SpikeOutFJ
}

// Energy prices the counters with the spec's per-op costs.
func (c Counters) Energy(s Spec) Energy {
	return Energy{
		SynOpFJ:          c.SynOps * s.SynOp.EnergyFJ,
		SynUpdateFJ:      c.SynUpdates * s.SynUpdate.EnergyFJ,
		NeuronActiveFJ:   c.NeuronActive * s.NeuronActive.EnergyFJ,
		NeuronInactiveFJ: c.NeuronInactive * s.NeuronInactive.EnergyFJ,
		SpikeOutFJ:       c.SpikesOut * s.SpikeOut.EnergyFJ,
	}
}

// Fire is one neuron that spiked during a sweep, and when its update
// finished, relative to the start of the sweep.
type Fire struct {
	Neuron   uint32
	OffsetPS int64
	Payload  int32 // 1 for a binary spike; the graded payload otherwise
}

// Core is one neurocore's state.
type Core struct {
	spec Spec
	cfg  Config
	n    int

	vthEff []int32 // Vth<<6
	bias   []int32 // BiasMant<<BiasExp
	u, v   []int32

	// Dendritic ring buffer: slot s holds a_in for every step ≡ s (mod
	// depth), already scaled by the weight exponent. Index slot*n+neuron.
	ring      []int32
	depth     int // power of two > max delay + 1
	lastSwept int32

	// Spikes of one emission step with a negative weight exponent are
	// summed per (delay, class) before the shift (Lava's rounding), in
	// stage; stageMask marks the groups touched, stageStep their step.
	stage     []int32 // [class][delay][neuron]
	stageMask []uint64
	stageStep int32
	maxDelay  int
	negExp    bool

	// Model state: refractory countdown and threshold offset per neuron,
	// and the noise generator.
	refr  []int32
	theta []int32
	rng   rng

	// simple marks a core whose synapses all have delay 0 and one
	// non-negative weight exponent; scaled then holds weight<<exponent.
	simple bool
	scaled []int32

	plastic   []plastic
	plasticAt [][]plasticRef // per axon

	fires []Fire
	count Counters
}

// New builds a core from cfg, checking it against spec's limits. spec must
// be valid. Every problem is reported, none panics.
func New(spec Spec, cfg Config) (*Core, error) {
	if err := check(spec, cfg); err != nil {
		return nil, err
	}
	n := len(cfg.Du)
	c := &Core{spec: spec, cfg: cfg, n: n,
		vthEff: make([]int32, n), bias: make([]int32, n),
		u: make([]int32, n), v: make([]int32, n)}
	for i := 0; i < n; i++ {
		c.vthEff[i] = cfg.Vth[i] << 6
		c.bias[i] = shift(cfg.BiasMant[i], cfg.BiasExp[i])
	}
	for _, d := range cfg.SynDelay {
		c.maxDelay = max(c.maxDelay, int(d))
	}
	c.depth = 1 << bits.Len(uint(c.maxDelay+1)) // > maxDelay+1
	c.ring = make([]int32, c.depth*n)
	for _, e := range cfg.WeightExp {
		if e < 0 {
			c.negExp = true
		}
	}
	if c.maxDelay == 0 && len(cfg.WeightExp) == 1 && cfg.WeightExp[0] >= 0 {
		c.simple = true
		c.scaled = make([]int32, len(cfg.SynWeight))
		for s, w := range cfg.SynWeight {
			c.scaled[s] = w << cfg.WeightExp[0]
		}
	}
	if !cfg.Model.Plain() {
		c.refr, c.theta = make([]int32, n), make([]int32, n)
	}
	if c.negExp {
		c.stage = make([]int32, len(cfg.WeightExp)*(c.maxDelay+1)*n)
		c.stageMask = make([]uint64, len(cfg.WeightExp))
	}
	c.Reset()
	if err := c.initPlastic(0); err != nil {
		return nil, err
	}
	return c, nil
}

// Reset puts every neuron back to its initial state and empties the
// dendrites and counters.
func (c *Core) Reset() {
	copy(c.u, c.cfg.UInit)
	copy(c.v, c.cfg.VInit)
	clear(c.ring)
	clear(c.stage)
	clear(c.stageMask)
	clear(c.refr)
	clear(c.theta)
	c.lastSwept = 0
	c.count = Counters{}
}

func check(spec Spec, cfg Config) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	n := len(cfg.Du)
	for name, l := range map[string]int{"dv": len(cfg.Dv), "vth": len(cfg.Vth), "bias_mant": len(cfg.BiasMant),
		"bias_exp": len(cfg.BiasExp), "u_init": len(cfg.UInit), "v_init": len(cfg.VInit)} {
		if l != n {
			bad("%s has %d entries for %d neurons", name, l, n)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := cfg.Model.Validate(); err != nil {
		bad("model: %w", err)
	}
	if n > spec.MaxNeurons {
		bad("%d neurons exceed the core's limit of %d", n, spec.MaxNeurons)
	}
	for i := 0; i < n; i++ {
		if cfg.Du[i] < 0 || cfg.Du[i] > DecayMax || cfg.Dv[i] < 0 || cfg.Dv[i] > DecayMax {
			bad("neuron %d: du=%d dv=%d outside 0..%d", i, cfg.Du[i], cfg.Dv[i], DecayMax)
		}
		if cfg.Vth[i] < 0 || cfg.Vth[i] > VthMax {
			bad("neuron %d: vth=%d outside 0..%d", i, cfg.Vth[i], VthMax)
		}
		if cfg.BiasExp[i] < 0 || cfg.BiasExp[i] > MaxBiasExp {
			bad("neuron %d: bias_exp=%d outside 0..%d", i, cfg.BiasExp[i], MaxBiasExp)
		} else if b := int64(cfg.BiasMant[i]) << cfg.BiasExp[i]; b > VMax || b < -VMax {
			bad("neuron %d: bias %d<<%d overflows 24 bits", i, cfg.BiasMant[i], cfg.BiasExp[i])
		}
		if cfg.UInit[i] > UMax || cfg.UInit[i] <= -UMax || cfg.VInit[i] > VMax || cfg.VInit[i] < -VMax {
			bad("neuron %d: initial u=%d v=%d outside the 24-bit range", i, cfg.UInit[i], cfg.VInit[i])
		}
	}
	if len(cfg.WeightExp) > MaxWeightClasses {
		bad("%d weight-exponent classes exceed %d", len(cfg.WeightExp), MaxWeightClasses)
	}
	for k, e := range cfg.WeightExp {
		if e < -MaxWeightExp || e > MaxWeightExp {
			bad("weight exponent class %d: %d outside ±%d", k, e, MaxWeightExp)
		}
	}
	axons := len(cfg.AxonStart) - 1
	ns := len(cfg.SynNeuron)
	switch {
	case len(cfg.AxonStart) == 0:
		bad("axon table is empty (needs at least the closing offset)")
	case axons > spec.MaxAxons:
		bad("%d input axons exceed the core's limit of %d", axons, spec.MaxAxons)
	}
	if len(cfg.SynWeight) != ns || len(cfg.SynDelay) != ns || len(cfg.SynClass) != ns {
		bad("synapse arrays differ in length: neuron %d, weight %d, delay %d, class %d",
			ns, len(cfg.SynWeight), len(cfg.SynDelay), len(cfg.SynClass))
		return errors.Join(errs...)
	}
	if len(cfg.AxonStart) > 0 && (cfg.AxonStart[0] != 0 || int(cfg.AxonStart[axons]) != ns) {
		bad("axon table must run from 0 to %d synapses", ns)
	}
	for a := 0; a < axons; a++ {
		if cfg.AxonStart[a] > cfg.AxonStart[a+1] {
			bad("axon %d: synapse offsets decrease", a)
		}
	}
	for s := 0; s < ns; s++ {
		if int(cfg.SynNeuron[s]) >= n {
			bad("synapse %d targets neuron %d of %d", s, cfg.SynNeuron[s], n)
		}
		if int(cfg.SynDelay[s]) > spec.MaxDelay {
			bad("synapse %d: delay %d exceeds the core's limit of %d", s, cfg.SynDelay[s], spec.MaxDelay)
		}
		if int(cfg.SynClass[s]) >= len(cfg.WeightExp) {
			bad("synapse %d: weight class %d of %d", s, cfg.SynClass[s], len(cfg.WeightExp))
		}
		if w := cfg.SynWeight[s]; w < -(1<<15) || w >= 1<<15 {
			bad("synapse %d: weight %d outside 16 bits", s, w)
		}
	}
	nr := len(cfg.RouteCore)
	if len(cfg.RouteStart) != n+1 || len(cfg.RouteAxon) != nr {
		bad("route table: %d offsets for %d neurons, %d cores, %d axons", len(cfg.RouteStart), n, nr, len(cfg.RouteAxon))
	} else {
		if cfg.RouteStart[0] != 0 || int(cfg.RouteStart[n]) != nr {
			bad("route table must run from 0 to %d routes", nr)
		}
		for i := 0; i < n; i++ {
			if cfg.RouteStart[i] > cfg.RouteStart[i+1] {
				bad("neuron %d: route offsets decrease", i)
			}
		}
	}
	if nr > spec.MaxRoutes {
		bad("%d output routes exceed the core's limit of %d", nr, spec.MaxRoutes)
	}
	if err := checkPlastic(cfg, n); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// shift is x<<e for e ≥ 0 and the arithmetic x>>-e (toward −∞) otherwise.
func shift(x int32, e int32) int32 {
	if e >= 0 {
		return x << e
	}
	return x >> -e
}

// NumNeurons is the number of neurons on the core.
func (c *Core) NumNeurons() int { return c.n }

// NumAxons is the number of input axons on the core.
func (c *Core) NumAxons() int { return len(c.cfg.AxonStart) - 1 }

// Spec is the core's configuration.
func (c *Core) Spec() Spec { return c.spec }

// U and V are a neuron's current and voltage after the last sweep.
func (c *Core) U(neuron int) int32 { return c.u[neuron] }
func (c *Core) V(neuron int) int32 { return c.v[neuron] }

// Counters returns the ops counted since the last Reset.
func (c *Core) Counters() Counters { return c.count }

// Routes returns where a spike of neuron goes: parallel slices of target
// core and target axon. The slices alias the core's memory.
func (c *Core) Routes(neuron int) (cores, axons []uint32) {
	lo, hi := c.cfg.RouteStart[neuron], c.cfg.RouteStart[neuron+1]
	return c.cfg.RouteCore[lo:hi], c.cfg.RouteAxon[lo:hi]
}

// Receive delivers one spike, emitted in step emitStep, to an input axon.
// Each synapse of the axon adds its weight to its neuron's dendrite for
// step emitStep+1+delay. It returns the number of synaptic ops, each of
// which costs Spec.SynOp; an out-of-range axon is an error.
func (c *Core) Receive(axon int, emitStep int32) (int, error) {
	return c.ReceiveGraded(axon, emitStep, 1)
}

// ReceiveGraded is Receive for a graded spike: each synapse adds
// weight·payload.
func (c *Core) ReceiveGraded(axon int, emitStep int32, payload int32) (int, error) {
	if axon < 0 || axon >= c.NumAxons() {
		return 0, fmt.Errorf("core: spike for axon %d, core has %d", axon, c.NumAxons())
	}
	if emitStep <= c.lastSwept-1 {
		return 0, fmt.Errorf("core: spike emitted in step %d arrived after step %d was swept", emitStep, c.lastSwept)
	}
	lo, hi := c.cfg.AxonStart[axon], c.cfg.AxonStart[axon+1]
	if c.plasticAt != nil && len(c.plasticAt[axon]) > 0 {
		c.count.SynOps += uint64(c.receivePlastic(axon, emitStep))
	}
	if c.negExp && c.stageStep != emitStep {
		c.fold()
		c.stageStep = emitStep
	}
	mask := c.depth - 1
	base := int(emitStep) + 1
	n := c.n
	if c.simple {
		// One non-negative exponent and no delays: every synapse adds its
		// pre-scaled weight to the next step's slot.
		slot := c.ring[(base&mask)*n : (base&mask+1)*n]
		tgt, w := c.cfg.SynNeuron[lo:hi], c.scaled[lo:hi]
		if payload == 1 {
			for k, nrn := range tgt {
				slot[nrn] += w[k]
			}
		} else {
			for k, nrn := range tgt {
				slot[nrn] += w[k] * payload
			}
		}
		count := int(hi - lo)
		c.count.SynOps += uint64(count)
		return count, nil
	}
	for s := lo; s < hi; s++ {
		nrn := int(c.cfg.SynNeuron[s])
		d := int(c.cfg.SynDelay[s])
		cls := c.cfg.SynClass[s]
		e := c.cfg.WeightExp[cls]
		w := c.cfg.SynWeight[s] * payload
		if e >= 0 {
			// A left shift distributes over the sum: add each synapse scaled.
			c.ring[((base+d)&mask)*n+nrn] += w << e
			continue
		}
		c.stage[(int(cls)*(c.maxDelay+1)+d)*n+nrn] += w
		c.stageMask[cls] |= 1 << uint(d)
	}
	count := int(hi - lo)
	c.count.SynOps += uint64(count)
	return count, nil
}

// fold moves staged (emission step, delay, class) sums into the ring,
// shifting each group separately.
func (c *Core) fold() {
	n, mask, base := c.n, c.depth-1, int(c.stageStep)+1
	for cls, m := range c.stageMask {
		e := c.cfg.WeightExp[cls]
		for m != 0 {
			d := bits.TrailingZeros64(m)
			m &^= 1 << uint(d)
			grp := c.stage[(cls*(c.maxDelay+1)+d)*n : (cls*(c.maxDelay+1)+d+1)*n]
			slot := c.ring[((base+d)&mask)*n : ((base+d)&mask+1)*n]
			for i, x := range grp {
				if x != 0 {
					slot[i] += shift(x, e)
					grp[i] = 0
				}
			}
		}
		c.stageMask[cls] = 0
	}
}

// Sweep updates every neuron for step (1-based), in index order, and returns
// the neurons that fired with the time their update finished relative to the
// sweep's start, and the sweep's total duration. The returned slice is
// reused by the next call.
func (c *Core) Sweep(step int32) (fires []Fire, durationPS int64) {
	if c.negExp && c.stageStep < step {
		c.fold() // all spikes of earlier steps are in: their groups are complete
	}
	for g := range c.plastic {
		if p := &c.plastic[g]; p.accStep != 0 && p.accStep < step {
			c.foldPlastic(p)
		}
	}
	c.lastSwept = step
	slot := c.ring[(int(step)&(c.depth-1))*c.n : (int(step)&(c.depth-1)+1)*c.n]
	if !c.cfg.Model.Plain() {
		return c.sweepModel(slot)
	}
	act, inact := c.spec.NeuronActive.LatencyPS, c.spec.NeuronInactive.LatencyPS
	c.fires = c.fires[:0]
	var t int64
	var nActive uint64
	u, v, bias, vth := c.u[:c.n], c.v[:c.n], c.bias[:c.n], c.vthEff[:c.n]
	du, dv := c.cfg.Du[:c.n], c.cfg.Dv[:c.n]
	for i := range u {
		ain := slot[i]
		if ain == 0 && u[i] == 0 && v[i] == 0 && bias[i] == 0 {
			t += inact // quiescent: the update would change nothing
			continue
		}
		slot[i] = 0
		nActive++
		t += act
		// Current: decay with Loihi's hidden +1, add input, wrap to 24 bits.
		nu := wrapU(trunc12(int64(u[i])*int64(4096-(du[i]+1))) + int64(ain)<<6)
		u[i] = int32(nu)
		// Voltage: decay, integrate, saturate, compare strictly.
		nv := trunc12(int64(v[i])*int64(4096-dv[i])) + nu + int64(bias[i])
		if nv > VMax {
			nv = VMax
		} else if nv < -VMax {
			nv = -VMax
		}
		if nv > int64(vth[i]) {
			nv = 0
			c.fires = append(c.fires, Fire{Neuron: uint32(i), OffsetPS: t, Payload: 1})
		}
		v[i] = int32(nv)
	}
	c.countSweep(nActive)
	return c.fires, t
}

// countSweep adds a sweep's ops to the counters, in bulk, and tells the
// learning engines who fired.
func (c *Core) countSweep(nActive uint64) {
	if len(c.plastic) > 0 {
		c.postPlastic(c.lastSwept)
	}
	c.count.NeuronActive += nActive
	c.count.NeuronInactive += uint64(c.n) - nActive
	c.count.Spikes += uint64(len(c.fires))
	for _, f := range c.fires {
		c.count.SpikesOut += uint64(c.cfg.RouteStart[f.Neuron+1] - c.cfg.RouteStart[f.Neuron])
	}
}

// wrapU folds a new current into u's 24-bit range, as Lava does: one
// correction of 2^24.
func wrapU(x int64) int64 {
	if x > UMax {
		return x - 1<<24
	} else if x <= -UMax {
		return x + 1<<24
	}
	return x
}

// sweepModel is Sweep for a core whose model has options set; the plain
// loop above stays free of their branches.
func (c *Core) sweepModel(slot []int32) ([]Fire, int64) {
	m := c.cfg.Model
	act, inact := c.spec.NeuronActive.LatencyPS, c.spec.NeuronInactive.LatencyPS
	c.fires = c.fires[:0]
	var t int64
	var nActive uint64
	maxPayload := int64(1)<<m.GradedBits - 1
	for i := 0; i < c.n; i++ {
		ain := slot[i]
		if m.NoiseTarget == NoiseNone && ain == 0 && c.u[i] == 0 && c.v[i] == 0 && c.bias[i] == 0 &&
			c.refr[i] == 0 && c.theta[i] == 0 {
			t += inact
			continue
		}
		slot[i] = 0
		nActive++
		t += act
		var noise int64
		if m.NoiseTarget != NoiseNone {
			noise = (int64(c.rng.byte()) - 128) << m.NoiseExp
		}
		nu := trunc12(int64(c.u[i])*int64(4096-(c.cfg.Du[i]+1))) + int64(ain)<<6
		if m.NoiseTarget == NoiseU {
			nu += noise
		}
		nu = wrapU(nu)
		c.u[i] = int32(nu)
		c.theta[i] = int32(trunc12(int64(c.theta[i]) * int64(4096-m.DTheta)))
		if c.refr[i] > 0 {
			c.refr[i]--
			c.v[i] = 0
			continue
		}
		nv := trunc12(int64(c.v[i])*int64(4096-c.cfg.Dv[i])) + nu + int64(c.bias[i])
		if m.NoiseTarget == NoiseV {
			nv += noise
		}
		nv = min(max(nv, -VMax), VMax)
		if nv > (int64(c.cfg.Vth[i])+int64(c.theta[i]))<<6 {
			payload := int64(1)
			if m.GradedBits > 0 {
				payload = min(max(nv>>6, 1), maxPayload)
			}
			c.fires = append(c.fires, Fire{Neuron: uint32(i), OffsetPS: t, Payload: int32(payload)})
			nv = 0
			c.refr[i] = m.RefractorySteps
			c.theta[i] = int32(min(int64(c.theta[i])+int64(m.ThetaStep), VMax>>6))
		}
		c.v[i] = int32(nv)
	}
	c.countSweep(nActive)
	return c.fires, t
}

// SetSeed seeds the core's random generator (noise). The chip derives the
// seed from the run seed and the core's id, so that one core's stream does
// not depend on any other core.
//
// It also restarts the learning engines (weights back to their initial
// values) with rounding streams derived from seed, so call it after Reset.
func (c *Core) SetSeed(seed uint64) error {
	c.rng.seed(seed)
	return c.initPlastic(seed)
}

// Theta returns a neuron's adaptive threshold offset (0 without adaptation).
func (c *Core) Theta(neuron int) int32 {
	if c.theta == nil {
		return 0
	}
	return c.theta[neuron]
}

// trunc12 divides by 4096 rounding toward zero, as Lava does.
func trunc12(x int64) int64 {
	if x < 0 {
		return -((-x) >> 12)
	}
	return x >> 12
}
