package sanafe_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tessera-sim/tessera/chip/preset"
	"github.com/tessera-sim/tessera/compiler/graph"
	"github.com/tessera-sim/tessera/compiler/sanafe"
	"github.com/tessera-sim/tessera/core"
	"github.com/tessera-sim/tessera/router"
)

// TestReadArchExampleChip checks example_chip.yaml field by field against
// what the file says (values copied from it by hand).
func TestReadArchExampleChip(t *testing.T) {
	spec, rep := arch(t, "example_chip.yaml", sanafe.ArchOptions{})
	require.NoError(t, spec.Validate())
	assert.Equal(t, "demo", spec.Name)
	// attributes: width 2, height 1; tile demo_tile[0..1]; core demo_core[0..3].
	assert.Equal(t, 2, spec.Mesh.Width)
	assert.Equal(t, 1, spec.Mesh.Height)
	assert.Equal(t, 4, spec.Mesh.CoresPerTile)
	assert.Equal(t, 2, rep.TilesDefined)
	// max_neurons_supported: 100.
	assert.Equal(t, 100, spec.Core.MaxNeurons)
	assert.Equal(t, 100, rep.MaxNeurons)
	// Hops as written: north 2.0 pJ / 1.4 ns, east 2.5 pJ / 1.2 ns,
	// south 2.0 pJ / 1.5 ns, west 1.8 pJ / 2.0 ns.
	assert.Equal(t, []sanafe.Hop{
		{Direction: "north", EnergyFJ: 2000, LatencyPS: 1400},
		{Direction: "east", EnergyFJ: 2500, LatencyPS: 1200},
		{Direction: "south", EnergyFJ: 2000, LatencyPS: 1500},
		{Direction: "west", EnergyFJ: 1800, LatencyPS: 2000},
	}, rep.Hops)
	// Opposite directions are averaged (half up).
	assert.Equal(t, router.HopCost{EnergyFJ: 2150, LatencyPS: 1600}, spec.Mesh.Router.HopEW)
	assert.Equal(t, router.HopCost{EnergyFJ: 2000, LatencyPS: 1450}, spec.Mesh.Router.HopNS)
	// demo_synapse: 20.0 pJ, 3.0 ns per spike.
	assert.Equal(t, core.OpCost{EnergyFJ: 20_000, LatencyPS: 3_000}, spec.Core.SynOp)
	// demo_soma_default: access 20 pJ / 3 ns, update 10 pJ / 1 ns.
	assert.Equal(t, core.OpCost{EnergyFJ: 20_000, LatencyPS: 3_000}, spec.Core.NeuronInactive)
	assert.Equal(t, core.OpCost{EnergyFJ: 30_000, LatencyPS: 4_000}, spec.Core.NeuronActive)
	// demo_out: 100 pJ / 5 ns per message.
	assert.Equal(t, core.OpCost{EnergyFJ: 100_000, LatencyPS: 5_000}, spec.Core.SpikeOut)
	// No latency_sync: a free barrier.
	assert.Equal(t, preset.BarrierSpec{MaxTiles: 1}, spec.Barrier)
	assert.Equal(t, "none", rep.Barrier.Model)
	// Capacities the file does not give are Loihi's.
	def := core.DefaultSpec()
	assert.Equal(t, def.MaxAxons, spec.Core.MaxAxons)
	assert.Equal(t, def.SynapseMemoryBits, spec.Core.SynapseMemoryBits)

	var names []string
	for _, u := range rep.Units {
		names = append(names, u.Kind+":"+u.Name+":"+u.Model)
	}
	assert.Equal(t, []string{
		"axon_in:demo_in:", "synapse:demo_synapse:current_based", "dendrite:demo_dendrite:accumulator",
		"soma:demo_soma_default:leaky_integrate_fire", "soma:demo_soma_alt:leaky_integrate_fire",
		"soma:demo_input:input", "axon_out:demo_out:",
	}, names)
	assert.Equal(t, sanafe.ChosenUnits{AxonIn: "demo_in", Synapse: "demo_synapse", Dendrite: "demo_dendrite",
		Soma: "demo_soma_default", AxonOut: "demo_out"}, rep.Chosen)
	assert.Empty(t, rep.Rounded)
	notes := strings.Join(rep.Notes, "\n")
	for _, want := range []string{"link_buffer_size 4", "east hop (2500 fJ, 1200 ps) and west hop (1800 fJ, 2000 ps) differ",
		"energy_spike_out 60000 fJ", "demo_soma_alt", "update_every_timestep"} {
		assert.Contains(t, notes, want)
	}

	// The alternative soma unit: access 50 pJ / 5 ns, update 60 pJ / 10 ns.
	alt, altRep := arch(t, "example_chip.yaml", sanafe.ArchOptions{Soma: "demo_soma_alt"})
	assert.Equal(t, "demo_soma_alt", altRep.Chosen.Soma)
	assert.Equal(t, core.OpCost{EnergyFJ: 50_000, LatencyPS: 5_000}, alt.Core.NeuronInactive)
	assert.Equal(t, core.OpCost{EnergyFJ: 110_000, LatencyPS: 15_000}, alt.Core.NeuronActive)

	_, _, err := sanafe.ReadArchWith(ref(t, "example_chip.yaml"), sanafe.ArchOptions{Synapse: "nope"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no synapse unit named "nope"`)

	lim, _ := arch(t, "example_chip.yaml", sanafe.ArchOptions{OnlyFileLimits: true})
	assert.Equal(t, sanafe.Unlimited, lim.Core.MaxAxons)
	assert.Equal(t, sanafe.Unlimited, lim.Core.MaxRoutes)
	assert.Equal(t, sanafe.Unlimited, lim.Core.SynapseMemoryBits)
	assert.Equal(t, 100, lim.Core.MaxNeurons)
}

// TestReadArchLoihiTable2 compares the loihi.yaml import with the built-in
// preset.Loihi() (Davies et al. 2018, Table 2). Where the file gives the
// paper's number they must agree; every difference is listed, so a change
// on either side shows up here.
func TestReadArchLoihiTable2(t *testing.T) {
	spec, rep := arch(t, "loihi.yaml", sanafe.ArchOptions{})
	want := preset.Loihi()
	// Same as Table 2.
	assert.Equal(t, want.Mesh.Width, spec.Mesh.Width)
	assert.Equal(t, want.Mesh.Height, spec.Mesh.Height)
	assert.Equal(t, want.Mesh.CoresPerTile, spec.Mesh.CoresPerTile)
	assert.Equal(t, want.Core.MaxNeurons, spec.Core.MaxNeurons)
	assert.Equal(t, want.Mesh.Router.HopEW, spec.Mesh.Router.HopEW, "east-west hop 3.0 pJ / 4.1 ns")
	assert.Equal(t, want.Mesh.Router.HopNS.LatencyPS, spec.Mesh.Router.HopNS.LatencyPS, "north-south hop 6.5 ns")

	diffs := sanafe.CompareSpecs(spec, want)
	var lines []string
	for _, d := range diffs {
		lines = append(lines, d.String())
	}
	t.Logf("loihi.yaml vs preset.Loihi():\n%s", strings.Join(lines, "\n"))
	assert.Equal(t, []string{
		"name: loihi_chip, want loihi",
		// loihi_dense_synapse (the first listed) 35.5 pJ / 3.8 ns; Table 2: 23.6 pJ / 3.5 ns.
		"core.syn_op.energy_fj: 35500, want 23600",
		"core.syn_op.latency_ps: 3800, want 3500",
		// access + update 51.2 + 21.6 pJ, 6.0 + 3.7 ns; Table 2 active 81 pJ / 8.4 ns.
		"core.neuron_active.energy_fj: 72800, want 81000",
		"core.neuron_active.latency_ps: 9700, want 8400",
		// access 51.2 pJ / 6.0 ns; Table 2 inactive 52 pJ / 5.3 ns.
		"core.neuron_inactive.energy_fj: 51200, want 52000",
		"core.neuron_inactive.latency_ps: 6000, want 5300",
		// axon_out 111 pJ / 5.1 ns per message; Table 2 within-tile spike 1.7 pJ / 2.1 ns.
		"core.spike_out.energy_fj: 111000, want 1700",
		"core.spike_out.latency_ps: 5100, want 2100",
		// north/south hop 4.2 pJ in the file; Table 2 4.0 pJ.
		"mesh.router.hop_ns.energy_fj: 4200, want 4000",
		// latency_sync {1: 0.6 µs, …, 29: 1.8 µs}; Table 2 113–465 ns over 1–32 tiles.
		"barrier.min_latency_ps: 600000, want 113000",
		"barrier.max_latency_ps: 1800000, want 465000",
		"barrier.max_tiles: 29, want 32",
	}, lines)

	// The conv synapse unit, which dvs.yaml uses, is close to Table 2's
	// synaptic op: 24.0 pJ / 3.1 ns against 23.6 pJ / 3.5 ns.
	conv, _ := arch(t, "loihi.yaml", sanafe.ArchOptions{Synapse: "loihi_conv_synapse"})
	assert.Equal(t, core.OpCost{EnergyFJ: 24_000, LatencyPS: 3_100}, conv.Core.SynOp)

	// The barrier: a step table, exact at 1 and ≥ 29 tiles, linear between.
	assert.Equal(t, "table", rep.Barrier.Model)
	assert.Equal(t, []sanafe.BarrierPoint{
		{Tiles: 1, FilePS: 600_000, OursPS: 600_000},
		{Tiles: 2, FilePS: 1_000_000, OursPS: 642_857},
		{Tiles: 4, FilePS: 1_400_000, OursPS: 728_571},
		{Tiles: 29, FilePS: 1_800_000, OursPS: 1_800_000},
	}, rep.Barrier.Table)
	assert.Equal(t, int64(671_429), rep.Barrier.WorstDiffPS)
	assert.Equal(t, 4, rep.Barrier.WorstAtTiles)
	// loihi_inputs[0..1023] is one entry of 1024 units.
	u := rep.Unit(sanafe.KindSoma, "loihi_inputs[7]")
	require.NotNil(t, u)
	assert.Equal(t, 1024, u.Copies)
	assert.Equal(t, "input", u.Model)
}

// TestReadArchDendrites imports the multi-tap demo architecture: the
// costs import; the taps model is noted as unusable.
func TestReadArchDendrites(t *testing.T) {
	spec, rep := arch(t, "demo_with_dendrites.yaml", sanafe.ArchOptions{})
	assert.Equal(t, 1, spec.Mesh.CoresPerTile)
	assert.Equal(t, 1, rep.TilesDefined)
	assert.Equal(t, 2, spec.Mesh.Width*spec.Mesh.Height)
	d := rep.Unit(sanafe.KindDendrite, "dendrite[42]")
	require.NotNil(t, d)
	assert.Equal(t, "taps", d.Model)
	assert.Equal(t, 100, d.Copies)
	notes := strings.Join(rep.Notes, "\n")
	assert.Contains(t, notes, "model taps (multi-tap dendrite)")
	assert.Contains(t, notes, "the tile list makes 1 tiles for a 2×1 mesh")
}

// TestArchGolden dumps every architecture sample's preset and report.
func TestArchGolden(t *testing.T) {
	for _, name := range []string{"example_chip.yaml", "loihi.yaml", "demo_with_dendrites.yaml"} {
		t.Run(name, func(t *testing.T) {
			spec, rep := arch(t, name, sanafe.ArchOptions{})
			golden(t, strings.TrimSuffix(name, ".yaml")+".arch.golden", dumpSpec(t, spec)+"---\n"+rep.String())
		})
	}
}

const miniArch = `architecture:
  name: mini
  attributes: {width: 2, height: 2, sync_model: fixed, latency_sync: 1.0e-6}
  tile:
    - name: t[0..3]
      attributes: {energy_east_hop: 1.0e-12, latency_east_hop: 1.0e-9, energy_west_hop: 1.0e-12, latency_west_hop: 1.0e-9,
                   energy_north_hop: 2.0e-12, latency_north_hop: 2.0e-9, energy_south_hop: 2.0e-12, latency_south_hop: 2.0e-9}
      core:
        - name: c[0..1]
          attributes: {max_neurons_supported: 64}
          synapse: [{name: syn, attributes: {model: current_based, energy_process_spike: 1.5e-15, latency_process_spike: 1.0e-9}}]
          soma: [{name: lif, attributes: {model: leaky_integrate_fire, energy_access_neuron: 1.0e-12}}]
          axon_out: [{name: out, attributes: {energy_message_out: 1.0e-12, latency_message_out: 1.0e-9}}]
`

// TestParseArchMini covers a fixed barrier, fractional fJ rounding and
// missing units.
func TestParseArchMini(t *testing.T) {
	spec, rep, err := sanafe.ParseArch("mini.yaml", []byte(miniArch), sanafe.ArchOptions{})
	require.NoError(t, err)
	assert.Equal(t, preset.BarrierSpec{MinLatencyPS: 1_000_000, MaxLatencyPS: 1_000_000, MaxTiles: 1}, spec.Barrier)
	assert.Equal(t, "fixed", rep.Barrier.Model)
	assert.Equal(t, 2, spec.Mesh.CoresPerTile)
	assert.Equal(t, 64, spec.Core.MaxNeurons)
	// 1.5e-15 J is 1.5 fJ: rounded to 2 and reported.
	assert.Equal(t, uint64(2), spec.Core.SynOp.EnergyFJ)
	require.Len(t, rep.Rounded, 1)
	assert.Equal(t, sanafe.Rounding{Field: "synapse syn energy_process_spike", Pos: graph.Pos{File: "mini.yaml", Line: 11, Col: 90},
		Value: 1.5e-15, Got: 2, Unit: "fJ"}, rep.Rounded[0])
	assert.Equal(t, router.HopCost{EnergyFJ: 1000, LatencyPS: 1000}, spec.Mesh.Router.HopEW)
	assert.Equal(t, router.HopCost{EnergyFJ: 2000, LatencyPS: 2000}, spec.Mesh.Router.HopNS)
}

// TestParseArchErrors checks that malformed and unsupported files give
// positioned errors that name the problem.
func TestParseArchErrors(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"unknown attribute", "width: 2,", "width: 2, colour: red,", `mini.yaml:3:26: unknown architecture attribute "colour"`},
		{"topology", "width: 2,", "topology: torus, width: 2,", `mini.yaml:3:26: topology "torus" is not supported`},
		{"negative energy", "energy_access_neuron: 1.0e-12", "energy_access_neuron: -1.0e-12", `mini.yaml:12:94: soma lif energy_access_neuron must be ≥ 0 J, found -1e-12`},
		{"not a number", "latency_message_out: 1.0e-9", "latency_message_out: fast", `mini.yaml:13:97: latency_message_out must be a number, found "fast"`},
		{"missing width", "width: 2, ", "", `mini.yaml:3:15: architecture attribute width is missing`},
		{"bad sync key", "sync_model: fixed, latency_sync: 1.0e-6", "sync_model: table, latency_sync: {one: 1.0e-6}", `mini.yaml:3:71: latency_sync key "one" must be a tile count ≥ 1`},
		{"sync model mismatch", "sync_model: fixed", "sync_model: table", `mini.yaml:3:70: sync_model table needs a table latency_sync`},
		{"too many tiles", "t[0..3]", "t[0..7]", `mini.yaml:5:7: the tile list makes 8 tiles, more than the 2×2 mesh holds`},
		{"unknown unit attribute", "model: current_based,", "model: current_based, colour: red,", `mini.yaml:11:68: unknown synapse unit attribute "colour"`},
		{"unknown core key", "synapse: [", "synapses: [", `mini.yaml:11:11: unknown core key "synapses"`},
		{"bad range", "c[0..1]", "c[1..0]", `mini.yaml:9:17: core name "c[1..0]": an index range is written name[first..last]`},
		{"network file", "architecture:", "network:", `mini.yaml:1:1: network: this is a SANA-FE network file`},
		{"syntax", "core:\n", "core: [\n", `mini.yaml:8:7: YAML syntax error`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(miniArch, tc.old, tc.new, 1)
			require.NotEqual(t, miniArch, src, "the test's replacement did not apply")
			_, _, err := sanafe.ParseArch("mini.yaml", []byte(src), sanafe.ArchOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestTileXYAndCoreID(t *testing.T) {
	spec, _ := arch(t, "loihi.yaml", sanafe.ArchOptions{})
	// README: tile id t sits at x = t / height, y = t % height.
	for _, tc := range []struct{ t, x, y int }{{0, 0, 0}, {1, 0, 1}, {3, 0, 3}, {4, 1, 0}, {12, 3, 0}, {31, 7, 3}} {
		x, y := sanafe.TileXY(tc.t, spec.Mesh.Height)
		assert.Equal(t, [2]int{tc.x, tc.y}, [2]int{x, y}, "tile %d", tc.t)
		id := sanafe.CoreID(spec.Mesh, tc.t, 2)
		cx, cy := spec.Mesh.CoreTile(id)
		assert.Equal(t, [2]int{tc.x, tc.y}, [2]int{cx, cy}, "core id %d of tile %d", id, tc.t)
		assert.Equal(t, 2, id%spec.Mesh.CoresPerTile)
	}
}
