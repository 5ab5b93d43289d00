package sched

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCalendarSpecValidate(t *testing.T) {
	tests := []struct {
		name string
		spec CalendarSpec
		want []string // substrings, one per expected violation
	}{
		{name: "default", spec: DefaultCalendarSpec()},
		{name: "smallest", spec: CalendarSpec{BucketWidthPS: 1, NumBuckets: 1}},
		{name: "largest wheel", spec: CalendarSpec{BucketWidthPS: 1 << 20, NumBuckets: MaxCalendarBuckets}},
		{name: "zero width", spec: CalendarSpec{BucketWidthPS: 0, NumBuckets: 64},
			want: []string{"bucket_width_ps must be > 0, got 0"}},
		{name: "negative width", spec: CalendarSpec{BucketWidthPS: -256, NumBuckets: 64},
			want: []string{"bucket_width_ps must be > 0, got -256"}},
		{name: "width not power of two", spec: CalendarSpec{BucketWidthPS: 1000, NumBuckets: 64},
			want: []string{"bucket_width_ps must be a power of two, got 1000 (try 512 or 1024)"}},
		{name: "zero buckets", spec: CalendarSpec{BucketWidthPS: 256, NumBuckets: 0},
			want: []string{"num_buckets must be > 0, got 0"}},
		{name: "buckets not power of two", spec: CalendarSpec{BucketWidthPS: 256, NumBuckets: 1000},
			want: []string{"num_buckets must be a power of two, got 1000 (try 512 or 1024)"}},
		{name: "too many buckets", spec: CalendarSpec{BucketWidthPS: 256, NumBuckets: 2 * MaxCalendarBuckets},
			want: []string{"num_buckets must be ≤"}},
		{name: "span overflows", spec: CalendarSpec{BucketWidthPS: 1 << 60, NumBuckets: 16},
			want: []string{"overflows int64"}},
		{name: "every problem at once", spec: CalendarSpec{BucketWidthPS: 3, NumBuckets: -1},
			want: []string{"bucket_width_ps must be a power of two", "num_buckets must be > 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.Validate()
			if len(tt.want) == 0 {
				require.NoError(t, err)
				if tt.spec.NumBuckets <= 1<<16 { // keep the test's memory small
					c, err := NewCalendar(tt.spec)
					require.NoError(t, err)
					assert.Equal(t, tt.spec, c.Spec())
				}
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			var joined interface{ Unwrap() []error }
			require.True(t, errors.As(err, &joined))
			assert.Len(t, joined.Unwrap(), len(tt.want), "one error per violation")

			c, nerr := NewCalendar(tt.spec)
			assert.Nil(t, c)
			assert.ErrorContains(t, nerr, tt.want[0], "NewCalendar refuses the spec")
		})
	}
}

// checkInvariants verifies the calendar's internal placement rules; the
// randomized conformance test calls it as it goes.
func (c *Calendar) checkInvariants() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	bucket := func(e Event) int64 { return e.TimePS >> c.shift }
	n := len(c.run) - c.head + c.late.Len() + c.far.Len() + c.wheelLen
	if n != c.count {
		bad("count %d, but run+late+far+wheel hold %d", c.count, n)
	}
	for i := c.head; i < len(c.run); i++ {
		if bucket(c.run[i]) != c.cur {
			bad("run[%d] %v is not in current bucket %d", i, c.run[i], c.cur)
		}
		if i > c.head && less(&c.run[i], &c.run[i-1]) {
			bad("run[%d] %v before run[%d]", i, c.run[i], i-1)
		}
	}
	c.late.Each(func(e Event) {
		if bucket(e) > c.cur {
			bad("late event %v after current bucket %d", e, c.cur)
		}
	})
	c.far.Each(func(e Event) {
		if b := bucket(e); b <= c.cur || uint64(b)-uint64(c.cur) < c.nb {
			bad("far event %v inside the wheel (cur %d)", e, c.cur)
		}
	})
	wheel := 0
	for s, sl := range c.slots {
		occ := c.occupied[s>>6]&(1<<(uint(s)&63)) != 0
		if (sl.first >= 0) != occ || (sl.last >= 0) != occ || (sl.n > 0) != occ {
			bad("slot %d: %+v but occupied bit %v", s, sl, occ)
		}
		inSlot := 0
		for bi := sl.first; bi >= 0; bi = c.blockNext[bi] {
			if c.blockN[bi] == 0 {
				bad("slot %d: empty block %d", s, bi)
			}
			if c.blockNext[bi] < 0 && bi != sl.last {
				bad("slot %d: list ends at block %d, last says %d", s, bi, sl.last)
			}
			for _, e := range c.events(bi) {
				inSlot++
				b := bucket(e)
				if b <= c.cur || uint64(b)-uint64(c.cur) >= c.nb || uint64(b)&c.mask != uint64(s) {
					bad("slot %d holds %v (bucket %d, cur %d)", s, e, b, c.cur)
				}
			}
		}
		if inSlot != int(sl.n) {
			bad("slot %d: n %d, blocks hold %d", s, sl.n, inSlot)
		}
		wheel += inSlot
	}
	if wheel != c.wheelLen {
		bad("wheelLen %d, slots hold %d", c.wheelLen, wheel)
	}
	for w, word := range c.occupied {
		if (word != 0) != (c.summary[w>>6]&(1<<(uint(w)&63)) != 0) {
			bad("summary bit of word %d disagrees with word %#x", w, word)
		}
	}
	return errors.Join(errs...)
}

func TestCalendarJumpsOverEmptyWheel(t *testing.T) {
	c, err := NewCalendar(CalendarSpec{BucketWidthPS: 1, NumBuckets: 1 << 16})
	require.NoError(t, err)
	// Events a million wheel turns apart: each pop must jump, not walk.
	const gap = int64(1) << 36
	for i := range int64(100) {
		c.Push(Event{TimePS: i * gap, Seq: uint64(i)})
	}
	for i := range int64(100) {
		e, ok := c.Pop()
		require.True(t, ok)
		require.Equal(t, i*gap, e.TimePS)
		require.NoError(t, c.checkInvariants())
	}
	assert.Equal(t, 0, c.Len())
}

func TestCalendarPushBeforeCurrentBucket(t *testing.T) {
	c, err := NewCalendar(CalendarSpec{BucketWidthPS: 16, NumBuckets: 4})
	require.NoError(t, err)
	c.Push(Event{TimePS: 1000, Seq: 0})
	c.Push(Event{TimePS: 1001, Seq: 1})
	e, _ := c.Pop()
	require.Equal(t, int64(1000), e.TimePS)
	// Earlier than anything popped: a Heap would pop it next, so must we.
	c.Push(Event{TimePS: 3, Seq: 2})
	c.Push(Event{TimePS: 1000, Seq: 3})
	got := drain(c)
	assert.Equal(t, []uint64{2, 3, 1}, seqsOf(got))
	assert.NoError(t, c.checkInvariants())
}

// TestQueuesAgree is metamorphic: one random hold workload through every
// queue variant must give the same pop sequence.
func TestQueuesAgree(t *testing.T) {
	for _, seed := range testSeeds() {
		var ref []Event
		for _, f := range queueFactories() {
			q := f.new(t)
			got := holdTrace(q, seed, 3000, 30000)
			if ref == nil {
				ref = got
				continue
			}
			require.True(t, slices.Equal(ref, got), "%s differs from %s, seed %d", f.name, queueFactories()[0].name, seed)
		}
	}
}

// holdTrace runs the hold model (pop, push at popped time + increment) and
// returns the popped events.
func holdTrace(q Queue, seed uint64, pending, steps int) []Event {
	rng := rand.New(rand.NewPCG(seed, 99))
	var seq uint64
	inc := func() int64 {
		if rng.IntN(50) == 0 {
			return rng.Int64N(10_000_000) // occasional far event
		}
		return rng.Int64N(10_000)
	}
	for range pending {
		q.Push(Event{TimePS: inc(), Phase: uint8(rng.IntN(2)), Seq: seq})
		seq++
	}
	out := make([]Event, 0, steps)
	for range steps {
		e, _ := q.Pop()
		out = append(out, e)
		q.Push(Event{TimePS: e.TimePS + inc(), Phase: uint8(rng.IntN(2)), Seq: seq})
		seq++
	}
	return out
}

func TestSteadyStateDoesNotAllocate(t *testing.T) {
	for _, f := range queueFactories() {
		t.Run(f.name, func(t *testing.T) {
			q := f.new(t)
			holdTrace(q, 1, 10_000, 200_000) // grow every buffer
			rng := rand.New(rand.NewPCG(5, 5))
			seq := uint64(math.MaxUint32)
			allocs := testing.AllocsPerRun(10_000, func() {
				e, _ := q.Pop()
				e.TimePS += rng.Int64N(10_000)
				e.Seq = seq
				seq++
				q.Push(e)
			})
			assert.Zero(t, allocs, "allocations per Pop+Push")
		})
	}
}
