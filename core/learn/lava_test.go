package learn_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/core/learn"
	"github.com/tessera-sim/tessera/tools/refdata"
)

// lavaLearnScenario is one scenario of shared/reference/lava-learning (see
// its README).
type lavaLearnScenario struct {
	Name         string `json:"name"`
	NumSteps     int    `json:"num_steps"`
	NumPre       int    `json:"num_pre"`
	NumPost      int    `json:"num_post"`
	LearningRule struct {
		Dw        string  `json:"dw"`
		TEpoch    int     `json:"t_epoch"`
		RngSeed   uint64  `json:"rng_seed"`
		X1Impulse float64 `json:"x1_impulse"`
		X1Tau     float64 `json:"x1_tau"`
		X2Impulse float64 `json:"x2_impulse"`
		X2Tau     float64 `json:"x2_tau"`
		Y1Impulse float64 `json:"y1_impulse"`
		Y1Tau     float64 `json:"y1_tau"`
		Y2Impulse float64 `json:"y2_impulse"`
		Y2Tau     float64 `json:"y2_tau"`
		Y3Impulse float64 `json:"y3_impulse"`
		Y3Tau     float64 `json:"y3_tau"`
		Dd        *string `json:"dd"`
		Dt        *string `json:"dt"`
	} `json:"learning_rule"`
	Products []struct {
		Dependency string   `json:"dependency"`
		Mantissa   int      `json:"s_mantissa"`
		ExpStored  int      `json:"s_exp_stored"`
		Factors    []string `json:"factors"`
	} `json:"dw_products_as_parsed_by_lava"`
	Plastic struct {
		WeightsInit   [][]int32 `json:"weights_init"`
		Layout        string    `json:"weights_layout"`
		SignMode      string    `json:"sign_mode"`
		WeightExp     int       `json:"weight_exp"`
		NumWeightBits int       `json:"num_weight_bits"`
	} `json:"plastic_synapse"`
	PreSpikeSteps [][]int `json:"pre_spike_steps"`
	Files         struct {
		Trace string `json:"trace"`
	} `json:"files"`
}

// lavaScenarios lists every scenario JSON in the reference folder; a new
// file is picked up without code changes.
func lavaScenarios(tb testing.TB) (string, []string) {
	tb.Helper()
	dir := refdata.Dir(tb, "lava-learning")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(tb, err)
	require.NotEmpty(tb, files, "no scenarios (*.json) in %s", dir)
	return dir, files
}

func loadScenario(tb testing.TB, file string) lavaLearnScenario {
	tb.Helper()
	data, err := os.ReadFile(file)
	require.NoError(tb, err)
	var sc lavaLearnScenario
	require.NoError(tb, json.Unmarshal(data, &sc), "%s", file)
	return sc
}

func signModeOf(tb testing.TB, s string) learn.SignMode {
	switch {
	case strings.HasPrefix(s, "MIXED"), s == "":
		return learn.Mixed
	case strings.HasPrefix(s, "EXCITATORY"):
		return learn.Excitatory
	case strings.HasPrefix(s, "INHIBITORY"):
		return learn.Inhibitory
	}
	tb.Fatalf("unknown sign_mode %q", s)
	return 0
}

// TestParseMatchesLava checks our parse of every scenario's dw against
// Lava's own decomposition.
func TestParseMatchesLava(t *testing.T) {
	_, files := lavaScenarios(t)
	for _, f := range files {
		sc := loadScenario(t, f)
		t.Run(sc.Name, func(t *testing.T) {
			r, err := learn.ParseRule(sc.LearningRule.Dw)
			require.NoError(t, err, "dw %q", sc.LearningRule.Dw)
			require.Len(t, r.Products, len(sc.Products), "products of %q: got %s", sc.LearningRule.Dw, r)
			for n, want := range sc.Products {
				got := r.Products[n]
				dep := got.Dep.String()
				assert.True(t, want.Dependency == dep || want.Dependency == dep+strconv.Itoa(got.Decimate),
					"product %d dependency: expected %s, got %s", n, want.Dependency, dep)
				assert.Equal(t, want.Mantissa, got.Mantissa, "product %d mantissa", n)
				assert.Equal(t, want.ExpStored, got.StoredExp(), "product %d stored exponent", n)
				if assert.Len(t, got.Factors, len(want.Factors), "product %d factors: expected %v, got %v", n, want.Factors, got.Factors) {
					for k, wf := range want.Factors {
						assert.True(t, factorMatches(wf, got.Factors[k]), "product %d factor %d: expected %q, got %q", n, k, wf, got.Factors[k])
					}
				}
			}
		})
	}
}

// factorMatches compares Lava's rendering of a factor with ours: a bare
// variable name, or a rendering naming the variable, its constant and sgn.
func factorMatches(lava string, f learn.Factor) bool {
	lava = strings.ReplaceAll(lava, " ", "")
	if lava == f.Var.String() {
		return f.Const == 0 && !f.Sgn
	}
	if lava == strings.ReplaceAll(f.String(), " ", "") {
		return true
	}
	c := f.Const
	if c < 0 {
		c = -c
	}
	return strings.Contains(lava, f.Var.String()) && strings.Contains(lava, "sgn") == f.Sgn &&
		(f.Const == 0 || strings.Contains(lava, strconv.Itoa(int(c))))
}

// lavaTrace is a scenario's CSV: column name → values by row.
type lavaTrace struct {
	rows int
	col  map[string][]string
}

func readLavaTrace(tb testing.TB, path string) lavaTrace {
	tb.Helper()
	f, err := os.Open(path)
	require.NoError(tb, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(tb, err, "%s", path)
	require.Greater(tb, len(recs), 1, "%s has no rows", path)
	tr := lavaTrace{rows: len(recs) - 1, col: map[string][]string{}}
	for c, name := range recs[0] {
		vals := make([]string, tr.rows)
		for r := range tr.rows {
			vals[r] = recs[r+1][c]
		}
		tr.col[name] = vals
	}
	for r := range tr.rows {
		require.Equal(tb, strconv.Itoa(r+1), tr.col["step"][r], "%s: rows must be steps 1, 2, …", path)
	}
	return tr
}

func (tr lavaTrace) has(name string) bool { _, ok := tr.col[name]; return ok }

func (tr lavaTrace) int(tb testing.TB, name string, step int) int64 {
	v, err := strconv.ParseInt(tr.col[name][step-1], 10, 64)
	require.NoError(tb, err, "column %s step %d", name, step)
	return v
}

func (tr lavaTrace) float(tb testing.TB, name string, step int) (float64, bool) {
	s := tr.col[name][step-1]
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(tb, err, "column %s step %d", name, step)
	return v, true
}

// replay is the Rounder that hands out the draws recorded in a trace.
type replay struct {
	tb     testing.TB
	tr     lavaTrace
	tEpoch int
	calls  map[string]int
}

func (r *replay) TraceDraws(step int) learn.TraceDraws {
	r.calls["trace"]++
	xd, _ := r.tr.float(r.tb, "r_x_decay", step)
	yd, _ := r.tr.float(r.tb, "r_y_decay", step)
	return learn.TraceDraws{
		XDecay: xd, XImpulse: int(r.tr.int(r.tb, "r_x_impulse", step)),
		YDecay: yd, YImpulse: int(r.tr.int(r.tb, "r_y_impulse", step)),
	}
}

func (r *replay) PostImpulseDraw(step int) int {
	r.calls["post"]++
	return int(r.tr.int(r.tb, "r_y_impulse_spk", step))
}

func (r *replay) WeightDraw(k int) float64 {
	r.calls["weight"]++
	step := k * r.tEpoch
	v, ok := r.tr.float(r.tb, "r_w", step)
	if !ok {
		r.tb.Errorf("no r_w recorded in step %d for learning phase %d", step, k)
	}
	return v
}

const maxMismatches = 15

// TestLavaLearning replays every scenario step by step: the recorded pre
// and post spikes go in, the recorded draws are replayed, and every
// recorded state column the engine models is compared at every step.
func TestLavaLearning(t *testing.T) {
	dir, files := lavaScenarios(t)
	for _, f := range files {
		sc := loadScenario(t, f)
		t.Run(sc.Name, func(t *testing.T) { runLavaLearning(t, dir, sc, false) })
		// The same run with the draws regenerated from rng_seed alone.
		t.Run("from-seed/"+sc.Name, func(t *testing.T) { runLavaLearning(t, dir, sc, true) })
	}
}

// TestLavaRounderMatchesRecordedDraws regenerates every recorded draw of
// every scenario from its rng_seed.
func TestLavaRounderMatchesRecordedDraws(t *testing.T) {
	dir, files := lavaScenarios(t)
	for _, f := range files {
		sc := loadScenario(t, f)
		t.Run(sc.Name, func(t *testing.T) {
			tr := readLavaTrace(t, filepath.Join(dir, sc.Files.Trace))
			rec := &replay{tb: t, tr: tr, tEpoch: sc.LearningRule.TEpoch, calls: map[string]int{}}
			gen := learn.NewLavaRounder(uint64(sc.LearningRule.RngSeed))
			bad := 0
			for step := 1; step <= tr.rows && bad < maxMismatches; step++ {
				if want, got := rec.TraceDraws(step), gen.TraceDraws(step); want != got {
					bad++
					t.Errorf("scenario %s step %d trace draws: expected %+v, got %+v", sc.Name, step, want, got)
				}
				if want, got := rec.PostImpulseDraw(step), gen.PostImpulseDraw(step); want != got {
					bad++
					t.Errorf("scenario %s step %d r_y_impulse_spk: expected %d, got %d", sc.Name, step, want, got)
				}
				if step%sc.LearningRule.TEpoch == 0 {
					k := step / sc.LearningRule.TEpoch
					if want, got := rec.WeightDraw(k), gen.WeightDraw(k); want != got {
						bad++
						t.Errorf("scenario %s step %d r_w: expected %v, got %v", sc.Name, step, want, got)
					}
				}
			}
		})
	}
}

func runLavaLearning(t *testing.T, dir string, sc lavaLearnScenario, fromSeed bool) {
	require.Nil(t, sc.LearningRule.Dd, "dd rules are not modelled")
	require.Nil(t, sc.LearningRule.Dt, "dt rules are not modelled")
	tr := readLavaTrace(t, filepath.Join(dir, sc.Files.Trace))
	require.Equal(t, sc.NumSteps, tr.rows, "rows of %s", sc.Files.Trace)
	rule, err := learn.ParseRule(sc.LearningRule.Dw)
	require.NoError(t, err)
	lr := sc.LearningRule
	p := learn.Params{
		Rule: rule, TEpoch: lr.TEpoch,
		X1:            learn.Trace{Impulse: lr.X1Impulse, Tau: lr.X1Tau},
		X2:            learn.Trace{Impulse: lr.X2Impulse, Tau: lr.X2Tau},
		Y1:            learn.Trace{Impulse: lr.Y1Impulse, Tau: lr.Y1Tau},
		Y2:            learn.Trace{Impulse: lr.Y2Impulse, Tau: lr.Y2Tau},
		Y3:            learn.Trace{Impulse: lr.Y3Impulse, Tau: lr.Y3Tau},
		SignMode:      signModeOf(t, sc.Plastic.SignMode),
		NumWeightBits: sc.Plastic.NumWeightBits,
		WeightExp:     sc.Plastic.WeightExp,
	}
	require.Equal(t, "weights[post][pre]", sc.Plastic.Layout)
	require.Len(t, sc.Plastic.WeightsInit, sc.NumPost)
	var w0 []int32
	for _, row := range sc.Plastic.WeightsInit {
		require.Len(t, row, sc.NumPre)
		w0 = append(w0, row...)
	}
	rnd := &replay{tb: t, tr: tr, tEpoch: lr.TEpoch, calls: map[string]int{}}
	var rounder learn.Rounder = rnd
	if fromSeed {
		rounder = learn.NewLavaRounder(uint64(lr.RngSeed))
	}
	e, err := learn.New(p, sc.NumPre, sc.NumPost, w0, rounder)
	require.NoError(t, err)

	mismatches := 0
	check := func(step int, name string, got int32) {
		if !tr.has(name) {
			return
		}
		want := tr.int(t, name, step)
		if want == int64(got) {
			return
		}
		mismatches++
		if mismatches <= maxMismatches {
			t.Errorf("scenario %s step %d %s: expected %d, got %d", sc.Name, step, name, want, got)
		}
	}
	// Every column the engine models must be recorded.
	for _, c := range []string{"pre_0", "post_0", "a_plastic_0", "x0_0", "tx_0", "x1_0", "x2_0",
		"y0_0", "ty_0", "y1_0", "y2_0", "y3_0", "w_0_0"} {
		require.True(t, tr.has(c), "column %s missing from %s", c, sc.Files.Trace)
	}

	pending := make([]int32, sc.NumPost) // a_plastic sent next step
	acc := make([]int32, sc.NumPost)
	for step := 1; step <= sc.NumSteps; step++ {
		// 1. The plastic synapse sends what it computed last step, then sums
		//    the current weights over this step's pre spikes.
		for i := range sc.NumPost {
			check(step, fmt.Sprintf("a_plastic_%d", i), pending[i])
		}
		clear(acc)
		for j := range sc.NumPre {
			if tr.int(t, fmt.Sprintf("pre_%d", j), step) == 1 {
				e.AddWeights(j, acc)
			}
		}
		for i := range acc {
			pending[i] = learn.ScaleDrive(acc[i], p.WeightExp)
		}
		// 3, 4. Pre and post spikes of this step; 5. learning phase.
		for j := range sc.NumPre {
			if tr.int(t, fmt.Sprintf("pre_%d", j), step) == 1 {
				e.PreSpike(step, j)
			}
		}
		for i := range sc.NumPost {
			if tr.int(t, fmt.Sprintf("post_%d", i), step) == 1 {
				e.PostSpike(step, i)
			}
		}
		e.EndStep(step)

		for j := range sc.NumPre {
			check(step, fmt.Sprintf("x0_%d", j), e.X0(j))
			check(step, fmt.Sprintf("tx_%d", j), e.TX(j))
			check(step, fmt.Sprintf("x1_%d", j), e.X1(j))
			check(step, fmt.Sprintf("x2_%d", j), e.X2(j))
		}
		for i := range sc.NumPost {
			check(step, fmt.Sprintf("y0_%d", i), e.Y0(i))
			check(step, fmt.Sprintf("ty_%d", i), e.TY(i))
			check(step, fmt.Sprintf("y1_%d", i), e.Y1(i))
			check(step, fmt.Sprintf("y2_%d", i), e.Y2(i))
			check(step, fmt.Sprintf("y3_%d", i), e.Y3(i))
			for j := range sc.NumPre {
				check(step, fmt.Sprintf("w_%d_%d", i, j), e.Weight(i, j))
			}
		}
	}
	if mismatches > maxMismatches {
		t.Errorf("scenario %s: %d mismatches in all (first %d shown)", sc.Name, mismatches, maxMismatches)
	}
	assert.Equal(t, sc.NumSteps/lr.TEpoch, e.Phases(), "learning phases")
	if !fromSeed {
		t.Logf("%s: %d steps, %d learning phases, %d synapse updates, draws used %v", sc.Name, sc.NumSteps, e.Phases(), e.Updates(), rnd.calls)
	}
}
