package sched

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"testing"
)

// stdHeap is the baseline: container/heap over []Event. Every Push boxes
// the Event in an interface, and every comparison and swap is an
// interface call.
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

// stdQueue adapts stdHeap to Queue.
type stdQueue struct{ h stdHeap }

func (q *stdQueue) Push(e Event) { heap.Push(&q.h, e) }
func (q *stdQueue) Pop() (Event, bool) {
	if len(q.h) == 0 {
		return Event{}, false
	}
	return heap.Pop(&q.h).(Event), true
}
func (q *stdQueue) Peek() (Event, bool) {
	if len(q.h) == 0 {
		return Event{}, false
	}
	return q.h[0], true
}
func (q *stdQueue) Len() int { return len(q.h) }
func (q *stdQueue) Each(fn func(Event)) {
	for _, e := range q.h {
		fn(e)
	}
}

// holdMeanPS is the mean gap between an event and the one it schedules:
// 5 ns, a spike hop or a neuron update on a chip. Increments are uniform in
// [0, 2·holdMeanPS).
const holdMeanPS = 5_000

// holdIncrements is a precomputed table of (increment, phase) draws, so the
// random generator stays out of the timed loop.
type holdIncrements struct {
	inc   []int64
	phase []uint8
}

const holdTableLen = 1 << 12 // small enough to stay in L1

func newHoldIncrements(seed uint64) holdIncrements {
	rng := rand.New(rand.NewPCG(seed, 0))
	h := holdIncrements{inc: make([]int64, holdTableLen), phase: make([]uint8, holdTableLen)}
	for i := range h.inc {
		h.inc[i] = rng.Int64N(2 * holdMeanPS)
		h.phase[i] = uint8(rng.IntN(2))
	}
	return h
}

// holdState is one hold-model run: a queue with n pending events and the
// position in the increment table. It survives between the rounds the
// testing package runs, so the n events are set up and warmed up once.
type holdState struct {
	q    Queue
	incs holdIncrements
	seq  uint64
	k    int
}

func (h *holdState) step() {
	e, _ := h.q.Pop()
	i := h.k & (holdTableLen - 1)
	e.TimePS += h.incs.inc[i]
	e.Phase = h.incs.phase[i]
	e.Seq = h.seq
	h.seq++
	h.k++
	h.q.Push(e)
}

func newHoldState(q Queue, incs holdIncrements, n int) *holdState {
	h := &holdState{q: q, incs: incs}
	for ; h.k < n; h.k++ {
		q.Push(Event{TimePS: incs.inc[h.k&(holdTableLen-1)], Seq: h.seq, Target: int32(h.k)})
		h.seq++
	}
	// Warm up to the steady-state spread of times and grow every buffer.
	for range 2 * n {
		h.step()
	}
	return h
}

// BenchmarkHold is the classic hold model: n events pending; each step pops
// the earliest and pushes one at its time plus a random increment, uniform
// in [0, 10 ns), in phase 0 or 1. One step is one event processed. Setting
// up the n events is not timed.
func BenchmarkHold(b *testing.B) {
	queues := []struct {
		name string
		new  func() Queue
	}{
		{"container-heap", func() Queue { return &stdQueue{} }},
		{"heap", func() Queue { return NewHeap() }},
		{"calendar", func() Queue {
			c, err := NewCalendar(DefaultCalendarSpec())
			if err != nil {
				b.Fatal(err)
			}
			return c
		}},
	}
	incs := newHoldIncrements(1)
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		for _, qq := range queues {
			var h *holdState
			b.Run(fmt.Sprintf("n=%d/%s", n, qq.name), func(b *testing.B) {
				if h == nil {
					h = newHoldState(qq.new(), incs, n)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					h.step()
				}
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
				if h.q.Len() != n {
					b.Fatalf("pending %d, want %d", h.q.Len(), n)
				}
			})
		}
	}
}
