package learn

import (
	"errors"
	"fmt"
	"math"
)

// Factor sources of the compiled rule.
const (
	srcX0 uint8 = iota
	srcY0
	srcX1
	srcX2
	srcY1
	srcY2
	srcY3
	srcW
	srcTag // d and t: the tags hold 0 (no dd/dt rules)
)

// cFactor is a compiled factor.
type cFactor struct {
	src    uint8
	sgn    bool
	c      int32 // constant added before clipping
	lo, hi int32 // clip range [−2^b, 2^b − 1]
}

// cProduct is a compiled product.
type cProduct struct {
	dep     Dep
	m       int32 // mantissa
	rsh     uint  // max(0, Σb + 4 − 15)
	lsh     uint  // stored exponent, k + 7
	factors []cFactor
}

// Engine is the learning engine of one plastic synapse group: a dense block
// of numPre inputs (axons) × numPost neurons, its traces and its rule. See
// the package documentation for the arithmetic and the timing.
//
// State is structure-of-arrays. Weights are one []int32 in [post][pre]
// order (row i holds the weights onto post neuron i).
type Engine struct {
	p       Params
	numPre  int
	numPost int
	rnd     Rounder
	prog    []cProduct
	hasX0   bool // the rule has products with these dependencies
	hasY0   bool
	hasU    bool
	uDec    int // k of the rule's u<k>

	w []int32 // [post][pre]

	x [2][]int32 // x1, x2 per pre input
	y [3][]int32 // y1, y2, y3 per post neuron

	tx, ty     []int32 // within-epoch spike position, 0 = none this epoch
	activePre  []int32 // inputs with tx > 0, in order of their first spike
	activePost []int32 // neurons with ty > 0

	xImp   [2]impulse
	yImp   [3]impulse
	xDecay [2]float64 // exp(−1/tau); 0 when tau = 0
	yDecay [3]float64
	yFrac  bool // some y impulse has a fractional part

	// Trace histories of the current learning phase: hx[k][s*numPre+j] is
	// trace k of input j at within-epoch step s (0..TEpoch).
	hx [2][]int32
	hy [3][]int32

	postDrawStep int // step whose PostImpulseDraw is cached
	postDraw     int

	phases    int    // learning phases run
	updates   uint64 // synapses evaluated
	unclipped bool   // some initial weight lies outside the sign mode's range
}

// New returns an engine for numPre inputs and numPost neurons with the
// initial weights [post][pre] (copied, then truncated to NumWeightBits as
// Lava does). rnd supplies the random draws.
func New(p Params, numPre, numPost int, weights []int32, rnd Rounder) (*Engine, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if numPre < 1 || numPost < 1 {
		return nil, fmt.Errorf("learn: a plastic block needs at least one input and one neuron, got %d × %d", numPre, numPost)
	}
	if numPre > math.MaxInt32/max(numPost, MaxTEpoch+1) || numPost > math.MaxInt32/(MaxTEpoch+1) {
		return nil, fmt.Errorf("learn: plastic block %d × %d is too large", numPre, numPost)
	}
	if len(weights) != numPre*numPost {
		return nil, fmt.Errorf("learn: got %d initial weights, want numPost × numPre = %d × %d = %d in [post][pre] order",
			len(weights), numPost, numPre, numPre*numPost)
	}
	if rnd == nil {
		return nil, errors.New("learn: no Rounder: pass NewSeededRounder(seed) or a replay of recorded draws")
	}
	e := &Engine{p: p, numPre: numPre, numPost: numPost, rnd: rnd, postDrawStep: -1}
	e.compile()

	lo, hi := p.SignMode.Bounds()
	drop := uint(8 - p.NumWeightBits)
	if p.SignMode == Mixed {
		drop++
	}
	e.w = make([]int32, len(weights))
	for n, w := range weights {
		if w < -maxInitWeight || w > maxInitWeight {
			return nil, fmt.Errorf("learn: initial weight [%d][%d] = %d out of range: weights are 8-bit (%s)",
				n/numPre, n%numPre, w, weightRange)
		}
		if p.SignMode == Inhibitory {
			w = -((-w >> drop) << drop)
		} else {
			w = (w >> drop) << drop
		}
		e.w[n] = w
		if w < lo || w > hi {
			e.unclipped = true
		}
	}

	for k := range e.x {
		e.x[k] = make([]int32, numPre)
		e.hx[k] = make([]int32, (p.TEpoch+1)*numPre)
	}
	for k := range e.y {
		e.y[k] = make([]int32, numPost)
		e.hy[k] = make([]int32, (p.TEpoch+1)*numPost)
	}
	e.tx = make([]int32, numPre)
	e.ty = make([]int32, numPost)
	e.activePre = make([]int32, 0, numPre)
	e.activePost = make([]int32, 0, numPost)

	for k, tr := range [2]Trace{p.X1, p.X2} {
		e.xImp[k] = splitImpulse(tr.Impulse)
		e.xDecay[k] = decayFactor(tr.Tau)
	}
	for k, tr := range [3]Trace{p.Y1, p.Y2, p.Y3} {
		e.yImp[k] = splitImpulse(tr.Impulse)
		e.yDecay[k] = decayFactor(tr.Tau)
		e.yFrac = e.yFrac || e.yImp[k].frac != 0
	}
	return e, nil
}

func (e *Engine) compile() {
	for _, pr := range e.p.Rule.Products {
		cp := cProduct{dep: pr.Dep, m: int32(pr.Mantissa), lsh: uint(pr.StoredExp())}
		width := 4 // the mantissa's bits
		for _, f := range pr.Factors {
			b := f.Var.Width()
			width += b
			cf := cFactor{sgn: f.Sgn, c: f.Const, lo: -(1 << b), hi: 1<<b - 1}
			switch f.Var {
			case VarX0:
				cf.src = srcX0
			case VarY0:
				cf.src = srcY0
			case VarX1:
				cf.src = srcX1
			case VarX2:
				cf.src = srcX2
			case VarY1:
				cf.src = srcY1
			case VarY2:
				cf.src = srcY2
			case VarY3:
				cf.src = srcY3
			case VarW:
				cf.src = srcW
			default:
				cf.src = srcTag
			}
			cp.factors = append(cp.factors, cf)
		}
		if width > 15 {
			cp.rsh = uint(width - 15)
		}
		switch pr.Dep {
		case DepX0:
			e.hasX0 = true
		case DepY0:
			e.hasY0 = true
		case DepU:
			e.hasU = true
			e.uDec = pr.Decimate
		}
		e.prog = append(e.prog, cp)
	}
}

// Params returns the engine's parameters.
func (e *Engine) Params() Params { return e.p }

// NumPre is the number of inputs (axons) of the block.
func (e *Engine) NumPre() int { return e.numPre }

// NumPost is the number of post neurons of the block.
func (e *Engine) NumPost() int { return e.numPost }

// epochPos is the position e = ((t − 1) mod TEpoch) + 1 of step t in its
// epoch.
func (e *Engine) epochPos(step int) int32 {
	return int32((step-1)%e.p.TEpoch + 1)
}

// PreSpike records a spike of input j in step (1-based). An input that
// already spiked earlier in the epoch gets its x1 and x2 impulses added to
// the stored traces now, rounded up if fractional. A second call for the
// same input in the same step is ignored.
func (e *Engine) PreSpike(step, j int) {
	pos := e.epochPos(step)
	switch t := e.tx[j]; {
	case t == pos:
		return
	case t > 0:
		for k := range e.x {
			imp := e.xImp[k]
			v := e.x[k][j] + imp.whole
			if imp.frac > 0 {
				v++
			}
			e.x[k][j] = clipTrace(v)
		}
	default:
		e.activePre = append(e.activePre, int32(j))
	}
	e.tx[j] = pos
}

// PostSpike records a spike of post neuron i in step (1-based). A neuron
// that already spiked earlier in the epoch gets its y1, y2 and y3 impulses
// added to the stored traces now, rounded with the Rounder's post-impulse
// draw. A second call for the same neuron in the same step is ignored.
func (e *Engine) PostSpike(step, i int) {
	pos := e.epochPos(step)
	switch t := e.ty[i]; {
	case t == pos:
		return
	case t > 0:
		r := 0
		if e.yFrac {
			if e.postDrawStep != step {
				e.postDraw, e.postDrawStep = e.rnd.PostImpulseDraw(step), step
			}
			r = e.postDraw
		}
		for k := range e.y {
			e.y[k][i] = addImpulse(e.y[k][i], e.yImp[k], r)
		}
	default:
		e.activePost = append(e.activePost, int32(i))
	}
	e.ty[i] = pos
}

// EndStep ends step (1-based): when step is a multiple of TEpoch it runs
// the learning phase. It reports whether it did.
func (e *Engine) EndStep(step int) bool {
	if step%e.p.TEpoch != 0 {
		return false
	}
	e.learn(step)
	return true
}

func clipTrace(v int32) int32 { return min(max(v, 0), MaxTraceValue) }

// addImpulse adds imp to h, rounding its fraction up when r < frac.
func addImpulse(h int32, imp impulse, r int) int32 {
	h += imp.whole
	if int32(r) < imp.frac {
		h++
	}
	return clipTrace(h)
}

// decay multiplies h by f (exp(−1/tau)) in float64 and rounds
// stochastically: ⌊z⌋, plus 1 when r < z − ⌊z⌋. f = 0 (tau 0) gives 0.
func decay(h int32, f, r float64) int32 {
	if h == 0 || f == 0 {
		return 0
	}
	z := f * float64(h)
	fl := math.Floor(z)
	v := int32(fl)
	if r < z-fl {
		v++
	}
	return v
}

// history fills hist[s*n+j] for s = 0..T from the stored trace cur (which it
// then sets to the value at T), adding imp at s = t[j].
func history(cur, hist, t []int32, n, T int, f, rDecay float64, imp impulse, rImp int) {
	for j := range n {
		h := cur[j]
		hist[j] = h
		spike := t[j]
		for s := 1; s <= T; s++ {
			h = decay(h, f, rDecay)
			if int32(s) == spike {
				h = addImpulse(h, imp, rImp)
			}
			hist[s*n+j] = h
		}
		cur[j] = h
	}
}

// learn is the learning phase at the end of step t.
func (e *Engine) learn(t int) {
	e.phases++
	T := e.p.TEpoch
	d := e.rnd.TraceDraws(t)
	rw := e.rnd.WeightDraw(e.phases)

	for k := range e.x {
		history(e.x[k], e.hx[k], e.tx, e.numPre, T, e.xDecay[k], d.XDecay, e.xImp[k], d.XImpulse)
	}
	for k := range e.y {
		history(e.y[k], e.hy[k], e.ty, e.numPost, T, e.yDecay[k], d.YDecay, e.yImp[k], d.YImpulse)
	}

	// w' gains one unit when r_w < (A mod 128)/128, i.e. when
	// (A mod 128) > ⌊r_w·128⌋ (r_w·128 is exact).
	thr := int32(math.Floor(rw * (1 << accFracBits)))
	uOn := e.hasU && (t/T)%(1<<e.uDec) == 0

	switch {
	case uOn || e.unclipped:
		for i := range e.numPost {
			e.updateRow(i, nil, true, uOn, thr)
		}
		e.unclipped = false
	default:
		for i := range e.numPost {
			if e.hasY0 && e.ty[i] > 0 {
				e.updateRow(i, nil, true, false, thr)
			} else if e.hasX0 && len(e.activePre) > 0 {
				e.updateRow(i, e.activePre, false, false, thr)
			}
		}
	}

	for _, j := range e.activePre {
		e.tx[j] = 0
	}
	for _, i := range e.activePost {
		e.ty[i] = 0
	}
	e.activePre = e.activePre[:0]
	e.activePost = e.activePost[:0]
}

// row is what the update of one post neuron's synapses shares.
type row struct {
	i      int
	ty     int32
	uOn    bool
	thr    int32
	lo, hi int32
	w      []int32 // the neuron's weights, by pre
}

// updateRow evaluates the rule for the synapses (post i, pre j) for j in
// cols, or for every j when all is set, and stores the new weights.
func (e *Engine) updateRow(i int, cols []int32, all, uOn bool, thr int32) {
	r := row{i: i, ty: e.ty[i], uOn: uOn, thr: thr, w: e.w[i*e.numPre : (i+1)*e.numPre]}
	r.lo, r.hi = e.p.SignMode.Bounds()
	if all {
		for j := range r.w {
			r.w[j] = e.eval(&r, j)
		}
		e.updates += uint64(len(r.w))
		return
	}
	for _, j := range cols {
		r.w[j] = e.eval(&r, int(j))
	}
	e.updates += uint64(len(cols))
}

// eval is the rule for synapse (post r.i, pre j): the new weight.
func (e *Engine) eval(r *row, j int) int32 {
	i := r.i
	w := r.w[j]
	tx, ty := e.tx[j], r.ty
	acc := w << accFracBits
	for q := range e.prog {
		pr := &e.prog[q]
		var s int32
		switch pr.dep {
		case DepX0:
			s = tx
		case DepY0:
			s = ty
		default:
			if !r.uOn {
				continue
			}
			s = int32(e.p.TEpoch)
		}
		if s == 0 {
			continue
		}
		prod := int32(1)
		for f := range pr.factors {
			cf := &pr.factors[f]
			var v int32
			switch cf.src {
			case srcX0:
				v = b2i(tx > 0)
			case srcY0:
				v = b2i(ty > 0)
			case srcX1:
				v = e.hx[0][int(s)*e.numPre+j]
			case srcX2:
				v = e.hx[1][int(s)*e.numPre+j]
			case srcY1:
				v = e.hy[0][int(s)*e.numPost+i]
			case srcY2:
				v = e.hy[1][int(s)*e.numPost+i]
			case srcY3:
				v = e.hy[2][int(s)*e.numPost+i]
			case srcW:
				v = w
			}
			v += cf.c
			if cf.sgn {
				v = sign(v)
			} else {
				v = min(max(v, cf.lo), cf.hi)
			}
			prod *= v // wraps at 32 bits as Lava's int32 MAC does
		}
		prod *= pr.m
		p := min(max((int64(prod)>>pr.rsh)<<pr.lsh, accMin), accMax)
		acc = int32(min(max(int64(acc)+p, accMin), accMax))
	}
	// Lava clips the accumulator after every product, including products
	// whose dependency is off. Skipping those is exact: an unclipped A is
	// w<<7 with a raw initial weight, whose final 8-bit clip gives the same
	// weight as the 16-bit clip would.
	switch e.p.SignMode {
	case Excitatory:
		acc = max(acc, 0)
	case Inhibitory:
		acc = min(acc, 0)
	}
	nw := acc >> accFracBits
	if acc&(1<<accFracBits-1) > r.thr {
		nw++
	}
	return min(max(nw, r.lo), r.hi)
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func sign(v int32) int32 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// Weight is the weight of synapse (post i, pre j).
func (e *Engine) Weight(i, j int) int32 { return e.w[i*e.numPre+j] }

// Weights is the weight block in [post][pre] order. It is the engine's own
// slice: read it, do not keep it across steps or write it.
func (e *Engine) Weights() []int32 { return e.w }

// AddWeights adds, for every post neuron i, the weight of synapse (i, j) to
// acc[i]: the drive of one spike of input j. Sum a step's spikes, then
// scale with ScaleDrive.
func (e *Engine) AddWeights(j int, acc []int32) {
	for i := range e.numPost {
		acc[i] += e.w[i*e.numPre+j]
	}
}

// ScaleDrive applies the weight exponent to a summed drive as Lava's Dense
// does: left shift if exp > 0, else arithmetic right shift by −exp.
func ScaleDrive(sum int32, exp int) int32 {
	if exp > 0 {
		return sum << uint(exp)
	}
	return sum >> uint(-exp)
}

// X0 is x0 of input j as Lava records it: Lava sets x0 only inside the
// learning phase and resets it there, so between steps it is always 0. The
// learning phase uses tx > 0.
func (e *Engine) X0(j int) int32 { return 0 }

// Y0 is 1 from a spike of post neuron i until the end of its epoch.
func (e *Engine) Y0(i int) int32 { return b2i(e.ty[i] > 0) }

// TX is input j's within-epoch spike position (0 = none this epoch).
func (e *Engine) TX(j int) int32 { return e.tx[j] }

// TY is post neuron i's within-epoch spike position (0 = none this epoch).
func (e *Engine) TY(i int) int32 { return e.ty[i] }

// X1 is the stored x1 trace of input j.
func (e *Engine) X1(j int) int32 { return e.x[0][j] }

// X2 is the stored x2 trace of input j.
func (e *Engine) X2(j int) int32 { return e.x[1][j] }

// Y1 is the stored y1 trace of post neuron i.
func (e *Engine) Y1(i int) int32 { return e.y[0][i] }

// Y2 is the stored y2 trace of post neuron i.
func (e *Engine) Y2(i int) int32 { return e.y[1][i] }

// Y3 is the stored y3 trace of post neuron i.
func (e *Engine) Y3(i int) int32 { return e.y[2][i] }

// Updates is the number of synapse updates (syn_update ops) so far: every
// synapse the learning phases evaluated.
func (e *Engine) Updates() uint64 { return e.updates }

// Phases is the number of learning phases run so far.
func (e *Engine) Phases() int { return e.phases }
