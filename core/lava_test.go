package core

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/tools/refdata"
)

// lavaScenario is one reference file of shared/reference/lava-lif or
// lava-delay (see their READMEs).
type lavaScenario struct {
	Name          string    `json:"name"`
	NumSteps      int       `json:"num_steps"`
	NumNeurons    int       `json:"num_neurons"`
	NumInputs     int       `json:"num_inputs"`
	Du            int32     `json:"du"`
	Dv            int32     `json:"dv"`
	Vth           int32     `json:"vth"`
	BiasMant      []int32   `json:"bias_mant"`
	BiasExp       []int32   `json:"bias_exp"`
	UInit         []int32   `json:"u_init"`
	VInit         []int32   `json:"v_init"`
	Weights       [][]int32 `json:"weights"`
	Delays        [][]int32 `json:"delays"`
	WeightExp     *int32    `json:"weight_exp"`
	NumWeightBits *int      `json:"num_weight_bits"`
	Effective     [][]int32 `json:"weights_effective_in_lava"`
	InputSteps    [][]int32 `json:"input_spike_steps"`
	Files         struct {
		Trace string `json:"trace"`
	} `json:"files"`
}

type traceRow struct{ u, v, spike int64 }

// TestLavaReference runs every scenario found in the Lava reference folders
// through one core and compares u, v and spikes at every step and neuron.
func TestLavaReference(t *testing.T) {
	for _, set := range []string{"lava-lif", "lava-delay"} {
		dir := refdata.Dir(t, set)
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, files, "no scenarios in %s", dir)
		for _, f := range files {
			t.Run(set+"/"+filepath.Base(f), func(t *testing.T) { runLavaScenario(t, dir, f, Model{}) })
			// The general datapath of the model options, with options that
			// change nothing, must agree with the plain one bit for bit.
			t.Run(set+"/model-path/"+filepath.Base(f), func(t *testing.T) {
				runLavaScenario(t, dir, f, Model{DTheta: 100})
			})
		}
	}
}

func runLavaScenario(t *testing.T, dir, file string, model Model) {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var sc lavaScenario
	require.NoError(t, json.Unmarshal(data, &sc))
	trace := readTrace(t, filepath.Join(dir, sc.Files.Trace), sc.NumNeurons)

	n := sc.NumNeurons
	cfg := Config{BiasMant: sc.BiasMant, BiasExp: sc.BiasExp, UInit: sc.UInit, VInit: sc.VInit,
		WeightExp: []int32{0}, RouteStart: make([]uint32, n+1), Model: model}
	for i := 0; i < n; i++ {
		cfg.Du = append(cfg.Du, sc.Du)
		cfg.Dv = append(cfg.Dv, sc.Dv)
		cfg.Vth = append(cfg.Vth, sc.Vth)
	}
	if sc.WeightExp != nil {
		cfg.WeightExp[0] = *sc.WeightExp
	}
	// One axon per input; the synapse weights are derived from the raw
	// weights by our encoding rule and must equal what Lava used.
	cfg.AxonStart = []uint32{0}
	if sc.Weights != nil {
		var all []int32
		for _, row := range sc.Weights {
			all = append(all, row...)
		}
		mode := SignModeOf(all)
		for j := 0; j < sc.NumInputs; j++ {
			for i := 0; i < n; i++ {
				w := EffectiveWeight(sc.Weights[i][j], mode, *sc.NumWeightBits)
				require.Equal(t, sc.Effective[i][j], w, "effective weight [%d][%d] of %d (%s)", i, j, sc.Weights[i][j], mode)
				var d uint8
				if sc.Delays != nil {
					d = uint8(sc.Delays[i][j])
				}
				cfg.SynNeuron = append(cfg.SynNeuron, uint32(i))
				cfg.SynWeight = append(cfg.SynWeight, w)
				cfg.SynDelay = append(cfg.SynDelay, d)
				cfg.SynClass = append(cfg.SynClass, 0)
			}
			cfg.AxonStart = append(cfg.AxonStart, uint32(len(cfg.SynNeuron)))
		}
	}
	spec := DefaultSpec()
	c, err := New(spec, cfg)
	require.NoError(t, err)

	spikesAt := make(map[int32][]int)
	for j, steps := range sc.InputSteps {
		for _, s := range steps {
			spikesAt[s] = append(spikesAt[s], j)
		}
	}
	mismatches := 0
	for step := int32(1); step <= int32(sc.NumSteps); step++ {
		fires, _ := c.Sweep(step)
		fired := make(map[int]bool)
		for _, f := range fires {
			fired[int(f.Neuron)] = true
		}
		for i := 0; i < n; i++ {
			want := trace[[2]int{int(step), i}]
			got := traceRow{int64(c.U(i)), int64(c.V(i)), b2i(fired[i])}
			if got != want && mismatches < 10 {
				mismatches++
				assert.Fail(t, "mismatch", "scenario %s step %d neuron %d: expected u=%d v=%d spike=%d, got u=%d v=%d spike=%d",
					sc.Name, step, i, want.u, want.v, want.spike, got.u, got.v, got.spike)
			}
		}
		for _, j := range spikesAt[step] {
			_, err := c.Receive(j, step)
			require.NoError(t, err)
		}
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func readTrace(t *testing.T, path string, n int) map[[2]int]traceRow {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"step", "neuron", "u", "v", "spike"}, recs[0], "header of %s", path)
	out := make(map[[2]int]traceRow, len(recs))
	for k, r := range recs[1:] {
		var x [5]int64
		for i := range x {
			x[i], err = strconv.ParseInt(r[i], 10, 64)
			require.NoError(t, err, fmt.Sprintf("%s line %d", path, k+2))
		}
		out[[2]int{int(x[0]), int(x[1])}] = traceRow{x[2], x[3], x[4]}
	}
	return out
}
