package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tessera-sim/tessera/core"
)

// coreNeurons is the size of the benchmarked core.
const coreNeurons = 4096

// newCore is core/bench_test.go's benchCore: a 4096-neuron core with axons
// axons, each reaching fanout distinct random neurons, thresholds of 100;
// with bias, neuron i has a bias of i mod 97, so every neuron is active.
func newCore(axons, fanout int, bias bool) (*core.Core, error) {
	const n = coreNeurons
	spec := core.DefaultSpec()
	spec.MaxNeurons = n
	cfg := core.Config{WeightExp: []int32{0}, AxonStart: []uint32{0}, RouteStart: make([]uint32, n+1)}
	for i := range n {
		cfg.Du = append(cfg.Du, 4095)
		cfg.Dv = append(cfg.Dv, 0)
		cfg.Vth = append(cfg.Vth, 100)
		cfg.BiasMant = append(cfg.BiasMant, 0)
		if bias {
			cfg.BiasMant[i] = int32(i % 97)
		}
		cfg.BiasExp = append(cfg.BiasExp, 0)
		cfg.UInit = append(cfg.UInit, 0)
		cfg.VInit = append(cfg.VInit, 0)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range axons {
		for _, t := range rng.Perm(n)[:fanout] {
			cfg.SynNeuron = append(cfg.SynNeuron, uint32(t))
			cfg.SynWeight = append(cfg.SynWeight, int32(rng.IntN(255)-127))
			cfg.SynDelay = append(cfg.SynDelay, 0)
			cfg.SynClass = append(cfg.SynClass, 0)
		}
		cfg.AxonStart = append(cfg.AxonStart, uint32(len(cfg.SynNeuron)))
	}
	return core.New(spec, cfg)
}

// runCore measures the synaptic-event path (BenchmarkReceive: spikes
// arriving on 256 axons, a sweep every 2¹⁴ spikes, all accounting on) at
// fan-out 80 and 4096, and the neuron-update path (BenchmarkSweep).
func runCore(ctx context.Context, d time.Duration) ([]Metric, error) {
	d /= 3
	var out []Metric
	for _, fanout := range []int{80, coreNeurons} {
		const axons = 256
		c, err := newCore(axons, fanout, false)
		if err != nil {
			return nil, err
		}
		i, step := 0, int32(1)
		var m meter
		err = m.run(ctx, d, func(n int64) error {
			for range n {
				if i%(1<<14) == 0 {
					c.Sweep(step)
					step++
				}
				if _, err := c.Receive(i%axons, step-1); err != nil {
					return err
				}
				i++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("receive, fan-out %d", fanout)
		if fanout == coreNeurons {
			name += " (dense)"
		}
		out = append(out, Metric{Name: name, Value: m.perSecond(float64(fanout)), Unit: "syn-events/s"})
	}

	c, err := newCore(1, 1, true)
	if err != nil {
		return nil, err
	}
	step := int32(0)
	var m meter
	err = m.run(ctx, d, func(n int64) error {
		for range n {
			step++
			c.Sweep(step)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return append(out, Metric{Name: fmt.Sprintf("sweep, %d neurons active", coreNeurons),
		Value: m.perSecond(coreNeurons), Unit: "neuron-updates/s"}), nil
}
