package sanafe

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/tessera-sim/tessera/chip/preset"
)

func (q Quant) String() string {
	if q.N == 0 {
		return "none"
	}
	return fmt.Sprintf("%d values, worst %.3g (%.3g%%), mean %.3g%%, %d clipped, %d zeroed",
		q.N, q.WorstAbs, 100*q.WorstRel, 100*q.MeanRel, q.Clipped, q.Zeroed)
}

// String is a stable text form of the report.
func (r ArchReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "architecture %q: %d×%d mesh, %d tiles defined, %d cores per tile, max %d neurons per core\n",
		r.Name, r.Width, r.Height, r.TilesDefined, r.CoresPerTile, r.MaxNeurons)
	for _, u := range r.Units {
		fmt.Fprintf(&b, "unit %s %s (×%d) model=%q", u.Kind, u.Name, u.Copies, u.Model)
		for _, c := range u.Costs {
			fmt.Fprintf(&b, " %s=%dfJ/%dps", c.Op, c.EnergyFJ, c.LatencyPS)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "chosen: axon_in=%s synapse=%s dendrite=%s soma=%s axon_out=%s\n",
		r.Chosen.AxonIn, r.Chosen.Synapse, r.Chosen.Dendrite, r.Chosen.Soma, r.Chosen.AxonOut)
	for _, h := range r.Hops {
		fmt.Fprintf(&b, "hop %s: %d fJ, %d ps\n", h.Direction, h.EnergyFJ, h.LatencyPS)
	}
	fmt.Fprintf(&b, "barrier: %s", r.Barrier.Model)
	for _, p := range r.Barrier.Table {
		fmt.Fprintf(&b, " [%d tiles: file %d ps, ours %d ps]", p.Tiles, p.FilePS, p.OursPS)
	}
	if r.Barrier.Model == "table" {
		fmt.Fprintf(&b, "; worst difference %d ps at %d tiles", r.Barrier.WorstDiffPS, r.Barrier.WorstAtTiles)
	}
	b.WriteByte('\n')
	for _, x := range r.Rounded {
		fmt.Fprintf(&b, "rounded: %s %g → %d %s (%s)\n", x.Field, x.Value, x.Got, x.Unit, x.Pos)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// String is a stable text form of the report.
func (r SNNReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "network %q: %d neurons, %d input channels, %d synapses (%d with weight 0)\n",
		r.Name, r.Neurons, r.Inputs, r.Synapses, r.ZeroWeights)
	for _, p := range r.Populations {
		if p.Input {
			fmt.Fprintf(&b, "population %q: group %s neurons %d..%d, input\n", p.Name, p.Group, p.First, p.First+p.Size-1)
			continue
		}
		fmt.Fprintf(&b, "population %q: group %s neurons %d..%d, vth %d du %d dv %d scale 2^%d\n",
			p.Name, p.Group, p.First, p.First+p.Size-1, p.Vth, p.Du, p.Dv, p.Scale)
	}
	for _, p := range r.Projections {
		fmt.Fprintf(&b, "projection %q (edge %s): %d synapses, weight_exp %d, weights %v\n", p.Name, p.Edge, p.Synapses, p.WeightExp, p.Weights)
	}
	fmt.Fprintf(&b, "weights:    %v\n", r.Weights)
	fmt.Fprintf(&b, "biases:     %v\n", r.Biases)
	fmt.Fprintf(&b, "thresholds: %v\n", r.Thresholds)
	fmt.Fprintf(&b, "decays:     %v\n", r.Decays)
	for _, m := range []struct {
		name string
		m    map[string]int
	}{{"synapse units", r.SynapseUnits}, {"soma units", r.SomaUnits}, {"input units", r.InputUnits}} {
		fmt.Fprintf(&b, "%s:", m.name)
		keys := make([]string, 0, len(m.m))
		for k := range m.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%d", k, m.m[k])
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "mapping: %d neurons mapped, %d unmapped, %d cores on %d tiles\n", r.Mapped, r.Unmapped, r.CoresUsed, r.TilesUsed)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// FieldDiff is one field that differs between two presets.
type FieldDiff struct {
	Field     string // dotted yaml path, e.g. core.syn_op.energy_fj
	Got, Want string
}

func (d FieldDiff) String() string { return fmt.Sprintf("%s: %s, want %s", d.Field, d.Got, d.Want) }

// CompareSpecs lists every field of got that differs from want (both
// walked in field order), e.g. an imported preset against preset.Loihi().
func CompareSpecs(got, want preset.Spec) []FieldDiff {
	var out []FieldDiff
	var walk func(path string, a, b reflect.Value)
	walk = func(path string, a, b reflect.Value) {
		if a.Kind() == reflect.Struct {
			t := a.Type()
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				name := strings.Split(f.Tag.Get("yaml"), ",")[0]
				if name == "" {
					name = strings.ToLower(f.Name)
				}
				p := name
				if path != "" {
					p = path + "." + name
				}
				walk(p, a.Field(i), b.Field(i))
			}
			return
		}
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			out = append(out, FieldDiff{Field: path, Got: fmt.Sprint(a.Interface()), Want: fmt.Sprint(b.Interface())})
		}
	}
	walk("", reflect.ValueOf(got), reflect.ValueOf(want))
	return out
}
