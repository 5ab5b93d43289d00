package learn

import "math/bits"

// LavaRounder reproduces the draws of Lava's fixed-point learning models
// from the rule's rng_seed, so a Lava run can be replayed without recorded
// draws. It implements numpy's default_rng (SeedSequence seeding a PCG64
// with the XSL-RR output) for the five generators Lava builds: x-decay
// seed, x-impulse seed+1, y-decay seed+2, y-impulse seed+3, and the weight
// generator, always seeded with 2. random() is the top 53 bits of an
// output times 2^−53; integers(0, 128) takes the next 32-bit word (numpy's
// PCG64 splits each 64-bit output into two words, low half first) times 128,
// shifted right by 32 (numpy's Lemire method, which never rejects for a
// power-of-two range). The schedule is SeededRounder's: draw
// 2t for the learning phase of step t, y-impulse draw 2t−1 for a repeated
// post spike, weight draw k for the k-th learning phase.
type LavaRounder struct {
	seeds   [numStreams]uint64
	streams [numStreams]lavaStream
}

type lavaStream struct {
	g    pcg64
	next int
	last uint64
}

// NewLavaRounder returns the Rounder of a Lava learning rule with rng_seed
// seed (Lava draws one in 1..2^32−1 when none is given).
func NewLavaRounder(seed uint64) *LavaRounder {
	r := &LavaRounder{seeds: [numStreams]uint64{seed, seed + 1, seed + 2, seed + 3, 2}}
	for s := range r.streams {
		r.streams[s] = lavaStream{g: newPCG64(r.seeds[s])}
	}
	return r
}

func (r *LavaRounder) draw(s, n int) uint64 {
	st := &r.streams[s]
	if n < 0 {
		n = 0
	}
	if n < st.next-1 {
		*st = lavaStream{g: newPCG64(r.seeds[s])}
	}
	for st.next <= n {
		st.last = st.g.next()
		st.next++
	}
	return st.last
}

// int7 is integers(0, 128) number n of stream s. numpy's PCG64 hands out
// 32-bit words for it, two per 64-bit output (low half first), and keeps the
// spare half between calls: 32-bit word n is half n%2 of output n/2.
func (r *LavaRounder) int7(s, n int) int {
	if n < 0 {
		n = 0
	}
	u := r.draw(s, n/2)
	if n%2 == 1 {
		u >>= 32
	}
	return int((uint64(uint32(u)) * 128) >> 32)
}

// TraceDraws implements Rounder.
func (r *LavaRounder) TraceDraws(step int) TraceDraws {
	return TraceDraws{
		XDecay:   unitFloat(r.draw(streamXDecay, 2*step)),
		XImpulse: r.int7(streamXImpulse, 2*step),
		YDecay:   unitFloat(r.draw(streamYDecay, 2*step)),
		YImpulse: r.int7(streamYImpulse, 2*step),
	}
}

// PostImpulseDraw implements Rounder.
func (r *LavaRounder) PostImpulseDraw(step int) int {
	return r.int7(streamYImpulse, 2*step-1)
}

// WeightDraw implements Rounder.
func (r *LavaRounder) WeightDraw(k int) float64 {
	return unitFloat(r.draw(streamWeight, k))
}

// pcg64 is numpy's PCG64: a 128-bit LCG with the XSL-RR output.
type pcg64 struct {
	hi, lo       uint64 // state
	incHi, incLo uint64 // increment (odd)
}

const (
	pcgMulHi = 0x2360ED051FC65DA4
	pcgMulLo = 0x4385DF649FCCF645
)

func (g *pcg64) step() {
	hi, lo := bits.Mul64(g.lo, pcgMulLo)
	hi += g.hi*pcgMulLo + g.lo*pcgMulHi
	var c uint64
	g.lo, c = bits.Add64(lo, g.incLo, 0)
	g.hi, _ = bits.Add64(hi, g.incHi, c)
}

func (g *pcg64) next() uint64 {
	g.step()
	return bits.RotateLeft64(g.hi^g.lo, -int(g.hi>>58))
}

// newPCG64 seeds a PCG64 as numpy's default_rng(seed) does.
func newPCG64(seed uint64) pcg64 {
	st := seedSequenceState(seed)
	// initstate = st[0]:st[1], initseq = st[2]:st[3] (high word first).
	g := pcg64{incHi: st[2]<<1 | st[3]>>63, incLo: st[3]<<1 | 1}
	g.step()
	var c uint64
	g.lo, c = bits.Add64(g.lo, st[1], 0)
	g.hi, _ = bits.Add64(g.hi, st[0], c)
	g.step()
	return g
}

// seedSequenceState is numpy's SeedSequence(seed).generate_state(4,
// uint64).
func seedSequenceState(seed uint64) [4]uint64 {
	const (
		initA = 0x43b0d7e5
		multA = 0x931e8875
		initB = 0x8b51f9dd
		multB = 0x58f38ded
		mixL  = 0xca01f9dd
		mixR  = 0x4973f715
		shift = 16
		pool  = 4
	)
	// The entropy as 32-bit words, least significant first.
	entropy := []uint32{uint32(seed)}
	if seed>>32 != 0 {
		entropy = append(entropy, uint32(seed>>32))
	}
	hashConst := uint32(initA)
	hashmix := func(v uint32) uint32 {
		v ^= hashConst
		hashConst *= multA
		v *= hashConst
		return v ^ v>>shift
	}
	mix := func(x, y uint32) uint32 {
		r := mixL*x - mixR*y
		return r ^ r>>shift
	}
	var p [pool]uint32
	for i := range p {
		var v uint32
		if i < len(entropy) {
			v = entropy[i]
		}
		p[i] = hashmix(v)
	}
	for src := range pool {
		for dst := range pool {
			if src != dst {
				p[dst] = mix(p[dst], hashmix(p[src]))
			}
		}
	}
	hashConst = initB
	var words [8]uint32
	for i := range words {
		v := p[i%pool]
		v ^= hashConst
		hashConst *= multB
		v *= hashConst
		words[i] = v ^ v>>shift
	}
	var out [4]uint64
	for i := range out {
		out[i] = uint64(words[2*i]) | uint64(words[2*i+1])<<32
	}
	return out
}
