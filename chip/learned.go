package chip

import (
	"fmt"
	"io"
	"slices"

	"github.com/tessera-sim/tessera/compiler/image"
)

// WeightRecord is one plastic synapse's weight at a step.
type WeightRecord struct {
	Step       int32
	Projection string
	Pre, Post  int32 // neuron indices in the pre and post populations
	Weight     int32
}

// sampleWeights appends every plastic weight of the chip at step.
func (c *Chip) sampleWeights(step int32, out []WeightRecord) []WeightRecord {
	for ci, k := range c.cores {
		ic := &c.img.Cores[ci]
		for g := 0; g < k.NumPlastic(); g++ {
			pg := &ic.Plastic[g]
			w := k.PlasticWeights(g)
			nPre := len(pg.Axons)
			for i := 0; i < k.NumNeurons(); i++ {
				for j := 0; j < nPre; j++ {
					out = append(out, WeightRecord{Step: step, Projection: pg.Projection, Pre: pg.PreNeurons[j],
						Post: c.neuronIndex[ci][i], Weight: w[i*nPre+j]})
				}
			}
		}
	}
	return out
}

// LearnedImage returns a copy of the chip's image whose plastic weights are
// the ones the last run learned, so a trained chip can be saved and
// reloaded. The copy shares everything but the weights.
func (c *Chip) LearnedImage() *image.Image {
	img := *c.img
	img.Cores = slices.Clone(c.img.Cores)
	for ci, k := range c.cores {
		if k.NumPlastic() == 0 {
			continue
		}
		ic := &img.Cores[ci]
		ic.Plastic = slices.Clone(ic.Plastic)
		for g := range ic.Plastic {
			ic.Plastic[g].Weights = slices.Clone(k.PlasticWeights(g))
		}
	}
	return &img
}

// WriteWeightsCSV writes weight samples as CSV:
// step,projection,pre,post,weight (the format `tessera plot` reads).
func WriteWeightsCSV(w io.Writer, recs []WeightRecord) error {
	return writeCSV(w, "weights", "step,projection,pre,post,weight", len(recs), func(bw *bufWriter, i int) {
		r := &recs[i]
		fmt.Fprintf(bw, "%d,%s,%d,%d,%d\n", r.Step, r.Projection, r.Pre, r.Post, r.Weight)
	})
}
