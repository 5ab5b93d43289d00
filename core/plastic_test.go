package core

import (
	"encoding/csv"
	"encoding/json"
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

// lavaLearning is one scenario of shared/reference/lava-learning.
type lavaLearning struct {
	Name     string `json:"name"`
	NumSteps int    `json:"num_steps"`
	NumPre   int    `json:"num_pre"`
	NumPost  int    `json:"num_post"`
	Rule     struct {
		DW      string  `json:"dw"`
		TEpoch  int     `json:"t_epoch"`
		RngSeed uint64  `json:"rng_seed"`
		X1I     float64 `json:"x1_impulse"`
		X1T     float64 `json:"x1_tau"`
		X2I     float64 `json:"x2_impulse"`
		X2T     float64 `json:"x2_tau"`
		Y1I     float64 `json:"y1_impulse"`
		Y1T     float64 `json:"y1_tau"`
		Y2I     float64 `json:"y2_impulse"`
		Y2T     float64 `json:"y2_tau"`
		Y3I     float64 `json:"y3_impulse"`
		Y3T     float64 `json:"y3_tau"`
	} `json:"learning_rule"`
	Plastic struct {
		Weights       [][]int32 `json:"weights_init"`
		SignMode      string    `json:"sign_mode"`
		WeightExp     int       `json:"weight_exp"`
		NumWeightBits int       `json:"num_weight_bits"`
	} `json:"plastic_synapse"`
	LIF struct {
		DuJ      int32   `json:"du"`
		DvJ      int32   `json:"dv"`
		Vth      int32   `json:"vth"`
		BiasMant []int32 `json:"bias_mant"`
		BiasExp  []int32 `json:"bias_exp"`
		UInit    []int32 `json:"u_init"`
		VInit    []int32 `json:"v_init"`
	} `json:"post_lif"`
	Teacher struct {
		Weights       [][]int32 `json:"weights"`
		WeightExp     int32     `json:"weight_exp"`
		NumWeightBits int       `json:"num_weight_bits"`
		SpikeSteps    [][]int32 `json:"spike_steps"`
	} `json:"teacher"`
	PreSteps [][]int32 `json:"pre_spike_steps"`
	Files    struct {
		Trace string `json:"trace"`
	} `json:"files"`
}

// TestLavaLearningClosedLoop runs every lava-learning scenario through one
// core: plastic synapses learning on the core, a static teacher synapse and
// the LIF neurons in a closed loop, as Lava ran them. u, v, post spikes and
// every weight must match at every step. The rounding draws are Lava's own
// (learn.NewLavaRounder regenerates them from the scenario's seed).
func TestLavaLearningClosedLoop(t *testing.T) {
	dir := refdata.Dir(t, "lava-learning")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runLavaLearning(t, dir, f) })
	}
}

func runLavaLearning(t *testing.T, dir, file string) {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var sc lavaLearning
	require.NoError(t, json.Unmarshal(data, &sc))
	rule, err := learn.ParseRule(sc.Rule.DW)
	require.NoError(t, err)
	mode := learn.Mixed
	switch {
	case strings.HasPrefix(sc.Plastic.SignMode, "EXCITATORY"):
		mode = learn.Excitatory
	case strings.HasPrefix(sc.Plastic.SignMode, "INHIBITORY"):
		mode = learn.Inhibitory
	}
	params := learn.Params{Rule: rule, TEpoch: sc.Rule.TEpoch,
		X1: learn.Trace{Impulse: sc.Rule.X1I, Tau: sc.Rule.X1T}, X2: learn.Trace{Impulse: sc.Rule.X2I, Tau: sc.Rule.X2T},
		Y1: learn.Trace{Impulse: sc.Rule.Y1I, Tau: sc.Rule.Y1T}, Y2: learn.Trace{Impulse: sc.Rule.Y2I, Tau: sc.Rule.Y2T},
		Y3:       learn.Trace{Impulse: sc.Rule.Y3I, Tau: sc.Rule.Y3T},
		SignMode: mode, NumWeightBits: sc.Plastic.NumWeightBits, WeightExp: sc.Plastic.WeightExp}

	n, nPre := sc.NumPost, sc.NumPre
	nTeach := len(sc.Teacher.Weights[0])
	cfg := Config{BiasMant: sc.LIF.BiasMant, BiasExp: sc.LIF.BiasExp, UInit: sc.LIF.UInit, VInit: sc.LIF.VInit,
		WeightExp: []int32{sc.Teacher.WeightExp}, RouteStart: make([]uint32, n+1), AxonStart: []uint32{0}}
	for i := 0; i < n; i++ {
		cfg.Du = append(cfg.Du, sc.LIF.DuJ)
		cfg.Dv = append(cfg.Dv, sc.LIF.DvJ)
		cfg.Vth = append(cfg.Vth, sc.LIF.Vth)
	}
	// Axons 0..nPre-1: plastic inputs (no static synapses); then the
	// teacher's inputs with static, Dense-encoded weights.
	for j := 0; j < nPre; j++ {
		cfg.AxonStart = append(cfg.AxonStart, 0)
	}
	var tw []int32
	for _, row := range sc.Teacher.Weights {
		tw = append(tw, row...)
	}
	tmode := SignModeOf(tw)
	for j := 0; j < nTeach; j++ {
		for i := 0; i < n; i++ {
			cfg.SynNeuron = append(cfg.SynNeuron, uint32(i))
			cfg.SynWeight = append(cfg.SynWeight, EffectiveWeight(sc.Teacher.Weights[i][j], tmode, sc.Teacher.NumWeightBits))
			cfg.SynDelay = append(cfg.SynDelay, 0)
			cfg.SynClass = append(cfg.SynClass, 0)
		}
		cfg.AxonStart = append(cfg.AxonStart, uint32(len(cfg.SynNeuron)))
	}
	pg := PlasticGroup{Params: params, Rounder: learn.NewLavaRounder(sc.Rule.RngSeed)}
	for j := 0; j < nPre; j++ {
		pg.Axons = append(pg.Axons, uint32(j))
	}
	for i := 0; i < n; i++ {
		pg.Weights = append(pg.Weights, sc.Plastic.Weights[i]...)
	}
	cfg.Plastic = []PlasticGroup{pg}
	c, err := New(DefaultSpec(), cfg)
	require.NoError(t, err)

	rows := readCSVMap(t, filepath.Join(dir, sc.Files.Trace))
	preAt, teachAt := stepsIndex(sc.PreSteps), stepsIndex(sc.Teacher.SpikeSteps)
	bad := 0
	check := func(step int32, name string, want string, got int64) {
		if bad >= 10 {
			return
		}
		w, err := strconv.ParseInt(want, 10, 64)
		require.NoError(t, err, "%s step %d %s", sc.Name, step, name)
		if w != got {
			bad++
			assert.Fail(t, "mismatch", "scenario %s step %d %s: expected %d, got %d", sc.Name, step, name, w, got)
		}
	}
	for step := int32(1); step <= int32(sc.NumSteps); step++ {
		fires, _ := c.Sweep(step)
		fired := map[int]bool{}
		for _, f := range fires {
			fired[int(f.Neuron)] = true
		}
		for _, j := range preAt[step] {
			_, err := c.Receive(j, step)
			require.NoError(t, err)
		}
		for _, j := range teachAt[step] {
			_, err := c.Receive(nPre+j, step)
			require.NoError(t, err)
		}
		c.Learn(step)
		row := rows[step]
		for i := 0; i < n; i++ {
			is := strconv.Itoa(i)
			check(step, "u_"+is, row["u_"+is], int64(c.U(i)))
			check(step, "v_"+is, row["v_"+is], int64(c.V(i)))
			check(step, "post_"+is, row["post_"+is], b2i(fired[i]))
			for j := 0; j < nPre; j++ {
				name := "w_" + is + "_" + strconv.Itoa(j)
				check(step, name, row[name], int64(c.PlasticWeights(0)[i*nPre+j]))
			}
		}
	}
	assert.Positive(t, c.Counters().SynUpdates)
}

func stepsIndex(steps [][]int32) map[int32][]int {
	out := map[int32][]int{}
	for j, ss := range steps {
		for _, s := range ss {
			out[s] = append(out[s], j)
		}
	}
	return out
}

func readCSVMap(t *testing.T, path string) map[int32]map[string]string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	out := map[int32]map[string]string{}
	for _, r := range recs[1:] {
		m := map[string]string{}
		for k, h := range recs[0] {
			m[h] = r[k]
		}
		s, err := strconv.Atoi(r[0])
		require.NoError(t, err)
		out[int32(s)] = m
	}
	return out
}
