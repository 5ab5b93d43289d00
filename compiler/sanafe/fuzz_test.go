package sanafe_test

import (
	"os"
	"testing"

	"github.com/tessera-sim/tessera/compiler/sanafe"
)

// seedFiles adds reference samples to a fuzz corpus.
func seedFiles(f *testing.F, names ...string) {
	for _, n := range names {
		data, err := os.ReadFile(ref(f, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, true)
		f.Add(data, false)
	}
}

// FuzzReadSNN feeds arbitrary bytes to the network reader, with and
// without an architecture: it must never panic, and what it accepts must
// be consistent. The seed corpus is the small reference samples.
func FuzzReadSNN(f *testing.F) {
	seedFiles(f, "example_snn.yaml", "input_net.yaml", "conv.yaml", "dendrite.yaml")
	f.Add([]byte(miniSNN), true)
	_, rep, err := sanafe.ReadArch(ref(f, "example_chip.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, withArch bool) {
		opts := sanafe.SNNOptions{MaxNeurons: 1 << 12, MaxSynapses: 1 << 16, RateSteps: 64}
		if withArch {
			opts.Arch = &rep
		}
		g, m, r, err := sanafe.ParseSNN("fuzz.yaml", data, opts)
		if err != nil {
			return
		}
		n := 0
		for i, p := range g.Populations {
			n += p.Size
			if len(m.Populations[i].Tile) != p.Size {
				t.Fatalf("mapping of %s has %d neurons, population %d", p.Name, len(m.Populations[i].Tile), p.Size)
			}
			if !p.IsInput() && (len(p.Neuron.BiasMant) != p.Size || p.Neuron.Vth < 0 || p.Neuron.Du < 0 || p.Neuron.Dv < 0) {
				t.Fatalf("population %s: bad neuron parameters %+v", p.Name, p.Neuron)
			}
		}
		if n != r.Neurons+r.Inputs {
			t.Fatalf("%d neurons in populations, report says %d + %d", n, r.Neurons, r.Inputs)
		}
		syn := 0
		for _, pr := range g.Projections {
			pre, post := g.Population(pr.Pre), g.Population(pr.Post)
			if pre == nil || post == nil || post.IsInput() {
				t.Fatalf("projection %s: bad ends", pr.Name)
			}
			for _, p := range pr.Conn.Pairs {
				if int(p.Pre) >= pre.Size || int(p.Post) >= post.Size || p.Pre < 0 || p.Post < 0 {
					t.Fatalf("projection %s: pair %d -> %d outside %d × %d", pr.Name, p.Pre, p.Post, pre.Size, post.Size)
				}
				if p.Weight != nil && (*p.Weight > 255 || *p.Weight < -255) {
					t.Fatalf("projection %s: weight %d beyond 8 bits", pr.Name, *p.Weight)
				}
			}
			syn += len(pr.Conn.Pairs)
		}
		if syn != r.Synapses {
			t.Fatalf("%d synapses in projections, report says %d", syn, r.Synapses)
		}
	})
}

// FuzzReadArch feeds arbitrary bytes to the architecture reader: it must
// never panic, and a preset it returns must be valid.
func FuzzReadArch(f *testing.F) {
	seedFiles(f, "example_chip.yaml", "loihi.yaml", "demo_with_dendrites.yaml")
	f.Add([]byte(miniArch), true)
	f.Fuzz(func(t *testing.T, data []byte, onlyFile bool) {
		spec, _, err := sanafe.ParseArch("fuzz.yaml", data, sanafe.ArchOptions{OnlyFileLimits: onlyFile})
		if err != nil {
			return
		}
		if err := spec.Validate(); err != nil {
			t.Fatalf("accepted an invalid preset: %v", err)
		}
	})
}
