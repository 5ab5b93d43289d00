package learn

import (
	"math"
	"math/big"
	"math/rand/v2"
)

// TraceDraws are the random draws one learning phase uses, shared by every
// neuron and every trace of a side.
type TraceDraws struct {
	XDecay   float64 // [0, 1): x1, x2 decay rounding
	XImpulse int     // 0..127: x1, x2 fractional-impulse rounding
	YDecay   float64 // [0, 1): y1, y2, y3 decay rounding
	YImpulse int     // 0..127: y1, y2, y3 fractional-impulse rounding
}

// Rounder supplies the draws of the engine's three stochastic roundings
// (trace decay, fractional impulses, weight update). The engine calls it a
// few times per learning phase, never per synapse, and always with
// increasing arguments. An implementation must return the same value for the
// same argument: the draws are a function of the step (or phase) only, not of
// spikes or state.
type Rounder interface {
	// TraceDraws returns the draws of the learning phase that runs at the
	// end of step.
	TraceDraws(step int) TraceDraws
	// PostImpulseDraw returns the draw (0..127) rounding the fractional
	// impulse added when a post neuron spikes again within an epoch, in
	// step. Repeated pre spikes need no draw (they always round up).
	PostImpulseDraw(step int) int
	// WeightDraw returns the draw in [0, 1) rounding the weight update of
	// the k-th learning phase (k = 1, 2, …).
	WeightDraw(k int) float64
}

// Streams of SeededRounder, in the order of Lava's generators.
const (
	streamXDecay = iota
	streamXImpulse
	streamYDecay
	streamYImpulse
	streamWeight
	numStreams
)

// SeededRounder is the production Rounder: five independent PCG streams
// (math/rand/v2) seeded from one seed, laid out on Lava's draw schedule.
//
// Stream s is rand.NewPCG(seed, 0x1ea4_0000+s); its n-th output (n = 0, 1,
// …) is draw n. The x-decay, x-impulse, y-decay and y-impulse streams (s =
// 0..3) advance twice per step: the learning phase of step t uses their draw
// 2t, and a repeated post spike in step t uses y-impulse draw 2t−1. The
// weight stream (s = 4) advances once per learning phase: phase k uses draw
// k. Draw 0 of every stream is never used, as in Lava, where each generator
// draws once when the model is built. A float draw is the top 53 bits of an
// output times 2^−53; an integer draw 0..127 is its top 7 bits.
//
// Draws are a pure function of (seed, stream, index): asking again, or
// skipping steps without learning, changes nothing. Streams are consumed
// forward; asking for an earlier index replays the stream from its seed.
type SeededRounder struct {
	seed    uint64
	streams [numStreams]pcgStream
}

type pcgStream struct {
	src  rand.PCG
	next int    // index of the next output
	last uint64 // output next−1
}

// NewSeededRounder returns the production Rounder for seed (the core's
// seed, derived from the run seed and the core's identity).
func NewSeededRounder(seed uint64) *SeededRounder {
	r := &SeededRounder{seed: seed}
	for s := range r.streams {
		r.streams[s].reset(seed, s)
	}
	return r
}

func (st *pcgStream) reset(seed uint64, s int) {
	st.src.Seed(seed, 0x1ea4_0000+uint64(s))
	st.next = 0
}

func (r *SeededRounder) draw(s, n int) uint64 {
	st := &r.streams[s]
	if n < 0 {
		n = 0
	}
	if n < st.next-1 {
		st.reset(r.seed, s)
	}
	for st.next <= n {
		st.last = st.src.Uint64()
		st.next++
	}
	return st.last
}

func unitFloat(u uint64) float64 { return float64(u>>11) * 0x1p-53 }
func int7(u uint64) int          { return int(u >> 57) }

// TraceDraws implements Rounder.
func (r *SeededRounder) TraceDraws(step int) TraceDraws {
	return TraceDraws{
		XDecay:   unitFloat(r.draw(streamXDecay, 2*step)),
		XImpulse: int7(r.draw(streamXImpulse, 2*step)),
		YDecay:   unitFloat(r.draw(streamYDecay, 2*step)),
		YImpulse: int7(r.draw(streamYImpulse, 2*step)),
	}
}

// PostImpulseDraw implements Rounder.
func (r *SeededRounder) PostImpulseDraw(step int) int {
	return int7(r.draw(streamYImpulse, 2*step-1))
}

// WeightDraw implements Rounder.
func (r *SeededRounder) WeightDraw(k int) float64 {
	return unitFloat(r.draw(streamWeight, k))
}

// decayFactor is exp(−1/tau) rounded correctly to float64. Lava computes it
// with numpy, whose exp is glibc's, which is correctly rounded for these
// arguments where Go's math.Exp is off by one ulp for some taus (6, 7, 18,
// …); a one-ulp difference could flip a stochastic rounding.
func decayFactor(tau float64) float64 {
	if tau <= 0 {
		return 0
	}
	return expCorrectlyRounded(-1 / tau)
}

// expCorrectlyRounded returns exp(x) for x ≤ 0, computed with 320-bit
// arithmetic and rounded once to the nearest float64.
func expCorrectlyRounded(x float64) float64 {
	if x == 0 {
		return 1
	}
	if x < -746 || math.IsNaN(x) {
		return 0
	}
	const prec = 320
	// exp(x) = exp(x/2^n)^(2^n) with |x/2^n| ≤ 2^−8.
	n := 0
	if _, e := math.Frexp(x); e > -8 {
		n = e + 8
	}
	r := new(big.Float).SetPrec(prec).SetFloat64(math.Ldexp(x, -n))
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -prec-8)
	k := new(big.Float).SetPrec(prec)
	for i := int64(1); ; i++ {
		term.Mul(term, r)
		term.Quo(term, k.SetInt64(i))
		sum.Add(sum, term)
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	for range n {
		sum.Mul(sum, sum)
	}
	f, _ := sum.Float64()
	return f
}
