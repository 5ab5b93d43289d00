package sched

import (
	"container/heap"
	"math/rand/v2"
)

// ContainerHeap is a Queue on the standard library's container/heap over
// []Event: every Push boxes the Event in an interface, and every comparison
// and swap is an interface call. It is the peer the scheduler's own queues
// are measured against (BenchmarkHold, `tessera bench`); the zero value is
// an empty queue ready to use.
type ContainerHeap struct{ h stdHeap }

var _ Queue = (*ContainerHeap)(nil)

// stdHeap is heap.Interface over []Event.
type stdHeap []Event

func (h stdHeap) Len() int           { return len(h) }
func (h stdHeap) Less(i, j int) bool { return h[i].Less(h[j]) }
func (h stdHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *stdHeap) Push(x any)        { *h = append(*h, x.(Event)) }
func (h *stdHeap) Pop() any {
	old := *h
	n := len(old) - 1
	e := old[n]
	*h = old[:n]
	return e
}

// Push adds e.
func (q *ContainerHeap) Push(e Event) { heap.Push(&q.h, e) }

// Pop removes and returns the smallest event.
func (q *ContainerHeap) Pop() (Event, bool) {
	if len(q.h) == 0 {
		return Event{}, false
	}
	return heap.Pop(&q.h).(Event), true
}

// Peek returns the smallest event without removing it.
func (q *ContainerHeap) Peek() (Event, bool) {
	if len(q.h) == 0 {
		return Event{}, false
	}
	return q.h[0], true
}

// Len is the number of pending events.
func (q *ContainerHeap) Len() int { return len(q.h) }

// Each calls fn for every pending event, in no particular order.
func (q *ContainerHeap) Each(fn func(Event)) {
	for _, e := range q.h {
		fn(e)
	}
}

// holdMeanPS is the hold model's mean gap between an event and the one it
// schedules: 5 ns, a spike hop or a neuron update on a chip. Increments are
// uniform in [0, 2·holdMeanPS).
const holdMeanPS = 5_000

// holdTableLen is the length of the table of precomputed draws: small
// enough to stay in L1.
const holdTableLen = 1 << 12

// Hold is the classic hold model of event-queue benchmarks, the workload of
// BenchmarkHold and of `tessera bench`: a queue with n events pending;
// each Step pops the earliest and pushes it back at its time plus an
// increment uniform in [0, 10 ns), in phase 0 or 1. The increments come
// from a precomputed table (the same for every Hold), so the random
// generator stays out of timed loops.
type Hold struct {
	q     Queue
	inc   []int64
	phase []uint8
	seq   uint64
	k     int
}

// NewHold fills q with n events and warms it up with 2n steps, to the
// steady-state spread of times and every buffer grown.
func NewHold(q Queue, n int) *Hold {
	rng := rand.New(rand.NewPCG(1, 0))
	h := &Hold{q: q, inc: make([]int64, holdTableLen), phase: make([]uint8, holdTableLen)}
	for i := range h.inc {
		h.inc[i] = rng.Int64N(2 * holdMeanPS)
		h.phase[i] = uint8(rng.IntN(2))
	}
	for ; h.k < n; h.k++ {
		q.Push(Event{TimePS: h.inc[h.k&(holdTableLen-1)], Seq: h.seq, Target: int32(h.k)})
		h.seq++
	}
	for range 2 * n {
		h.Step()
	}
	return h
}

// Step processes one event: it pops the earliest and pushes it back later.
func (h *Hold) Step() {
	e, _ := h.q.Pop()
	i := h.k & (holdTableLen - 1)
	e.TimePS += h.inc[i]
	e.Phase = h.phase[i]
	e.Seq = h.seq
	h.seq++
	h.k++
	h.q.Push(e)
}

// Pending is the number of events in the queue (n, unless the queue is
// broken).
func (h *Hold) Pending() int { return h.q.Len() }
