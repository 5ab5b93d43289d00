package netfile

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/core"
	"github.com/tessera-sim/tessera/core/learn"
)

// FuzzParse feeds arbitrary bytes, as YAML and as JSON: Parse must not panic
// and must return either a graph or an error list, never both or neither.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatal(err)
	}
	bad, _ := filepath.Glob("testdata/bad/*")
	for _, s := range append(seeds, bad...) {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, filepath.Ext(s) == ".json")
	}
	if len(seeds) == 0 {
		f.Fatal("no seed corpus in testdata/")
	}
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		// Raster files are resolved in testdata/, where the seeds' stim.csv is.
		path := "testdata/fuzz.yaml"
		if isJSON {
			path = "testdata/fuzz.json"
		}
		p := newParser(path)
		p.neuronLimit = 1 << 16 // keep the fuzzer's memory small
		g, err := p.parse(data)
		switch {
		case err == nil && g == nil:
			t.Fatal("no graph and no error")
		case err != nil && g != nil:
			t.Fatal("both a graph and an error")
		case err != nil:
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
		default:
			checkGraph(t, g)
		}
	})
}

// checkGraph fails t if g breaks a promise Parse makes about the graphs it
// returns.
func checkGraph(t *testing.T, g *graph.Graph) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format, args...)
	}
	if g.DtPS <= 0 {
		fail("dt %d ps", g.DtPS)
	}
	if len(g.Populations) == 0 {
		fail("no populations")
	}
	sizes := map[string]int{}
	inputs := map[string]bool{}
	for _, pop := range g.Populations {
		if _, dup := sizes[pop.Name]; dup || !nameSyntax.MatchString(pop.Name) {
			fail("bad or duplicate name %q", pop.Name)
		}
		if pop.Size < 1 || pop.Size > maxSize {
			fail("%s: size %d", pop.Name, pop.Size)
		}
		sizes[pop.Name], inputs[pop.Name] = pop.Size, pop.IsInput()
		if in := pop.Input; in != nil {
			switch in.Kind {
			case graph.InputRaster:
				for i, s := range in.Spikes {
					if s.Step < 1 || s.Index < 0 || int(s.Index) >= pop.Size {
						fail("%s: spike %+v out of range", pop.Name, s)
					}
					if i > 0 {
						prev := in.Spikes[i-1]
						if prev.Step > s.Step || prev.Step == s.Step && prev.Index >= s.Index {
							fail("%s: spikes not sorted or duplicated at %d", pop.Name, i)
						}
					}
				}
			case graph.InputPoisson:
				if in.RateHz <= 0 || in.RateHz*float64(g.DtPS) > 1e12 {
					fail("%s: rate %g", pop.Name, in.RateHz)
				}
			default:
				fail("%s: input kind %d", pop.Name, in.Kind)
			}
			continue
		}
		n := pop.Neuron
		if n.Model != modelLIF && n.Model != modelIF || n.Du < 0 || n.Du > maxDecay || n.Dv < 0 || n.Dv > maxDecay || n.Vth < 0 || n.Vth > maxVth {
			fail("%s: neuron %+v", pop.Name, n)
		}
		if n.Model == modelIF && (n.Du != core.DecayMax || n.Dv != 0) {
			fail("%s: model if with du=%d dv=%d", pop.Name, n.Du, n.Dv)
		}
		if err := n.Options.Validate(); err != nil {
			fail("%s: options %+v: %v", pop.Name, n.Options, err)
		}
		if o := n.Options; o.DTheta != 0 && o.ThetaStep == 0 || o.NoiseExp != 0 && o.NoiseTarget == core.NoiseNone {
			fail("%s: options %+v: dtheta without theta_step or noise_exp without noise", pop.Name, o)
		}
		for _, s := range [][]int32{n.BiasMant, n.BiasExp, n.UInit, n.VInit} {
			if len(s) != pop.Size {
				fail("%s: per-neuron slice of length %d", pop.Name, len(s))
			}
		}
		for i := range pop.Size {
			b := int64(n.BiasMant[i]) << n.BiasExp[i]
			if b > maxState || b < -maxState || n.UInit[i] < -maxState || n.UInit[i] > maxState || n.VInit[i] < -maxState || n.VInit[i] > maxState {
				fail("%s: neuron %d out of range", pop.Name, i)
			}
		}
	}
	for _, pr := range g.Projections {
		pre, ok1 := sizes[pr.Pre]
		post, ok2 := sizes[pr.Post]
		if !ok1 || !ok2 || inputs[pr.Post] {
			fail("projection %s: bad pre or post", pr.Name)
		}
		if pr.Weight < minWeight || pr.Weight > maxWeight || pr.WeightExp < minWExp || pr.WeightExp > maxWExp || pr.Delay < 0 || pr.Delay > maxDelay {
			fail("projection %s: %+v", pr.Name, pr)
		}
		if wi := pr.WeightInit; wi != nil && (wi.Lo < minWeight || wi.Hi > maxWeight || wi.Lo > wi.Hi || pr.Weight != wi.Lo) {
			fail("projection %s: weight %d, random weight %+v", pr.Name, pr.Weight, *wi)
		}
		switch pr.Conn.Kind {
		case graph.AllToAll:
		case graph.OneToOne:
			if pre != post {
				fail("projection %s: one_to_one %d -> %d", pr.Name, pre, post)
			}
		case graph.FixedProbability:
			if pr.Conn.P <= 0 || pr.Conn.P > 1 {
				fail("projection %s: p %g", pr.Name, pr.Conn.P)
			}
		case graph.List:
			if len(pr.Conn.Pairs) == 0 {
				fail("projection %s: empty list", pr.Name)
			}
			for _, pair := range pr.Conn.Pairs {
				if pair.Pre < 0 || int(pair.Pre) >= pre || pair.Post < 0 || int(pair.Post) >= post {
					fail("projection %s: pair %+v out of range", pr.Name, pair)
				}
				if w := pair.Weight; w != nil && (*w < minWeight || *w > maxWeight) {
					fail("projection %s: pair %+v: weight %d", pr.Name, pair, *w)
				}
			}
		default:
			fail("projection %s: connectivity %d", pr.Name, pr.Conn.Kind)
		}
		if pr.Plasticity != nil {
			checkPlasticity(t, pr)
		}
	}
	checkQuantization(t, g)
	for _, pr := range g.Probes {
		size, ok := sizes[pr.Population]
		if !ok || !pr.Spikes && !pr.U && !pr.V || inputs[pr.Population] && (pr.U || pr.V) {
			fail("probe %+v", pr)
		}
		if pr.Neurons != nil && len(pr.Neurons) == 0 {
			fail("probe %+v: empty neuron list", pr)
		}
		for _, i := range pr.Neurons {
			if i < 0 || int(i) >= size {
				fail("probe %+v: neuron %d", pr, i)
			}
		}
	}
}

// checkPlasticity fails t unless the plastic projection pr is all_to_all
// without delay, its weight (both bounds of a random one) fits its sign
// mode, and its plasticity is in range and accepted by the learning engine.
func checkPlasticity(t *testing.T, pr graph.Projection) {
	t.Helper()
	pl := pr.Plasticity
	if pr.Conn.Kind != graph.AllToAll || pr.Delay != 0 {
		t.Fatalf("plastic projection %s: connectivity %s, delay %d", pr.Name, pr.Conn.Kind, pr.Delay)
	}
	if pl.TEpoch < 1 || pl.TEpoch > learn.MaxTEpoch || pl.NumWeightBits < 1 || pl.NumWeightBits > 8 || pl.SignMode > learn.Inhibitory {
		t.Fatalf("plastic projection %s: %+v", pr.Name, *pl)
	}
	for i, tr := range pl.Traces {
		if !(tr.Impulse >= 0 && tr.Impulse < learn.MaxImpulse && tr.Tau >= 0 && tr.Tau <= learn.MaxTau) {
			t.Fatalf("plastic projection %s: trace %s %+v", pr.Name, traceNames[i], tr)
		}
	}
	if lo, hi := pl.SignMode.Bounds(); pr.Weight < lo || pr.Weight > hi {
		t.Fatalf("plastic projection %s: weight %d in sign mode %s", pr.Name, pr.Weight, pl.SignMode)
	}
	if lo, hi := pl.SignMode.Bounds(); pr.WeightInit != nil && (pr.WeightInit.Lo < lo || pr.WeightInit.Hi > hi) {
		t.Fatalf("plastic projection %s: random weight %+v in sign mode %s", pr.Name, *pr.WeightInit, pl.SignMode)
	}
	if pl.Pos.Line < 1 || pl.RulePos.Line < 1 {
		t.Fatalf("plastic projection %s: positions %v, %v", pr.Name, pl.Pos, pl.RulePos)
	}
	rule, err := learn.ParseRule(pl.Rule)
	if err != nil {
		t.Fatalf("plastic projection %s: rule %q: %v", pr.Name, pl.Rule, err)
	}
	params := learn.Params{Rule: rule, TEpoch: int(pl.TEpoch), X1: pl.Traces[0], X2: pl.Traces[1], Y1: pl.Traces[2], Y2: pl.Traces[3], Y3: pl.Traces[4],
		SignMode: pl.SignMode, NumWeightBits: int(pl.NumWeightBits), WeightExp: int(pr.WeightExp)}
	if err := params.Validate(); err != nil {
		t.Fatalf("plastic projection %s: %v", pr.Name, err)
	}
}

// checkQuantization fails t unless the quantization report of a units: bio
// network has one entry per neuron population for each of decays,
// thresholds and biases, and one per projection for weights, with finite,
// consistent counts; hardware networks have none.
func checkQuantization(t *testing.T, g *graph.Graph) {
	t.Helper()
	want := 0
	for _, pop := range g.Populations {
		if !pop.IsInput() {
			want += 3
		}
	}
	want += len(g.Projections)
	if n := len(g.Quantization); n != 0 && n != want {
		t.Fatalf("%d quantization entries, want 0 or %d", n, want)
	}
	for _, q := range g.Quantization {
		s := q.Stat
		finite := !math.IsNaN(s.WorstAbs+s.WorstRel+s.MeanRel) && !math.IsInf(s.WorstAbs+s.WorstRel+s.MeanRel, 0)
		if q.What == "" || s.N < 0 || s.Clipped > s.N || s.Zeroed > s.N || !finite || s.WorstRel < 0 || s.MeanRel > s.WorstRel*(1+1e-9) {
			t.Fatalf("quantization %q: %+v", q.What, s)
		}
	}
}
