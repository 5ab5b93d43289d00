package image

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckValid(t *testing.T) {
	assert.NoError(t, testImage().Check())
}

// TestCheck breaks testImage one way at a time and requires Check to name the
// fault. n is the number of problems expected (0: don't count, when one fault
// rightly causes several).
func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(img *Image)
		want   string
		n      int
	}{
		// Image.
		{"preset invalid", func(img *Image) { img.Preset.Name = "" }, `preset "": preset: name is empty`, 1},
		{"dt zero", func(img *Image) { img.DtPS = 0 }, "image dt_ps is 0; it must be > 0", 1},
		{"name not UTF-8", func(img *Image) { img.Name = "\xff" }, "image name", 1},

		// Core ids.
		{"core id out of range", func(img *Image) { img.Cores[1].ID = 4 },
			"core 4 (cores[1]): id out of range 0..3 (preset \"small\" has 4 cores)", 0},
		{"core id negative", func(img *Image) { img.Cores[0].ID = -1 }, "core -1 (cores[0]): id out of range", 0},
		{"core ids not increasing", func(img *Image) { img.Cores[0], img.Cores[1] = img.Cores[1], img.Cores[0] },
			"core 0 (cores[1]): id not above the id 3 of cores[0]", 1},
		{"core id duplicate", func(img *Image) { img.Cores[1].ID = 0 }, "core 0 (cores[1]): id not above", 0},
		{"core not used", func(img *Image) { img.Cores[1].Used = false }, "core 3 (cores[1]): used is false", 1},

		// Neurons.
		{"neuron array short", func(img *Image) { img.Cores[0].Vth = img.Cores[0].Vth[:3] },
			"core 0 (cores[0]): vth has 3 entries but du has 4", 1},
		{"neuron array long", func(img *Image) { img.Cores[1].VInit = append(img.Cores[1].VInit, 0) },
			"core 3 (cores[1]): v_init has 5 entries but du has 4", 1},
		{"too many neurons", func(img *Image) { img.Preset.Core.MaxNeurons = 3 },
			"core 0 (cores[0]): 4 neurons, more than the 3 per core of preset \"small\" (core.max_neurons)", 2},
		{"du too big", func(img *Image) { img.Cores[0].Du[1] = 4096 }, "core 0 (cores[0]): neuron 1: du 4096 out of range 0..4095", 1},
		{"dv negative", func(img *Image) { img.Cores[1].Dv[2] = -1 }, "core 3 (cores[1]): neuron 2: dv -1 out of range", 1},
		{"vth negative", func(img *Image) { img.Cores[0].Vth[0] = -1 }, "core 0 (cores[0]): neuron 0: vth -1 out of range 0..131071", 1},
		{"bias_exp too big", func(img *Image) { img.Cores[0].BiasExp[1] = 24 }, "core 0 (cores[0]): neuron 1: bias_exp 24 out of range 0..23", 1},
		{"bias overflows", func(img *Image) { img.Cores[0].BiasExp[1] = 23 },
			"core 0 (cores[0]): neuron 1: bias 5<<23 = 41943040 overflows the 24-bit range ±8388607", 1},
		{"u_init too small", func(img *Image) { img.Cores[1].UInit[3] = -1 << 23 },
			"core 3 (cores[1]): neuron 3: u_init -8388608 out of range -8388607..8388608", 1},
		{"v_init too big", func(img *Image) { img.Cores[1].VInit[0] = 1 << 23 },
			"core 3 (cores[1]): neuron 0: v_init 8388608 out of range -8388607..8388607", 1},
		{"weight exponent too big", func(img *Image) { img.Cores[0].WeightExp[1] = 17 },
			"core 0 (cores[0]): weight-exponent class 1: exponent 17 out of range -16..16", 1},
		{"too many weight classes", func(img *Image) { img.Cores[1].WeightExp = make([]int32, 256) },
			"core 3 (cores[1]): 256 weight-exponent classes, more than 255", 1},
		{"many bad du", func(img *Image) {
			for i := range img.Cores[0].Du {
				img.Cores[0].Du[i] = 5000
			}
		}, "neuron 0: du 5000 out of range 0..4095 (and 3 more like it)", 1},

		// Synapse memory.
		{"axon_start empty", func(img *Image) { img.Cores[1].AxonStart = nil },
			"core 3 (cores[1]): axon_start is empty; it needs at least the entry 0", 0},
		{"axon_start not from 0", func(img *Image) { img.Cores[0].AxonStart[0] = 1 }, "core 0 (cores[0]): axon_start[0] is 1, want 0", 1},
		{"axon_start decreasing", func(img *Image) { img.Cores[0].AxonStart[2] = 1 },
			"core 0 (cores[0]): axon_start[2] = 1 is below axon_start[1] = 2", 1},
		{"axon_start wrong end", func(img *Image) { img.Cores[0].AxonStart[4] = 7 },
			"core 0 (cores[0]): axon_start ends at 7, but there are 8 synapses", 1},
		{"too many axons", func(img *Image) { img.Preset.Core.MaxAxons = 3 },
			"core 0 (cores[0]): 4 axons, more than the 3 per core", 1},
		{"synapse array short", func(img *Image) { img.Cores[0].SynDelay = img.Cores[0].SynDelay[:7] },
			"core 0 (cores[0]): syn_delay has 7 entries but syn_neuron has 8", 1},
		{"synapse neuron out of range", func(img *Image) { img.Cores[0].SynNeuron[0] = 4 },
			"core 0 (cores[0]): synapse 0 targets neuron 4, but the core has 4 neurons", 1},
		{"synapse class out of range", func(img *Image) { img.Cores[1].SynClass[3] = 1 },
			"core 3 (cores[1]): synapse 3 has weight-exponent class 1, but the core has 1 classes", 1},
		{"synapse delay too long", func(img *Image) { img.Cores[0].SynDelay[0] = 16 },
			"core 0 (cores[0]): synapse 0 has delay 16, more than core.max_delay 15", 1},
		{"synapse weight too wide", func(img *Image) { img.Cores[0].SynWeight[0] = 256 },
			"core 0 (cores[0]): synapse 0 has weight 256, outside the 9-bit range -256..255", 1},

		// Core routes.
		{"route_start length", func(img *Image) { img.Cores[0].RouteStart = []uint32{0, 1, 3, 4} },
			"core 0 (cores[0]): route_start has 4 entries, want 5 (one per neuron plus one)", 1},
		{"route_start decreasing", func(img *Image) { img.Cores[0].RouteStart[2] = 0 },
			"core 0 (cores[0]): route_start[2] = 0 is below route_start[1] = 1", 1},
		{"route_start wrong end", func(img *Image) { img.Cores[0].RouteStart[4] = 3 },
			"core 0 (cores[0]): route_start ends at 3, but there are 4 routes", 1},
		{"route_axon short", func(img *Image) { img.Cores[0].RouteAxon = img.Cores[0].RouteAxon[:3] },
			"core 0 (cores[0]): route_axon has 3 entries but route_core has 4", 1},
		{"route to missing core", func(img *Image) { img.Cores[0].RouteCore[1] = 2 },
			"core 0 (cores[0]): route 1 (of neuron 1) targets core 2, which is not in the image", 1},
		{"route to huge core", func(img *Image) { img.Cores[1].RouteCore[0] = 1 << 31 },
			"core 3 (cores[1]): route 0 (of neuron 0) targets core 2147483648, which is not in the image", 1},
		{"route to missing axon", func(img *Image) { img.Cores[0].RouteAxon[3] = 3 },
			"core 0 (cores[0]): route 3 (of neuron 3) targets axon 3 of core 3, which has 3 axons", 1},
		{"too many routes", func(img *Image) { img.Preset.Core.MaxRoutes = 3 },
			"core 0 (cores[0]): 4 routes, more than the 3 per core", 1},

		// Inputs.
		{"input of unknown population", func(img *Image) { img.Inputs[0].Population = "nope" },
			`input "nope" (inputs[0]): there is no population "nope"`, 2},
		{"input of neuron population", func(img *Image) { img.Inputs[1].Population = "out" },
			`input "out" (inputs[1]): population "out" is not an input population`, 2},
		{"input size differs", func(img *Image) { img.Inputs[1].Size = 3 },
			`input "noise" (inputs[1]): size 3, but population "noise" has size 2`, 2},
		{"input twice", func(img *Image) { img.Inputs = append(img.Inputs, img.Inputs[0]) },
			`input "in" (inputs[2]): population "in" already has an input, inputs[0]`, 1},
		{"input population without input", func(img *Image) { img.Inputs = img.Inputs[:1] },
			`population "noise" (populations[1]): an input population needs an entry in inputs`, 1},
		{"input kind unknown", func(img *Image) { img.Inputs[0].Kind = 3 },
			`input "in" (inputs[0]): kind 3 is neither raster (1) nor Poisson (2)`, 1},
		{"raster with probability", func(img *Image) { img.Inputs[0].ProbQ32 = 1 },
			`input "in" (inputs[0]): a raster input has prob_q32 1`, 1},
		{"Poisson with spikes", func(img *Image) { img.Inputs[1].Spikes = []Spike{{Step: 1, Index: 0}} },
			`input "noise" (inputs[1]): a Poisson input has 1 raster spikes`, 1},
		{"spike step 0", func(img *Image) { img.Inputs[0].Spikes[0].Step = 0 },
			`input "in" (inputs[0]): spike 0 has step 0; steps start at 1`, 1},
		{"spike index out of range", func(img *Image) { img.Inputs[0].Spikes[2].Index = 3 },
			`input "in" (inputs[0]): spike 2 has index 3, outside 0..2`, 1},
		{"spikes unsorted", func(img *Image) {
			s := img.Inputs[0].Spikes
			s[0], s[2] = s[2], s[0]
		}, `input "in" (inputs[0]): spike 1 (step 1, index 2) is not after spike 0 (step 3, index 1); ` +
			`spikes are sorted by step, then index, without duplicates (and 1 more like it)`, 1},
		{"spike duplicate", func(img *Image) { img.Inputs[0].Spikes[1] = img.Inputs[0].Spikes[0] },
			`input "in" (inputs[0]): spike 1 (step 1, index 0) is not after spike 0 (step 1, index 0)`, 1},
		{"input route_start length", func(img *Image) { img.Inputs[0].RouteStart = []uint32{0, 1, 4} },
			`input "in" (inputs[0]): route_start has 3 entries, want 4 (one per channel plus one)`, 1},
		{"input route to missing core", func(img *Image) { img.Inputs[1].RouteCore[1] = 1 },
			`input "noise" (inputs[1]): route 1 (of channel 1) targets core 1, which is not in the image`, 1},
		{"input route to missing axon", func(img *Image) { img.Inputs[0].RouteAxon[3] = 7 },
			`input "in" (inputs[0]): route 3 (of channel 2) targets axon 7 of core 3, which has 3 axons`, 1},

		// Populations.
		{"population name empty", func(img *Image) { img.Populations[3].Name = ""; img.Probes = img.Probes[:2] },
			`population "" (populations[3]): the name is empty`, 1},
		{"population name twice", func(img *Image) { img.Populations[3].Name = "exc"; img.Probes = img.Probes[:2] },
			`population "exc" (populations[3]): the name is already used by populations[2]`, 1},
		{"population size 0", func(img *Image) { img.Populations[0].Size = 0; img.Inputs[0].Size = 0 },
			`population "in" (populations[0]): size 0, must be ≥ 1`, 0},
		{"input population with slices", func(img *Image) { img.Populations[0].Slices = []Slice{{Core: 0, Count: 1}} },
			`population "in" (populations[0]): an input population has no slices, this one has 1`, 1},
		{"slice on missing core", func(img *Image) { img.Populations[2].Slices[1].Core = 1 },
			`population "exc" (populations[2]): slice 1 is on core 1, which is not in the image`, 2},
		{"slice beyond its core", func(img *Image) { img.Populations[3].Slices[0].Offset = 3 },
			`population "out" (populations[3]): slice 0 holds neurons 3..4 of core 3, which has 4 neurons`, 2},
		{"slice beyond its population", func(img *Image) { img.Populations[3].Slices[0].Start = 1 },
			`population "out" (populations[3]): slice 0 holds population neurons 1..2, outside 0..1`, 2},
		{"slice count 0", func(img *Image) { img.Populations[3].Slices[0].Count = 0 },
			`population "out" (populations[3]): slice 0 has count 0, must be ≥ 1`, 2},
		{"slices overlap", func(img *Image) {
			img.Populations[2].Slices[0].Count = 5
			img.Cores[0].Du = append(img.Cores[0].Du, 0)
			img.Cores[0].Dv = append(img.Cores[0].Dv, 0)
			img.Cores[0].Vth = append(img.Cores[0].Vth, 0)
			img.Cores[0].BiasMant = append(img.Cores[0].BiasMant, 0)
			img.Cores[0].BiasExp = append(img.Cores[0].BiasExp, 0)
			img.Cores[0].UInit = append(img.Cores[0].UInit, 0)
			img.Cores[0].VInit = append(img.Cores[0].VInit, 0)
			img.Cores[0].RouteStart = append(img.Cores[0].RouteStart, 4)
		}, `population "exc" (populations[2]): neurons 4..4 are in slices 0 and 1`, 1},
		{"slices leave a gap", func(img *Image) { img.Populations[2].Slices = img.Populations[2].Slices[:1] },
			`population "exc" (populations[2]): neurons 4..5 are in no slice`, 1},
		{"neuron population without slices", func(img *Image) { img.Populations[3].Slices = nil },
			`population "out" (populations[3]): neurons 0..1 are in no slice`, 1},
		{"core neurons claimed twice", func(img *Image) { img.Populations[3].Slices[0].Offset = 1 },
			`core 3 (cores[1]): neurons 1..1 are claimed by population "exc" slice 1 and by population "out" slice 0`, 1},

		// Probes.
		{"probe of unknown population", func(img *Image) { img.Probes[0].Population = "nope" },
			`probe 0 (population "nope"): there is no population "nope"`, 1},
		{"probe records nothing", func(img *Image) { img.Probes[2].Signals = 0 },
			`probe 2 (population "out"): it records no signal`, 1},
		{"probe unknown signal", func(img *Image) { img.Probes[0].Signals |= 0x10 },
			`probe 0 (population "exc"): unknown signal bits 0x10`, 1},
		{"input probe records v", func(img *Image) { img.Probes[1].Signals |= SignalV },
			`probe 1 (population "in"): it records spikes|v, but an input population has only spikes`, 1},
		{"probe without neurons", func(img *Image) { img.Probes[2].Neurons = nil },
			`probe 2 (population "out"): it lists no neurons`, 1},
		{"probe neuron out of range", func(img *Image) { img.Probes[0].Neurons[1] = 6 },
			`probe 0 (population "exc"): neuron 6 is outside population "exc"'s 0..5`, 1},
		{"probe neuron twice", func(img *Image) { img.Probes[1].Neurons[2] = 0 },
			`probe 1 (population "in"): neuron 0 is listed twice, at 0 and 2`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := testImage()
			tc.mutate(img)
			var err error
			require.NotPanics(t, func() { err = img.Check() })
			require.Error(t, err)
			got := problems(err)
			assert.True(t, containsOne(got, tc.want), "want a problem containing\n\t%s\ngot\n\t%s", tc.want, strings.Join(got, "\n\t"))
			if tc.n > 0 {
				assert.Len(t, got, tc.n, "problems:\n\t%s", strings.Join(got, "\n\t"))
			}

			// Encode refuses it; Disassemble still shows it.
			_, encErr := Encode(img)
			assert.ErrorContains(t, encErr, tc.want)
			require.NotPanics(t, func() { assert.NoError(t, DisassembleWith(io.Discard, img, DisassembleOptions{})) })
		})
	}
}

func containsOne(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestCheckNeverPanics runs Check on images that are broken everywhere.
func TestCheckNeverPanics(t *testing.T) {
	for name, img := range map[string]*Image{
		"nil":   nil,
		"zero":  {},
		"empty": {Cores: []Core{{}}, Inputs: []Input{{}}, Populations: []Population{{}}, Probes: []Probe{{}}},
		"wild": {
			Cores: []Core{{ID: 1 << 30, Du: []int32{-1}, AxonStart: []uint32{5, 1}, SynNeuron: []uint32{1 << 31},
				SynClass: []uint8{255}, SynDelay: []uint8{255}, RouteStart: []uint32{9}, RouteCore: []uint32{^uint32(0)}}},
			Inputs:      []Input{{Population: "x", Size: -5, RouteStart: []uint32{1, 0}, RouteAxon: []uint32{3}}},
			Populations: []Population{{Name: "x", Size: math.MaxInt32, Slices: []Slice{{Core: 1 << 30, Offset: -1, Start: math.MaxInt32, Count: math.MaxInt32}}}},
			Probes:      []Probe{{Population: "x", Signals: 255, Neurons: []int32{-1, math.MaxInt32}}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			require.NotPanics(t, func() { assert.Error(t, img.Check()) })
			if img != nil {
				require.NotPanics(t, func() { _ = DisassembleWith(io.Discard, img, DisassembleOptions{}) })
			}
		})
	}
}
