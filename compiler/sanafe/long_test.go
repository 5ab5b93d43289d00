//go:build sanafe_long

// The DVS run side by side with SANA-FE's published figures: 1000 steps of
// 18 678 neurons and 3.56 million synapses (about 10 s and 1 GB). Run with
//
//	go test ./compiler/sanafe -tags sanafe_long -run DVSRun -v

package sanafe_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip"
	"github.com/tessera-sim/tessera/compiler"
	"github.com/tessera-sim/tessera/compiler/sanafe"
)

// SANA-FE's figures for dvs.yaml on loihi.yaml, 1000 steps (README of
// shared/reference/sanafe; SANA-FE itself does not run here).
const (
	sanafeEnergyJ  = 3.003e-3
	sanafeTimeS    = 18.94e-3
	sanafeSpikes   = 364088
	sanafeSynOps   = 51366924
	sanafeMessages = 3.72e6 // "3.72 M messages" (README, as its authors read the totals)
	dvsSteps       = 1000
)

func TestDVSRun(t *testing.T) {
	for _, asMapped := range []bool{false, true} {
		name := "compiler partition"
		if asMapped {
			name = "PartitionAsMapped"
		}
		t.Run(name, func(t *testing.T) {
			g, m, rep := snn(t, "dvs.yaml", "loihi.yaml", sanafe.SNNOptions{NoProbes: true, PartitionAsMapped: asMapped})
			units := rep.MainUnits()
			units.OnlyFileLimits = true
			spec, _ := arch(t, "loihi.yaml", units)
			t0 := time.Now()
			img, st, err := compiler.CompileWith(g, spec, compiler.Options{})
			require.NoError(t, err)
			compileTook := time.Since(t0)
			c, err := chip.New(img)
			require.NoError(t, err)
			t0 = time.Now()
			res, err := c.Run(context.Background(), chip.Options{Steps: dvsSteps})
			require.NoError(t, err)
			r := res.Report
			tiles := map[[2]int]bool{}
			for _, cr := range r.Cores {
				tiles[cr.Tile] = true
			}
			t.Logf("compile %v, run %v; SANA-FE: %d cores on %d tiles, Tessera: %d cores on %d tiles",
				compileTook.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond), m.CoresUsed(), m.TilesUsed(), st.CoresUsed, len(tiles))
			t.Logf("%-22s %14s %14s", "", "SANA-FE", "Tessera")
			t.Logf("%-22s %14.4g %14.4g", "energy (mJ)", sanafeEnergyJ*1e3, float64(r.Energy.TotalFJ)*1e-12)
			t.Logf("%-22s %14.4g %14.4g", "chip time (ms)", sanafeTimeS*1e3, float64(r.HardwareTimePS)*1e-9)
			t.Logf("%-22s %14d %14d", "neuron spikes", sanafeSpikes, r.Ops.Spikes)
			t.Logf("%-22s %14d %14d", "synaptic events", sanafeSynOps, r.Ops.SynOps)
			t.Logf("%-22s %14.4g %14d", "spike messages", sanafeMessages, r.Ops.SpikesOut)
			t.Logf("energy by class (µJ): syn %.1f, neuron active %.1f, inactive %.1f, spike out %.1f, hops EW %.1f NS %.1f",
				float64(r.Energy.SynOpFJ)*1e-9, float64(r.Energy.NeuronActiveFJ)*1e-9, float64(r.Energy.NeuronInactiveFJ)*1e-9,
				float64(r.Energy.SpikeOutFJ)*1e-9, float64(r.Energy.HopEWFJ)*1e-9, float64(r.Energy.HopNSFJ)*1e-9)
			t.Logf("ops: neuron updates active %d, inactive %d; hops EW %d, NS %d", r.Ops.NeuronActive, r.Ops.NeuronInactive, r.Ops.HopsEW, r.Ops.HopsNS)
			// The network's behaviour is the same in both tools.
			assert.Equal(t, uint64(sanafeSpikes), r.Ops.Spikes)
			assert.Equal(t, uint64(sanafeSynOps), r.Ops.SynOps)
		})
	}
}
