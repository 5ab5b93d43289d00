package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// driven is a core of one neuron whose bias alone makes it fire every step
// (du=dv=4095, vth=10, bias 1000 > 640).
func driven(m Model) *Core {
	cfg := oneAxon(1, 1, 0, 0)
	cfg.Du[0], cfg.Dv[0], cfg.Vth[0], cfg.BiasMant[0] = 4095, 4095, 10, 1000
	cfg.Model = m
	c, err := New(DefaultSpec(), cfg)
	if err != nil {
		panic(err)
	}
	return c
}

func fireSteps(c *Core, steps int32) []int32 {
	var out []int32
	for s := int32(1); s <= steps; s++ {
		if f, _ := c.Sweep(s); len(f) > 0 {
			out = append(out, s)
		}
	}
	return out
}

func TestRefractory(t *testing.T) {
	assert.Equal(t, []int32{1, 2, 3, 4, 5, 6}, fireSteps(driven(Model{}), 6))
	// After a spike, 3 steps with v held at 0.
	c := driven(Model{RefractorySteps: 3})
	assert.Equal(t, []int32{1, 5, 9}, fireSteps(c, 10))
	assert.Equal(t, int32(0), c.V(0))
}

func TestAdaptiveThreshold(t *testing.T) {
	// Each spike adds 20 to the threshold mantissa; theta halves each
	// step (dtheta 2048). v = 1000 each step (dv=4095 keeps 0 of v).
	c := driven(Model{ThetaStep: 20, DTheta: 2048})
	var fired []int32
	var theta []int32
	for s := int32(1); s <= 6; s++ {
		if f, _ := c.Sweep(s); len(f) > 0 {
			fired = append(fired, s)
		}
		theta = append(theta, c.Theta(0))
	}
	// Step 1: threshold 10<<6 = 640 < 1000: fire, theta 20. Step 2: theta
	// decays to 10, threshold 20<<6 = 1280 > 1000: quiet. Step 3: theta 5,
	// 960 < 1000: fire, theta 25. Steps 4, 5: theta 12, 6 → 1408, 1024:
	// quiet. Step 6: theta 3 → 832: fire, theta 23.
	assert.Equal(t, []int32{1, 3, 6}, fired)
	assert.Equal(t, []int32{20, 10, 25, 12, 6, 23}, theta)
}

// Non-leaky IF is du=4095, dv=0: v adds each step's input and never decays.
func TestIntegrateAndFire(t *testing.T) {
	cfg := oneAxon(1, 7, 0, 0)
	cfg.Du[0], cfg.Dv[0], cfg.Vth[0] = 4095, 0, 100 // threshold 6400
	c, err := New(DefaultSpec(), cfg)
	require.NoError(t, err)
	var vs []int32
	for s := int32(1); s <= 16; s++ {
		f, _ := c.Sweep(s)
		vs = append(vs, c.V(0))
		_, err := c.Receive(0, s)
		require.NoError(t, err)
		if len(f) > 0 {
			// Input sent in step s arrives in s+1: v = (s−1)·448 > 6400 first at s = 16.
			assert.Equal(t, int32(16), s)
		}
	}
	assert.Equal(t, int32(14*448), vs[14])
	assert.Equal(t, int32(0), vs[15])
}

func TestGradedSpikes(t *testing.T) {
	// v = 1000 at the crossing: payload clamp(1000>>6 = 15, 1, 7) = 7.
	c := driven(Model{GradedBits: 3})
	f, _ := c.Sweep(1)
	require.Len(t, f, 1)
	assert.Equal(t, int32(7), f[0].Payload)
	c = driven(Model{GradedBits: 8})
	f, _ = c.Sweep(1)
	assert.Equal(t, int32(15), f[0].Payload)

	// A receiving core adds weight·payload.
	r, err := New(DefaultSpec(), oneAxon(1, 5, 0, 1))
	require.NoError(t, err)
	r.Sweep(1)
	_, err = r.ReceiveGraded(0, 1, 15)
	require.NoError(t, err)
	r.Sweep(2)
	assert.Equal(t, int32((5*15)<<1<<6), r.U(0))
}

func TestNoise(t *testing.T) {
	run := func(seed uint64, target NoiseTarget) []int32 {
		cfg := oneAxon(8, 1, 0, 0)
		cfg.Model = Model{NoiseTarget: target, NoiseExp: 4}
		c, err := New(DefaultSpec(), cfg)
		require.NoError(t, err)
		require.NoError(t, c.SetSeed(seed))
		var out []int32
		for s := int32(1); s <= 50; s++ {
			c.Sweep(s)
			for i := 0; i < 8; i++ {
				out = append(out, c.U(i), c.V(i))
			}
		}
		return out
	}
	a, b := run(1, NoiseU), run(1, NoiseU)
	assert.Equal(t, a, b, "same seed, same noise")
	assert.NotEqual(t, a, run(2, NoiseU))
	// Noise on v leaves u at 0; noise on u reaches v through u.
	v := run(1, NoiseV)
	var sumV int64
	for i := 0; i < len(v); i += 2 {
		assert.Equal(t, int32(0), v[i])
		sumV += int64(v[i+1])
	}
	// Draws are (r−128)<<4 with r uniform in 0..255: mean −8, spread ±2048;
	// the per-step mean over 400 neuron-steps stays well inside ±300.
	assert.InDelta(t, 0, float64(sumV)/400, 300)
	nonZero := 0
	for i := 1; i < len(v); i += 2 {
		if v[i] != 0 {
			nonZero++
		}
	}
	assert.Greater(t, nonZero, 300)
}

func TestModelValidate(t *testing.T) {
	tests := []struct {
		m    Model
		want string
	}{
		{Model{}, ""},
		{Model{RefractorySteps: 64}, "refractory_steps"},
		{Model{DTheta: 4096}, "dtheta"},
		{Model{GradedBits: 9}, "graded_bits"},
		{Model{NoiseTarget: 3}, "noise_target"},
		{Model{NoiseExp: 17}, "noise_exp"},
		{Model{ThetaStep: -1}, "theta_step"},
	}
	for _, tc := range tests {
		err := tc.m.Validate()
		if tc.want == "" {
			assert.NoError(t, err)
		} else {
			assert.ErrorContains(t, err, tc.want)
		}
	}
	cfg := oneAxon(1, 1, 0, 0)
	cfg.Model.RefractorySteps = -1
	_, err := New(DefaultSpec(), cfg)
	assert.ErrorContains(t, err, "model: refractory_steps")
}
