package sched

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var seedFlag = flag.Uint64("sched.seed", 0, "seed for the randomized queue tests (0: the fixed default seeds)")

// testSeeds returns the seeds for randomized tests: -sched.seed if given,
// else a fixed set.
func testSeeds() []uint64 {
	if *seedFlag != 0 {
		return []uint64{*seedFlag}
	}
	return []uint64{1, 2, 3}
}

// queueFactory builds one Queue variant under test.
type queueFactory struct {
	name string
	new  func(t *testing.T) Queue
}

func calendarFactory(width int64, n int) queueFactory {
	return queueFactory{
		name: fmt.Sprintf("calendar/w%d-n%d", width, n),
		new: func(t *testing.T) Queue {
			c, err := NewCalendar(CalendarSpec{BucketWidthPS: width, NumBuckets: n})
			require.NoError(t, err)
			return c
		},
	}
}

// queueFactories lists every Queue variant; the tiny wheels force most
// events through the overflow heap and the migration path.
func queueFactories() []queueFactory {
	def := DefaultCalendarSpec()
	return []queueFactory{
		{name: "heap", new: func(*testing.T) Queue { return NewHeap() }},
		calendarFactory(def.BucketWidthPS, def.NumBuckets),
		calendarFactory(1, 1),
		calendarFactory(1, 2),
		calendarFactory(4, 4),
		calendarFactory(16, 64),
		calendarFactory(64, 128),
		calendarFactory(1024, 8192),
		calendarFactory(1<<30, 16),
		calendarFactory(1<<40, 4), // keys too wide to radix-sort
	}
}

func TestQueueConformance(t *testing.T) {
	// the benchmarks' peer meets the contract too (it is left out of
	// queueFactories: it allocates on every Push, by design)
	t.Run("container-heap", func(t *testing.T) {
		runQueueConformance(t, func() Queue { return &ContainerHeap{} })
	})
	for _, f := range queueFactories() {
		t.Run(f.name, func(t *testing.T) {
			runQueueConformance(t, func() Queue { return f.new(t) })
		})
	}
}

// runQueueConformance is the contract every Queue meets: it pops exactly
// what a sorted list of the pending events would pop. newQ is called once
// per subtest.
func runQueueConformance(t *testing.T, newQ func() Queue) {
	t.Run("empty", func(t *testing.T) {
		q := newQ()
		assert.Equal(t, 0, q.Len())
		_, ok := q.Pop()
		assert.False(t, ok, "Pop on empty queue")
		_, ok = q.Peek()
		assert.False(t, ok, "Peek on empty queue")
		q.Push(Event{TimePS: 5, Seq: 1})
		e, ok := q.Pop()
		require.True(t, ok)
		assert.Equal(t, Event{TimePS: 5, Seq: 1}, e)
		_, ok = q.Pop()
		assert.False(t, ok, "Pop after draining")
		assert.Equal(t, 0, q.Len())
	})

	t.Run("fifo at equal time and phase", func(t *testing.T) {
		q := newQ()
		for i := range 300 {
			q.Push(Event{TimePS: 1000, Phase: 2, Seq: uint64(i), Target: int32(i)})
		}
		got := drain(q)
		require.Len(t, got, 300)
		for i, e := range got {
			assert.Equal(t, int32(i), e.Target, "pop %d", i)
		}
	})

	t.Run("seq order when pushed out of order", func(t *testing.T) {
		q := newQ()
		seqs := []uint64{9, 3, 7, 1, 8, 2, 6, 0, 5, 4}
		for _, s := range seqs {
			q.Push(Event{TimePS: 1000, Seq: s})
		}
		got := drain(q)
		for i, e := range got {
			assert.Equal(t, uint64(i), e.Seq, "pop %d", i)
		}
	})

	t.Run("phase ordering", func(t *testing.T) {
		q := newQ()
		seq := uint64(0)
		for _, ph := range []uint8{3, 1, 2, 0, 255, 1} {
			q.Push(Event{TimePS: 42, Phase: ph, Seq: seq})
			seq++
		}
		q.Push(Event{TimePS: 41, Phase: 255, Seq: seq})
		got := drain(q)
		want := []Event{
			{TimePS: 41, Phase: 255, Seq: 6},
			{TimePS: 42, Phase: 0, Seq: 3},
			{TimePS: 42, Phase: 1, Seq: 1},
			{TimePS: 42, Phase: 1, Seq: 5},
			{TimePS: 42, Phase: 2, Seq: 2},
			{TimePS: 42, Phase: 3, Seq: 0},
			{TimePS: 42, Phase: 255, Seq: 4},
		}
		assert.Equal(t, want, got)
	})

	t.Run("time zero", func(t *testing.T) {
		q := newQ()
		q.Push(Event{TimePS: 10, Seq: 0})
		q.Push(Event{TimePS: 0, Phase: 1, Seq: 1})
		q.Push(Event{TimePS: 0, Phase: 0, Seq: 2})
		q.Push(Event{TimePS: 0, Phase: 0, Seq: 3})
		got := drain(q)
		assert.Equal(t, []uint64{2, 3, 1, 0}, seqsOf(got))
	})

	t.Run("far future", func(t *testing.T) {
		q := newQ()
		times := []int64{math.MaxInt64, 1 << 50, 0, 1_000_000_000_000, math.MaxInt64, 7, 1 << 40, math.MaxInt64 - 1}
		for i, tm := range times {
			q.Push(Event{TimePS: tm, Seq: uint64(i)})
		}
		// Interleave: pop two, then push more far ones relative to the min.
		e, _ := q.Pop()
		assert.Equal(t, int64(0), e.TimePS)
		e, _ = q.Pop()
		assert.Equal(t, int64(7), e.TimePS)
		q.Push(Event{TimePS: 8, Seq: 100})
		q.Push(Event{TimePS: 1 << 45, Seq: 101})
		got := drain(q)
		want := []int64{8, 1 << 40, 1 << 45, 1 << 50, 1_000_000_000_000, math.MaxInt64 - 1, math.MaxInt64, math.MaxInt64}
		slices.Sort(want)
		gotTimes := make([]int64, len(got))
		for i, e := range got {
			gotTimes[i] = e.TimePS
		}
		assert.Equal(t, want, gotTimes)
		assert.NoError(t, Check(got))
	})

	t.Run("push at current time while popping", func(t *testing.T) {
		q := newQ()
		seq := uint64(0)
		push := func(tm int64, ph uint8) {
			q.Push(Event{TimePS: tm, Phase: ph, Seq: seq})
			seq++
		}
		push(100, 0)
		push(100, 1)
		push(300, 0)
		var got []Event
		for q.Len() > 0 {
			e, ok := q.Pop()
			require.True(t, ok)
			got = append(got, e)
			if len(got) > 50 {
				break
			}
			// Each phase-0 event at 100 spawns a phase-0 and a phase-1
			// event at the same time, until 4 of them exist.
			if e.TimePS == 100 && e.Phase == 0 && seq < 9 {
				push(100, 0)
				push(100, 1)
			}
		}
		require.NoError(t, Check(got))
		assert.Len(t, got, 3+6)
		assert.Equal(t, int64(300), got[len(got)-1].TimePS)
	})

	t.Run("each visits every pending event", func(t *testing.T) {
		q := newQ()
		rng := rand.New(rand.NewPCG(7, 7))
		var want []Event
		for i := range 500 {
			e := Event{TimePS: rng.Int64N(1 << uint(rng.IntN(40))), Phase: uint8(rng.IntN(3)), Seq: uint64(i)}
			q.Push(e)
			want = append(want, e)
		}
		slices.SortFunc(want, cmpEvent)
		for range 100 {
			_, ok := q.Pop()
			require.True(t, ok)
		}
		want = want[100:]
		var got []Event
		q.Each(func(e Event) { got = append(got, e) })
		slices.SortFunc(got, cmpEvent)
		assert.Equal(t, want, got)
		assert.Equal(t, len(want), q.Len())
	})

	for _, mode := range []modelMode{monotone, anyTime} {
		t.Run(fmt.Sprintf("dense buckets %s", mode), func(t *testing.T) {
			// Thousands of events within a few ns and all 256 phases: the
			// calendar's multi-pass radix path, and its fallback when seqs
			// do not rise.
			q := newQ()
			var m sortedModel
			rng := rand.New(rand.NewPCG(21, uint64(mode)))
			for round := range 3 {
				for i := range 6000 {
					s := uint64(round*6000 + i)
					if mode == anyTime {
						s *= 0x9E3779B97F4A7C15
					}
					e := Event{TimePS: int64(round)*3000 + rng.Int64N(4096), Phase: uint8(rng.IntN(256)), Seq: s, Arg: int64(i)}
					if rng.IntN(4) == 0 {
						e.Phase = 0 // many exact ties on (time, phase)
						e.TimePS = int64(round) * 3000
					}
					q.Push(e)
					m.push(e)
				}
				for range 4000 {
					want, _ := m.pop()
					got, ok := q.Pop()
					require.True(t, ok)
					if got != want {
						require.Equal(t, want, got)
					}
				}
			}
			for len(m.ev) > 0 {
				want, _ := m.pop()
				got, _ := q.Pop()
				if got != want {
					require.Equal(t, want, got)
				}
			}
			assert.Equal(t, 0, q.Len())
		})
		for _, seed := range testSeeds() {
			t.Run(fmt.Sprintf("random %s seed %d", mode, seed), func(t *testing.T) {
				t.Logf("seed %d (rerun with -sched.seed=%d)", seed, seed)
				runRandomAgainstModel(t, newQ(), mode, seed, 20000)
			})
		}
	}
}

func drain(q Queue) []Event {
	var out []Event
	for {
		e, ok := q.Pop()
		if !ok {
			return out
		}
		out = append(out, e)
	}
}

func seqsOf(es []Event) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

// modelMode picks how random operations choose times and seqs.
type modelMode int

const (
	// monotone is how a Scheduler drives a queue: times never before the
	// last popped event, seqs increasing.
	monotone modelMode = iota
	// anyTime pushes any time, also before the last pop, with scrambled
	// (but unique) seqs: the queue must still behave like a sorted list.
	anyTime
)

func (m modelMode) String() string {
	if m == monotone {
		return "monotone"
	}
	return "any-time"
}

// sortedModel is the obviously-correct queue: a sorted slice.
type sortedModel struct{ ev []Event }

func (m *sortedModel) push(e Event) {
	i, _ := slices.BinarySearchFunc(m.ev, e, cmpEvent)
	m.ev = slices.Insert(m.ev, i, e)
}

func (m *sortedModel) peek() (Event, bool) {
	if len(m.ev) == 0 {
		return Event{}, false
	}
	return m.ev[0], true
}

func (m *sortedModel) pop() (Event, bool) {
	if len(m.ev) == 0 {
		return Event{}, false
	}
	e := m.ev[0]
	m.ev = m.ev[1:]
	return e, true
}

// randomOffset draws how far ahead of the base time an event lands, mixing
// same-time events, near ones and events far beyond any wheel.
func randomOffset(rng *rand.Rand) int64 {
	switch r := rng.IntN(100); {
	case r < 20:
		return 0
	case r < 40:
		return rng.Int64N(64)
	case r < 75:
		return rng.Int64N(5_000)
	case r < 92:
		return rng.Int64N(2_000_000)
	default:
		return rng.Int64N(1 << 40)
	}
}

// runRandomAgainstModel applies n random Push/Pop/Peek operations to q and
// to a sortedModel and requires identical answers after each.
func runRandomAgainstModel(t *testing.T, q Queue, mode modelMode, seed uint64, n int) {
	rng := rand.New(rand.NewPCG(seed, uint64(mode)))
	var m sortedModel
	var lastPop int64
	var seq uint64
	cal, _ := q.(*Calendar)
	for op := range n {
		// Alternate growing and shrinking stretches so the queue both
		// fills up and drains to empty.
		pushP := 60
		if (op/2000)%2 == 1 {
			pushP = 40
		}
		switch r := rng.IntN(100); {
		case r < pushP:
			base := lastPop
			if mode == anyTime {
				base = lastPop - rng.Int64N(10_000)
			}
			s := seq
			if mode == anyTime {
				s = seq * 0x9E3779B97F4A7C15 // odd multiplier: unique, scrambled
			}
			seq++
			e := Event{
				TimePS: base + randomOffset(rng),
				Phase:  uint8(rng.IntN(4)),
				Seq:    s,
				Kind:   uint8(rng.IntN(256)),
				Target: rng.Int32(),
				Arg:    rng.Int64(),
			}
			q.Push(e)
			m.push(e)
		case r < pushP+5:
			want, wok := m.peek()
			got, gok := q.Peek()
			if got != want || gok != wok {
				require.Equal(t, want, got, "op %d: Peek (ok %v, want ok %v)", op, gok, wok)
			}
		default:
			want, wok := m.pop()
			got, gok := q.Pop()
			if got != want || gok != wok {
				require.Equal(t, want, got, "op %d: Pop (ok %v, want ok %v)", op, gok, wok)
			}
			if gok {
				lastPop = got.TimePS
			}
		}
		if q.Len() != len(m.ev) {
			require.Equal(t, len(m.ev), q.Len(), "op %d: Len", op)
		}
		if cal != nil && op%97 == 0 {
			require.NoError(t, cal.checkInvariants(), "op %d", op)
		}
	}
	for len(m.ev) > 0 {
		want, _ := m.pop()
		got, ok := q.Pop()
		require.True(t, ok)
		require.Equal(t, want, got)
	}
	_, ok := q.Pop()
	require.False(t, ok)
}
