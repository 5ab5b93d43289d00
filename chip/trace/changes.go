package trace

import (
	"cmp"
	"slices"
)

// change is one buffered value change of a signal: set it to val, or add
// val to it (levels such as packets in a router).
type change struct {
	t     int64
	seq   uint64 // insertion order: the last set at one time wins
	key   int32
	delta bool
	val   int64
}

// changes buffers the value changes of one timestep. The Tracer reports a
// step in processing order, not time order; at the step's end the buffer
// is sorted by (time, insertion order) and drained up to the step's end.
// Changes at or after the end (a spike's falling edge) stay for the next
// step, so the buffer holds at most one step plus one change per signal.
type changes struct {
	buf []change
	seq uint64
}

func (c *changes) set(t int64, key int32, val int64) {
	c.seq++
	c.buf = append(c.buf, change{t: t, seq: c.seq, key: key, val: val})
}

func (c *changes) add(t int64, key int32, d int64) {
	c.seq++
	c.buf = append(c.buf, change{t: t, seq: c.seq, key: key, delta: true, val: d})
}

// drain sorts the buffer and passes the changes before limit to group, one
// call per distinct time in increasing order, and keeps the rest.
func (c *changes) drain(limit int64, group func(t int64, cs []change)) {
	slices.SortFunc(c.buf, func(a, b change) int {
		if r := cmp.Compare(a.t, b.t); r != 0 {
			return r
		}
		return cmp.Compare(a.seq, b.seq)
	})
	i := 0
	for i < len(c.buf) && c.buf[i].t < limit {
		j := i + 1
		for j < len(c.buf) && c.buf[j].t == c.buf[i].t {
			j++
		}
		group(c.buf[i].t, c.buf[i:j])
		i = j
	}
	n := copy(c.buf, c.buf[i:])
	c.buf = c.buf[:n]
}
