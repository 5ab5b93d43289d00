package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneAxon is a core of n neurons with one axon reaching every neuron.
func oneAxon(n int, w int32, d uint8, exp int32) Config {
	cfg := Config{WeightExp: []int32{exp}, AxonStart: []uint32{0, uint32(n)}, RouteStart: make([]uint32, n+1)}
	for i := 0; i < n; i++ {
		cfg.Du = append(cfg.Du, 4095)
		cfg.Dv = append(cfg.Dv, 0)
		cfg.Vth = append(cfg.Vth, 1000)
		cfg.BiasMant = append(cfg.BiasMant, 0)
		cfg.BiasExp = append(cfg.BiasExp, 0)
		cfg.UInit = append(cfg.UInit, 0)
		cfg.VInit = append(cfg.VInit, 0)
		cfg.SynNeuron = append(cfg.SynNeuron, uint32(i))
		cfg.SynWeight = append(cfg.SynWeight, w)
		cfg.SynDelay = append(cfg.SynDelay, d)
		cfg.SynClass = append(cfg.SynClass, 0)
	}
	return cfg
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"too many neurons", func(c *Config) { *c = oneAxon(2000, 1, 0, 0) }, "exceed the core's limit of 1024"},
		{"ragged", func(c *Config) { c.Dv = c.Dv[:1] }, "dv has 1 entries"},
		{"du range", func(c *Config) { c.Du[0] = 4096 }, "du=4096"},
		{"vth range", func(c *Config) { c.Vth[1] = -1 }, "vth=-1"},
		{"bias overflow", func(c *Config) { c.BiasMant[0], c.BiasExp[0] = 4095, 12 }, "overflows 24 bits"},
		{"synapse target", func(c *Config) { c.SynNeuron[0] = 9 }, "targets neuron 9"},
		{"delay", func(c *Config) { c.SynDelay[0] = 64 }, "delay 64"},
		{"class", func(c *Config) { c.SynClass[0] = 1 }, "weight class 1"},
		{"axon table", func(c *Config) { c.AxonStart = []uint32{0, 1} }, "axon table must run"},
		{"routes", func(c *Config) { c.RouteStart = c.RouteStart[:1] }, "route table"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := oneAxon(3, 10, 0, 0)
			tc.mod(&cfg)
			_, err := New(DefaultSpec(), cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestReceiveAndDelay(t *testing.T) {
	c, err := New(DefaultSpec(), oneAxon(2, 10, 3, 0))
	require.NoError(t, err)
	_, err = c.Receive(1, 1)
	assert.ErrorContains(t, err, "axon 1")
	c.Sweep(1)
	n, err := c.Receive(0, 1) // arrives in step 1+1+3 = 5
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	for step := int32(2); step <= 5; step++ {
		c.Sweep(step)
		want := int32(0)
		if step == 5 {
			want = 10 << 6
		}
		assert.Equal(t, want, c.U(0), "step %d", step)
	}
	_, err = c.Receive(0, 3)
	assert.ErrorContains(t, err, "arrived after step 5 was swept")
	assert.Equal(t, uint64(2), c.Counters().SynOps)
}

// With a negative weight exponent, spikes of one step and delay are summed
// before the shift; spikes of different steps are shifted separately.
func TestNegativeExponentGrouping(t *testing.T) {
	cfg := oneAxon(1, 3, 1, -1)
	cfg.AxonStart = []uint32{0, 1, 2}
	cfg.SynNeuron = append(cfg.SynNeuron, 0)
	cfg.SynWeight = append(cfg.SynWeight, 3)
	cfg.SynDelay = append(cfg.SynDelay, 0)
	cfg.SynClass = append(cfg.SynClass, 0)
	cfg.RouteStart = []uint32{0, 0}
	c, err := New(DefaultSpec(), cfg)
	require.NoError(t, err)
	c.Sweep(1)
	_, _ = c.Receive(0, 1) // delay 1 → step 3
	_, _ = c.Receive(0, 1) // same group: (3+3)>>1 = 3
	c.Sweep(2)
	_, _ = c.Receive(1, 2) // delay 0 → step 3, own group: 3>>1 = 1
	c.Sweep(3)
	assert.Equal(t, int32((3+1)<<6), c.U(0))
}

func TestQuiescentNeuronsChargedInactive(t *testing.T) {
	spec := DefaultSpec()
	cfg := oneAxon(4, 10, 0, 0)
	cfg.BiasMant[3] = 1 // always active
	c, err := New(spec, cfg)
	require.NoError(t, err)
	_, dur := c.Sweep(1)
	cnt := c.Counters()
	assert.Equal(t, uint64(1), cnt.NeuronActive)
	assert.Equal(t, uint64(3), cnt.NeuronInactive)
	assert.Equal(t, 3*spec.NeuronInactive.LatencyPS+spec.NeuronActive.LatencyPS, dur)
	e := cnt.Energy(spec)
	assert.Equal(t, 3*spec.NeuronInactive.EnergyFJ+spec.NeuronActive.EnergyFJ, e.Total())
	c.Reset()
	assert.Equal(t, Counters{}, c.Counters())
}

func TestFireOffsets(t *testing.T) {
	spec := DefaultSpec()
	cfg := oneAxon(3, 0, 0, 0)
	cfg.BiasMant[1], cfg.BiasExp[1] = 4095, 6 // fires in step 1
	c, err := New(spec, cfg)
	require.NoError(t, err)
	fires, _ := c.Sweep(1)
	require.Len(t, fires, 1)
	assert.Equal(t, Fire{Neuron: 1, OffsetPS: spec.NeuronInactive.LatencyPS + spec.NeuronActive.LatencyPS, Payload: 1}, fires[0])
}

func TestEffectiveWeight(t *testing.T) {
	tests := []struct {
		w    int32
		mode SignMode
		bits int
		want int32
	}{
		{5, Mixed, 8, 4}, {-7, Mixed, 8, -8}, {-1, Mixed, 8, -2}, {127, Mixed, 8, 126},
		{300, Excitatory, 8, 255}, {-300, Inhibitory, 8, -255}, {-7, Inhibitory, 6, -4},
		{255, Excitatory, 4, 240}, {-300, Mixed, 8, -256},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, EffectiveWeight(tc.w, tc.mode, tc.bits), "%+v", tc)
	}
	assert.Equal(t, Mixed, SignModeOf([]int32{1, -1}))
	assert.Equal(t, Inhibitory, SignModeOf([]int32{0, -1}))
	assert.Equal(t, Excitatory, SignModeOf(nil))
}

func TestSpecValidate(t *testing.T) {
	s := DefaultSpec()
	require.NoError(t, s.Validate())
	s.MaxNeurons = 0
	s.MaxDelay = 99
	err := s.Validate()
	assert.ErrorContains(t, err, "max_neurons")
	assert.ErrorContains(t, err, "max_delay")
}
