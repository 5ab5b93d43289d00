package sched

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSchedulerAssignsSeq(t *testing.T) {
	s := New(NewHeap())
	for i, tm := range []int64{30, 10, 10, 20} {
		// The caller's Seq is ignored.
		require.NoError(t, s.Schedule(Event{TimePS: tm, Seq: 999, Target: int32(i)}))
	}
	assert.Equal(t, 4, s.Len())
	var got []Event
	for {
		e, ok := s.Next()
		if !ok {
			break
		}
		got = append(got, e)
	}
	want := []Event{
		{TimePS: 10, Seq: 1, Target: 1},
		{TimePS: 10, Seq: 2, Target: 2},
		{TimePS: 20, Seq: 3, Target: 3},
		{TimePS: 30, Seq: 0, Target: 0},
	}
	assert.Equal(t, want, got)
	assert.Equal(t, int64(30), s.Now())
	assert.Equal(t, 0, s.Len())
}

func TestSchedulerRejectsPast(t *testing.T) {
	tests := []struct {
		name    string
		ev      Event
		wantErr string // empty: accepted
	}{
		{name: "earlier time", ev: Event{TimePS: 99, Phase: 3}, wantErr: "at 99 ps, now is 100 ps"},
		{name: "now, earlier phase", ev: Event{TimePS: 100, Phase: 0}, wantErr: "phase 0, now is phase 1"},
		{name: "now, same phase", ev: Event{TimePS: 100, Phase: 1}},
		{name: "now, later phase", ev: Event{TimePS: 100, Phase: 2}},
		{name: "later time, earlier phase", ev: Event{TimePS: 101, Phase: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(NewHeap())
			require.NoError(t, s.Schedule(Event{TimePS: 100, Phase: 1}))
			_, ok := s.Next()
			require.True(t, ok)
			require.Equal(t, int64(100), s.Now())
			require.Equal(t, uint8(1), s.NowPhase())

			err := s.Schedule(tt.ev)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, 1, s.Len())
				return
			}
			require.ErrorIs(t, err, ErrPast)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Equal(t, 0, s.Len(), "a refused event is not queued")
		})
	}
}

func TestSchedulerSnapshot(t *testing.T) {
	for _, f := range queueFactories() {
		t.Run(f.name, func(t *testing.T) {
			s := New(f.new(t))
			rng := rand.New(rand.NewPCG(11, 12))
			// Build up a queue, popping some on the way so the calendar's
			// current bucket, late and far parts are all in use.
			for i := range 3000 {
				e := Event{TimePS: s.Now() + rng.Int64N(1<<uint(rng.IntN(30))), Phase: uint8(rng.IntN(3)), Target: int32(i)}
				if e.TimePS == s.Now() {
					e.Phase = max(e.Phase, s.NowPhase())
				}
				require.NoError(t, s.Schedule(e))
				if i%3 == 0 {
					_, ok := s.Next()
					require.True(t, ok)
				}
			}
			n := s.Len()
			snap := s.Snapshot()
			require.Len(t, snap, n)
			assert.NoError(t, Check(snap))
			assert.Equal(t, snap, s.Snapshot(), "a second snapshot is identical")
			assert.Equal(t, n, s.Len(), "snapshot does not consume")

			popped := make([]Event, 0, n)
			for {
				e, ok := s.Next()
				if !ok {
					break
				}
				popped = append(popped, e)
			}
			assert.Equal(t, snap, popped, "snapshot order is pop order")
		})
	}
}

func TestSchedulerPeek(t *testing.T) {
	q, err := NewCalendar(DefaultCalendarSpec())
	require.NoError(t, err)
	s := New(q)
	_, ok := s.Peek()
	assert.False(t, ok)
	require.NoError(t, s.Schedule(Event{TimePS: 7_000, Kind: 2}))
	require.NoError(t, s.Schedule(Event{TimePS: 5_000, Kind: 1}))
	e, ok := s.Peek()
	require.True(t, ok)
	assert.Equal(t, uint8(1), e.Kind)
	assert.Equal(t, int64(0), s.Now(), "Peek does not move time")
	assert.Equal(t, 2, s.Len())
}

func TestNewOnNonEmptyQueueNumbersAfterExisting(t *testing.T) {
	q := NewHeap()
	q.Push(Event{TimePS: 10, Seq: 41})
	s := New(q)
	require.NoError(t, s.Schedule(Event{TimePS: 10}))
	first, _ := s.Next()
	second, _ := s.Next()
	assert.Equal(t, uint64(41), first.Seq)
	assert.Equal(t, uint64(42), second.Seq, "FIFO: the new event follows the existing one")
}

// TestSchedulerOutputPassesCheck drives a Scheduler the way a chip does —
// every event schedules follow-ups at or after its own (time, phase) — and
// requires the popped sequence to pass Check, for every queue.
func TestSchedulerOutputPassesCheck(t *testing.T) {
	for _, f := range queueFactories() {
		for _, seed := range testSeeds() {
			t.Run(fmt.Sprintf("%s/seed %d", f.name, seed), func(t *testing.T) {
				s := New(f.new(t))
				rng := rand.New(rand.NewPCG(seed, 3))
				for range 100 {
					require.NoError(t, s.Schedule(Event{TimePS: rng.Int64N(10_000), Phase: uint8(rng.IntN(3))}))
				}
				var out []Event
				for len(out) < 20_000 {
					e, ok := s.Next()
					require.True(t, ok)
					out = append(out, e)
					for range rng.IntN(3) {
						next := Event{TimePS: e.TimePS + rng.Int64N(3)*rng.Int64N(5_000), Phase: uint8(rng.IntN(3))}
						if next.TimePS == e.TimePS {
							next.Phase = max(next.Phase, e.Phase)
						}
						require.NoError(t, s.Schedule(next))
					}
					if s.Len() == 0 {
						require.NoError(t, s.Schedule(Event{TimePS: e.TimePS + 1}))
					}
				}
				require.NoError(t, Check(out))
			})
		}
	}
}
