package core

import "math/rand/v2"

// rng is the core's seeded generator, handing out 8-bit draws from 64-bit
// PCG outputs in order.
type rng struct {
	src  rand.PCG
	buf  uint64
	left int
}

func (r *rng) seed(s uint64) {
	r.src.Seed(s, 0x7e55e7a_c0e)
	r.left = 0
}

func (r *rng) byte() uint8 {
	if r.left == 0 {
		r.buf, r.left = r.src.Uint64(), 8
	}
	b := uint8(r.buf)
	r.buf >>= 8
	r.left--
	return b
}
