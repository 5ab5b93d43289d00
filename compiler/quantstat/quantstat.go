// Package quantstat measures quantization error: how far the integers a
// front end wrote into the datapath are from the floats it was given. The
// NIR and SANA-FE importers report one Stat per kind of value (weights,
// decays, biases, thresholds, delays).
package quantstat

import (
	"fmt"
	"math"
)

// Stat is the quantization error of one kind of value. Only values whose
// ideal is non-zero are counted.
type Stat struct {
	N        int     // values quantized
	WorstAbs float64 // largest |got − ideal|, in the source's units
	WorstRel float64 // largest |got − ideal| / |ideal|
	MeanRel  float64 // mean of the same (valid after Finish)
	Clipped  int     // values outside the representable range, clipped to it
	Zeroed   int     // non-zero values that became zero
	sum      float64
}

// Add counts one value: its ideal, what the datapath holds, and whether it
// was clipped.
func (q *Stat) Add(ideal, got float64, clipped bool) {
	if ideal == 0 {
		return
	}
	q.N++
	d := math.Abs(got - ideal)
	q.WorstAbs = max(q.WorstAbs, d)
	rel := d / math.Abs(ideal)
	q.sum += rel
	q.WorstRel = max(q.WorstRel, rel)
	if clipped {
		q.Clipped++
	}
	if got == 0 {
		q.Zeroed++
	}
}

// Merge adds another Stat's counts into q.
func (q *Stat) Merge(o Stat) {
	q.N += o.N
	q.sum += o.sum
	q.WorstAbs = max(q.WorstAbs, o.WorstAbs)
	q.WorstRel = max(q.WorstRel, o.WorstRel)
	q.Clipped += o.Clipped
	q.Zeroed += o.Zeroed
	q.Finish()
}

// Finish computes the mean.
func (q *Stat) Finish() {
	if q.N > 0 {
		q.MeanRel = q.sum / float64(q.N)
	}
}

func (q Stat) String() string {
	if q.N == 0 {
		return "none"
	}
	return fmt.Sprintf("%d values, worst %.3g%%, mean %.3g%%, %d clipped, %d zeroed",
		q.N, 100*q.WorstRel, 100*q.MeanRel, q.Clipped, q.Zeroed)
}
