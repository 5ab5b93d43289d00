package sched

import (
	"errors"
	"fmt"

	"github.com/google/btree"
)

// ErrPast is wrapped by the error Schedule returns for an event before the
// current (time, phase).
var ErrPast = errors.New("event is in the past")

// Scheduler wraps a Queue: it numbers events as they are scheduled (Seq),
// keeps the current time and phase, and refuses events before them, so the
// events Next returns always pass Check. It is not safe for concurrent use;
// one chip owns one Scheduler.
type Scheduler struct {
	q        Queue
	nowPS    int64
	nowPhase uint8
	nextSeq  uint64
}

// New returns a Scheduler at time 0 that owns q. q is normally empty; events
// already in it are kept, and new events are numbered after the largest Seq
// found there so that FIFO order among equal (time, phase) still holds.
func New(q Queue) *Scheduler {
	s := &Scheduler{q: q}
	q.Each(func(e Event) {
		if e.Seq >= s.nextSeq {
			s.nextSeq = e.Seq + 1
		}
	})
	return s
}

// Schedule assigns e the next Seq and queues it. It returns an error
// wrapping ErrPast, and queues nothing, if e.TimePS is before Now, or equals
// Now with a Phase before NowPhase (that phase has already run at this time).
func (s *Scheduler) Schedule(e Event) error {
	if e.TimePS < s.nowPS {
		return fmt.Errorf("sched: cannot schedule event kind %d for target %d at %d ps, now is %d ps: %w",
			e.Kind, e.Target, e.TimePS, s.nowPS, ErrPast)
	}
	if e.TimePS == s.nowPS && e.Phase < s.nowPhase {
		return fmt.Errorf("sched: cannot schedule event kind %d for target %d at %d ps phase %d, now is phase %d of that time: %w",
			e.Kind, e.Target, e.TimePS, e.Phase, s.nowPhase, ErrPast)
	}
	e.Seq = s.nextSeq
	s.nextSeq++
	s.q.Push(e)
	return nil
}

// Next removes the earliest event, advances Now to its time and returns it;
// false when nothing is pending.
func (s *Scheduler) Next() (Event, bool) {
	e, ok := s.q.Pop()
	if ok {
		s.nowPS, s.nowPhase = e.TimePS, e.Phase
	}
	return e, ok
}

// Peek returns the event Next would return, without removing it or moving
// Now. Use it to stop before a time boundary.
func (s *Scheduler) Peek() (Event, bool) { return s.q.Peek() }

// Now is the time of the last event returned by Next (0 before the first).
func (s *Scheduler) Now() int64 { return s.nowPS }

// NowPhase is the phase of the last event returned by Next (0 before the
// first).
func (s *Scheduler) NowPhase() uint8 { return s.nowPhase }

// Len is the number of pending events.
func (s *Scheduler) Len() int { return s.q.Len() }

// Snapshot returns every pending event in the order Next would return them,
// leaving the queue untouched. It costs O(n log n) and allocates; it is for
// checkpoints, traces and debugging, not for the event loop.
func (s *Scheduler) Snapshot() []Event {
	// The key is the whole (TimePS, Phase, Seq) triple: a B-tree keeps one
	// item per key, and Seq is what makes keys distinct.
	t := btree.NewG(32, Event.Less)
	s.q.Each(func(e Event) { t.ReplaceOrInsert(e) })
	out := make([]Event, 0, t.Len())
	t.Ascend(func(e Event) bool {
		out = append(out, e)
		return true
	})
	return out
}
