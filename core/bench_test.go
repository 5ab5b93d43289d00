package core

import (
	"fmt"
	"testing"
)

// benchCore is NewBenchCore without bias.
func benchCore(b *testing.B, axons, fanout int) *Core {
	c, err := NewBenchCore(axons, fanout, false)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkReceive measures the synaptic-event path: spikes arriving on
// axons of a 4096-neuron core, all accounting on. One op is one arriving
// spike; syn-events/s counts synapses.
func BenchmarkReceive(b *testing.B) {
	for _, fanout := range []int{80, BenchNeurons} {
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
	c, err := NewBenchCore(1, 1, true)
	if err != nil {
		b.Fatal(err)
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
