package bench

import (
	"context"
	_ "embed"
	"time"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/netfile"
)

// randomNet is a copy of chip/testdata/random_net.yaml (the determinism
// test's network: 1800 neurons, Poisson-driven, several cores); a test
// keeps the two identical.
//
//go:embed random_net.yaml
var randomNet []byte

// chipSteps is the length of one run, as BenchmarkRunRandomNet.
const chipSteps = 100

// runChip measures BenchmarkRunRandomNet: the network compiled for the
// loihi preset (untimed), then runs of 100 steps, each with a new seed, all
// accounting on.
func runChip(ctx context.Context, d time.Duration) ([]Metric, error) {
	g, err := netfile.Parse("random_net.yaml", randomNet)
	if err != nil {
		return nil, err
	}
	img, _, err := compiler.Compile(g, preset.Loihi())
	if err != nil {
		return nil, err
	}
	c, err := chip.New(img)
	if err != nil {
		return nil, err
	}
	var synOps, packets, seed uint64
	var m meter
	err = m.run(ctx, d, func(n int64) error {
		for range n {
			res, err := c.Run(ctx, chip.Options{Steps: chipSteps, Seed: seed})
			if err != nil {
				return err
			}
			seed++
			synOps += res.Report.Ops.SynOps
			packets += res.Report.Mesh.Injected
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s := m.elapsed.Seconds()
	const name = "random_net, loihi, 100-step runs"
	return []Metric{
		{Name: name, Value: float64(synOps) / s, Unit: "syn-events/s"},
		{Name: name, Value: float64(packets) / s, Unit: "packets/s"},
		{Name: name, Value: m.perSecond(chipSteps), Unit: "steps/s"},
	}, nil
}
