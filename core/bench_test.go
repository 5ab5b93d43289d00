package core

import (
	"testing"
)

// BenchmarkReceive measures synaptic events: one axon fanning out to every
// neuron of a full Loihi core.
func BenchmarkReceive(b *testing.B) {
	const n = 1024
	c, err := New(DefaultSpec(), oneAxon(n, 3, 0, 0))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	step := int32(1)
	for i := 0; i < b.N; i++ {
		if i%64 == 0 {
			c.Sweep(step)
			step++
		}
		if _, err := c.Receive(0, step-1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "syn-events/s")
}

// BenchmarkSweep measures neuron updates of a full core with every neuron
// active.
func BenchmarkSweep(b *testing.B) {
	const n = 1024
	cfg := oneAxon(n, 3, 0, 0)
	for i := range cfg.BiasMant {
		cfg.BiasMant[i] = int32(i)
	}
	c, err := New(DefaultSpec(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Sweep(int32(i + 1))
	}
	b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "neuron-updates/s")
}
