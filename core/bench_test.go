package core

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchCore is a 4096-neuron core with `axons` axons, each reaching fanout
// distinct random neurons (fanout = 4096: every neuron).
func benchCore(b *testing.B, axons, fanout int) *Core {
	const n = 4096
	spec := DefaultSpec()
	spec.MaxNeurons = n
	cfg := oneAxon(n, 0, 0, 0)
	cfg.AxonStart = []uint32{0}
	cfg.SynNeuron, cfg.SynWeight, cfg.SynDelay, cfg.SynClass = nil, nil, nil, nil
	rng := rand.New(rand.NewPCG(1, 2))
	for a := 0; a < axons; a++ {
		for _, t := range rng.Perm(n)[:fanout] {
			cfg.SynNeuron = append(cfg.SynNeuron, uint32(t))
			cfg.SynWeight = append(cfg.SynWeight, int32(rng.IntN(255)-127))
			cfg.SynDelay = append(cfg.SynDelay, 0)
			cfg.SynClass = append(cfg.SynClass, 0)
		}
		cfg.AxonStart = append(cfg.AxonStart, uint32(len(cfg.SynNeuron)))
	}
	for i := range cfg.Vth {
		cfg.Vth[i] = 100
	}
	c, err := New(spec, cfg)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkReceive measures the synaptic-event path: spikes arriving on
// axons of a 4096-neuron core, all accounting on. One op is one arriving
// spike; syn-events/s counts synapses.
func BenchmarkReceive(b *testing.B) {
	for _, fanout := range []int{80, 4096} {
		b.Run(fmt.Sprintf("fanout=%d", fanout), func(b *testing.B) {
			const axons = 256
			c := benchCore(b, axons, fanout)
			b.ReportAllocs()
			b.ResetTimer()
			step := int32(1)
			for i := 0; i < b.N; i++ {
				if i%(1<<14) == 0 {
					c.Sweep(step)
					step++
				}
				if _, err := c.Receive(i%axons, step-1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*float64(fanout)/b.Elapsed().Seconds(), "syn-events/s")
		})
	}
}

// BenchmarkSweep measures the neuron-update path of a 4096-neuron core,
// every neuron active (each has a bias), some firing.
func BenchmarkSweep(b *testing.B) {
	c := benchCore(b, 1, 1)
	for i := range c.bias {
		c.bias[i] = int32(i % 97)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Sweep(int32(i + 1))
	}
	b.ReportMetric(float64(b.N)*4096/b.Elapsed().Seconds(), "neuron-updates/s")
}

// BenchmarkSweepQuiescent is a sweep where every neuron is quiescent: the
// emulator skips the arithmetic but still charges every inactive update.
func BenchmarkSweepQuiescent(b *testing.B) {
	c := benchCore(b, 1, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Sweep(int32(i + 1))
	}
	b.ReportMetric(float64(b.N)*4096/b.Elapsed().Seconds(), "neuron-updates/s")
}
