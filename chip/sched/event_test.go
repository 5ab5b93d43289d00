package sched

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventIs32Bytes(t *testing.T) {
	// The queues move events by value; two to a cache line.
	assert.Equal(t, uintptr(32), unsafe.Sizeof(Event{}))
}

func TestCheck(t *testing.T) {
	ev := func(tm int64, ph uint8, seq uint64) Event { return Event{TimePS: tm, Phase: ph, Seq: seq} }
	many := make([]Event, 40)
	for i := range many {
		many[i] = ev(int64(100-i), 0, uint64(i))
	}
	tests := []struct {
		name   string
		events []Event
		want   []string // substrings; nil means valid
	}{
		{name: "empty"},
		{name: "one", events: []Event{ev(5, 0, 0)}},
		{name: "ordered", events: []Event{ev(0, 0, 3), ev(0, 0, 4), ev(0, 1, 0), ev(1, 0, 1), ev(1, 0, 2)}},
		{name: "time goes back", events: []Event{ev(10, 0, 0), ev(20, 0, 1), ev(15, 0, 2)},
			want: []string{"index 2: event {t=15 ps, phase 0, seq 2", "before index 1 {t=20 ps"}},
		{name: "phase goes back", events: []Event{ev(10, 2, 0), ev(10, 1, 1)},
			want: []string{"index 1: event {t=10 ps, phase 1, seq 1"}},
		{name: "seq goes back at equal time and phase", events: []Event{ev(10, 0, 5), ev(10, 0, 4)},
			want: []string{"index 1: event {t=10 ps, phase 0, seq 4"}},
		{name: "duplicate seq far apart", events: []Event{ev(1, 0, 7), ev(2, 0, 8), ev(3, 0, 7)},
			want: []string{"index 2: seq 7 already used at index 0"}},
		{name: "same event twice", events: []Event{ev(1, 0, 7), ev(1, 0, 7)},
			want: []string{"index 1: seq 7 already used at index 0"}},
		{name: "every violation is reported", events: []Event{ev(3, 0, 0), ev(2, 0, 1), ev(1, 0, 0)},
			want: []string{"index 1: event", "index 2: event", "index 2: seq 0 already used at index 0"}},
		{name: "long reports are capped", events: many,
			want: []string{"index 16: event", "sched check: 23 more violations not listed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.events)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
