package learn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedRounder hands out the same draws every time.
type fixedRounder struct {
	d     TraceDraws
	post  int
	w     float64
	posts []int // steps PostImpulseDraw was asked for
}

func (r *fixedRounder) TraceDraws(int) TraceDraws { return r.d }
func (r *fixedRounder) PostImpulseDraw(step int) int {
	r.posts = append(r.posts, step)
	return r.post
}
func (r *fixedRounder) WeightDraw(int) float64 { return r.w }

func half() *fixedRounder {
	return &fixedRounder{d: TraceDraws{XDecay: 0.5, XImpulse: 64, YDecay: 0.5, YImpulse: 64}, post: 64, w: 0.5}
}

func params(rule string, tEpoch int) Params {
	return Params{Rule: MustParseRule(rule), TEpoch: tEpoch, NumWeightBits: 8}
}

func newEngine(t *testing.T, p Params, numPre, numPost int, w []int32, r Rounder) *Engine {
	t.Helper()
	e, err := New(p, numPre, numPost, w, r)
	require.NoError(t, err)
	return e
}

// One step with the given spikes, then the end of the step.
func step(e *Engine, t int, pre, post []int) {
	for _, j := range pre {
		e.PreSpike(t, j)
	}
	for _, i := range post {
		e.PostSpike(t, i)
	}
	e.EndStep(t)
}

func TestInitialTruncation(t *testing.T) {
	for _, tc := range []struct {
		mode SignMode
		bits int
		in   []int32
		want []int32
	}{
		{Mixed, 8, []int32{101, -7, 255, -256}, []int32{100, -8, 254, -256}},
		{Mixed, 6, []int32{101, -7, -9, 300}, []int32{96, -8, -16, 296}},
		{Excitatory, 8, []int32{101, 255, 300, -5}, []int32{101, 255, 300, -5}},
		{Excitatory, 6, []int32{101, 255, 3, 300}, []int32{100, 252, 0, 300}},
		// Inhibitory truncates the magnitude.
		{Inhibitory, 7, []int32{-5, -255, -1, 3}, []int32{-4, -254, 0, 4}},
	} {
		p := params(PairSTDP, 1)
		p.SignMode, p.NumWeightBits = tc.mode, tc.bits
		e := newEngine(t, p, len(tc.in), 1, tc.in, half())
		assert.Equal(t, tc.want, e.Weights(), "%s, %d bits", tc.mode, tc.bits)
	}
}

// Initial weights are not clipped until the first learning phase, which
// clips them even on synapses no spike touched (Lava evaluates every
// synapse; the 16-bit accumulator clip brings them to the 8-bit rail).
func TestInitialWeightsClippedAtFirstPhase(t *testing.T) {
	p := params(PairSTDP, 2)
	p.SignMode = Excitatory
	e := newEngine(t, p, 3, 1, []int32{300, -7, 20}, half())
	acc := make([]int32, 1)
	e.AddWeights(0, acc)
	assert.Equal(t, int32(300), acc[0], "the raw weight drives the neuron before the first phase")
	step(e, 1, nil, nil)
	assert.Equal(t, []int32{300, -7, 20}, e.Weights())
	step(e, 2, nil, nil)
	assert.Equal(t, []int32{255, 0, 20}, e.Weights())
	step(e, 3, nil, nil)
	step(e, 4, nil, nil)
	assert.Equal(t, uint64(3), e.Updates(), "only the first phase touches idle synapses")
}

func TestScaleDrive(t *testing.T) {
	assert.Equal(t, int32(1200), ScaleDrive(300, 2))
	assert.Equal(t, int32(300), ScaleDrive(300, 0))
	assert.Equal(t, int32(-3), ScaleDrive(-5, -1), "arithmetic shift rounds toward −∞")
	assert.Equal(t, int32(37), ScaleDrive(300, -3))
}

// x2 and y2 products, with the shift of an 18-bit product and a weight
// rounding that depends on the draw: P = 10·20 = 200, >> (7+7+4−15 = 3)
// = 25, << (−3+7) = 400 = 3 weight units + 16/128.
func TestTripletTermAndWeightRounding(t *testing.T) {
	for _, tc := range []struct {
		rw   float64
		want int32
	}{{0.5, 3}, {0.124, 4}, {0.125, 3}} {
		p := params("2^-3*x2*y2*y0", 1)
		p.X2 = Trace{Impulse: 10}
		p.Y2 = Trace{Impulse: 20}
		r := half()
		r.w = tc.rw
		e := newEngine(t, p, 1, 1, []int32{0}, r)
		step(e, 1, []int{0}, []int{0})
		assert.Equal(t, int32(10), e.X2(0))
		assert.Equal(t, int32(20), e.Y2(0))
		assert.Equal(t, tc.want, e.Weight(0, 0), "r_w %v", tc.rw)
	}
}

// The accumulator saturates after each product, so the order of products
// matters once it does.
func TestAccumulatorSaturationOrder(t *testing.T) {
	for _, tc := range []struct {
		rule string
		want int32
	}{
		// 100<<7 + 32767 → 32767; − 32769 → −2; ⌊−2/128⌋ = −1, +1 (126/128 > r_w).
		{"7*2^8*x1*y0 - 7*2^8*x1*y0", 0},
		// 100<<7 − 32769 → −19969; + 32767 → 12798 = 99 + 126/128 → 100.
		{"-7*2^8*x1*y0 + 7*2^8*x1*y0", 100},
	} {
		p := params(tc.rule, 1)
		p.X1 = Trace{Impulse: 127}
		p.SignMode = Excitatory
		e := newEngine(t, p, 1, 1, []int32{100}, half())
		step(e, 1, []int{0}, []int{0})
		assert.Equal(t, tc.want, e.Weight(0, 0), tc.rule)
	}
}

// Weights saturate at both 8-bit rails of every sign mode.
func TestWeightRails(t *testing.T) {
	for _, tc := range []struct {
		mode SignMode
		rule string
		rw   float64
		want int32
	}{
		{Mixed, "7*2^8*y0", 0.5, 255},   // 32767 → 255 + 127/128 → 256 → 255
		{Mixed, "-7*2^8*y0", 0.5, -256}, // −32769 → −257 + 127/128 → −256
		{Mixed, "-7*2^8*y0", 0.999, -256},
		{Excitatory, "7*2^8*y0", 0.5, 255},
		{Excitatory, "-7*2^8*y0", 0.5, 0},
		{Inhibitory, "-7*2^8*y0", 0.5, -255},
		{Inhibitory, "7*2^8*y0", 0.5, 0},
	} {
		p := params(tc.rule, 1)
		p.SignMode = tc.mode
		r := half()
		r.w = tc.rw
		e := newEngine(t, p, 1, 1, []int32{0}, r)
		step(e, 1, nil, []int{0})
		assert.Equal(t, tc.want, e.Weight(0, 0), "%s %s", tc.mode, tc.rule)
	}
}

// Repeated pre spikes add their impulse to the stored trace at once,
// rounding a fraction up; the trace saturates at 127; with tau 0 the
// learning phase keeps only an impulse of the epoch's last step.
func TestPreImpulsesAndSaturation(t *testing.T) {
	p := params(PairSTDP, 4)
	p.X1 = Trace{Impulse: 100.5} // frac = 128/256
	p.X2 = Trace{Impulse: 12.3}  // frac = round(0.3·256) = 77
	r := half()
	r.d.XImpulse = 127
	e := newEngine(t, p, 1, 1, []int32{0}, r)
	step(e, 1, []int{0}, nil)
	assert.Equal(t, [3]int32{0, 0, 1}, [3]int32{e.X1(0), e.X2(0), e.TX(0)})
	step(e, 2, []int{0}, nil)
	assert.Equal(t, [3]int32{101, 13, 2}, [3]int32{e.X1(0), e.X2(0), e.TX(0)})
	e.PreSpike(2, 0) // a duplicate in the same step changes nothing
	assert.Equal(t, [3]int32{101, 13, 2}, [3]int32{e.X1(0), e.X2(0), e.TX(0)})
	step(e, 3, []int{0}, nil)
	assert.Equal(t, [3]int32{127, 26, 3}, [3]int32{e.X1(0), e.X2(0), e.TX(0)})
	step(e, 4, nil, nil)
	// History: tau 0 empties the traces; the impulse lands at s = 3 and is
	// gone by s = 4.
	assert.Equal(t, [3]int32{0, 0, 0}, [3]int32{e.X1(0), e.X2(0), e.TX(0)})
	assert.Equal(t, int32(101), e.hx[0][3], "x1 at s=3: 0 + 100 + (127 < 128)")
	assert.Equal(t, int32(12), e.hx[1][3], "x2 at s=3: 0 + 12 + (127 < 77 is false)")
}

// Repeated post spikes use the post-impulse draw of their step.
func TestPostImpulseDraw(t *testing.T) {
	for _, tc := range []struct {
		draw int
		want int32
	}{{76, 13}, {77, 12}} {
		p := params(PairSTDP, 2)
		p.Y1 = Trace{Impulse: 12.3}
		p.Y3 = Trace{Impulse: 127.9, Tau: 4}
		r := half()
		r.post = tc.draw
		e := newEngine(t, p, 1, 1, []int32{0}, r)
		step(e, 1, nil, []int{0})
		assert.Equal(t, int32(1), e.Y0(0))
		e.PostSpike(2, 0)
		assert.Equal(t, tc.want, e.Y1(0), "draw %d", tc.draw)
		assert.Equal(t, int32(127), e.Y3(0), "y3 saturates")
		assert.Equal(t, []int{2}, r.posts)
		e.EndStep(2)
		assert.Equal(t, int32(0), e.Y0(0))
	}
	// Integer impulses need no draw.
	r := half()
	p := params(PairSTDP, 2)
	p.Y1 = Trace{Impulse: 12}
	e := newEngine(t, p, 1, 1, []int32{0}, r)
	step(e, 1, nil, []int{0})
	step(e, 2, nil, []int{0})
	assert.Empty(t, r.posts)
}

// Decay: z = exp(−1/tau)·h in float64, ⌊z⌋ + (r < z − ⌊z⌋).
func TestDecay(t *testing.T) {
	f := decayFactor(5) // 0.8187307530779818
	assert.Equal(t, 0.8187307530779818, f)
	assert.Equal(t, int32(81), decay(100, f, 0.9))  // z = 81.873…
	assert.Equal(t, int32(82), decay(100, f, 0.87)) // 0.87 < 0.873…
	assert.Equal(t, int32(0), decay(100, 0, 0))     // tau 0
	assert.Equal(t, int32(0), decay(0, f, 0))
	// Correctly rounded where Go's math.Exp is one ulp off.
	assert.Equal(t, 0.8464817248906141, decayFactor(6))
	assert.Equal(t, 0.8668778997501816, decayFactor(7))
	assert.Equal(t, 1.0, expCorrectlyRounded(0))
	assert.Equal(t, 0.36787944117144233, expCorrectlyRounded(-1))
	assert.Equal(t, 0.0, expCorrectlyRounded(-800))
}

// u<k> products apply to every synapse in every 2^k-th epoch and read the
// traces at the end of the epoch; here y3 with tau 0 holds the impulse of a
// spike in the epoch's last step.
func TestUDependencyAndY3(t *testing.T) {
	p := params("2^-2*u1*y3", 1)
	p.Y3 = Trace{Impulse: 8}
	e := newEngine(t, p, 2, 1, []int32{10, 20}, half())
	step(e, 1, nil, []int{0}) // epoch 1: u1 off
	assert.Equal(t, []int32{10, 20}, e.Weights())
	step(e, 2, nil, []int{0}) // epoch 2: on; 8 << 5 = 2 units
	assert.Equal(t, []int32{12, 22}, e.Weights())
	step(e, 3, nil, []int{0})
	step(e, 4, nil, nil) // on, but y3 is 0 again
	assert.Equal(t, []int32{12, 22}, e.Weights())
	assert.Equal(t, uint64(4), e.Updates())
}

// A product's int32 multiply-accumulate wraps as Lava's does: w·x1·x2·y1·y2·y3·(−8)
// = 254·127⁵·(−8) wraps to +667168752, >> 33 gives 0, so the weight stays;
// without the wrap it would saturate to −32769 and the weight go to −2.
func TestProductWrapsAt32Bits(t *testing.T) {
	p := params("-8*2^8*w*x1*x2*y1*y2*y3*x0", 1)
	for _, tr := range []*Trace{&p.X1, &p.X2, &p.Y1, &p.Y2, &p.Y3} {
		tr.Impulse = 127
	}
	r := half()
	r.w = 0.999
	e := newEngine(t, p, 1, 1, []int32{255}, r)
	require.Equal(t, int32(254), e.Weight(0, 0))
	step(e, 1, []int{0}, []int{0})
	assert.Equal(t, int32(254), e.Weight(0, 0))
}

// Constant factors and sgn: (x1 − 3) is clipped to 7 bits after the
// constant is added; sgn(w + C) is −1, 0 or 1.
func TestConstantsAndSgn(t *testing.T) {
	p := params("(x1 - 3)*y0 + sgn(w - 50)*y0", 1)
	p.X1 = Trace{Impulse: 10}
	e := newEngine(t, p, 2, 1, []int32{40, 60}, half())
	step(e, 1, []int{0, 1}, []int{0})
	// (10 − 3) + sgn(40 − 50) = 6, and 7 + sgn(60 − 50) = 8.
	assert.Equal(t, []int32{46, 68}, e.Weights())
}

// Only synapses whose pre or post spiked in the epoch are evaluated when
// the rule has no u terms.
func TestUpdatesCountActiveSynapses(t *testing.T) {
	e := newEngine(t, params(PairSTDP, 1), 3, 2, make([]int32, 6), half())
	step(e, 1, []int{0}, nil)
	assert.Equal(t, uint64(2), e.Updates(), "column of pre 0")
	step(e, 2, nil, []int{1})
	assert.Equal(t, uint64(5), e.Updates(), "+ row of post 1")
	step(e, 3, []int{2}, []int{0})
	assert.Equal(t, uint64(9), e.Updates(), "+ row of post 0 and (post 1, pre 2)")
	step(e, 4, nil, nil)
	assert.Equal(t, uint64(9), e.Updates())
	assert.Equal(t, 4, e.Phases())
}

func TestNewRejects(t *testing.T) {
	p := params(PairSTDP, 1)
	_, err := New(p, 2, 1, []int32{1}, half())
	assert.ErrorContains(t, err, "want numPost × numPre = 1 × 2 = 2")
	_, err = New(p, 1, 1, []int32{1}, nil)
	assert.ErrorContains(t, err, "no Rounder")
	_, err = New(p, 1, 1, []int32{1 << 20}, half())
	assert.ErrorContains(t, err, "initial weight [0][0]")
	bad := p
	bad.TEpoch, bad.NumWeightBits, bad.X1.Impulse, bad.Y2.Tau, bad.SignMode = 64, 9, -1, -2, 7
	err = bad.Validate()
	for _, want := range []string{"t_epoch 64", "num_weight_bits 9", "x1 impulse -1", "y2 tau -2", "sign mode 7"} {
		assert.ErrorContains(t, err, want)
	}
	assert.ErrorContains(t, Params{TEpoch: 1, NumWeightBits: 8}.Validate(), "no products")
	assert.NoError(t, DefaultParams().Validate())
}

func TestSeededRounder(t *testing.T) {
	a, b := NewSeededRounder(42), NewSeededRounder(42)
	// Same draws whatever the call pattern.
	var got []TraceDraws
	for s := 1; s <= 50; s++ {
		got = append(got, a.TraceDraws(s))
		a.PostImpulseDraw(s + 1)
	}
	want50 := b.TraceDraws(50)
	assert.Equal(t, want50, got[49])
	assert.Equal(t, got[9], a.TraceDraws(10), "asking again (backwards) replays")
	assert.Equal(t, NewSeededRounder(42).WeightDraw(7), a.WeightDraw(7))
	assert.NotEqual(t, NewSeededRounder(43).TraceDraws(5), a.TraceDraws(5))
	for _, d := range got {
		assert.True(t, d.XDecay >= 0 && d.XDecay < 1 && d.YDecay >= 0 && d.YDecay < 1)
		assert.True(t, d.XImpulse >= 0 && d.XImpulse < 128 && d.YImpulse >= 0 && d.YImpulse < 128)
	}
	assert.NotEqual(t, got[0], got[1])
}

func TestSeededEngineDeterministic(t *testing.T) {
	run := func() []int32 {
		p := DefaultParams()
		p.X1.Impulse, p.Y1.Impulse = 16.4, 9.7
		e := newEngine(t, p, 4, 3, []int32{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120}, NewSeededRounder(7))
		for s := 1; s <= 200; s++ {
			step(e, s, []int{s % 4, (s * 7) % 4}, []int{(s / 3) % 3})
		}
		return append([]int32(nil), e.Weights()...)
	}
	assert.Equal(t, run(), run())
}
