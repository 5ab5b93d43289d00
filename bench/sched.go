package bench

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tessera-sim/tessera/chip/sched"
)

// stdHeap is the peer: container/heap over []sched.Event. Every Push boxes
// the Event in an interface, and every comparison and swap is an interface
// call.
type stdHeap []sched.Event

func (h stdHeap) Len() int           { return len(h) }
func (h stdHeap) Less(i, j int) bool { return h[i].Less(h[j]) }
func (h stdHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *stdHeap) Push(x any)        { *h = append(*h, x.(sched.Event)) }
func (h *stdHeap) Pop() any {
	old := *h
	n := len(old) - 1
	e := old[n]
	*h = old[:n]
	return e
}

// stdQueue adapts stdHeap to sched.Queue.
type stdQueue struct{ h stdHeap }

func (q *stdQueue) Push(e sched.Event) { heap.Push(&q.h, e) }
func (q *stdQueue) Pop() (sched.Event, bool) {
	if len(q.h) == 0 {
		return sched.Event{}, false
	}
	return heap.Pop(&q.h).(sched.Event), true
}
func (q *stdQueue) Peek() (sched.Event, bool) {
	if len(q.h) == 0 {
		return sched.Event{}, false
	}
	return q.h[0], true
}
func (q *stdQueue) Len() int { return len(q.h) }
func (q *stdQueue) Each(fn func(sched.Event)) {
	for _, e := range q.h {
		fn(e)
	}
}

const (
	holdPending  = 100_000 // events pending in the hold model
	holdMeanPS   = 5_000   // mean gap between an event and the one it schedules: 5 ns
	holdTableLen = 1 << 12 // precomputed draws, small enough to stay in L1
	holdRounds   = 4       // the queues take turns this many times
)

// hold is one hold-model run, as chip/sched/bench_test.go's holdState: a
// queue with holdPending events; each step pops the earliest and pushes it
// back at its time plus an increment uniform in [0, 10 ns), in phase 0 or 1.
// The increments come from a table, so the generator is not timed.
type hold struct {
	q     sched.Queue
	inc   []int64
	phase []uint8
	seq   uint64
	k     int
}

func (h *hold) step() {
	e, _ := h.q.Pop()
	i := h.k & (holdTableLen - 1)
	e.TimePS += h.inc[i]
	e.Phase = h.phase[i]
	e.Seq = h.seq
	h.seq++
	h.k++
	h.q.Push(e)
}

// newHold fills q with n events and warms it up with 2n steps, to the
// steady-state spread of times and every buffer grown.
func newHold(q sched.Queue, n int) *hold {
	rng := rand.New(rand.NewPCG(1, 0))
	h := &hold{q: q, inc: make([]int64, holdTableLen), phase: make([]uint8, holdTableLen)}
	for i := range h.inc {
		h.inc[i] = rng.Int64N(2 * holdMeanPS)
		h.phase[i] = uint8(rng.IntN(2))
	}
	for ; h.k < n; h.k++ {
		q.Push(sched.Event{TimePS: h.inc[h.k&(holdTableLen-1)], Seq: h.seq, Target: int32(h.k)})
		h.seq++
	}
	for range 2 * n {
		h.step()
	}
	return h
}

// runSched measures BenchmarkHold at n = 10⁵ for the three queues. They
// take turns (holdRounds rounds), so that a change in the machine's load
// falls on all three alike.
func runSched(ctx context.Context, d time.Duration) ([]Metric, error) {
	cal, err := sched.NewCalendar(sched.DefaultCalendarSpec())
	if err != nil {
		return nil, err
	}
	queues := []struct {
		name string
		q    sched.Queue
	}{
		{"calendar", cal},
		{"heap", sched.NewHeap()},
		{"container/heap", &stdQueue{}},
	}
	holds := make([]*hold, len(queues))
	for i, qq := range queues {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		holds[i] = newHold(qq.q, holdPending)
	}
	meters := make([]meter, len(queues))
	slot := d / time.Duration(len(queues)*holdRounds)
	for range holdRounds {
		for i, h := range holds {
			err := meters[i].run(ctx, slot, func(n int64) error {
				for range n {
					h.step()
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			if h.q.Len() != holdPending {
				return nil, fmt.Errorf("%s: %d events pending, want %d", queues[i].name, h.q.Len(), holdPending)
			}
		}
	}
	var out []Metric
	for i, qq := range queues {
		out = append(out, Metric{Name: "hold n=10⁵, " + qq.name, Value: nsPer(&meters[i]), Unit: "ns/event"})
	}
	return append(out, Metric{Name: "calendar speed-up over container/heap",
		Value: nsPer(&meters[2]) / nsPer(&meters[0]), Unit: "×"}), nil
}

// nsPer is the time per op.
func nsPer(m *meter) float64 { return float64(m.elapsed.Nanoseconds()) / float64(m.ops) }
