package chip_test

import (
	"context"
	"testing"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler"
)

// BenchmarkRunRandomNet runs the determinism test's network (1800 neurons,
// Poisson-driven, several cores) end to end with all accounting on, and
// reports synaptic events per second of wall time.
func BenchmarkRunRandomNet(b *testing.B) {
	img, _, err := compiler.CompileFile("testdata/random_net.yaml", preset.Loihi())
	if err != nil {
		b.Fatal(err)
	}
	c, err := chip.New(img)
	if err != nil {
		b.Fatal(err)
	}
	const steps = 100
	var synOps, packets uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := c.Run(context.Background(), chip.Options{Steps: steps, Seed: uint64(i)})
		if err != nil {
			b.Fatal(err)
		}
		synOps += res.Report.Ops.SynOps
		packets += res.Report.Mesh.Injected
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(synOps)/s, "syn-events/s")
	b.ReportMetric(float64(packets)/s, "packets/s")
	b.ReportMetric(float64(b.N*steps)/s, "steps/s")
}
