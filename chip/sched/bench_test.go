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

// BenchmarkHold is the classic hold model: n events pending; each step pops
// the earliest and pushes one at its time plus a random increment. One step
// is one event processed.
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
			b.Run(fmt.Sprintf("n=%d/%s", n, qq.name), func(b *testing.B) {
				q := qq.new()
				var seq uint64
				k := 0
				step := func() {
					e, _ := q.Pop()
					e.TimePS += incs.inc[k&(holdTableLen-1)]
					e.Phase = incs.phase[k&(holdTableLen-1)]
					e.Seq = seq
					seq++
					k++
					q.Push(e)
				}
				for ; k < n; k++ {
					q.Push(Event{TimePS: incs.inc[k&(holdTableLen-1)], Seq: seq, Target: int32(k)})
					seq++
				}
				// Warm up to the steady-state spread and grow every buffer.
				for range 2 * n {
					step()
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					step()
				}
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
				if q.Len() != n {
					b.Fatalf("pending %d, want %d", q.Len(), n)
				}
			})
		}
	}
}
