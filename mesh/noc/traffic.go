package noc

import (
	"fmt"
	"math"
)

// Traffic patterns (noc-validation.md, "Traffic patterns").
const (
	Uniform   = "uniform"   // uniformly random over all k·k nodes, the source included
	Transpose = "transpose" // (x, y) → (y, x)
	Bitcomp   = "bitcomp"   // i → k·k−1−i
	Hotspot   = "hotspot"   // every node → node (k/2, k/2)
)

// Patterns lists the traffic patterns.
func Patterns() []string { return []string{Uniform, Transpose, Bitcomp, Hotspot} }

// HotNode is the hot node of a k×k mesh: (k/2, k/2), id (k/2)·k + k/2.
func HotNode(k int) int { return (k/2)*k + k/2 }

// TrafficName is the traffic column of the CSV: the pattern, with the hot
// node id appended for hotspot ("hotspot36" on 8×8).
func TrafficName(pattern string, k int) string {
	if pattern == Hotspot {
		return fmt.Sprintf("%s%d", Hotspot, HotNode(k))
	}
	return pattern
}

func checkPattern(p string) error {
	for _, q := range Patterns() {
		if p == q {
			return nil
		}
	}
	return fmt.Errorf("noc: unknown traffic pattern %q (want uniform, transpose, bitcomp or hotspot)", p)
}

// dest is the destination of a packet from src under a deterministic
// pattern; uniform returns -1 (the caller draws it).
func dest(pattern string, k, src int) int {
	x, y := src%k, src/k
	switch pattern {
	case Transpose:
		return y + k*x
	case Bitcomp:
		return k*k - 1 - src
	case Hotspot:
		return HotNode(k)
	}
	return -1
}

// destProbs calls fn for every destination of src with its probability.
func destProbs(pattern string, k, src int, fn func(dst int, p float64)) {
	if pattern == Uniform {
		for d := 0; d < k*k; d++ {
			fn(d, 1/float64(k*k))
		}
		return
	}
	fn(dest(pattern, k, src), 1)
}

// MeanHops is the mean number of routers a packet passes under pattern on a
// k×k mesh with XY routing (Manhattan distance + 1), by enumeration. For
// uniform traffic (source = destination allowed) it equals
// 1 + 2(k²−1)/(3k): the mean of |x1−x2| over independent uniform x1, x2 in
// 0..k−1 is (k²−1)/(3k), once per dimension.
func MeanHops(pattern string, k int) float64 {
	var sum float64
	for s := 0; s < k*k; s++ {
		destProbs(pattern, k, s, func(d int, p float64) {
			sum += p * float64(abs(s%k-d%k)+abs(s/k-d/k)+1)
		})
	}
	return sum / float64(k*k)
}

// ChannelBound is the highest offered load (flits/node/cycle, equal at
// every node) that no channel of a k×k mesh with XY routing carries more
// than one flit per cycle of: 1 / max over channels of the channel's load
// per unit of λ, counting router-to-router links and the injection and
// ejection channels. Closed forms: uniform min(1, 4/k) (the bisection
// bound: k²/4 of the traffic crosses the k links of the middle cut each
// way), bitcomp 2/k (all of it crosses), transpose 1/(k−1) (the last link
// of the top row), hotspot 1/(k²) (the hot node's ejection channel).
func ChannelBound(pattern string, k int) float64 {
	n := k * k
	// loads: 4 directed links per tile (E, W, N, S out of it), injection, ejection
	link := make([]float64, 4*n)
	inj, ej := make([]float64, n), make([]float64, n)
	for s := 0; s < n; s++ {
		destProbs(pattern, k, s, func(d int, p float64) {
			inj[s] += p
			ej[d] += p
			x, y, dx, dy := s%k, s/k, d%k, d/k
			for x != dx {
				if dx > x {
					link[4*(x+k*y)] += p
					x++
				} else {
					link[4*(x+k*y)+1] += p
					x--
				}
			}
			for y != dy {
				if dy > y {
					link[4*(x+k*y)+2] += p
					y++
				} else {
					link[4*(x+k*y)+3] += p
					y--
				}
			}
		})
	}
	worst := 0.0
	for _, l := range [][]float64{link, inj, ej} {
		for _, v := range l {
			worst = math.Max(worst, v)
		}
	}
	return 1 / worst
}

func abs(x int) int { return max(x, -x) }
