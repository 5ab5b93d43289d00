package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/tessera-sim/tessera/core"
)

// coreNeurons is the size of the benchmarked core.
const coreNeurons = core.BenchNeurons

// runCore measures the synaptic-event path (BenchmarkReceive: spikes
// arriving on 256 axons, a sweep every 2¹⁴ spikes, all accounting on) at
// fan-out 80 and 4096, and the neuron-update path (BenchmarkSweep).
func runCore(ctx context.Context, d time.Duration) ([]Metric, error) {
	d /= 3
	var out []Metric
	for _, fanout := range []int{80, coreNeurons} {
		const axons = 256
		c, err := core.NewBenchCore(axons, fanout, false)
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

	c, err := core.NewBenchCore(1, 1, true)
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
