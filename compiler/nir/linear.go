package nir

import (
	"cmp"
	"slices"
)

// term is one contribution to an element of a linear node's output: weight
// times the spike of element src of the source layer, delayed by d steps.
type term struct {
	src int32
	d   int32
	w   float64
}

// svec is a layer-sized vector of sums of terms: element m of a linear
// node's output, as a function of one source layer's spikes.
type svec [][]term

// budget counts terms, so that a file of a few bytes cannot make the
// importer build billions of them.
type budget struct {
	left int
	over bool
}

func (b *budget) take(n int) bool {
	b.left -= n
	if b.left < 0 {
		b.over = true
	}
	return !b.over
}

// identityVec is a source layer's own output: element k is its spike k.
func identityVec(n int) svec {
	v := make(svec, n)
	flat := make([]term, n)
	for k := range v {
		flat[k] = term{src: int32(k), w: 1}
		v[k] = flat[k : k+1 : k+1]
	}
	return v
}

// merge sorts an element's terms by (src, delay), adds equal ones and drops
// zeros.
func merge(ts []term) []term {
	if len(ts) < 2 {
		if len(ts) == 1 && ts[0].w == 0 {
			return nil
		}
		return ts
	}
	slices.SortFunc(ts, func(a, b term) int { return cmp.Or(cmp.Compare(a.src, b.src), cmp.Compare(a.d, b.d)) })
	out := ts[:0]
	for _, t := range ts {
		if n := len(out); n > 0 && out[n-1].src == t.src && out[n-1].d == t.d {
			out[n-1].w += t.w
			continue
		}
		out = append(out, t)
	}
	kept := out[:0]
	for _, t := range out {
		if t.w != 0 {
			kept = append(kept, t)
		}
	}
	return kept
}

// addInto adds b to a (same length) and returns a, merging elements.
func addInto(a, b svec, bud *budget) svec {
	if a == nil {
		out := make(svec, len(b))
		for m := range b {
			out[m] = append([]term(nil), b[m]...)
			bud.take(len(b[m]))
		}
		return out
	}
	for m := range b {
		if len(b[m]) > 0 {
			bud.take(len(b[m]))
			a[m] = merge(append(a[m], b[m]...))
		}
	}
	return a
}

// linOp is a linear node ready to apply: y = A·x (+ bias, for constants).
type linOp struct {
	node *Node
	kind string // identity, affine, scale, delay, conv
	w    []float64
	rows int // affine: out
	cols int // affine: in
	bias []float64
	// scale: per-element factor; delay: per-element steps
	scale []float64
	steps []int32
	conv  *spatial
}

// apply maps an input vector of terms to the output vector.
func (op *linOp) apply(in svec, bud *budget) svec {
	switch op.kind {
	case "identity":
		return in
	case "scale":
		out := make(svec, len(in))
		for m, ts := range in {
			s := op.scale[m%len(op.scale)]
			for _, t := range ts {
				if t.w*s != 0 {
					out[m] = append(out[m], term{src: t.src, d: t.d, w: t.w * s})
				}
			}
		}
		return out
	case "delay":
		out := make(svec, len(in))
		for m, ts := range in {
			d := op.steps[m%len(op.steps)]
			out[m] = make([]term, len(ts))
			for i, t := range ts {
				out[m][i] = term{src: t.src, d: t.d + d, w: t.w}
			}
		}
		return out
	case "affine":
		out := make(svec, op.rows)
		for m := range op.rows {
			var acc []term
			row := op.w[m*op.cols : (m+1)*op.cols]
			for k, wk := range row {
				if wk == 0 || len(in[k]) == 0 {
					continue
				}
				if !bud.take(len(in[k])) {
					return out
				}
				for _, t := range in[k] {
					acc = append(acc, term{src: t.src, d: t.d, w: t.w * wk})
				}
			}
			out[m] = merge(acc)
		}
		return out
	case "conv":
		c := op.conv
		out := make(svec, numel(c.outShape()))
		c.each(func(o, i int, w float64) bool {
			if w == 0 || len(in[i]) == 0 {
				return true
			}
			if !bud.take(len(in[i])) {
				return false
			}
			for _, t := range in[i] {
				out[o] = append(out[o], term{src: t.src, d: t.d, w: t.w * w})
			}
			return true
		})
		for o := range out {
			out[o] = merge(out[o])
		}
		return out
	}
	return nil
}

// applyConst maps a constant input vector (nil = zeros) to the output, bias
// included. It returns nil for a zero output.
func (op *linOp) applyConst(in []float64) []float64 {
	var out []float64
	switch op.kind {
	case "identity", "delay":
		out = in
	case "scale":
		if in != nil {
			out = make([]float64, len(in))
			for m := range in {
				out[m] = in[m] * op.scale[m%len(op.scale)]
			}
		}
	case "affine":
		if in != nil {
			out = make([]float64, op.rows)
			for m := range op.rows {
				for k, wk := range op.w[m*op.cols : (m+1)*op.cols] {
					out[m] += wk * in[k]
				}
			}
		}
	case "conv":
		if in != nil {
			out = make([]float64, numel(op.conv.outShape()))
			op.conv.each(func(o, i int, w float64) bool {
				out[o] += w * in[i]
				return true
			})
		}
	}
	if op.bias != nil && !allZero(op.bias) {
		if out == nil {
			out = make([]float64, op.outLen())
		} else {
			out = slices.Clone(out)
		}
		per := len(out) / len(op.bias)
		for m := range out {
			out[m] += op.bias[m/per]
		}
	}
	if allZero(out) {
		return nil
	}
	return out
}

func (op *linOp) outLen() int {
	switch op.kind {
	case "affine":
		return op.rows
	case "conv":
		return numel(op.conv.outShape())
	}
	return numel(op.node.OutputType)
}

func allZero(v []float64) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// each calls f(output index, input index, weight) for every kernel tap
// that lands inside the input (padding contributes nothing), in C order of
// the output. It stops when f returns false.
func (c *spatial) each(f func(o, i int, w float64) bool) {
	outSp, inSp := numel(c.out), numel(c.in)
	cinG, coutG := c.cin/c.groups, c.cout/c.groups
	kn := numel(c.k)
	for co := range c.cout {
		g := co / coutG
		for op := range outSp {
			// Spatial output coordinates.
			var oy, ox int
			if c.nd == 2 {
				oy, ox = op/c.out[1], op%c.out[1]
			} else {
				ox = op
			}
			o := co*outSp + op
			for cig := range cinG {
				ci := g*cinG + cig
				if c.pool {
					ci = co
				}
				for kk := range kn {
					var ky, kx int
					if c.nd == 2 {
						ky, kx = kk/c.k[1], kk%c.k[1]
					} else {
						kx = kk
					}
					ix := ox*c.s[c.nd-1] - c.lo[c.nd-1] + kx*c.d[c.nd-1]
					if ix < 0 || ix >= c.in[c.nd-1] {
						continue
					}
					i := ci*inSp + ix
					if c.nd == 2 {
						iy := oy*c.s[0] - c.lo[0] + ky*c.d[0]
						if iy < 0 || iy >= c.in[0] {
							continue
						}
						i = ci*inSp + iy*c.in[1] + ix
					}
					w := 1.0
					if c.pool {
						if c.avg {
							w = 1 / float64(kn)
						}
					} else {
						w = c.weight[(co*cinG+cig)*kn+kk]
					}
					if !f(o, i, w) {
						return
					}
				}
				if c.pool {
					break
				}
			}
		}
	}
}
