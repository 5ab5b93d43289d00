package learn

import (
	"errors"
	"fmt"
	"math"
)

// SignMode is how a plastic synapse group encodes its weights. The zero
// value is Mixed, which is what Lava's LearningDense uses when no mode is
// given (it does not infer the mode from the weights as Dense does).
type SignMode uint8

const (
	Mixed      SignMode = iota // weights in [−256, 255]; one bit spent on the sign
	Excitatory                 // weights in [0, 255]
	Inhibitory                 // weights in [−255, 0]
)

func (m SignMode) String() string {
	switch m {
	case Mixed:
		return "mixed"
	case Excitatory:
		return "excitatory"
	case Inhibitory:
		return "inhibitory"
	}
	return fmt.Sprintf("SignMode(%d)", uint8(m))
}

// Bounds is the 8-bit weight range of the mode: the weights a plastic
// synapse may hold and learning clamps to.
func (m SignMode) Bounds() (lo, hi int32) {
	switch m {
	case Excitatory:
		return 0, 255
	case Inhibitory:
		return -255, 0
	}
	return -256, 255
}

// Trace configures one trace (x1, x2, y1, y2 or y3).
type Trace struct {
	// Impulse is added to the trace on a spike (≥ 0). A fractional part is
	// kept to 1/256 and rounded stochastically.
	Impulse float64
	// Tau is the decay time constant in steps: each step the trace is
	// multiplied by exp(−1/Tau) and rounded stochastically. 0 means the
	// trace keeps nothing from one step to the next.
	Tau float64
}

// Params configures a learning engine.
type Params struct {
	Rule       Rule
	TEpoch     int // steps per learning epoch, 1..MaxTEpoch
	X1, X2     Trace
	Y1, Y2, Y3 Trace
	SignMode   SignMode
	// NumWeightBits (1..8) sets how many LSBs the initial weights lose:
	// 8 − NumWeightBits, one more in Mixed mode.
	NumWeightBits int
	// WeightExp scales the summed weights a pre spike sends (left shift if
	// > 0, arithmetic right shift if < 0). It does not affect learning.
	WeightExp int
}

// Limits of the parameters.
const (
	MaxTEpoch     = 63      // tx and ty hold 6 bits
	MaxImpulse    = 1 << 16 // exclusive; a trace saturates at 127 anyway
	MaxTau        = 1 << 30 // decay time constant
	MaxWeightExp  = 16      // |WeightExp|
	MaxTraceValue = 127     // traces are 7-bit, 0..127
	maxInitWeight = 1 << 15 // |initial weight| accepted by New
	accMax        = 32767   // 16-bit accumulator: [−32769, 32767] as Lava clips it
	accMin        = -32769  //
	accFracBits   = 7       // accumulator bits below one weight unit
	impulseFrac   = 256     // impulse fractions are kept in 1/256
	weightRange   = "[−256, 255] mixed, [0, 255] excitatory, [−255, 0] inhibitory"
)

// DefaultParams is additive pair STDP on one-step epochs with 8-bit mixed
// weights: a ready starting point, not a recommendation.
func DefaultParams() Params {
	return Params{
		Rule:          MustParseRule(PairSTDP),
		TEpoch:        1,
		X1:            Trace{Impulse: 16, Tau: 8},
		Y1:            Trace{Impulse: 16, Tau: 8},
		NumWeightBits: 8,
	}
}

// Validate reports every problem of p at once.
func (p Params) Validate() error {
	var errs []error
	if err := p.Rule.Validate(); err != nil {
		errs = append(errs, err)
	}
	if p.TEpoch < 1 || p.TEpoch > MaxTEpoch {
		errs = append(errs, fmt.Errorf("learn: t_epoch %d out of range: it must lie in 1..%d", p.TEpoch, MaxTEpoch))
	}
	for _, tr := range []struct {
		name string
		t    Trace
	}{{"x1", p.X1}, {"x2", p.X2}, {"y1", p.Y1}, {"y2", p.Y2}, {"y3", p.Y3}} {
		if !(tr.t.Impulse >= 0 && tr.t.Impulse < MaxImpulse) {
			errs = append(errs, fmt.Errorf("learn: %s impulse %v out of range: it must lie in [0, %d)", tr.name, tr.t.Impulse, MaxImpulse))
		}
		if !(tr.t.Tau >= 0 && tr.t.Tau <= MaxTau) {
			errs = append(errs, fmt.Errorf("learn: %s tau %v out of range: it must lie in [0, %d] (0 = no memory)", tr.name, tr.t.Tau, MaxTau))
		}
	}
	if p.SignMode > Inhibitory {
		errs = append(errs, fmt.Errorf("learn: unknown sign mode %d: use Mixed, Excitatory or Inhibitory", uint8(p.SignMode)))
	}
	if p.NumWeightBits < 1 || p.NumWeightBits > 8 {
		errs = append(errs, fmt.Errorf("learn: num_weight_bits %d out of range: it must lie in 1..8", p.NumWeightBits))
	}
	if p.WeightExp < -MaxWeightExp || p.WeightExp > MaxWeightExp {
		errs = append(errs, fmt.Errorf("learn: weight_exp %d out of range: it must lie in ±%d", p.WeightExp, MaxWeightExp))
	}
	return errors.Join(errs...)
}

// Validate checks a rule built by hand against the limits ParseRule
// enforces.
func (r Rule) Validate() error {
	if len(r.Products) == 0 {
		return errors.New("learn: the rule has no products: give at least one, e.g. x1*y0 - y1*x0")
	}
	var errs []error
	decimate := -1
	for n, pr := range r.Products {
		where := fmt.Sprintf("learn: rule product %d (%s)", n+1, pr)
		switch pr.Dep {
		case DepX0, DepY0:
			if pr.Decimate != 0 {
				errs = append(errs, fmt.Errorf("%s: decimate exponent %d needs a u dependency", where, pr.Decimate))
			}
		case DepU:
			if pr.Decimate < 0 || pr.Decimate > 9 {
				errs = append(errs, fmt.Errorf("%s: u<k> needs k in 0..9, got %d", where, pr.Decimate))
			}
			if decimate >= 0 && decimate != pr.Decimate {
				errs = append(errs, fmt.Errorf("%s: all u<k> of a rule must use the same k", where))
			}
			decimate = pr.Decimate
		default:
			errs = append(errs, fmt.Errorf("%s: unknown dependency %d", where, pr.Dep))
		}
		if pr.Mantissa < MinMantissa || pr.Mantissa > MaxMantissa {
			errs = append(errs, fmt.Errorf("%s: mantissa %d out of range %d..%d", where, pr.Mantissa, MinMantissa, MaxMantissa))
		}
		if pr.Exp < MinExp || pr.Exp > MaxExp {
			errs = append(errs, fmt.Errorf("%s: exponent %d out of range %d..%d", where, pr.Exp, MinExp, MaxExp))
		}
		for _, f := range pr.Factors {
			if f.Var < VarX0 || f.Var > VarT {
				errs = append(errs, fmt.Errorf("%s: unknown factor variable %d", where, f.Var))
			}
			if f.Const > MaxConst || f.Const < -MaxConst {
				errs = append(errs, fmt.Errorf("%s: constant %d out of range ±%d", where, f.Const, MaxConst))
			}
			if f.Sgn && f.Var != VarW && f.Var != VarD && f.Var != VarT {
				errs = append(errs, fmt.Errorf("%s: sgn(...) applies to w, d or t only", where))
			}
		}
	}
	return errors.Join(errs...)
}

// impulse is a trace impulse split as Lava splits it.
type impulse struct {
	whole int32 // ⌊I⌋
	frac  int32 // round((I − ⌊I⌋)·256), 0..256
}

func splitImpulse(v float64) impulse {
	w := math.Floor(v)
	return impulse{whole: int32(w), frac: int32(math.RoundToEven((v - w) * impulseFrac))}
}
